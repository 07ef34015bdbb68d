"""The glued-digit splitter against a brute-force enumeration of the same rule."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.parse.glued import splits


def brute(runs: list[str | None], cells: int, group: int | None) -> list[list[str | None]]:
    """Every cut of every run, filtered afterwards: slow, obviously right."""

    def cuts(run: str | None) -> list[list[str | None]]:
        if run is None:
            return [[None]]
        out = []
        for k in range(len(run)):
            for points in itertools.combinations(range(1, len(run)), k):
                bounds = (0, *points, len(run))
                parts = [run[a:b] for a, b in itertools.pairwise(bounds)]
                if all(p == "0" or not p.startswith("0") for p in parts):
                    out.append(parts)
        return out

    found = []
    for choice in itertools.product(*(cuts(r) for r in runs)):
        parts = [p for c in choice for p in c]
        if len(parts) != cells:
            continue
        if group:
            ok = True
            for g in range(0, cells, group):
                members = parts[g : g + group]
                if len(members) == group and None not in members:
                    values = [int(p) for p in members]  # type: ignore[arg-type]
                    ok &= sum(values[:-1]) == values[-1]
            if not ok:
                continue
        found.append(parts)
    return found


runs_strategy = st.lists(
    st.one_of(st.none(), st.text(alphabet="0123456789", min_size=1, max_size=6)), min_size=1, max_size=4
)


@settings(max_examples=300, deadline=None)
@given(runs=runs_strategy, cells=st.integers(1, 8), group=st.sampled_from([None, 2, 3, 4]))
def test_splits_are_exactly_the_valid_cuts(runs: list[str | None], cells: int, group: int | None) -> None:
    if group and cells % group:
        cells = group * max(1, cells // group)
    assert sorted(map(str, splits(runs, cells, group))) == sorted(map(str, brute(runs, cells, group)))


def test_the_pingtan_rows() -> None:
    assert list(splits(["640020470"], 7, 7)) == [["64", "0", "0", "2", "0", "4", "70"]]
    assert len(list(splits(["220000325"], 7, 7))) == 2  # the column balances settle it
    assert list(splits(["10203120001200000"], 15, 5)) == [
        ["1", "0", "2", "0", "3", "12", "0", "0", "0", "12", "0", "0", "0", "0", "0"]
    ]
    assert list(splits(["０００"], 3)) == [["０", "０", "０"]]

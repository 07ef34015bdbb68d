"""Split digit runs whose cell separators were lost ("640020470" is seven cells).

Some crawled pages keep a table's text but drop every separator. The digits
are still in order, so the possible splits can be listed: each cell is "0"
or a number without a leading zero. Which split is right is decided by the
table's own identities (row totals, column balances), never by taste; see
:mod:`etl.parse.applications` and :mod:`etl.parse.review`. The identities
are applied while enumerating (``group`` totals), which keeps the search
small. A printed blank ("/", "-") between runs is a cell of its own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

MAX_DIGITS = 40  # beyond this the enumeration is too large to be worth trying
MAX_SPLITS = 200_000

Run = str | None  # a run of digits, or None for a printed blank cell


def is_digit_run(raw: str) -> bool:
    """Digits only, half- or full-width ("640020470", "０００")."""
    folded = unicodedata.normalize("NFKC", raw)
    return folded.isdigit() and folded.isascii() and len(folded) == len(raw)


def splits(runs: list[Run], cells: int, group: int | None = None) -> Iterator[list[str | None]]:
    """Every way to cut the digit runs, in order, into exactly ``cells`` cells.

    A run cannot be merged with its neighbour (a separator was seen between
    them), only cut; a ``None`` run is one blank cell. With ``group``, the
    cells come in groups of ``group`` whose last cell is the total of the
    others, and only splits where every group without a blank adds up are
    yielded (a group with a blank cannot be checked, so any cut passes).
    """
    if not runs or sum(len(r) for r in runs if r) > MAX_DIGITS:
        return
    folded = [unicodedata.normalize("NFKC", r) if r else None for r in runs]
    parts: list[str | None] = []
    values: list[int | None] = []
    yielded = 0

    def walk(ri: int, i: int) -> Iterator[list[str | None]]:
        nonlocal yielded
        if yielded >= MAX_SPLITS:
            return
        if ri == len(runs):
            if len(parts) == cells:
                yielded += 1
                yield list(parts)
            return
        if len(parts) == cells:
            return
        run, digits = runs[ri], folded[ri]
        if run is None or digits is None:
            if not _group_ok(None):
                return
            parts.append(None)
            values.append(None)
            yield from walk(ri + 1, 0)
            parts.pop()
            values.pop()
            return
        n = len(digits)
        ends = [i + 1] if digits[i] == "0" else range(i + 1, n + 1)
        for j in ends:
            value = int(digits[i:j])
            if not _group_ok(value):
                continue
            parts.append(run[i:j])
            values.append(value)
            yield from walk(ri, j) if j < n else walk(ri + 1, 0)
            parts.pop()
            values.pop()

    def _group_ok(value: int | None) -> bool:
        """Whether a cell placed now keeps its group's total possible."""
        if not group or (len(values) + 1) % group != 0:
            return True
        members = values[len(values) - group + 1 :]
        if value is None or any(v is None for v in members):
            return True
        return sum(members) == value  # type: ignore[arg-type]

    yield from walk(0, 0)

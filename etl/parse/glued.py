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
    # cells the runs after index ri can still give: at least one each, at most a digit each
    later_min = [0] * (len(runs) + 1)
    later_max = [0] * (len(runs) + 1)
    for k in range(len(runs) - 1, -1, -1):
        later_min[k] = later_min[k + 1] + 1
        later_max[k] = later_max[k + 1] + (len(folded[k]) if folded[k] else 1)  # type: ignore[arg-type]
    # a blank still to come may fall in the current group, which then cannot be checked
    blank_after = [any(r is None for r in runs[k + 1 :]) for k in range(len(runs))]
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
        needed = cells - len(parts)
        if not (1 + later_min[ri + 1] <= needed <= (n - i) + later_max[ri + 1]):
            return
        total = _group_total()
        if total is not None:
            # this cell is its group's total and the group is complete: one value fits
            want = str(total)
            j = i + len(want)
            ends = [j] if digits.startswith(want, i) else []
        elif digits[i] == "0":
            ends = [i + 1]
        else:
            ends = range(i + 1, n + 1)
        for j in ends:
            value = int(digits[i:j])
            room = blank_after[ri] or _room_for_total(value, (n - j) + later_max[ri + 1])
            if not _group_ok(value) or not room:
                continue
            parts.append(run[i:j])
            values.append(value)
            yield from walk(ri, j) if j < n else walk(ri + 1, 0)
            parts.pop()
            values.pop()

    def _group_total() -> int | None:
        """The value the next cell must have when it closes a group without blanks."""
        if not group or (len(values) + 1) % group != 0:
            return None
        members = values[len(values) - group + 1 :]
        if any(v is None for v in members):
            return None
        return sum(members)  # type: ignore[arg-type]

    def _room_for_total(value: int, digits_left: int) -> bool:
        """Whether the digits left can still print the group's total (at least its running sum)."""
        if not group:
            return True
        position = len(values) % group  # of the cell being placed
        if position == group - 1:
            return True  # this is the total itself
        members = values[len(values) - position :]
        if any(v is None for v in members):
            return True
        cells_between = group - 2 - position  # cells still to come before the total
        return digits_left - cells_between >= len(str(sum(members) + value))  # type: ignore[arg-type]

    def _group_ok(value: int | None) -> bool:
        """Whether a cell placed now keeps its group's total possible."""
        if not group or (len(values) + 1) % group != 0:
            return True
        members = values[len(values) - group + 1 :]
        if value is None or any(v is None for v in members):
            return True
        return sum(members) == value  # type: ignore[arg-type]

    yield from walk(0, 0)

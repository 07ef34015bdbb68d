"""Split digit runs whose cell separators were lost ("640020470" is seven cells).

Some crawled pages keep a table's text but drop every separator. The digits
are still in order, so the possible splits can be listed: each cell is "0"
or a number without a leading zero. Which split is right is decided by the
table's own identities (row totals, column balances), never by taste; see
:mod:`etl.parse.applications` and :mod:`etl.parse.review`. The identities
are applied while enumerating (``group`` totals), which keeps the search
small.
"""

from __future__ import annotations

from collections.abc import Iterator

MAX_DIGITS = 40  # beyond this the enumeration is too large to be worth trying
MAX_SPLITS = 200_000


def is_digit_run(raw: str) -> bool:
    return raw.isdigit() and raw.isascii()


def splits(runs: list[str], cells: int, group: int | None = None) -> Iterator[list[str]]:
    """Every way to cut the digit runs, in order, into exactly ``cells`` numbers.

    A run cannot be merged with its neighbour (a separator was seen between
    them), only cut. With ``group``, the cells come in groups of ``group``
    whose last cell is the total of the others, and only splits where every
    group adds up are yielded.
    """
    if not runs or sum(len(r) for r in runs) > MAX_DIGITS:
        return
    digits = "".join(runs)
    n = len(digits)
    # a cut is forced at run boundaries and forbidden nowhere else
    forced = set()
    pos = 0
    for r in runs[:-1]:
        pos += len(r)
        forced.add(pos)
    parts: list[str] = []
    yielded = 0

    def next_forced(i: int) -> int:
        return min((f for f in forced if f > i), default=n)

    def walk(i: int) -> Iterator[list[str]]:
        nonlocal yielded
        if yielded >= MAX_SPLITS:
            return
        if len(parts) == cells:
            if i == n:
                yielded += 1
                yield list(parts)
            return
        if n - i < cells - len(parts):
            return
        limit = next_forced(i)
        if group and (len(parts) + 1) % group == 0:
            # this cell is a group total: it must equal the sum of the group so far
            want = str(sum(int(p) for p in parts[len(parts) - group + 1 :]))
            j = i + len(want)
            if digits.startswith(want, i) and j <= limit and (j == limit or j not in forced):
                parts.append(want)
                yield from walk(j)
                parts.pop()
            return
        if digits[i] == "0":
            ends = [i + 1]
        else:
            ends = range(i + 1, limit + 1)
        for j in ends:
            if j > limit:
                break
            if len(parts) + 1 < cells and j == n:
                break
            parts.append(digits[i:j])
            yield from walk(j)
            parts.pop()

    yield from walk(0)

"""Split digit runs whose cell separators were lost ("640020470" is seven cells).

Some crawled pages keep a table's text but drop every separator. The digits
are still in order, so the possible splits can be listed: each cell is "0"
or a number without a leading zero. Which split is right is decided by the
table's own identities (row totals, column balances), never by taste; see
:mod:`etl.parse.applications` and :mod:`etl.parse.review`.
"""

from __future__ import annotations

from collections.abc import Iterator

MAX_DIGITS = 40  # beyond this the enumeration is too large to be worth trying
MAX_SPLITS = 200_000


def is_digit_run(raw: str) -> bool:
    return raw.isdigit() and raw.isascii()


def splits(runs: list[str], cells: int) -> Iterator[list[str]]:
    """Every way to cut the digit runs, in order, into exactly ``cells`` numbers.

    A run cannot be merged with its neighbour (a separator was seen between
    them), only cut. Yields lists of digit strings.
    """
    if sum(len(r) for r in runs) > MAX_DIGITS or not runs:
        return
    count = 0

    def cut(run: str, parts: int) -> Iterator[list[str]]:
        if parts == 1:
            if run == "0" or not run.startswith("0"):
                yield [run]
            return
        if run.startswith("0"):
            head = ["0"]
            yield from ([*head, *rest] for rest in cut(run[1:], parts - 1))
            return
        for i in range(1, len(run) - parts + 2):
            for rest in cut(run[i:], parts - 1):
                yield [run[:i], *rest]

    def place(i: int, remaining: int) -> Iterator[list[str]]:
        if i == len(runs):
            if remaining == 0:
                yield []
            return
        left = len(runs) - i - 1
        for parts in range(1, min(len(runs[i]), remaining - left) + 1):
            for head in cut(runs[i], parts):
                for tail in place(i + 1, remaining - parts):
                    yield [*head, *tail]

    for option in place(0, cells):
        count += 1
        if count > MAX_SPLITS:
            return
        yield option

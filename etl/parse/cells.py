"""From a zone's tokens to a row's cells: count, trim, or leave unresolved.

A row expects ``k`` cells. Layouts add empty filler cells at the ends of
rows (``| 2 | 0 | ||``), so trailing empty cells beyond ``k`` are dropped
and so are leading ones when only they are in excess. What is left either
has exactly ``k`` cells (read them in order) or is *unresolved* and goes to
the repair steps (regrouping across rows, splitting glued digits), which
may still leave it null with a finding: a number is never guessed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from etl.parse.glued import is_digit_run
from etl.parse.tokens import Token
from etl.record import Value


@dataclass
class Cell:
    value: Value
    raw: str | None


@dataclass
class Row:
    code: str
    tokens: list[Token]  # cell tokens only (value, blank, empty)
    cells: list[Cell] | None = None
    candidates: list[list[Cell]] = field(default_factory=list)
    problem: str | None = None
    zone: list[Token] = field(default_factory=list)  # every token, label text included
    extra: list[tuple[str, list[Token]]] = field(default_factory=list)  # unplaced local rows
    # read by a repair (fillers trimmed, numbers regrouped across rows), not cell by cell:
    # its reading stands only where the row's total confirms it
    soft: bool = False

    @property
    def unresolved(self) -> bool:
        """No cells yet and nothing settled against repairs (a row declined for a reason stays so)."""
        return self.cells is None and self.problem is None


def cell_tokens(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.is_cell]


def fit(tokens: list[Token], k: int, *, filler_at_end: bool = False) -> list[Token] | None:
    """The row's ``k`` cell tokens once filler empties are trimmed, or None.

    Fillers stand at the ends of a row. Padding ("||", two tabs: see
    :class:`Token`) goes first, trailing before leading. Where the excess
    could then be trimmed at either end with different results
    ("| | 0 | 0 | | 0 | 0 | | |": is the first empty a blank cell, or the
    last?), the row is left unresolved: a blank read one column off puts
    every number beside it in the wrong column. ``filler_at_end``: the
    layout puts cells right after the label, so empties in excess are
    trimmed at the end first (section 二, whose items fill only the first of
    the header's measure columns).
    """
    tokens = list(tokens)
    while len(tokens) > k and tokens[-1].pad:
        tokens.pop()
    while len(tokens) > k and tokens[0].pad:
        tokens.pop(0)
    excess = len(tokens) - k
    if excess <= 0:  # most rows: nothing to trim
        return tokens if excess == 0 else None
    lead = next((n for n, t in enumerate(tokens) if t.kind != "empty"), len(tokens))
    trail = next((n for n, t in enumerate(reversed(tokens)) if t.kind != "empty"), len(tokens))
    if filler_at_end:
        trimmed = min(excess, trail)
        tokens, excess, trail = tokens[: len(tokens) - trimmed], excess - trimmed, 0
    readings = {
        tuple((t.kind, t.raw) for t in tokens[a : len(tokens) - (excess - a)])
        for a in range(max(0, excess - trail), min(lead, excess) + 1)
    }
    if len(readings) != 1:
        return None
    a = max(0, excess - trail)
    return list(tokens[a : len(tokens) - (excess - a)])


def fills_a_blank_row(zone: list[Token], tokens: list[Token], fitted: list[Token], k: int) -> bool:
    """Whether the empties :func:`fit` trimmed are a blank row of their own, not padding.

    With a row per line, the cells kept stand on one line; empty cells that
    fill another line without words (a header's line has words) are a blank
    row whose label a converter moved away: reading past them would give
    the next row's numbers to this one.
    """
    lines = {t.line for t in fitted}
    if len(lines) != 1:
        return False
    kept = {id(t) for t in fitted}
    worded = {t.line for t in zone if t.kind == "noise"}
    elsewhere = Counter(
        t.line
        for t in tokens
        if id(t) not in kept and not t.pad and t.kind == "empty" and t.line not in lines | worded
    )
    return bool(elsewhere) and max(elsewhere.values()) >= k - 1


def trimmed_ahead(tokens: list[Token], fitted: list[Token]) -> bool:
    """Whether :func:`fit` dropped an empty cell (not mere padding) before the first cell it kept.

    Had that empty been a blank cell, every number after it would stand a
    column off; trailing fillers only end rows. Readings that trimmed ahead
    stand only where the table's totals confirm them.
    """
    first = next((i for i, t in enumerate(tokens) if fitted and t is fitted[0]), 0)
    return any(not t.pad for t in tokens[:first])


def to_cells(tokens: list[Token]) -> list[Cell]:
    return [Cell(t.value, t.raw if t.kind != "empty" else "") for t in tokens]


def all_digit_runs(tokens: list[Token]) -> bool:
    """Whether a row's cells may be glued digits: only digit runs, at least one cut out of label text.

    Cells that stood apart in the source (separated by bars, tabs, line breaks
    or spaces, none touching a label) are never split: "0 | 34" is two cells,
    not three; but a run that starts with 0 ("0000000") is several cells
    wherever it stands, since no count is printed with a leading zero.
    """
    return (
        bool(tokens)
        and all((t.kind == "value" and is_digit_run(t.raw)) or t.kind == "blank" for t in tokens)
        and any(t.glued or _several(t) for t in tokens)
    )


def _several(token: Token) -> bool:
    """A digit run that cannot be one count: it starts with 0 ("0000000", "00")."""
    return token.kind == "value" and len(token.raw) > 1 and token.raw[0] in "0０"


def runs_of(tokens: list[Token]) -> list[str | None]:
    """Digit runs for the splitter; a printed blank is ``None``."""
    return [t.raw if t.kind == "value" else None for t in tokens]


def split_cells(parts: list[str | None], tokens: list[Token]) -> list[Cell]:
    """Cells of one split; blank cells keep the mark they were printed with."""
    blanks = iter(t.raw for t in tokens if t.kind == "blank")
    return [Cell(None, next(blanks, "")) if p is None else Cell(int(p), p) for p in parts]


def regroup(rows: list[Row], k: int) -> None:
    """Rows whose values were printed before or after a wrapped label.

    In text taken from PDFs a row's numbers can stand before its label, so
    one row collects 2k numbers and its neighbour none. The numbers are still
    in row order: a run of unresolved neighbouring rows whose numbers add up
    to exactly k per row is read in order.
    """
    i = 0
    while i < len(rows):
        if not rows[i].unresolved:
            i += 1
            continue
        j = i
        total = 0
        while j < len(rows) and rows[j].unresolved:
            total += len(rows[j].tokens)
            j += 1
            run = rows[i:j]
            if len(run) > 1 and total == k * len(run):
                flat = [t for r in run for t in r.tokens]
                if any(len(r.tokens) not in (0, k, 2 * k) for r in run):
                    continue
                for n, r in enumerate(run):
                    r.cells = to_cells(flat[n * k : (n + 1) * k])
                    r.soft = True
                break
        i = max(j, i + 1)


def split_extra_rows(rows: list[Row], k: int) -> None:
    """Local rows a report adds ("(八)其他 | 1 | 0 ..."), kept aside, never forced onto a code.

    An unresolved row whose zone holds its own k cells, then label text
    followed by k more cells, keeps the first group; each later group is an
    extra row, reported with its label so nothing is silently dropped.
    """
    for row in rows:
        if not row.unresolved or len(row.tokens) < 2 * k:
            continue
        groups: list[tuple[str, list[Token]]] = [("", [])]
        for t in row.zone:
            if t.kind == "noise" and _is_label(t.raw):
                if groups[-1][1]:
                    groups.append((t.raw, []))
                else:
                    groups[-1] = ((groups[-1][0] + t.raw), [])
            elif t.is_cell:
                groups[-1][1].append(t)
        fitted = [(label, fit(cells, k)) for label, cells in groups if cells]
        first_cells = next(cells for _, cells in groups if cells) if fitted else []
        if fitted and fitted[0][1] is not None and fills_a_blank_row(row.zone, first_cells, fitted[0][1], k):
            continue  # the "row" before the local one is a blank row and the next row's numbers
        if len(fitted) >= 2 and all(f is not None for _, f in fitted):
            row.cells = to_cells(fitted[0][1])  # type: ignore[arg-type]
            row.soft = True
            row.extra = [(label, f) for label, f in fitted[1:]]  # type: ignore[misc]


def _is_label(raw: str) -> bool:
    return sum(1 for ch in raw if "\u4e00" <= ch <= "\u9fff") >= 2

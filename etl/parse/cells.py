"""From a zone's tokens to a row's cells: count, trim, or leave unresolved.

A row expects ``k`` cells. Layouts add empty filler cells at the ends of
rows (``| 2 | 0 | ||``), so trailing empty cells beyond ``k`` are dropped
and so are leading ones when only they are in excess. What is left either
has exactly ``k`` cells (read them in order) or is *unresolved* and goes to
the repair steps (regrouping across rows, splitting glued digits), which
may still leave it null with a finding: a number is never guessed.
"""

from __future__ import annotations

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


def cell_tokens(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.is_cell]


def fit(tokens: list[Token], k: int) -> list[Token] | None:
    """The row's ``k`` cell tokens once filler empties are trimmed, or None."""
    cells = list(tokens)
    while len(cells) > k and cells[-1].kind == "empty":
        cells.pop()
    while len(cells) > k and cells[0].kind == "empty":
        cells.pop(0)
    return cells if len(cells) == k else None


def to_cells(tokens: list[Token]) -> list[Cell]:
    return [Cell(t.value, t.raw if t.kind != "empty" else "") for t in tokens]


def all_digit_runs(tokens: list[Token]) -> bool:
    """Whether a row's cells may be glued digits: only digit runs, at least one cut out of label text.

    Cells that stood apart in the source (separated by bars, tabs, line breaks
    or spaces, none touching a label) are never split: "0 | 34" is two cells,
    not three.
    """
    return (
        bool(tokens)
        and all((t.kind == "value" and is_digit_run(t.raw)) or t.kind == "blank" for t in tokens)
        and any(t.glued for t in tokens)
    )


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
        if rows[i].cells is not None:
            i += 1
            continue
        j = i
        total = 0
        while j < len(rows) and rows[j].cells is None:
            total += len(rows[j].tokens)
            j += 1
            run = rows[i:j]
            if len(run) > 1 and total == k * len(run):
                flat = [t for r in run for t in r.tokens]
                if any(len(r.tokens) not in (0, k, 2 * k) for r in run):
                    continue
                for n, r in enumerate(run):
                    r.cells = to_cells(flat[n * k : (n + 1) * k])
                break
        i = max(j, i + 1)


def split_extra_rows(rows: list[Row], k: int) -> None:
    """Local rows a report adds ("(八)其他 | 1 | 0 ..."), kept aside, never forced onto a code.

    An unresolved row whose zone holds its own k cells, then label text
    followed by k more cells, keeps the first group; each later group is an
    extra row, reported with its label so nothing is silently dropped.
    """
    for row in rows:
        if row.cells is not None or len(row.tokens) < 2 * k:
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
        if len(fitted) >= 2 and all(f is not None for _, f in fitted):
            row.cells = to_cells(fitted[0][1])  # type: ignore[arg-type]
            row.extra = [(label, f) for label, f in fitted[1:]]  # type: ignore[misc]


def _is_label(raw: str) -> bool:
    return sum(1 for ch in raw if "\u4e00" <= ch <= "\u9fff") >= 2

"""Section 四: administrative review and litigation (fifteen cells).

The table has three header rows and one row of fifteen numbers: review
(5), litigation without prior review (5), litigation after review (5), each
as upheld, corrected, other, pending, total. The header rows are label
text, so the cells are the tokens after the last label text of the
section. Glued digits are split with the rule total = upheld + corrected +
other + pending for each proceeding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.labels import PROCEEDINGS, RESULTS, labels
from etl.parse.cells import Cell, all_digit_runs, fit, runs_of, split_cells, to_cells, trimmed_ahead
from etl.parse.glued import splits
from etl.parse.stream import Stream, find_chain
from etl.parse.tokens import Token, tokenize
from etl.record import Finding, ReviewCell

K = len(PROCEEDINGS) * len(RESULTS)
_HEADING = re.compile(r"行政复议")
_NEXT = re.compile(
    r"五[、.,]?(?:政府信息公开工作)?(?:存在|主要问题)|存在的主要问题|主要问题及改进|五[、.,]?[\u4e00-\u9fff]{0,12}问题"
)


@dataclass
class Review:
    cells: list[ReviewCell] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    found: bool = False


def parse_review(
    stream: Stream, start: int, end: int | None = None, *, empty_lines_are_cells: bool = False
) -> Review:
    """Read the fifteen cells that follow the section heading at or after ``start``."""
    result = Review()
    heading = stream.find(_HEADING, start, end)
    if heading is None:
        return result
    stop = stream.find(_NEXT, heading.end, end)
    region_end = stop.start if stop else (end if end is not None else len(stream.text))
    region = stream.text[heading.start : region_end]
    tokens = tokenize(region, first_cell_is_label=False, empty_lines_are_cells=empty_lines_are_cells)
    cells = _after_last_label(tokens)
    if fit(cells, K) is None:
        # no clean next heading (prose, a renumbered heading, "（一）主要问题"): the table
        # ends where its row of numbers does, before the words that follow it
        cells = _first_row_of_numbers(tokens) or cells
    fitted = fit(cells, K)
    chosen: list[Cell] | None = to_cells(fitted) if fitted is not None else None
    if fitted and trimmed_ahead(cells, fitted) and not _totals_hold(chosen):
        # a total breaks: the reading may stand a column off, not the report's own inconsistency
        chosen = None
    if chosen is None:
        chosen = _by_header_columns(tokens) or _by_proceeding(
            stream, heading.start, region_end, empty_lines_are_cells
        )
    if not cells and chosen is None:
        return result
    result.found = True
    problem = f"found {len(cells)} cells where {K} were expected"
    if chosen is None and all_digit_runs(cells) and len(cells) < K:
        options = list(splits(runs_of(cells), K, group=len(RESULTS)))
        if len(options) == 1:
            chosen = split_cells(options[0], cells)
        else:
            problem = f"glued digits {' '.join(t.raw for t in cells)} have {'several' if options else 'no'} splits whose totals hold"
    if chosen is None:
        result.findings.append(
            Finding("ambiguous_cells", None, None, f"review_litigation: {problem}; cells left empty")
        )
        chosen = [Cell(None, None)] * K
    for n, cell in enumerate(chosen):
        proceeding, res = PROCEEDINGS[n // len(RESULTS)], RESULTS[n % len(RESULTS)]
        result.cells.append(ReviewCell(proceeding, res, cell.value, cell.raw))
    return result


def _totals_hold(cells: list[Cell] | None) -> bool:
    """Each proceeding's total is its four results' sum, where all five are numbers."""
    if cells is None:
        return False
    n = len(RESULTS)
    for i in range(0, len(cells), n):
        values = [c.value for c in cells[i : i + n]]
        if all(isinstance(v, int) for v in values) and sum(values[:-1]) != values[-1]:  # type: ignore[arg-type]
            return False
    return True


def _by_header_columns(tokens: list[Token]) -> list[Cell] | None:
    """The row of numbers read by the columns its header labels, in a table drawn as a grid.

    A grid (HTML, DOCX, Markdown) keeps every row's cells at their columns,
    so a result heading (结果维持 … 总计) names the column under it, even when
    the row of numbers starts with blank cells or the grid has a column no
    heading names ("|  |  |  |  |  |  |  |  | 28 | 28 |  |  |  | 2 | 2 |  |"),
    where counting cells from either end reads one column off. The reading
    stands only when the headings name fifteen columns, each once, as five
    results for each proceeding in the template's order, and the row has
    nothing but empty cells in the columns they do not name.
    """
    result_patterns = [(lb.code, lb.pattern) for lb in labels("result")]
    proceeding_patterns = [(lb.code, lb.pattern) for lb in labels("proceeding")]
    texts: dict[tuple[int, int], list[str]] = {}
    for t in tokens:
        if t.kind == "noise" and t.cell:
            texts.setdefault((t.line, t.cell), []).append(t.raw)
    if not texts:
        return None
    columns: dict[int, str] = {}
    proceeding_at: dict[str, tuple[int, int]] = {}
    first, last = RESULTS[0], RESULTS[-1]

    def head(cell: int, result: str) -> bool:
        if columns.get(cell, result) != result:
            return False  # one column headed by two results: not one grid
        columns[cell] = result
        return True

    read: dict[tuple[int, int], list[str]] = {}
    for (line, cell), pieces in texts.items():
        text = "".join(pieces)
        results = [code for code, pattern in result_patterns if pattern.search(text)]
        proceedings = [code for code, pattern in proceeding_patterns if pattern.search(text)]
        read[(line, cell)] = results if not proceedings else []
        if len(results) == 1 and not proceedings:
            if not head(cell, results[0]):
                return None
        elif len(proceedings) == 1 and not results:
            proceeding_at.setdefault(proceedings[0], (line, cell))
    # headings cut short ("结果维持 | 结果 | 其他 | 尚未 | 总计"): five headed cells side by side,
    # from upheld to total, are the five results in the template's order
    for (line, cell), results in read.items():
        if results != [first]:
            continue
        run = [(line, cell + k) for k in range(len(RESULTS))]
        if all(at in read for at in run) and read[run[-1]] == [last]:
            if not all(head(c, RESULTS[k]) for k, (_, c) in enumerate(run)):
                return None
    order = sorted(columns)
    if [columns[c] for c in order] != list(RESULTS) * len(PROCEEDINGS):
        return None
    found = [proceeding_at[p] for p in PROCEEDINGS if p in proceeding_at]
    if found != sorted(found, key=lambda at: (at[1], at[0])):
        return None  # the proceedings stand in another order than the template's
    header_end = max(line for line, _ in texts)
    rows = sorted({t.line for t in tokens if t.line > header_end and t.kind in ("value", "blank")})
    if not rows:
        return None
    row = [t for t in tokens if t.line == rows[0] and t.is_cell]
    by_cell: dict[int, list[Token]] = {}
    for t in row:
        by_cell.setdefault(t.cell, []).append(t)
    if any(len(v) > 1 for v in by_cell.values()) or not set(order) <= set(by_cell):
        return None
    if any(t[0].kind != "empty" for c, t in by_cell.items() if c not in columns):
        return None
    return to_cells([by_cell[c][0] for c in order])


def _by_proceeding(stream: Stream, start: int, end: int, empty_lines_are_cells: bool) -> list[Cell] | None:
    """Section 四 printed as one table (or one row) per proceeding, five cells each.

    Converters split the table in three ("行政复议 | 结果维持 … | 总计" then its
    five numbers, and so for each kind of litigation), and some reports print
    it transposed, a row per proceeding. Either way each proceeding's label
    is followed by its own five cells; the reading holds only when every
    proceeding has exactly five.
    """
    hits = find_chain(stream, [lb.pattern for lb in labels("proceeding")], start, end)
    if any(h is None for h in hits):
        return None
    bounds = [h.end for h in hits] + [end]  # type: ignore[union-attr]
    out: list[Cell] = []
    for n in range(len(hits)):
        tokens = tokenize(
            stream.text[bounds[n] : hits[n + 1].start if n + 1 < len(hits) else end],  # type: ignore[union-attr]
            first_cell_is_label=False,
            empty_lines_are_cells=empty_lines_are_cells,
        )
        # the proceeding's own row: the first run of cells between words that fills five results
        # (the prose after the last table may hold numbers too: "2026年1月1日")
        fitted = next((f for run in _runs(tokens) if (f := _five(run)) is not None), None)
        if fitted is None:
            return None
        out.extend(to_cells(fitted))
    return out


def _five(run: list[Token]) -> list[Token] | None:
    """A proceeding's five cells from a run: as :func:`fit` reads them, or chosen by the total.

    An extra empty column ("|  |  | 8 |  | 8 |  |") leaves two readings one
    column apart; the one whose total is the sum of its results is taken,
    and only when it is the only one.
    """
    fitted = fit(run, len(RESULTS))
    if fitted is not None:
        return fitted
    tokens = [t for t in run if not t.pad]
    good = []
    for a in range(len(tokens) - len(RESULTS) + 1):
        window, outside = tokens[a : a + len(RESULTS)], tokens[:a] + tokens[a + len(RESULTS) :]
        if any(t.kind != "empty" for t in outside):
            continue
        parts, total = [t.value for t in window[:-1]], window[-1].value
        if isinstance(total, int) and sum(v for v in parts if isinstance(v, int)) == total:
            good.append(window)
    return good[0] if len(good) == 1 else None


def _runs(tokens: list[Token]) -> list[list[Token]]:
    """The runs of cells between words, in order (a table's row of numbers, then prose's numbers)."""
    worded = {t.line for t in tokens if t.kind == "noise"}
    runs: list[list[Token]] = [[]]
    for t in tokens:
        if t.kind == "noise":
            if runs[-1]:
                runs.append([])
        elif t.is_cell and not (t.kind == "empty" and t.line in worded):
            runs[-1].append(t)  # a header line's empty cells (its spans, an extra column) are no result
    return [run for run in runs if run]


def _first_row_of_numbers(tokens: list[Token]) -> list[Token]:
    """The first run of cells between words that holds fifteen cells (or glued digits for them, or blanks)."""
    for run in _runs(tokens):
        values = [t for t in run if t.kind in ("value", "blank")]
        if len(values) >= len(RESULTS) and (fit(run, K) is not None or all_digit_runs(run)):
            return run
        if len(run) >= K and fit(run, K) is not None:
            return run  # the row printed blank: no case of either kind
    return []


def _after_last_label(tokens: list[Token]) -> list[Token]:
    """Cell tokens after the header's last label text (fillers on its line dropped)."""
    last = max((i for i, t in enumerate(tokens) if t.kind == "noise"), default=-1)
    rest = tokens[last + 1 :]
    if last >= 0:
        line = tokens[last].line
        while rest and rest[0].kind == "empty" and rest[0].line == line:
            rest.pop(0)
    return [t for t in rest if t.is_cell]

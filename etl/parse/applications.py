"""Section 三: the application table (rows × seven applicant columns).

Rows are found by their labels (``etl/labels.csv``), in template order,
anywhere in the text: :func:`etl.parse.stream.find_chain` keeps the ordered,
compact chain of label hits, so prose mentions of "予以公开" and missing or
mistyped rows do not shift anything. Each row's cells are the tokens between
its label and the next row's label. Where a row does not hold exactly seven
cells, the repair steps try, in order: regrouping numbers printed before a
wrapped label; splitting glued digit runs with the table's identities
(row total = the six applicant columns; new + carried over = processed +
carried forward; processed = the sum of the outcome rows). Whatever is still
uncertain is left null with an ``ambiguous_cells`` finding.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from etl.labels import APPLICANTS, labels
from etl.parse.cells import (
    Cell,
    Row,
    all_digit_runs,
    cell_tokens,
    fills_a_blank_row,
    fit,
    regroup,
    runs_of,
    split_cells,
    split_extra_rows,
    to_cells,
    trimmed_ahead,
)
from etl.parse.fragments import TEMPLATE_ROWS, align
from etl.parse.glued import is_digit_run, splits
from etl.parse.layout import empty_lines_are_cells
from etl.parse.reconcile import column_identities
from etl.parse.stream import Hit, Stream, best_chain
from etl.parse.tokens import Token, tokenize
from etl.parse.values import parse_value
from etl.record import ApplicationCell, Finding

K = len(APPLICANTS)
ROW_LABELS = labels("row")  # 2019 and 2021 rows together, in table order
SECTION_HEADING = re.compile(r"收到和处理政府信息公开申请")
_END = re.compile(r"四[、.,]?(?:政府信息公开)?行政复议|行政复议[、,]?行政诉讼|政府信息公开行政复议|五[、.,]")
MAX_JOINT = 100_000
MAX_CANDIDATES = 64


@dataclass
class Applications:
    cells: list[ApplicationCell] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    template: str | None = None  # "2021" when the 三(六) sub-rows are there, "2019" when only 其他处理
    empty_lines_are_cells: bool = False
    start: int | None = None
    end: int | None = None
    cut_after: str | None = None  # the row inside which the text ends, when it ends inside the table


# Row labels in running prose ("予以公开或部分公开占58.5%"): a sentence ends inside the
# zone, or the zone holds more words than any row label's tail.
_SENTENCE_END = re.compile(r"[。！？]")
_NUMBERED_LABEL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十]+[)）]|\d{1,2}[.、])\s*[\u4e00-\u9fff]"
)
_CJK_START = re.compile(r"^[\u4e00-\u9fff(（]")
_PAGE_HEAD = 20  # words a page may print above a table it starts inside (its running title)
_MAX_LABEL_TAIL = 60
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _without_prose(stream: Stream, found: list[tuple[str, Hit]], end: int | None) -> list[tuple[str, Hit]]:
    """The row labels that stand in a table, not in the report's prose.

    Reports describe their applications in sentences that name the rows
    (本年新收, 予以公开, 本机关不掌握 ...) with counts and percentages; such a
    label is followed by a sentence, not by cells. Each label's zone is
    measured up to the next label of the chain as found.
    """
    kept = []
    for n, (code, hit) in enumerate(found):
        if n + 1 < len(found):
            zone_end = found[n + 1][1].start
        else:  # the last row: up to section 四's heading, as the table ends
            stop = stream.find(_END, hit.end, end)
            zone_end = stop.start if stop else min(len(stream.text), hit.end + 200)
        if end is not None:
            zone_end = min(zone_end, end)
        zone = stream.text[hit.end : zone_end]
        words = sum(map(len, _CJK_RUN.findall(zone)))
        if _SENTENCE_END.search(zone) or "%" in zone or words > _MAX_LABEL_TAIL:
            continue
        kept.append((code, hit))
    return kept


def _chained(stream: Stream, candidates: list[list[Hit]], end: int | None) -> list[tuple[str, Hit]]:
    """The ordered chain of row labels (see :func:`best_chain`), prose mentions left out."""
    chain = best_chain(candidates)
    found = [(lb.code, hit) for lb, hit in zip(ROW_LABELS, chain, strict=True) if hit is not None]
    return _without_prose(stream, found, end)


def _bars_on_line(text: str, hit: Hit) -> int:
    start = text.rfind("\n", 0, hit.start) + 1
    stop = text.find("\n", hit.end)
    return text.count("|", start, stop if stop >= 0 else len(text))


def _loose(text: str, hit: Hit) -> bool:
    """A row label a converter printed apart from its row, in a table of bar rows.

    It stands on a line without bars, and what follows is another such label
    or a bar row that starts with a number: not its own cells (a wrapped
    label's numbers on a plain line, "4 0 0 0 0 0 4") nor the rest of its
    words in the row's first cell.
    """
    if _bars_on_line(text, hit):
        return False
    end = text.find("\n", hit.end)
    for line in text[end + 1 :].split("\n") if end >= 0 else []:
        stripped = line.strip()
        if not stripped:
            continue
        if "|" not in stripped:
            return bool(_NUMBERED_LABEL.match(stripped))
        first = next((c.strip() for c in stripped.strip("|").split("|") if c.strip()), "")
        return not _CJK_START.match(first)
    return False


def _bar_table(stream: Stream, found: list[tuple[str, Hit]]) -> bool:
    """Whether most row labels stand on bar rows wide enough for seven cells (a grid, Markdown)."""
    on_bars = sum(1 for _, hit in found if _bars_on_line(stream.text, hit) >= K)
    return len(found) >= 3 and on_bars >= 0.6 * len(found) and on_bars < len(found)


def _short_table(stream: Stream, found: list[tuple[str, Hit]], end: int | None) -> bool:
    """Whether one or two row labels are a table's first rows rather than words of prose.

    A stored page cut short may hold only the first rows, and one page of a
    flip-book only the last. They count when they follow the section's
    heading or open the page, and each holds exactly seven cells (or the text
    ends inside the last).
    """
    heading = stream.find(SECTION_HEADING, 0, found[0][1].start)
    # the table's first rows after its heading, or the rows a page starts with (a flip-book's
    # page 9 begins inside the table that page 8 began)
    starts_page = sum(1 for ch in stream.text[: found[0][1].start] if "\u4e00" <= ch <= "\u9fff") < _PAGE_HEAD
    if not (heading is not None and found[0][0] == "new_received") and not starts_page:
        return False
    for n, (_, hit) in enumerate(found):
        if n + 1 < len(found):
            zone_end = found[n + 1][1].start
        else:
            stop = stream.find(_END, hit.end, end)
            zone_end = stop.start if stop else (end or len(stream.text))
        last = n + 1 == len(found)
        cells = cell_tokens(tokenize(stream.text[hit.end : zone_end]))
        seven = fit(cells, K) is not None
        cut = last and zone_end == len(stream.text) and 0 < len(cells) < K
        if not (seven or cut):
            return False
    return True


def parse_applications(stream: Stream, start: int = 0, end: int | None = None) -> Applications:
    """Find and read the application table between two offsets."""
    candidates = stream.find_each([lb.pattern for lb in ROW_LABELS], start, end)
    found = _chained(stream, candidates, end)
    if _bar_table(stream, found):
        # a table whose rows are bar rows ("| label | 1 | 0 |…"): a label alone on a line is
        # loose text a converter moved out of its row, not the row (see etl.parse.fragments)
        candidates = [[h for h in hits if not _loose(stream.text, h)] for hits in candidates]
        found = _chained(stream, candidates, end)
    result = Applications()
    if not found or (len(found) < 3 and not _short_table(stream, found, end)):
        return result
    codes = [c for c, _ in found]
    has_2021_rows = any(c.startswith("other_") for c in codes)
    result.template = "2021" if has_2021_rows else ("2019" if "other" in codes else None)

    stop = stream.find(_END, found[-1][1].end, end)
    table_end = stop.start if stop else min(len(stream.text), found[-1][1].end + 400)
    # the text ends inside the table (a stored page cut short): the last row keeps the cells it has
    result.cut_after = found[-1][0] if stop is None and table_end == len(stream.text) else None
    result.start, result.end = found[0][1].start, table_end
    result.empty_lines_are_cells = empty_lines_are_cells(stream.text[result.start : table_end])

    rows: list[Row] = []
    for n, (code, hit) in enumerate(found):
        zone_end = found[n + 1][1].start if n + 1 < len(found) else table_end
        zone = tokenize(
            stream.text[hit.end : zone_end],
            empty_lines_are_cells=result.empty_lines_are_cells,
            # the text's end is no label: digits there touched nothing
            between_labels=not (result.cut_after == code and zone_end == len(stream.text)),
        )
        if code == "other" and has_2021_rows:
            continue  # the 2021 group heading (六)其他处理 carries no cells of its own
        rows.append(Row(code, cell_tokens(zone), zone=zone))

    hits = [hit for _, hit in found]
    on_grid = dict(zip(codes, _grid_rows(stream.text, hits), strict=True))
    widths = dict(zip(codes, _line_widths(stream.text, hits), strict=True))
    offsets = {
        code: stream.text.count("|", stream.text.rfind("\n", 0, hit.start) + 1, hit.start)
        for code, hit in found
    }
    columns = _value_columns(rows, widths, offsets)
    for row in rows:
        grid = columns.get(widths[row.code])  # type: ignore[arg-type]
        relative = [c - offsets[row.code] for c in grid] if grid else None
        if _read_grid_row(row, on_grid[row.code], relative):
            continue
        fitted = fit(row.tokens, K)
        if fitted is not None:
            if fills_a_blank_row(row.zone, row.tokens, fitted, K):
                row.problem = "empty cells on a line of their own beside the cells: a blank row, not padding"
                continue
            row.cells = to_cells(fitted)
            row.soft = trimmed_ahead(row.tokens, fitted)
    regroup(rows, K)
    split_extra_rows(rows, K)
    _split_glued(rows, result.findings)
    if result.cut_after and rows and rows[-1].unresolved:
        _read_cut_row(rows[-1])
    for row in rows:
        if row.soft and row.cells is not None and _row_check(row.cells) == 0:
            # a repaired reading the row's own total contradicts: the shift is as likely the
            # parser's as the report's, so no number of it is kept
            row.cells = None
            row.problem = (
                "the cells were placed by trimming fillers or regrouping numbers across rows, and the "
                "row's total does not confirm that placement"
            )
    rows = _fragments(stream, rows, result, codes) or rows

    for row in rows:
        if row.cells is None:
            result.findings.append(
                Finding(
                    "ambiguous_cells",
                    None,
                    None,
                    f"applications.{row.code}: {row.problem or _describe(row)}; cells left empty",
                )
            )
            row.cells = [Cell(None, None)] * K
        for applicant, cell in zip(APPLICANTS, row.cells, strict=True):
            result.cells.append(ApplicationCell(row.code, applicant, cell.value, cell.raw))
        for label, extra in row.extra:
            raws = " ".join(t.raw or "∅" for t in extra)
            result.findings.append(
                Finding(
                    "unplaced_row",
                    None,
                    None,
                    f"applications: local row '{label.strip()}' after {row.code} matches no code; "
                    f"its cells ({raws}) are kept out of the record",
                )
            )
    return result


def _grid_rows(text: str, hits: list[Hit]) -> list[bool]:
    """Which rows stand on the lines of a grid rendered by an extractor (HTML, Word, PDF table).

    A grid's lines all have one width. A table that comes in pieces (a PDF
    table split over two pages, each piece with the columns its own rules
    draw) has one width per piece, so a row is on a grid when its line has
    the width of a neighbouring row's line.
    """
    widths = _line_widths(text, hits)
    return [
        width is not None
        and width in (widths[n - 1] if n else None, widths[n + 1] if n + 1 < len(widths) else None)
        for n, width in enumerate(widths)
    ]


def _fragments(stream: Stream, rows: list[Row], result: Applications, codes: list[str]) -> list[Row] | None:
    """The table read as fragments (see :mod:`etl.parse.fragments`) where the labels' reading left rows out.

    Used only when some row is unread or missing; it replaces the reading
    only when it places every row and every identity of the table holds.
    """
    template_rows = TEMPLATE_ROWS["2021" if result.template == "2021" else "2019"]
    if all(r.cells is not None for r in rows) and set(template_rows) <= set(codes):
        return None
    heading = stream.find(SECTION_HEADING, 0, result.start)
    start = heading.start if heading else result.start
    table = align(stream.text[start : result.end])
    if table is None:
        return None
    if any(code.startswith("other_") for code in table):
        result.template = "2021"
    aligned = []
    for code, cells in table.items():
        row = next((r for r in rows if r.code == code), Row(code, []))
        row.cells, row.problem, row.extra = cells, None, []
        aligned.append(row)
    return aligned


def _read_cut_row(last: Row) -> None:
    """The row the text ends inside: the cells it has, from the left.

    With fewer than seven cells, the missing ones are the cut-off right end.
    With one more, the extra is the next row's number, cut before its label
    ("…| 0 | 0 2"): taken so only when the first seven hold the row's total.
    """
    tokens = last.tokens
    if 0 < len(tokens) < K and all(t.kind != "empty" or not t.pad for t in tokens):
        last.cells = to_cells(tokens) + [Cell(None, None)] * (K - len(tokens))
    elif len(tokens) == K + 1 and tokens[-1].kind == "value" and len(tokens[-1].raw) <= 2:
        cells = to_cells(tokens[:K])
        if _row_check(cells) == 2:
            last.cells = cells


def _line_widths(text: str, hits: list[Hit]) -> list[int | None]:
    """The number of cell borders on each row label's line, where it is a grid's line."""
    widths: list[int | None] = []
    for hit in hits:
        start = text.rfind("\n", 0, hit.start) + 1
        end = text.find("\n", hit.end)
        line = text[start : end if end >= 0 else len(text)]
        # "||" is a page's padding of short rows, never in a rendered grid
        bars = line.count("|") if "||" not in line else 0
        widths.append(bars if bars >= K else None)
    return widths


def _value_columns(
    rows: list[Row], widths: dict[str, int | None], offsets: dict[str, int]
) -> dict[int, list[int]]:
    """Per grid width, the columns that hold a number or a blank mark in some row of that width.

    A column no row fills (a converter's extra trailing column, an HTML span
    resolved into the rectangle) is no applicant column: with exactly seven
    such columns, they are where every row of that grid is read.
    """
    found: dict[int, set[int]] = {}
    for row in rows:
        width = widths.get(row.code)
        if width is None:
            continue
        # columns counted from the line's start: row labels stand in different columns
        cells = {
            offsets[row.code] + t.cell
            for t in row.zone
            if t.line == 0 and t.cell > 0 and t.kind in ("value", "blank")
        }
        found.setdefault(width, set()).update(cells)
    return {width: sorted(cols) for width, cols in found.items() if len(cols) == K}


def _read_grid_row(row: Row, on_grid: bool, grid_columns: list[int] | None = None) -> bool:
    """Read a grid row's last seven cells, the applicant columns whatever the label columns span.

    A line that holds exactly seven cells after the label's is read so too,
    on a grid or not: no cell of it can be a filler.

    One grid cell is one value. A cell holding two numbers is a number the
    PDF wrapped in a narrow cell ("１９９\n７") or two values the table did
    not separate; it is read as one number only when the row's total then
    holds, else a grid row is declined. A cell of text is not a value either.
    Returns False, for the other readings to decide, when the line does not
    hold seven cells after the label, when lines below it before the next row
    hold values too (a row the template does not have), or when a line off
    the grid holds a cell that is not one value.
    """
    by_cell: dict[int, list[Token]] = {}  # the first line's tokens by the cell they stood in
    for t in row.zone:
        if t.line > 0:
            if t.kind in ("value", "blank"):
                return False
        elif t.cell > 0:
            by_cell.setdefault(t.cell, []).append(t)
    if len(by_cell) < K or (not on_grid and len(by_cell) != K):
        return False
    columns = sorted(by_cell)
    readings: list[tuple[list[Cell], list[str]]] = []
    problem = None
    if grid_columns and set(grid_columns) <= set(columns):
        outside = [c for c in columns if c not in grid_columns]
        if not any(_holds_value(by_cell[c]) for c in outside):
            read = _read_columns(by_cell, grid_columns)
            if not isinstance(read, str) and not read[1]:
                row.cells = read[0]
                return True
    for first in range(len(columns) - K, -1, -1):  # the last seven first: label columns span the left
        window = columns[first : first + K]
        outside = columns[:first] + columns[first + K :]
        if any(_holds_value(by_cell[c]) for c in outside):
            continue  # a value outside the window: not this reading
        if any(c > window[-1] and not _is_empty(by_cell[c]) for c in outside):
            continue
        read = _read_columns(by_cell, window)
        if isinstance(read, str):
            problem = problem or read
            continue
        readings.append(read)
    if not readings:
        if on_grid and problem:
            row.problem = problem
        return on_grid and problem is not None
    chosen = _by_identity(readings)
    if chosen is None:
        if on_grid:
            row.problem = (
                "the grid's cells can be read at more than one column offset (an extra empty column) "
                "and the row's total does not settle which"
            )
        return on_grid
    cells, wrapped = chosen
    if wrapped:
        values = [c.value for c in cells]
        if not all(isinstance(v, int) for v in values) or sum(values[:-1]) != values[-1]:  # type: ignore[arg-type]
            if on_grid:
                row.problem = (
                    f"grid cells {', '.join(repr(w) for w in wrapped)} hold two numbers each, "
                    "and the row total does not settle whether they are one wrapped number"
                )
            return on_grid
    row.cells = cells
    return True


def _holds_value(tokens: list[Token]) -> bool:
    return any(t.kind == "value" for t in tokens)


def _is_empty(tokens: list[Token]) -> bool:
    return all(t.kind == "empty" for t in tokens)


def _read_columns(by_cell: dict[int, list[Token]], window: list[int]) -> tuple[list[Cell], list[str]] | str:
    """The cells of seven grid columns, or why they are not seven values."""
    cells: list[Cell] = []
    wrapped = []
    for column in window:
        tokens = by_cell[column]
        if len(tokens) == 1 and tokens[0].is_cell:
            cells.extend(to_cells(tokens))
        elif all(t.kind == "value" and is_digit_run(t.raw) for t in tokens):
            raw = "".join(t.raw for t in tokens)
            cells.append(Cell(parse_value(raw)[1], raw))
            wrapped.append(" ".join(t.raw for t in tokens))
        else:
            return f"grid cell '{' '.join(t.raw for t in tokens)}' is not one value"
    return cells, wrapped


def _by_identity(readings: list[tuple[list[Cell], list[str]]]) -> tuple[list[Cell], list[str]] | None:
    """One reading of a row, chosen by its total where several column offsets are possible.

    A reading whose total equals the sum of its six applicant columns is
    confirmed; one whose total is blank while other cells hold numbers is
    suspect (a reading shifted one column off leaves the total blank). With
    one reading only, it stands as printed.
    """
    distinct = {tuple((c.value, c.raw) for c in cells): (cells, wrapped) for cells, wrapped in readings}
    if len(distinct) == 1:
        return next(iter(distinct.values()))
    ranked: dict[int, list[tuple[list[Cell], list[str]]]] = {}
    for cells, wrapped in distinct.values():
        ranked.setdefault(_row_check(cells), []).append((cells, wrapped))
    best = ranked[max(ranked)]
    return best[0] if len(best) == 1 and max(ranked) > 0 else None


def _row_check(cells: list[Cell]) -> int:
    """2: the row's total holds; 1: it cannot be checked; 0: it fails, or is blank beside numbers."""
    values = [c.value for c in cells]
    parts, total = values[:-1], values[-1]
    if total is None:
        return 1 if all(v is None for v in parts) else 0
    if any(v is None for v in parts):
        return 1
    return 2 if sum(parts) == total else 0  # type: ignore[arg-type]


def _describe(row: Row) -> str:
    raws = " ".join(t.raw or "∅" for t in row.tokens)
    return f"found {len(row.tokens)} cells where {K} were expected ({raws[:80]})"


def _split_glued(rows: list[Row], findings: list[Finding]) -> None:
    """Split glued digit runs; keep only splits the table's identities allow."""
    pending = [r for r in rows if r.unresolved and all_digit_runs(r.tokens) and len(r.tokens) < K]
    if not pending:
        return
    for row in pending:
        for parts in itertools.islice(splits(runs_of(row.tokens), K, group=K), MAX_CANDIDATES + 1):
            row.candidates.append(split_cells(parts, row.tokens))
        if len(row.candidates) > MAX_CANDIDATES:
            # too many readings for the column balances to settle: say so, don't search
            row.candidates = []
            row.problem = (
                "glued digits " + " ".join(t.raw for t in row.tokens) + " have too many possible splits"
            )
        elif not row.candidates:
            row.problem = (
                "glued digits " + " ".join(t.raw for t in row.tokens) + " have no split whose total matches"
            )
    undecided = [r for r in pending if len(r.candidates) > 1]
    for row in pending:
        if len(row.candidates) == 1:
            row.cells = row.candidates[0]
    if not undecided:
        return
    combos = 1
    for r in undecided:
        combos *= len(r.candidates)
    if combos > MAX_JOINT:
        for r in undecided:
            r.problem = f"glued digits have {len(r.candidates)} possible splits"
        return
    by_code = {r.code: r for r in rows}
    good = []
    for choice in itertools.product(*(r.candidates for r in undecided)):
        for r, cells in zip(undecided, choice, strict=True):
            r.cells = cells
        if _columns_balance(by_code):
            good.append(choice)
            if len(good) > 1:
                break
    for n, r in enumerate(undecided):
        if len(good) == 1:
            r.cells = good[0][n]
        else:
            r.cells = None
            r.problem = (
                f"glued digits {' '.join(t.raw for t in r.tokens)} have "
                f"{'several' if good else 'no'} splits that satisfy the table's totals"
            )


def _columns_balance(rows: dict[str, Row]) -> bool:
    """The column identities, over every column where the cells involved are known."""
    values = {code: [c.value for c in r.cells] if r.cells else [None] * K for code, r in rows.items()}
    return column_identities(values)[0]

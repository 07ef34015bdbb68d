"""The cells between two labels: values, blanks, empty cells and noise.

A *zone* is the original text after a row label and before the next one.
It holds the row's cells, but also what layouts put among them: the tail of
a wrapped label, characters of a vertical label, empty filler cells. Tokens
classify each piece:

- ``value``: a number ("12", "增3", "92.8050万元");
- ``blank``: a printed blank ("/", "-", "——", "无"): a cell whose value is null;
- ``empty``: an empty cell between ``|`` or tab separators: also a null cell,
  but layouts pad rows with them, so callers may trim them at the row's ends
  (``pad``: nothing at all between two separators, "||" or two tabs, as
  typed text pads its short rows; a rendered grid's empty cell is "|  |");
- ``noise``: label text and anything else, never a value.

A run of digits directly followed by ``1.`` / ``2、`` and a Chinese character
is taken as the next label's numbering, not as a value: crawled pages glue
"0000000" and "2.其他法律..." into "00000002.其他法律...".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from etl.parse.normalize import COVERED, nfkc
from etl.parse.values import BLANK_MARKERS, parse_value
from etl.record import Value

_SPLIT_CELLS = re.compile(r"[|\t]")
_NUM = re.compile(r"(?:[+\-](?=\d)|增加?|减少?)?\d[\d,]*(?:\.\d+)?(?:万元|元)?")
_FILLER = re.compile(r"\|+")
_UNIT_CHARS = frozenset("条件个次人项元")
_COUNT_WORDS = frozenset("条件个次人项名家户")
_BLANK_MARK = re.compile(r"——|—|/|-|－|无")  # one mark, one blank cell
# "无" is a blank only where no label word can follow it ("数量无无无二、", "公开000无"),
# never in 无正当理由 or 无法提供, nor in "(四)无" (无法提供 cut by a line break)
_MARK_RUN = re.compile(r"(?:——|—|/|-|－)+|(?<![)）])无+(?=$|[一二三四五六七八九十][、.]|[(（]|\d)")
_BLANK_RUN = re.compile(r"(?:——|—|/|-|－|无)+")
_NUMBERING_AFTER = re.compile(r"[.、,]\s*[\u4e00-\u9fff]")


@dataclass
class Token:
    kind: str  # value | blank | empty | noise
    raw: str
    value: Value = None
    line: int = 0
    glued: bool = False  # cut out of a piece that also held label text
    cell: int = 0  # which cell of its line it stands in, where the line is split by | or tabs
    pad: bool = False  # an empty cell with nothing at all between its separators ("||", two tabs)

    @property
    def is_cell(self) -> bool:
        return self.kind in ("value", "blank", "empty")


def tokenize(
    zone: str,
    *,
    first_cell_is_label: bool = True,
    empty_lines_are_cells: bool = False,
    between_labels: bool = True,
) -> list[Token]:
    """Tokens of a zone in reading order.

    ``first_cell_is_label``: the zone starts right after a label, so text up
    to the first separator on that line belongs to the label's own cell; an
    empty piece there is not an empty cell.

    ``between_labels``: the zone is cut out between two labels, so digits at
    its very start or end touched label text (a glued page).

    ``empty_lines_are_cells``: the table is printed one cell per line with no
    blank lines between cells, so an empty line is an empty cell. A line
    holding only no-break spaces (an ``&nbsp;`` cell in a page's text) is an
    empty cell in any layout.
    """
    tokens: list[Token] = []
    lines = zone.split("\n")
    for line_no, line in enumerate(lines):
        complete = line_no < len(lines) - 1  # the last piece runs into the next label
        if "\xa0" in line and not line.replace("\xa0", "").strip():
            tokens.append(Token("empty", "", None, line_no))
            continue
        if empty_lines_are_cells and not line.strip():
            if complete and line_no > 0:
                tokens.append(Token("empty", "", None, line_no))
            continue
        if _FILLER.fullmatch(line.rstrip()):
            continue  # "|||", "| ": bars a page prints for spans or to close a row, no cells
        if _SPLIT_CELLS.search(line):
            cells = _SPLIT_CELLS.split(line)
            if len(cells) > 1 and line.rstrip("\r").endswith("|") and not cells[-1]:
                # "a | b |": a bar that ends the line closes the row; "a | b | " (a space
                # after the bar, as grids render) and a last tab end with an empty cell
                cells.pop()
            elif len(cells) == 2 and "|" in line and not cells[-1].strip():
                cells.pop()  # " 0  | ": one cell per line, each closed by a bar
            if not complete and between_labels and len(cells) > 1 and not cells[-1].strip():
                cells.pop()  # "| 1.属于…": the white space that opens the next label's cell
            first = 0
            if line_no == 0 and first_cell_is_label and cells:
                tokens.extend(t for t in _pieces(cells[0], line_no) if t.kind == "value")
                first = 1
            values_on_line = any(t.line == line_no and t.kind == "value" for t in tokens[-1:])
            for n in range(first, len(cells)):
                cell = cells[n]
                stripped = cell.strip()
                if stripped == COVERED:
                    continue  # a position a merged cell covers: no cell at all
                if not stripped or stripped == "&nbsp;":
                    tokens.append(Token("empty", stripped, None, line_no, cell=n, pad=not cell))
                    continue
                pieces = _pieces(cell, line_no, n)
                if values_on_line and all(t.kind == "noise" for t in pieces):
                    # "行政处罚 | 0 | 增 | 25": a cell of words after the row's values is a cell
                    # nobody can read, not nothing: dropping it would move 25 one column left
                    tokens.append(Token("blank", stripped, None, line_no, cell=n))
                else:
                    tokens.extend(pieces)
                    values_on_line = values_on_line or any(t.kind in ("value", "blank") for t in pieces)
        else:
            tokens.extend(_pieces(line, line_no))
    if between_labels:
        _mark_touching(zone, tokens)
    return tokens


def _mark_touching(zone: str, tokens: list[Token]) -> None:
    """Digits that touch the labels around the zone ("予以公开270020130(二)部分公开") are glued."""
    if zone[:1].isdigit() and tokens and tokens[0].kind == "value":
        tokens[0].glued = True
    if zone[-1:].isdigit() and tokens and tokens[-1].kind == "value":
        tokens[-1].glued = True


def _pieces(text: str, line_no: int, cell: int = 0) -> list[Token]:
    out: list[Token] = []
    for piece in text.split():
        out.extend(Token(kind, raw, value, line_no, glued, cell) for kind, raw, value, glued in _piece(piece))
    return out


@lru_cache(maxsize=1 << 16)
def _piece(piece: str) -> tuple[tuple[str, str, Value, bool], ...]:
    """One white-space-free piece as (kind, raw, value, glued) tuples.

    Cached: the same cells and label fragments recur in every report of a
    template, and a piece's tokens depend on nothing else (callers stamp the
    line number on fresh :class:`Token` objects).
    """
    ok, value = parse_value(piece)
    if ok:
        return (("blank" if value is None else "value", piece, value, False),)
    if nfkc(piece) in BLANK_MARKERS:
        return (("blank", piece, None, False),)
    return tuple((t.kind, t.raw, t.value, t.glued) for t in _split_glued(piece, 0))


def _split_glued(piece: str, line_no: int) -> list[Token]:
    """Digits and label text run together ("规范性文件693665", "0000000(二)部分")."""
    norm = nfkc(piece)
    if len(norm) != len(piece):
        piece = norm
    out: list[Token] = []
    pos = 0
    for m in _NUM.finditer(piece):
        start, end = m.start(), m.end()
        digits = m.group()
        if end < len(piece) and piece[end] in _COUNT_WORDS:
            continue  # "计1条)" or "3次": a count inside label text, not a cell
        if _NUMBERING_AFTER.match(piece, end) and re.fullmatch(r"[\d,]+", digits):
            # the last digit numbers the next label: "00000002.其他" -> "0000000" + "2."
            if len(digits) == 1:
                continue
            end -= 1
            digits = digits[:-1]
        before = piece[start - 1] if start > 0 else ""
        after = piece[end] if end < len(piece) else ""
        if _inside_words(before, after) and _in_parentheses(piece, start):
            continue  # "(…计1条)": a count inside a note is part of the words
        if pos < start:
            out.extend(_noise_or_blanks(piece[pos:start], line_no))
        ok, value = parse_value(digits)
        out.append(
            Token("value" if ok and value is not None else "noise", digits, value, line_no, glued=True)
        )
        pos = end
    if pos < len(piece):
        out.extend(_noise_or_blanks(piece[pos:], line_no))
    return out


def _noise_or_blanks(text: str, line_no: int) -> list[Token]:
    """Blank marks glued between digits ("12/0") are cells; anything else is label text.

    Marks between label text ("数量///////三、...": seven blank cells between a
    label's tail and the next heading) are blank cells too; "无" only counts
    alone, since labels start with it (无正当理由...).
    """
    if _BLANK_RUN.fullmatch(text):
        return [Token("blank", m.group(), None, line_no) for m in _BLANK_MARK.finditer(text)]
    out: list[Token] = []
    pos = 0
    for run in _MARK_RUN.finditer(text):
        if text[max(0, run.start() - 1) : run.end() + 1] in ("增/减", "增/"):
            continue  # the 2019 header 本年增/减
        if pos < run.start():
            out.append(Token("noise", text[pos : run.start()], None, line_no))
        out.extend(Token("blank", m.group(), None, line_no) for m in _BLANK_MARK.finditer(run.group()))
        pos = run.end()
    if pos < len(text):
        out.append(Token("noise", text[pos:], None, line_no))
    return out


def _in_parentheses(piece: str, index: int) -> bool:
    head = piece[:index]
    return head.count("(") + head.count("（") > head.count(")") + head.count("）")


def _inside_words(before: str, after: str) -> bool:
    """A number with label text on both sides ("计1条", "第3项") is part of the label.

    "无" after a number is a blank cell that follows it, not a word.
    """
    if after == "无" or (before and before in _UNIT_CHARS):
        return False  # "…公开000无": a blank follows; "条15689其中": a unit precedes the value
    cjk_after = bool(after) and ("\u4e00" <= after <= "\u9fff") and after not in "一二三四五六七八九十"
    cjk_before = bool(before) and ("\u4e00" <= before <= "\u9fff")
    return cjk_before and cjk_after

"""OFD reports (GB/T 33190-2016): page text in reading order with ruled tables as grids.

An OFD is a ZIP of XML. ``OFD.xml`` names each document's root
(``DocBody/DocRoot``, e.g. ``Doc_0/Document.xml``); the document lists its
pages in order (``Pages/Page@BaseLoc``); each page's ``Content.xml`` holds
layers of graphic units: ``TextObject`` (characters placed by ``TextCode``),
``PathObject`` (lines and boxes: a table's rulings) and ``ImageObject``.

An OFD carries no text flow, only characters at positions, as a PDF does, so
it is read the way :mod:`etl.extract.pdf` reads a PDF: characters are grouped
into lines by baseline and ordered by X; horizontal and vertical rulings that
meet form a table, whose cells are read into a :data:`Grid` (a cell without
a ruling between it and its neighbour is one merged cell) and rendered in
place of the loose text of that area. A table that runs onto the next page is
joined into one grid. Page templates, annotations and signatures (stamps) are
not read: report text is on the pages.

Coordinates are millimetres, Y growing downwards. A unit's position is its
``Boundary`` origin plus its ``CTM`` applied to the coordinates inside it; a
``TextCode`` gives its first character's origin (X, and Y: the baseline) and
the advances to each next character (``DeltaX``/``DeltaY``, where ``g N V``
stands for N advances of V).
"""

from __future__ import annotations

import bisect
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO

from lxml import etree

from etl.extract.cells import clean_cell, pad_grid
from etl.extract.document import (
    COVERED,
    MAX_UNZIPPED_MARKUP,
    Extracted,
    ExtractError,
    Grid,
    check_table_size,
)
from etl.extract.pages import PAGE_NUMBER, Item, join_pages

MAX_PAGES = 2000  # a report has tens of pages; thousands is a damaged or hostile file

_SNAP = 0.8  # mm: rulings closer than this are one (a rule drawn as a thin box has two edges)
_JOIN = 1.0  # mm: collinear pieces of a rule with a smaller gap are one rule
_TOUCH = 1.0  # mm: a horizontal and a vertical rule this close meet
_MIN_RULE = 1.5  # mm: a shorter straight piece is a tick or a thin box's end, not a rule
_STRAIGHT = 0.5  # mm: how far a rule's ends may differ across it
_CHAR = 1e-6

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_PATH_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass
class _Char:
    text: str
    x: float  # left
    y: float  # baseline
    size: float
    width: float

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y - self.size * 0.35


@dataclass
class _Page:
    chars: list[_Char] = field(default_factory=list)
    horizontal: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    vertical: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)
    images: int = 0


def extract_ofd(data: bytes) -> Extracted:
    """Read an OFD into text lines and table grids, page after page.

    Raises ``corrupt`` when the package, its entry files or their XML cannot
    be read, ``encrypted`` for password-protected entries, ``unzips_too_large``
    beyond :data:`MAX_UNZIPPED_MARKUP` of XML, ``too_many_pages`` beyond :data:`MAX_PAGES` pages,
    ``table_too_large`` for a page ruled into more cells than any report has,
    ``image_only`` when the pages hold images and no text, and ``empty`` when
    they hold neither.
    """
    package = _Package(data)
    pages = [_read_page(package, path) for path in _page_paths(package)]
    if not any(page.chars for page in pages):
        if any(page.images for page in pages):
            raise ExtractError(
                "image_only",
                "the OFD holds page images, not text (a scan saved as OFD); OCR it first "
                "(e.g. convert it to PDF and run `ocrmypdf -l chi_sim in.pdf out.pdf`) and load the OCR'd file",
            )
        raise ExtractError("empty", "the OFD's pages hold no text and no images; check the download")
    text, tables = join_pages(_page_items(page, number) for number, page in enumerate(pages, start=1))
    return Extracted(format="ofd", encoding=None, text=text, tables=tables)


# --- the package ----------------------------------------------------------------------------------


class _Package:
    """The ZIP's entries by name, read as XML on demand."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(BytesIO(data))
            members = self.zip.infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise ExtractError(
                "corrupt", f"the OFD is not a readable ZIP package ({exc}); download it again"
            ) from exc
        markup = sum(m.file_size for m in members if m.filename.lower().endswith(".xml"))
        if markup > MAX_UNZIPPED_MARKUP:
            raise ExtractError(
                "unzips_too_large",
                f"the OFD unzips to {markup // 2**20} MiB of XML, more than the "
                f"{MAX_UNZIPPED_MARKUP // 2**20} MiB a report's document may have; the file is damaged or hostile",
            )
        # Names as written ("Doc_0/Document.xml"), some producers with "\" or a leading "/".
        self.names = {m.filename.replace("\\", "/").lstrip("/"): m.filename for m in members}
        self.folded = {name.lower(): original for name, original in self.names.items()}

    def find(self, base: str, loc: str) -> str | None:
        """The entry a location names: relative to ``base``'s folder, or absolute from the package root."""
        loc = loc.strip().replace("\\", "/")
        if not loc:
            return None
        candidates = [posixpath.normpath(loc.lstrip("/"))]
        if not loc.startswith("/"):
            # Relative to the referring file's folder; some producers write it from the root instead.
            candidates.insert(0, posixpath.normpath(posixpath.join(posixpath.dirname(base), loc)))
        for candidate in candidates:
            if candidate in self.names:
                return self.names[candidate]
            if candidate.lower() in self.folded:
                return self.folded[candidate.lower()]
        return None

    def xml(self, name: str, what: str) -> etree._Element:
        try:
            raw = self.zip.read(name)
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
            raise ExtractError(
                "encrypted", f"the OFD's {what} ({name}) is password-protected; get an unprotected copy"
            ) from exc
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
            raise ExtractError(
                "corrupt", f"the OFD's {what} ({name}) cannot be unzipped ({exc}); download it again"
            ) from exc
        try:
            root = etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise ExtractError(
                "corrupt", f"the OFD's {what} ({name}) is not well-formed XML ({exc}); download it again"
            ) from exc
        if root is None:
            raise ExtractError("corrupt", f"the OFD's {what} ({name}) is empty; download it again")
        return root


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _page_paths(package: _Package) -> list[str]:
    """The content file of every page of the package's first document, in page order."""
    entry = package.find("", "OFD.xml")
    if entry is None:
        raise ExtractError(
            "corrupt",
            "the file is a ZIP without OFD.xml, the entry file every OFD starts from; "
            "it is damaged or not an OFD: download it again",
        )
    root = package.xml(entry, "entry file")
    locs = [
        (loc.text or "").strip()
        for body in _children(root, "DocBody")
        for loc in _children(body, "DocRoot")
        if (loc.text or "").strip()
    ]
    if not locs:
        raise ExtractError(
            "corrupt", "the OFD's OFD.xml names no document (no DocBody/DocRoot); download it again"
        )
    document_name = package.find(entry, locs[0])
    if document_name is None:
        raise ExtractError(
            "corrupt", f"the OFD's document {locs[0]} (named by OFD.xml) is missing from the package"
        )
    document = package.xml(document_name, "document")
    pages = [page for pages in _children(document, "Pages") for page in _children(pages, "Page")]
    if len(pages) > MAX_PAGES:
        raise ExtractError(
            "too_many_pages",
            f"the OFD has {len(pages)} pages, more than the {MAX_PAGES} a report may have; "
            "the file is damaged or hostile",
        )
    if not pages:
        raise ExtractError("corrupt", f"the OFD's document {document_name} lists no pages; download it again")
    paths = []
    for number, page in enumerate(pages, start=1):
        loc = page.get("BaseLoc") or ""
        name = package.find(document_name, loc)
        if name is None:
            raise ExtractError(
                "corrupt",
                f"page {number} of the OFD ({loc or 'no BaseLoc'}) is missing from the package; download it again",
            )
        paths.append(name)
    return paths


# --- a page's content -------------------------------------------------------------------------------


def _read_page(package: _Package, name: str) -> _Page:
    page = _Page()
    for element in package.xml(name, "page").iter():
        kind = _local(element)
        if kind == "TextObject":
            page.chars.extend(_text_chars(element))
        elif kind == "PathObject":
            _add_rules(page, element)
        elif kind == "ImageObject":
            page.images += 1
    return page


def _numbers(value: str | None) -> list[float]:
    out = []
    for token in (value or "").split():
        try:
            out.append(float(token))
        except ValueError:
            continue
    return out


def _place(element: etree._Element):
    """The unit's mapping from its own coordinates to the page's: CTM, then the Boundary origin."""
    boundary = _numbers(element.get("Boundary")) + [0.0, 0.0]
    ctm = _numbers(element.get("CTM"))
    a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    left, top = boundary[0], boundary[1]

    def to_page(x: float, y: float) -> tuple[float, float]:
        return left + a * x + c * y + e, top + b * x + d * y + f

    scale = abs(a * d - b * c) ** 0.5 or 1.0
    return to_page, scale


def _deltas(value: str | None, count: int, default: float) -> list[float]:
    """``count`` advances from a DeltaX/DeltaY list (``g N V`` is N times V), ``default`` where it runs short."""
    tokens = (value or "").split()
    out: list[float] = []
    i = 0
    while i < len(tokens) and len(out) < count:
        try:
            if tokens[i] == "g" and i + 2 < len(tokens):
                out.extend([float(tokens[i + 2])] * min(int(float(tokens[i + 1])), count - len(out)))
                i += 3
                continue
            out.append(float(tokens[i]))
        except ValueError:
            pass
        i += 1
    return out + [default] * (count - len(out))


def _text_chars(element: etree._Element) -> Iterable[_Char]:
    to_page, scale = _place(element)
    size = (_numbers(element.get("Size")) or [3.5])[0] or 3.5
    x = y = 0.0
    for code in _children(element, "TextCode"):
        text = code.text or ""
        # A TextCode without X or Y goes on from the previous one's.
        x = (_numbers(code.get("X")) or [x])[0]
        y = (_numbers(code.get("Y")) or [y])[0]
        dx = _deltas(code.get("DeltaX"), len(text), size)
        dy = _deltas(code.get("DeltaY"), len(text), 0.0)
        cx, cy = x, y
        for i, ch in enumerate(text):
            advance = dx[i] if i < len(text) - 1 else (size if ord(ch) > 0x2E7F else size / 2)
            if not ch.isspace() and ch.isprintable():
                left, baseline = to_page(cx, cy)
                right, _ = to_page(cx + advance, cy)
                width = right - left if right > left else advance * scale
                yield _Char(ch, left, baseline, size * scale, width)
            cx += dx[i]
            cy += dy[i]


def _add_rules(page: _Page, element: etree._Element) -> None:
    """The straight horizontal and vertical pieces of a path: the lines a table is ruled with."""
    data = next((child.text for child in element if _local(child) == "AbbreviatedData"), None)
    if not data:
        return
    to_page, _ = _place(element)
    tokens = _PATH_TOKEN.findall(data)
    operands = {"S": 2, "M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
    current = start = (0.0, 0.0)
    i = 0
    while i < len(tokens):
        command = tokens[i]
        i += 1
        count = operands.get(command)
        if count is None:
            continue  # a stray number or an unknown command
        try:
            values = [float(t) for t in tokens[i : i + count]]
        except ValueError:
            continue
        i += count
        if len(values) < count:
            break
        if command == "C":
            _add_piece(page, to_page(*current), to_page(*start))
            current = start
            continue
        point = (values[-2], values[-1])
        if command == "L":
            _add_piece(page, to_page(*current), to_page(*point))
        elif command in ("S", "M"):
            start = point
        current = point


def _add_piece(page: _Page, p: tuple[float, float], q: tuple[float, float]) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y1 - y0) <= _STRAIGHT and abs(x1 - x0) >= _MIN_RULE:
        page.horizontal.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x1 - x0) <= _STRAIGHT and abs(y1 - y0) >= _MIN_RULE:
        page.vertical.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


# --- lines and tables --------------------------------------------------------------------------------


def _page_items(page: _Page, number: int) -> list[Item]:
    """A page's text lines and tables in reading order."""
    chars = page.chars
    items: list[Item] = []
    for table in _tables(page, number):
        grid, taken = _table_grid(table, chars)
        if grid and len(grid[0]) >= 2:  # a one-column "table" is a boxed paragraph: read it as text
            items.append(Item(top=table.ys[0], grid=grid))
            chars = [char for i, char in enumerate(chars) if i not in taken]
    for line in _lines(chars):
        text = _line_text(line)
        if text and not PAGE_NUMBER.match(text):
            items.append(Item(top=min(c.y - c.size for c in line), line=text))
    items.sort(key=lambda item: item.top)
    return items


def _lines(chars: list[_Char]) -> list[list[_Char]]:
    """Characters grouped by baseline (within half a character's size), each line ordered by X."""
    lines: list[list[_Char]] = []
    for char in sorted(chars, key=lambda c: (c.y, c.x)):
        if lines and abs(char.y - lines[-1][0].y) <= 0.5 * max(char.size, lines[-1][0].size):
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda c: c.x) for line in lines]


def _line_text(line: list[_Char]) -> str:
    """A line's characters, a space where a gap is wider than half a character; fake-bold doubles dropped."""
    out = ""
    previous: _Char | None = None
    for char in line:
        if previous is not None:
            if char.text == previous.text and abs(char.x - previous.x) < 0.25 * char.size:
                continue  # the same character printed twice, offset by a hair (fake bold)
            if char.x - (previous.x + previous.width) > 0.5 * max(char.size, previous.size):
                out += " "
        out += char.text
        previous = char
    return out.strip()


@dataclass
class _Table:
    xs: list[float]  # column boundaries
    ys: list[float]  # row boundaries
    horizontal: list[tuple[float, float, float]]
    vertical: list[tuple[float, float, float]]


def _merge(pieces: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Rules at (nearly) one position made one, their collinear pieces joined where they touch."""
    merged: list[tuple[float, float, float]] = []
    groups: list[list[tuple[float, float, float]]] = []
    for piece in sorted(pieces):
        if groups and piece[0] - groups[-1][0][0] <= _SNAP:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    for group in groups:
        at = sum(p[0] for p in group) / len(group)
        spans = sorted((p[1], p[2]) for p in group)
        lo, hi = spans[0]
        for a, b in spans[1:]:
            if a <= hi + _JOIN:
                hi = max(hi, b)
            else:
                merged.append((at, lo, hi))
                lo, hi = a, b
        merged.append((at, lo, hi))
    return merged


def _tables(page: _Page, number: int) -> list[_Table]:
    """Sets of rules that meet, each with at least two horizontal and two vertical rules: the tables."""
    horizontal, vertical = _merge(page.horizontal), _merge(page.vertical)
    if len(horizontal) < 2 or len(vertical) < 2:
        return []
    # Every horizontal rule is tried against every vertical one: bound that first.
    check_table_size(len(horizontal), len(vertical), f"the ruled lines of OFD page {number}")
    parent = list(range(len(horizontal) + len(vertical)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, x0, x1) in enumerate(horizontal):
        for j, (x, y0, y1) in enumerate(vertical):
            if x0 - _TOUCH <= x <= x1 + _TOUCH and y0 - _TOUCH <= y <= y1 + _TOUCH:
                parent[root(i)] = root(len(horizontal) + j)
    groups: dict[int, tuple[list, list]] = {}
    for i, rule in enumerate(horizontal):
        groups.setdefault(root(i), ([], []))[0].append(rule)
    for j, rule in enumerate(vertical):
        groups.setdefault(root(len(horizontal) + j), ([], []))[1].append(rule)
    tables = []
    for hs, vs in groups.values():
        if len(hs) < 2 or len(vs) < 2:
            continue
        # A table without a left, right, top or bottom border ends where its other rules end.
        xs = _bounds([v[0] for v in vs] + [min(h[1] for h in hs), max(h[2] for h in hs)])
        ys = _bounds([h[0] for h in hs] + [min(v[1] for v in vs), max(v[2] for v in vs)])
        if len(xs) >= 2 and len(ys) >= 2:
            check_table_size(len(ys) - 1, len(xs) - 1, f"a ruled table on OFD page {number}")
            tables.append(_Table(xs, ys, hs, vs))
    return sorted(tables, key=lambda t: (t.ys[0], t.xs[0]))


def _bounds(values: list[float]) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > _SNAP:
            out.append(value)
    return out


def _index(bounds: list[float], value: float) -> int:
    """The band ``value`` falls in (``-1`` or ``len(bounds) - 1`` outside)."""
    if value < bounds[0] or value > bounds[-1]:
        return -1
    return min(bisect.bisect_right(bounds, value) - 1, len(bounds) - 2)


def _nearest(bounds: list[float], value: float) -> int:
    i = bisect.bisect_left(bounds, value)
    return min((k for k in (i - 1, i) if 0 <= k < len(bounds)), key=lambda k: abs(bounds[k] - value))


def _table_grid(table: _Table, chars: list[_Char]) -> tuple[Grid, set[int]]:
    """The table's cells as a grid, and the indexes of the characters inside it.

    The bands between neighbouring rules are the grid's positions; two
    neighbouring positions with no rule between them are one (merged) cell,
    whose text stands at its top-left position, the rest :data:`COVERED`.
    """
    xs, ys = table.xs, table.ys
    rows, columns = len(ys) - 1, len(xs) - 1
    # Which inner boundaries are ruled, band by band.
    ruled_v = [[False] * rows for _ in xs]  # ruled_v[k][i]: a rule at xs[k] beside row i
    ruled_h = [[False] * columns for _ in ys]  # ruled_h[k][j]: a rule at ys[k] above column j
    for x, y0, y1 in table.vertical:
        k = _nearest(xs, x)
        for i in range(rows):
            if y0 - _TOUCH <= (ys[i] + ys[i + 1]) / 2 <= y1 + _TOUCH:
                ruled_v[k][i] = True
    for y, x0, x1 in table.horizontal:
        k = _nearest(ys, y)
        for j in range(columns):
            if x0 - _TOUCH <= (xs[j] + xs[j + 1]) / 2 <= x1 + _TOUCH:
                ruled_h[k][j] = True
    parent = list(range(rows * columns))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def join(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the root is the cell's first position: its origin

    for i in range(rows):
        for j in range(columns):
            if j + 1 < columns and not ruled_v[j + 1][i]:
                join(i * columns + j, i * columns + j + 1)
            if i + 1 < rows and not ruled_h[i + 1][j]:
                join(i * columns + j, (i + 1) * columns + j)
    contents: dict[int, list[_Char]] = {}
    taken: set[int] = set()
    for n, char in enumerate(chars):
        cx, cy = char.center
        j, i = _index(xs, cx), _index(ys, cy)
        if i < 0 or j < 0:
            continue
        taken.add(n)
        contents.setdefault(root(i * columns + j), []).append(char)
    grid: Grid = []
    for i in range(rows):
        row = []
        for j in range(columns):
            position = i * columns + j
            if root(position) != position:
                row.append(COVERED)
            else:
                lines = _lines(contents.get(position, []))
                row.append(clean_cell("\n".join(_line_text(line) for line in lines)))
        grid.append(row)
    # A band no cell starts in is an artefact of a rule that does not cross the table.
    grid = [row for row in grid if any(cell != COVERED for cell in row)]
    keep = [j for j in range(columns) if any(row[j] != COVERED for row in grid)]
    grid = [[row[j] for j in keep] for row in grid]
    return pad_grid(grid), taken

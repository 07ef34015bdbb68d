"""Section 二: proactive disclosure (items × measures, by template).

Items (规章, 行政许可, ...) are found by label in order; the measures of an
item are the measure labels in the header row above it (a 2021 header says
本年制发件数 ..., a 2019 header 本年新制作数量 ...), inherited by the items
below the same header, and the template's defaults where no header label
is readable. The section has no identities, so glued digits are split only
when a single split exists ("000" into three cells); otherwise the cells
are left null with a finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.labels import labels
from etl.parse.cells import Cell, all_digit_runs, cell_tokens, fit, runs_of, split_cells, to_cells
from etl.parse.glued import splits
from etl.parse.stream import Hit, Stream, find_chain
from etl.parse.tokens import tokenize
from etl.record import DisclosureCell, Finding

_HEADER = re.compile(r"第二十条|信息内容")
_CUT_ROW = 60  # characters after an item's label when the text ends inside its row
MEASURES = {lb.code: lb for lb in labels("measure")}
TEMPLATE_2021_MEASURES = {"issued", "repealed", "in_force"}
TEMPLATE_2019_MEASURES = {
    "new_made",
    "new_published",
    "total_published",
    "prior_year_items",
    "change",
    "items",
}


@dataclass
class Disclosure:
    cells: list[DisclosureCell] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    template: str | None = None


def parse_disclosure(
    stream: Stream, start: int, end: int, template_hint: str | None, *, empty_lines_are_cells: bool = False
) -> Disclosure:
    result = Disclosure()
    measure_codes = list(MEASURES)
    per_measure = stream.find_each([MEASURES[c].pattern for c in measure_codes], start, end)
    measure_hits = sorted(
        ((code, h) for code, hits in zip(measure_codes, per_measure, strict=True) for h in hits),
        key=lambda x: x[1].start,
    )
    seen = {code for code, _ in measure_hits}
    if seen & TEMPLATE_2021_MEASURES:
        template = "2021"
    elif seen & TEMPLATE_2019_MEASURES:
        template = "2019"
    else:
        template = template_hint or "2021"
    result.template = template if seen else None
    items = labels("item", template)
    chain = find_chain(stream, [lb.pattern for lb in items], start, end)
    found = [(lb, h) for lb, h in zip(items, chain, strict=True) if h is not None]
    if not found:
        return result
    boundaries = sorted(
        [h.start for h in stream.find_all(_HEADER, start, end)] + [h.start for _, h in measure_hits]
    )
    current: list[str] | None = None
    prev_end = start
    for n, (item, hit) in enumerate(found):
        header = [code for code, h in measure_hits if prev_end <= h.start < hit.start]
        if header:
            current = _dedupe(header)
        zone_end = min(
            [found[n + 1][1].start if n + 1 < len(found) else end] + [b for b in boundaries if b >= hit.end]
        )
        zone = tokenize(stream.text[hit.end : zone_end], empty_lines_are_cells=empty_lines_are_cells)
        tokens = cell_tokens(zone)
        measures = _measures(current, item.measures, tokens)
        cells = _read(tokens, len(measures))
        if cells is None:
            cells = _with_local_rows(item.code, zone, len(measures), result.findings)
        cut = zone_end >= len(stream.text) and len(stream.text) - hit.end < _CUT_ROW
        if cells is None and cut and 0 < len(tokens) < len(measures):
            # the text ends inside this row (a stored page cut short): it keeps the cells it has
            cells = to_cells(tokens) + [Cell(None, None)] * (len(measures) - len(tokens))
        if cells is None:
            raws = " ".join(t.raw or "∅" for t in tokens)
            result.findings.append(
                Finding(
                    "ambiguous_cells",
                    None,
                    None,
                    f"active_disclosure.{item.code}: {len(tokens)} cells ({raws[:60]}) for "
                    f"{len(measures)} measures; cells left empty",
                )
            )
            cells = [Cell(None, None)] * len(measures)
        for measure, cell in zip(measures, cells, strict=True):
            result.cells.append(DisclosureCell(item.code, measure, cell.value, cell.raw))
        prev_end = zone_end
    result.cells += _out_of_order(
        stream, items, found, measure_hits, boundaries, start, end, empty_lines_are_cells
    )
    return result


def _out_of_order(
    stream: Stream,
    items: list,
    found: list,
    measure_hits: list[tuple[str, Hit]],
    boundaries: list[int],
    start: int,
    end: int,
    empty_lines_are_cells: bool,
) -> list[DisclosureCell]:
    """Items printed out of the template's order (a converter put 规章 after 行政事业性收费).

    The ordered chain leaves them out. Each is read where its label stands,
    under the header above it, and only when its cells fill that header's
    measures exactly: a label in prose, with words after it, holds no row.
    """
    taken = {item.code for item, _ in found}
    missing = [item for item in items if item.code not in taken]
    if not missing:
        return []
    hits_of = stream.find_each([item.pattern for item in missing], start, end)
    starts = sorted(
        [h.start for _, h in found] + [h.start for hs in hits_of for h in hs] + boundaries + [end]
    )
    out: list[DisclosureCell] = []
    for item, hits in zip(missing, hits_of, strict=True):
        readings = []
        for hit in hits:
            zone_end = min(s for s in starts if s >= hit.end)
            tokens = cell_tokens(
                tokenize(stream.text[hit.end : zone_end], empty_lines_are_cells=empty_lines_are_cells)
            )
            above = _dedupe(_last_header(measure_hits, hit.start))
            measures = _measures(above or None, item.measures, tokens)
            fitted = fit(tokens, len(measures))
            if fitted is not None and any(t.kind == "value" for t in fitted):
                readings.append((measures, to_cells(fitted)))
        if len(readings) == 1:
            measures, cells = readings[0]
            out += [
                DisclosureCell(item.code, m, c.value, c.raw) for m, c in zip(measures, cells, strict=True)
            ]
    return out


def _last_header(measure_hits: list[tuple[str, Hit]], before: int) -> list[str]:
    """The measures of the header row nearest above a position (hits within 200 characters of each other)."""
    above = [(code, h) for code, h in measure_hits if h.start < before]
    if not above:
        return []
    row = [above[-1]]
    for code, h in reversed(above[:-1]):
        if row[0][1].start - h.end > 200:
            break
        row.insert(0, (code, h))
    return [code for code, _ in row]


def _with_local_rows(code: str, zone: list, k: int, findings: list[Finding]) -> list[Cell] | None:
    """An item's cells followed by a row the template does not have ("其他主动公开文件 | 0 | 0 | 0").

    Taken only when the item's own cells and each local row's cells fill the
    measures exactly; the local rows are named in an ``unplaced_row`` finding.
    """
    groups: list[tuple[str, list]] = [("", [])]
    for t in zone:
        if t.kind == "noise" and sum(1 for ch in t.raw if "\u4e00" <= ch <= "\u9fff") >= 2:
            if groups[-1][1]:
                groups.append((t.raw, []))
        elif t.is_cell:
            groups[-1][1].append(t)
    fitted = [(label, fit(cells, k, filler_at_end=True)) for label, cells in groups]
    if len(fitted) < 2 or any(f is None for _, f in fitted):
        return None
    for label, extra in fitted[1:]:
        raws = " ".join(t.raw or "∅" for t in extra)  # type: ignore[union-attr]
        findings.append(
            Finding(
                "unplaced_row",
                None,
                None,
                f"active_disclosure: local row '{label.strip()}' after {code} matches no code; "
                f"its cells ({raws}) are kept out of the record",
            )
        )
    return to_cells(fitted[0][1])  # type: ignore[arg-type]


def _read(tokens, k: int) -> list[Cell] | None:
    fitted = fit(tokens, k, filler_at_end=True)
    if fitted is not None:
        return to_cells(fitted)
    if all_digit_runs(tokens) and len(tokens) < k:
        runs = runs_of(tokens)
        options = list(splits(runs, k))
        # no identity to check here, so a split is certain only when the digits admit no
        # reading with fewer cells (a blank cell may have vanished): "000" is three zeros,
        # "40" may be 40 and a blank
        fewer = any(next(splits(runs, j), None) for j in range(len(runs), k))
        if len(options) == 1 and not fewer:
            return split_cells(options[0], tokens)
    return None


def _dedupe(codes: list[str]) -> list[str]:
    out: list[str] = []
    for c in codes:
        if c not in out:
            out.append(c)
    return out


def _plausible(header: list[str], defaults: tuple[str, ...]) -> bool:
    """A header's measures apply to an item when they are the item's own kind of measures."""
    return set(header) <= set(defaults) or len(header) == len(defaults)


def _measures(header: list[str] | None, defaults: tuple[str, ...], tokens) -> list[str]:
    """The measures an item's cells stand under: the header's, or the template's.

    A header whose labels are cut short ("本年新 | 本年新 | 对外公开总数量") names
    fewer measures than its columns; where the item's cells then fill the
    template's columns exactly, the template's measures are the columns.
    """
    if not header or not _plausible(header, defaults):
        return list(defaults)
    if len(header) < len(defaults) and set(header) < set(defaults):
        if fit(tokens, len(header), filler_at_end=True) is None and fit(
            tokens, len(defaults), filler_at_end=True
        ):
            return list(defaults)
    return list(header)


def section_hits(stream: Stream, start: int, end: int) -> list[Hit]:
    return stream.find_all(_HEADER, start, end)

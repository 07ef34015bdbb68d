"""Section 三 broken into fragments: value rows whose labels stand elsewhere.

PDF-to-Markdown converters cut the application table into pieces: some
rows keep their label in the row ("| 6.属于四类过程性信息 | 1 | 0 | …"), others
lose it to loose text printed above or beside the piece, out of the
template's order ("5.属于三类内部事务信\\n息" three lines before its
numbers). The rows themselves still come in the template's order. So where
the table holds exactly as many rows of seven cells as the template has
rows, and every row that kept its label stands at that label's place in the
template, each unlabelled row is the template's row at its place. The
reading counts only when the table's identities all hold on it (row totals,
一+二 = 三(七)+四, 三(七) = the outcome rows); otherwise nothing is read.
"""

from __future__ import annotations

import re

from etl.labels import APPLICANTS, labels
from etl.parse.cells import Cell, cell_tokens, fit, to_cells
from etl.parse.normalize import normalize, squeeze
from etl.parse.reconcile import column_identities
from etl.parse.tokens import tokenize

K = len(APPLICANTS)
_ROWS = labels("row")
TEMPLATE_ROWS = {
    "2021": [lb.code for lb in _ROWS if lb.applies_to("2021") and lb.code != "other"],
    "2019": [lb.code for lb in _ROWS if lb.applies_to("2019")],
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def align(region: str) -> dict[str, list[Cell]] | None:
    """Every row of a fragmented application table, or None where the alignment is not certain."""
    rows = _value_rows(region)
    for codes in TEMPLATE_ROWS.values():
        if len(rows) != len(codes):
            continue
        if any(label is not None and label != code for (label, _), code in zip(rows, codes, strict=True)):
            continue
        table = {code: cells for code, (_, cells) in zip(codes, rows, strict=True)}
        if _identities_hold(table):
            return table
    return None


def _value_rows(region: str) -> list[tuple[str | None, list[Cell]]]:
    """Lines that hold a row of seven cells, with the row label the line itself carries (or None)."""
    out = []
    for line in region.split("\n"):
        if "|" not in line and "\t" not in line:
            continue
        tokens = tokenize(line, first_cell_is_label=False, between_labels=False)
        cells = cell_tokens(tokens)
        words = "".join(t.raw for t in tokens if t.kind == "noise")
        label = _label(words)
        # a row of seven cells, or a grid line that wide left all blank ("|  |  | … |"): with no
        # words or a row's label, since a header line is words and empty spans
        if not any(t.kind == "value" for t in cells) and (line.count("|") <= K or (words and not label)):
            continue
        fitted = fit(cells, K)
        if fitted is None:
            continue
        out.append((label, to_cells(fitted)))
    return out


def _label(words: str) -> str | None:
    """The most specific row label in a line's words ("（三）不予公开 1.属于国家秘密": the item)."""
    if not _CJK.search(words):
        return None
    text = squeeze(normalize(words))
    found = [lb for lb in _ROWS if lb.pattern.search(text)]
    if not found:
        return None
    # a group heading (三、本年度办理结果, （三）不予公开) beside an item: the item is the row
    return max(found, key=lambda lb: (lb.pattern.search(text).start(), lb.position)).code  # type: ignore[union-attr]


def _identities_hold(table: dict[str, list[Cell]]) -> bool:
    """Every identity of the table that its printed numbers let us check holds, and at least one did."""
    checked = 0
    for cells in table.values():
        parts, total = [c.value for c in cells[:-1]], cells[-1].value
        if isinstance(total, int) and all(isinstance(p, int) for p in parts):
            checked += 1
            if sum(parts) != total:  # type: ignore[arg-type]
                return False
    holds, columns = column_identities({code: [c.value for c in cells] for code, cells in table.items()})
    return holds and checked + columns > 0

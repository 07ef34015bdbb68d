"""The one label table (``etl/labels.csv``): codes, Chinese and English labels, patterns.

The parser matches labels with its ``pattern`` column, dbt's seeds are
generated from it (``etl/seeds.py``), and tests read codes from it: a label
is written down once, here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LABELS_CSV = Path(__file__).resolve().parent / "labels.csv"


@dataclass(frozen=True)
class Label:
    axis: str
    code: str
    template: str  # all | 2019 | 2021
    position: int
    numbering: str
    label_zh: str
    label_en: str
    group_code: str
    measures: tuple[str, ...]
    aliases: tuple[str, ...]
    pattern: re.Pattern[str]

    def applies_to(self, template: str) -> bool:
        return self.template == "all" or self.template == template


@lru_cache(maxsize=1)
def all_labels() -> tuple[Label, ...]:
    with open(LABELS_CSV, encoding="utf-8", newline="") as fh:
        return tuple(
            Label(
                axis=r["axis"],
                code=r["code"],
                template=r["template"],
                position=int(r["position"]),
                numbering=r["numbering"],
                label_zh=r["label_zh"],
                label_en=r["label_en"],
                group_code=r["group_code"],
                measures=tuple(r["measures"].split()),
                aliases=tuple(a for a in r["aliases"].split("|") if a),
                pattern=re.compile(r["pattern"]),
            )
            for r in csv.DictReader(fh)
        )


def labels(axis: str, template: str | None = None) -> list[Label]:
    """Labels of one axis in table order, optionally only those a template has."""
    found = [lb for lb in all_labels() if lb.axis == axis and (template is None or lb.applies_to(template))]
    return sorted(found, key=lambda lb: lb.position)


def codes(axis: str, template: str | None = None) -> list[str]:
    seen: list[str] = []
    for lb in labels(axis, template):
        if lb.code not in seen:
            seen.append(lb.code)
    return seen


# Row groups of section 三 that are no outcome: the intake rows, the total and the
# carried-forward row. Every other row is an outcome, summed into 三(七) 总计.
NON_OUTCOME_GROUPS = frozenset({"intake", "total", "carried_forward"})


def outcome_rows(present: set[str] | None = None) -> list[str]:
    """The outcome rows in table order; of ``present`` rows only, where given.

    A 2021 table's three (六) rows replace the 2019 single ``other`` row; a
    table that has them counts them, not ``other``.
    """
    rows = [lb.code for lb in labels("row") if lb.group_code not in NON_OUTCOME_GROUPS]
    if present is None:
        return list(dict.fromkeys(rows))
    return [
        r for r in dict.fromkeys(rows) if r in present and not (r == "other" and "other_other" in present)
    ]


APPLICANTS: tuple[str, ...] = tuple(codes("applicant"))
PROCEEDINGS: tuple[str, ...] = tuple(codes("proceeding"))
RESULTS: tuple[str, ...] = tuple(codes("result"))

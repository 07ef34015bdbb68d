"""The project's one label table (``etl/labels.csv``), read for the generator.

The generator must print exactly the labels the official templates print, and
must use exactly the codes of the spec, so it reads them from the same CSV the
parser and dbt seeds derive from instead of keeping a copy.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Label:
    """One row of ``labels.csv``."""

    axis: str
    code: str
    template: str
    position: int
    numbering: str
    label_zh: str
    group_code: str
    measures: tuple[str, ...]
    aliases: tuple[str, ...]


@cache
def _all() -> tuple[Label, ...]:
    text = resources.files("etl").joinpath("labels.csv").read_text(encoding="utf-8")
    rows = []
    for r in csv.DictReader(text.splitlines()):
        rows.append(
            Label(
                axis=r["axis"],
                code=r["code"],
                template=r["template"],
                position=int(r["position"]),
                numbering=r["numbering"],
                label_zh=r["label_zh"],
                group_code=r["group_code"],
                measures=tuple(r["measures"].split()) if r["measures"] else (),
                aliases=tuple(a for a in r["aliases"].split("|") if a),
            )
        )
    return tuple(rows)


@cache
def labels(axis: str, template: str) -> tuple[Label, ...]:
    """Labels of one axis that a report of ``template`` prints, in table order.

    ``template`` is ``2019`` or ``2021``; rows marked ``all`` belong to both.
    """
    found = [lab for lab in _all() if lab.axis == axis and lab.template in ("all", template)]
    return tuple(sorted(found, key=lambda lab: lab.position))


@cache
def by_code(axis: str, code: str, template: str) -> Label:
    """The label of one code as ``template`` prints it."""
    for lab in labels(axis, template):
        if lab.code == code:
            return lab
    raise KeyError(f"{axis}:{code} not in template {template}")


@cache
def measure_codes(template: str) -> dict[str, tuple[str, ...]]:
    """Section 二 items of ``template`` and the measures each one has, in order."""
    return {lab.code: lab.measures for lab in labels("item", template)}

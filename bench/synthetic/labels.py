"""The project's one label table (``etl/labels.csv``), as the generator asks for it.

The generator must print exactly the labels the official templates print, and
use exactly the record's codes, so it asks :mod:`etl.labels`, the one module
that reads the table, rather than keeping a copy or a reader of its own.
"""

from __future__ import annotations

from functools import cache

from etl.labels import Label
from etl.labels import labels as _labels

__all__ = ["Label", "by_code", "labels", "measure_codes"]


@cache
def labels(axis: str, template: str) -> tuple[Label, ...]:
    """Labels of one axis that a report of ``template`` prints, in table order.

    ``template`` is ``2019`` or ``2021``; rows marked ``all`` belong to both.
    """
    return tuple(_labels(axis, template))


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

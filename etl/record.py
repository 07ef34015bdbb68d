"""The canonical report record: the contract between parsing and loading.

Every parser path (plain text, HTML, PDF, DOCX; every template generation)
ends in one :class:`Report`. Its keys and codes are fixed by
``docs/record.md``; :meth:`Report.to_dict` gives exactly the JSON
object that ``nianbao parse --json`` prints and the loader stores.

Values are ``int`` for counts and ``Decimal`` for money (万元), so that a
figure such as ``1732.633648`` survives the trip to Postgres ``numeric``
without binary rounding. ``None`` means the report printed no number there;
it is never 0.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Literal

Value = int | Decimal | None

Status = Literal["parsed", "partial", "rejected"]
Template = Literal["2021", "2019", "pre2019", "unknown"]
Level = Literal["national", "province", "prefecture", "county", "township"]
Kind = Literal["government", "government_office", "department", "township", "other"]

# Reconciliation rules of the spec: the report breaks its own totals as published. The
# other finding rules (ambiguous_cells, unplaced_row, region_unresolved,
# template_year_mismatch) say where the parser is unsure or declined; etl/labels.csv
# (axis "finding") lists every rule with its kind, and docs/record.md describes them.
RECONCILIATION_RULES = (
    "applications_balance",
    "applications_outcome_sum",
    "applications_row_total",
    "review_litigation_total",
)


@dataclass
class Source:
    path: str
    sha256: str
    format: str = "text"
    encoding: str | None = None


@dataclass
class Error:
    code: str
    message: str


@dataclass
class Agency:
    name: str | None = None
    region_code: str | None = None
    level: str | None = None
    kind: str | None = None
    unit: str | None = None  # the name without its place, suffix forms made one (etl.parse.agency)


@dataclass
class DisclosureCell:
    item: str
    measure: str
    value: Value
    raw: str | None


@dataclass
class ApplicationCell:
    row: str
    applicant: str
    value: Value
    raw: str | None


@dataclass
class ReviewCell:
    proceeding: str
    result: str
    value: Value
    raw: str | None


@dataclass
class LegacyStat:
    indicator: str
    unit: str | None
    value: Value
    raw: str | None


@dataclass
class Finding:
    rule: str
    expected: Value
    actual: Value
    where: str


@dataclass
class Report:
    source: Source
    status: str = "parsed"
    errors: list[Error] = field(default_factory=list)
    agency: Agency = field(default_factory=Agency)
    report_year: int | None = None
    template: str = "unknown"
    published_date: str | None = None
    active_disclosure: list[DisclosureCell] = field(default_factory=list)
    applications: list[ApplicationCell] = field(default_factory=list)
    review_litigation: list[ReviewCell] = field(default_factory=list)
    legacy_stats: list[LegacyStat] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The spec's JSON object, keys in the spec's order."""
        return asdict(self)

    def to_json(self) -> str:
        """One JSON Lines line; Decimals become JSON numbers, not strings."""
        return json.dumps(self.to_dict(), ensure_ascii=False, default=_json_default)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Rebuild a record from :meth:`to_dict` output (or parsed JSON)."""
        return cls(
            source=Source(**data["source"]),
            status=data["status"],
            errors=[Error(**e) for e in data.get("errors", [])],
            agency=Agency(**data.get("agency", {})),
            report_year=data.get("report_year"),
            template=data.get("template", "unknown"),
            published_date=data.get("published_date"),
            active_disclosure=[
                DisclosureCell(**{**c, "value": _num(c["value"])}) for c in data.get("active_disclosure", [])
            ],
            applications=[
                ApplicationCell(**{**c, "value": _num(c["value"])}) for c in data.get("applications", [])
            ],
            review_litigation=[
                ReviewCell(**{**c, "value": _num(c["value"])}) for c in data.get("review_litigation", [])
            ],
            legacy_stats=[
                LegacyStat(**{**c, "value": _num(c["value"])}) for c in data.get("legacy_stats", [])
            ],
            findings=[
                Finding(**{**f, "expected": _num(f["expected"]), "actual": _num(f["actual"])})
                for f in data.get("findings", [])
            ],
        )

    @classmethod
    def from_json(cls, line: str) -> Report:
        return cls.from_dict(json.loads(line, parse_float=Decimal))


def _num(v: Any) -> Value:
    if v is None or isinstance(v, int):
        return v
    d = Decimal(str(v))
    return int(d) if d == d.to_integral_value() and "." not in str(v) else d


def _json_default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        # A float prints the shortest repr that round-trips, so 1732.633648
        # stays 1732.633648 in the JSON text.
        return float(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")

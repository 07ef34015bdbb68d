"""The spec's four reconciliation rules, computed for ground truth.

Written apart from the parser on purpose (nothing here imports ``etl.parse``):
the property tests compare the parser's findings with these, so a shared bug
would hide itself.

Conventions this module fixes (the spec leaves them open; the parser must
agree, see the report to the lead):

- ``where`` names the section and the column or row the check ran on:
  ``applications.<applicant>`` for ``applications_balance`` and
  ``applications_outcome_sum``, ``applications.<row>`` for
  ``applications_row_total``, ``review_litigation.<proceeding>`` for
  ``review_litigation_total``. A parser may add a description after a colon
  (``applications.total: new_received + carried_over vs ...``);
  :func:`bench.synthetic.compare.finding_keys` compares the part before it.
- ``expected`` is the sum of the parts (for the balance: 一 + 二), ``actual``
  the figure the report printed as their total (for the balance: 三(七) + 四).
- A blank cell takes no part: a check that needs a blank (or absent) cell is
  skipped, as the parser does. (The generator only blanks cells whose figure
  is 0 in sections 三 and 四, and never in a report with a broken total, so
  the other reading, "left out of its sum", gives the same findings on every
  synthetic report.)
- Findings come in rule order, then in table order of ``where``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from etl.record import ApplicationCell, Finding, ReviewCell

APPLICANT_PARTS = (
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_services",
    "other_org",
)
APPLICANTS = (*APPLICANT_PARTS, "total")
NON_OUTCOME_ROWS = frozenset({"new_received", "carried_over", "total_processed", "carried_forward"})
REVIEW_PARTS = ("upheld", "corrected", "other", "pending")
PROCEEDINGS = ("review", "litigation_direct", "litigation_after_review")

Num = int | Decimal


def _sum(values: Iterable[Num | None]) -> Num | None:
    """Sum of the values; None when any one is blank or there are none."""
    present = list(values)
    if not present or any(v is None for v in present):
        return None
    return sum(present)  # type: ignore[arg-type]


def _check(
    rule: str, where: str, parts: Iterable[Num | None], totals: Iterable[Num | None]
) -> Finding | None:
    expected, actual = _sum(parts), _sum(totals)
    if expected is None or actual is None or expected == actual:
        return None
    return Finding(rule=rule, expected=expected, actual=actual, where=where)


def application_findings(cells: Iterable[ApplicationCell]) -> list[Finding]:
    """Findings of the three application-table rules, in rule then table order."""
    grid: dict[tuple[str, str], Num | None] = {}
    rows: list[str] = []
    for c in cells:
        grid[(c.row, c.applicant)] = c.value
        if c.row not in rows:
            rows.append(c.row)
    columns = [a for a in APPLICANTS if any((r, a) in grid for r in rows)]

    def get(row: str, col: str) -> Num | None:
        return grid.get((row, col))

    out: list[Finding | None] = []
    for col in columns:
        out.append(
            _check(
                "applications_balance",
                f"applications.{col}",
                [get("new_received", col), get("carried_over", col)],
                [get("total_processed", col), get("carried_forward", col)],
            )
        )
    outcome_rows = [r for r in rows if r not in NON_OUTCOME_ROWS]
    for col in columns:
        out.append(
            _check(
                "applications_outcome_sum",
                f"applications.{col}",
                [get(r, col) for r in outcome_rows],
                [get("total_processed", col)],
            )
        )
    for row in rows:
        out.append(
            _check(
                "applications_row_total",
                f"applications.{row}",
                [get(row, a) for a in APPLICANT_PARTS],
                [get(row, "total")],
            )
        )
    return [f for f in out if f is not None]


def review_findings(cells: Iterable[ReviewCell]) -> list[Finding]:
    """Findings of ``review_litigation_total``, one per proceeding that fails."""
    grid: Mapping[tuple[str, str], Num | None] = {(c.proceeding, c.result): c.value for c in cells}
    out = []
    for p in PROCEEDINGS:
        f = _check(
            "review_litigation_total",
            f"review_litigation.{p}",
            [grid.get((p, r)) for r in REVIEW_PARTS],
            [grid.get((p, "total"))],
        )
        if f is not None:
            out.append(f)
    return out


def findings_for(applications: Iterable[ApplicationCell], review: Iterable[ReviewCell]) -> list[Finding]:
    """Every reconciliation finding of a record's values, in the spec's rule order."""
    return [*application_findings(applications), *review_findings(review)]

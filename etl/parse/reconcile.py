"""The spec's four reconciliation rules, checked on every report as published.

A failed check is a finding (rule, expected, actual, where), never a change
to the numbers: the report loads exactly as printed. Blank cells take no
part in a check: a check that needs one is skipped.
"""

from __future__ import annotations

from etl.labels import APPLICANTS, PROCEEDINGS, RESULTS, outcome_rows
from etl.record import ApplicationCell, Finding, ReviewCell, Value

_PARTS = APPLICANTS[:-1]


def column_identities(table: dict[str, list[Value]]) -> tuple[bool, int]:
    """Whether the application table's column identities hold, and how many could be checked.

    ``table`` maps row codes to their seven values (None where blank or
    unread). For each applicant column: new_received + carried_over =
    total_processed + carried_forward, and total_processed = the outcome
    rows; a check that needs a value which is not a number is skipped. Used
    where the parser chooses among readings (glued splits, fragments), before
    any finding is written.
    """

    def value(code: str, i: int) -> int | None:
        v = table[code][i] if code in table else None
        return v if isinstance(v, int) else None

    checked = 0
    outcomes = outcome_rows(set(table))
    for i in range(len(APPLICANTS)):
        new, carried, done, forward = (
            value(c, i) for c in ("new_received", "carried_over", "total_processed", "carried_forward")
        )
        if None not in (new, carried, done, forward):
            checked += 1
            if new + carried != done + forward:  # type: ignore[operator]
                return False, checked
        parts = [value(c, i) for c in outcomes]
        if done is not None and outcomes and None not in parts:
            checked += 1
            if sum(parts) != done:  # type: ignore[arg-type]
                return False, checked
    return True, checked


def reconcile(applications: list[ApplicationCell], review: list[ReviewCell]) -> list[Finding]:
    grid: dict[tuple[str, str], Value] = {(c.row, c.applicant): c.value for c in applications}
    rows = {c.row for c in applications}
    findings: list[Finding] = []

    def check(rule: str, expected: list[Value], actual: Value, where: str) -> None:
        if actual is None or not expected or any(v is None for v in expected):
            return
        total = sum(expected)  # type: ignore[arg-type]
        if total != actual:
            findings.append(Finding(rule, total, actual, where))

    for applicant in APPLICANTS:
        get = lambda row, a=applicant: grid.get((row, a))  # noqa: E731
        if {"new_received", "carried_over", "total_processed", "carried_forward"} <= rows:
            left = [get("new_received"), get("carried_over")]
            right = [get("total_processed"), get("carried_forward")]
            if None not in left and None not in right:
                if sum(left) != sum(right):  # type: ignore[arg-type]
                    findings.append(
                        Finding(
                            "applications_balance",
                            sum(left),  # type: ignore[arg-type]
                            sum(right),  # type: ignore[arg-type]
                            f"applications.{applicant}: new_received + carried_over vs total_processed + carried_forward",
                        )
                    )
        outcomes = outcome_rows(rows)
        if "total_processed" in rows and outcomes:
            check(
                "applications_outcome_sum",
                [get(r) for r in outcomes],
                get("total_processed"),
                f"applications.{applicant}: total_processed vs sum of outcome rows",
            )
    for row in [r for r in dict.fromkeys(c.row for c in applications)]:
        check(
            "applications_row_total",
            [grid.get((row, a)) for a in _PARTS],
            grid.get((row, "total")),
            f"applications.{row}: total vs six applicant columns",
        )
    cells = {(c.proceeding, c.result): c.value for c in review}
    for proceeding in PROCEEDINGS:
        if (proceeding, "total") not in cells:
            continue
        check(
            "review_litigation_total",
            [cells.get((proceeding, r)) for r in RESULTS[:-1]],
            cells.get((proceeding, "total")),
            f"review_litigation.{proceeding}: total vs upheld + corrected + other + pending",
        )
    return findings

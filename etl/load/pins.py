"""Pinned versions (``ops.version_pins``): the document an operator chose as its agency-year's latest.

The ranking rule (dbt's ``int_reports_versioned``) picks the latest version
of an agency-year by itself; a pin overrides it for the cases the rule
cannot know (a later version that misprints its table, a re-publication
that only corrects a typo in the prose). Pins are kept by document, so a
reparse keeps them.
"""

from __future__ import annotations

from typing import Any

import psycopg


class NoSuchReport(LookupError):
    """The report id names no stored report."""


def document_of(conn: psycopg.Connection[Any], report_id: int) -> tuple[str, str | None, int | None]:
    """(sha256, agency name, year) of a report id; :class:`NoSuchReport` if there is none."""
    row = conn.execute(
        "select sha256, agency_name, report_year from raw.reports where report_id = %s", (report_id,)
    ).fetchone()
    if row is None:
        raise NoSuchReport(f"no report {report_id}: see marts.fct_reports for the report ids")
    return row[0], row[1], row[2]


def pin(conn: psycopg.Connection[Any], report_id: int, note: str | None = None) -> str:
    """Pin the document of ``report_id``, unpinning the other documents of its agency-year; its sha256."""
    sha, agency, year = document_of(conn, report_id)
    with conn.transaction():
        if agency is not None and year is not None:
            conn.execute(
                "delete from ops.version_pins p using raw.reports r "
                "where p.sha256 = r.sha256 and r.agency_name = %s and r.report_year = %s and p.sha256 <> %s",
                (agency, year, sha),
            )
        conn.execute(
            "insert into ops.version_pins (sha256, note) values (%s, %s) "
            "on conflict (sha256) do update set note = excluded.note, pinned_at = now()",
            (sha, note),
        )
    return sha


def unpin(conn: psycopg.Connection[Any], report_id: int) -> bool:
    """Remove the pin of ``report_id``'s document; whether there was one."""
    sha, _, _ = document_of(conn, report_id)
    with conn.transaction():
        deleted = conn.execute("delete from ops.version_pins where sha256 = %s", (sha,)).rowcount
    return bool(deleted)

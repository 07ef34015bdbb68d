"""What the CLI shows: a run's outcome as a summary or JSON, runs and quarantine as tables.

Rendering only: every figure comes from the outcome (``etl.run.RunOutcome``)
or the ledger's rows; nothing here decides anything. Text that comes from
files (names, agency names, reasons) goes in as ``rich.text.Text``, never
as markup: a file named ``[/evil].txt`` is shown as named.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from etl.crawl.runner import CrawlOutcome
from etl.database import redact
from etl.run import RunOutcome
from etl.transform import MART_SCHEMA

TITLES = {
    "load": "nianbao run",
    "reparse": "nianbao reparse",
    "retry": "nianbao quarantine retry",
    "pin": "nianbao versions",
}


def stdout() -> Console:
    """Where summaries go: the terminal's width, or 120 columns in a log or pipe
    (rich's default of 80 folds every table of a cron mail)."""
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(width=120)
    return console


class ProgressBar:
    """A progress bar on an interactive terminal; nothing otherwise (the log has the lines).

    Called with the number of files, as ``etl.run.execute`` does; entered, it
    gives the per-file callback (or None).
    """

    def __init__(self, console: Console, *, enabled: bool) -> None:
        self.console = console
        self.enabled = enabled and console.is_terminal
        self.total = 0
        self._progress: Any = None

    def __call__(self, total: int) -> ProgressBar:
        self.total = total
        return self

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("loading"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=True,
        )
        self._progress.start()
        task = self._progress.add_task("", total=self.total)

        def on_file(path: str, outcome: str) -> None:
            self._progress.update(task, advance=1, description=escape(f"{outcome}: {Path(path).name}"))

        return on_file

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def outcome_json(outcome: RunOutcome) -> str:
    """The JSON summary of a run (``--log-format json``): one object, one line."""
    result, marts = outcome.load, outcome.marts
    if result is None or marts is None:
        summary: dict[str, Any] = {
            "status": "failed" if outcome.exit_code != 4 else "locked",
            "database": redact(outcome.url) if outcome.url else None,
            "error": outcome.error,
            "exit_code": int(outcome.exit_code),
        }
        return json.dumps(summary, ensure_ascii=False)
    freshness = marts.freshness
    summary = {
        "run_id": result.run_id,
        "kind": result.kind,
        "status": result.status,
        "parser_version": result.parser_version,
        "database": redact(outcome.url or ""),
        "files_seen": result.files_seen,
        "files_loaded": result.files_loaded,
        "files_skipped": result.files_skipped,
        "files_unopened": result.files_unopened,
        "files_quarantined": result.files_quarantined,
        "findings": result.findings,
        "manifest_filled": result.manifest_filled,
        "aborted_runs": result.aborted_runs,
        "seconds": round(result.seconds, 3),
        "dbt": {
            "ran": marts.ran,
            "success": marts.success,
            "message": marts.message,
            "skipped": marts.skipped,
        },
        "freshness": dataclasses.asdict(freshness) if freshness else None,
        "marts": outcome.rows,
        "quarantined": [dataclasses.asdict(q) for q in result.quarantined],
        "exit_code": int(outcome.exit_code),
    }
    return json.dumps(summary, ensure_ascii=False)


def print_summary(out: Console, outcome: RunOutcome) -> None:
    """The readable summary of a run that loaded: counts, the marts, the quarantined files."""
    result, marts, rows = outcome.load, outcome.marts, outcome.rows
    assert result is not None and marts is not None
    out.print()
    out.print(
        f"[bold]{TITLES.get(result.kind, 'nianbao run')} {result.run_id}[/]: {result.status} "
        f"(parser {escape(result.parser_version)}, {result.seconds:.1f} s) on {escape(redact(outcome.url or ''))}",
        highlight=False,
    )
    counts = Table(show_header=False, box=None, pad_edge=False)
    counts.add_column(style="bold")
    counts.add_column(justify="right")
    counts.add_row("files seen" if result.kind == "load" else "documents", str(result.files_seen))
    counts.add_row("loaded", str(result.files_loaded))
    skipped = str(result.files_skipped)
    if result.skipped_in_quarantine:
        skipped += f" ({result.skipped_in_quarantine} still in quarantine)"
    counts.add_row("skipped (already loaded)", skipped)
    counts.add_row("quarantined", str(result.files_quarantined))
    counts.add_row("findings", str(result.findings))
    if result.manifest_filled:
        counts.add_row("filled from manifest", str(result.manifest_filled))
    if result.aborted_runs:
        counts.add_row("aborted runs cleaned up", ", ".join(map(str, result.aborted_runs)))
    out.print(counts)

    out.print()
    if marts.ran:
        style = "green" if marts.success else "red"
        out.print(f"[{style}]{escape(marts.message)}[/]", highlight=False)
    else:
        out.print(marts.message, highlight=False, markup=False)
    if marts.freshness is not None:
        style = "yellow" if marts.freshness.stale else "green"
        prefix = "warning: " if marts.freshness.stale else ""
        out.print(f"[{style}]{escape(prefix + marts.freshness.message)}[/]", highlight=False)
    if rows:
        table = Table(title=f"rows per mart ({MART_SCHEMA} schema)", title_justify="left")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, n in rows.items():
            table.add_row(f"{MART_SCHEMA}.{name}", str(n))
        out.print(table)
    else:
        out.print(f"no tables in the {MART_SCHEMA} schema yet")

    if result.quarantined:
        out.print()
        table = Table(title="quarantined files", title_justify="left")
        table.add_column("file", overflow="fold")
        table.add_column("code")
        table.add_column("reason", overflow="fold")
        for q in result.quarantined:
            table.add_row(Text(q.path), Text(q.error_code), Text(q.reason))
        out.print(table)


def print_quarantine(out: Console, entries: list[dict[str, Any]]) -> None:
    if not entries:
        out.print("quarantine is empty")
        return
    table = Table(title=f"{len(entries)} file(s) in quarantine", title_justify="left")
    for column in ("run", "file", "code", "reason"):
        table.add_column(column, overflow="fold")
    for q in entries:
        table.add_row(str(q["run_id"]), Text(q["path"]), Text(q["error_code"]), Text(q["reason"]))
    out.print(table)


def quarantine_lines(entries: list[dict[str, Any]]) -> list[str]:
    """The quarantine as JSON Lines."""
    return [json.dumps({k: _jsonable(v) for k, v in q.items()}, ensure_ascii=False) for q in entries]


def print_runs(out: Console, runs: list[dict[str, Any]], *, lock_held: bool = True) -> None:
    """``nianbao status``'s table of the last runs, and each failed run's first error line.

    A run still ``running`` while nobody holds the writer lock died (killed,
    or its machine went down): it is shown as ``dead``; the next run removes
    what it left.
    """
    table = Table(title=f"last {len(runs)} run(s)", title_justify="left")
    for column in (
        "run",
        "started",
        "took",
        "status",
        "parser",
        "seen",
        "loaded",
        "skipped",
        "quar.",
        "find.",
        "marts",
    ):
        table.add_column(column, overflow="fold")
    errors: list[str] = []
    for r in runs:
        took = ""
        if r["finished_at"] is not None:
            took = f"{(r['finished_at'] - r['started_at']).total_seconds():.1f}s"
        style = {"completed": "green", "completed_with_quarantine": "yellow"}.get(r["status"], "red")
        shown = r["status"]
        if shown == "running" and not lock_held:
            shown = "dead"
            errors.append(
                f"run {r['run_id']}: dead (running, but no process holds the writer lock); the next run cleans up"
            )
        table.add_row(
            str(r["run_id"]),
            r["started_at"].astimezone().strftime("%m-%d %H:%M"),
            took,
            Text(shown, style=style),
            Text(r["parser_version"]),
            str(r["files_seen"]),
            str(r["files_loaded"]),
            str(r["files_skipped"]),
            str(r["files_quarantined"]),
            str(r["findings"]),
            "built" if r["marts_built_at"] is not None else "",
        )
        if r["error"]:
            first = r["error"].strip().splitlines()[0]
            errors.append(f"run {r['run_id']}: {first[:300]}")
    out.print(table if runs else "no load runs yet")
    for line in errors:
        out.print(line, highlight=False, markup=False)


MARTS_STATES = {
    "built": ("green", "the marts hold every completed run up to run {run_id} (built {built_at})"),
    "building": (
        "yellow",
        "the marts are being built after run {run_id} (since {build_started_at}): until the build ends they may mix two loads",
    ),
    "interrupted": ("red", "{message}"),
    "failed": (
        "red",
        "the build after run {run_id} failed: the marts may mix loads until a build succeeds ({message})",
    ),
    "never built": ("yellow", "the marts have never been built here"),
}


def print_marts_status(out: Console, state: dict[str, Any] | None, *, lock_held: bool) -> None:
    """One line: whether the marts can be trusted as one consistent state (``status.marts_build``)."""
    if state is None:
        return
    name = state["state"]
    if name == "building" and not lock_held:
        name, state = (
            "interrupted",
            {
                **state,
                "message": f"the build after run {state['run_id']} was killed half-way: the marts may mix two loads until the next build",
            },
        )
    style, template = MARTS_STATES.get(name, ("red", name))
    values = {
        k: (v.astimezone().strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime) else v)
        for k, v in state.items()
    }
    out.print(Text(f"marts: {name}: " + template.format(**values), style=style))


def print_records(out: Console, rows: list[tuple[str, Any]]) -> None:
    """``nianbao parse``'s table: one line per file and its record, then each rejection's reason."""
    table = Table(title=f"{len(rows)} file(s)", title_justify="left")
    table.add_column("file", overflow="fold", ratio=3)
    for column in ("status", "agency", "year", "template", "cells", "findings"):
        table.add_column(column, overflow="fold")
    problems: list[str] = []
    for path, r in rows:
        cells = (
            len(r.active_disclosure) + len(r.applications) + len(r.review_litigation) + len(r.legacy_stats)
        )
        style = {"parsed": "green", "partial": "yellow", "rejected": "red"}.get(r.status, "")
        table.add_row(
            Text(str(path)),
            Text(r.status, style=style),
            Text(r.agency.name or ""),
            str(r.report_year or ""),
            Text(r.template),
            str(cells),
            str(len(r.findings)),
        )
        problems.extend(f"[{e.code}] {e.message}" for e in r.errors)
    out.print(table)
    for line in problems:
        out.print(line, highlight=False, markup=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# -- nianbao crawl ---------------------------------------------------------------
def crawl_summary(outcome: CrawlOutcome, landing: Path) -> dict[str, Any]:
    """What a crawl did, as data: the JSON summary and the table show the same."""
    tally = outcome.tally
    summary: dict[str, Any] = {
        "status": outcome.exit_code.name.lower(),
        "landing": str(landing),
        "sites": outcome.sites,
        "exit_code": int(outcome.exit_code),
        "seconds": outcome.seconds,
    }
    if outcome.error:
        summary["error"] = outcome.error
    if tally is not None:
        summary.update(
            {
                "list_pages": tally.list_pages,
                "new_files": dict(tally.new_files),
                "unchanged": tally.unchanged,
                "skipped_fetched_before": tally.skipped,
                "not_asked_robots_txt": tally.robots,
                "slowed_down": tally.backoffs,
                "errors": dict(tally.errors_by_kind()),
                "failed": [{"url": url, "error": kind, "detail": detail} for url, kind, detail in tally.failures],
            }
        )
    return summary


def crawl_json(outcome: CrawlOutcome, landing: Path) -> str:
    return json.dumps(crawl_summary(outcome, landing), ensure_ascii=False)


def print_crawl(out: Console, err: Console, outcome: CrawlOutcome, landing: Path) -> None:
    """The readable summary of a crawl: what came, what was unchanged, what failed and why."""
    if outcome.tally is None:
        err.print(f"error: {outcome.error}", markup=False, highlight=False, soft_wrap=True)
        return
    summary = crawl_summary(outcome, landing)
    out.print()
    out.print(
        f"nianbao crawl: {summary['status']} ({len(outcome.sites)} site(s), {outcome.seconds} s) into {landing}",
        markup=False,
        highlight=False,
    )
    table = Table(show_header=False, box=None)
    new = summary["new_files"]
    for label, value in (
        ("list pages read", summary["list_pages"]),
        ("new report pages", new.get("report_page", 0)),
        ("new attachments", new.get("attachment", 0)),
        ("new wrapper pages", new.get("wrapper_page", 0)),
        ("unchanged", summary["unchanged"]),
        ("fetched before (not asked)", summary["skipped_fetched_before"]),
        ("not asked (robots.txt)", summary["not_asked_robots_txt"]),
        ("errors", sum(summary["errors"].values())),
    ):
        table.add_row(label, str(value))
    out.print(table)
    if summary["failed"]:
        failed = Table("url", "error", "detail", title="not fetched")
        for row in summary["failed"][:50]:
            failed.add_row(Text(row["url"]), Text(row["error"]), Text(row["detail"]))
        out.print(failed)
    if new:
        out.print("`nianbao run --landing-dir " + str(landing) + "` loads them", markup=False, highlight=False)

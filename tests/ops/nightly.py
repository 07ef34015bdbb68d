"""What the operations tests share: a synthetic landing folder, databases, and mart checksums.

The landing folder holds synthetic reports (``bench.synthetic``) rendered as
text in the layouts the parser reads exactly, in nested folders as a crawler
would leave them. Databases are cloned from one another with ``CREATE
DATABASE ... TEMPLATE`` (a file copy, a second or so) so a warehouse built
once by a real ``dbt build`` can be the starting point of many tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from bench import databases
from bench.synthetic import EXACT_LAYOUTS, CorpusItem, generate_corpus

REPO = Path(__file__).resolve().parents[2]
NIANBAO = str(Path(sys.executable).parent / "nianbao")

CORPUS_SEED = 20261203
CORPUS_SIZE = 18
BATCH = 4

# Columns that name a load rather than its content: serial ids (an aborted
# run consumes ids its redo does not get back) and load times. Two
# warehouses loaded from the same files agree on everything else.
VOLATILE_COLUMNS = frozenset({"report_id", "run_id", "parsed_at", "first_loaded_at"})


def corpus(n: int = CORPUS_SIZE, seed: int = CORPUS_SEED) -> list[CorpusItem]:
    """Good reports, one per agency and year (so which version is latest never hangs on load order)."""
    items = list(generate_corpus(n, seed, formats={"text": 1.0}, layouts=EXACT_LAYOUTS))
    keys = [(i.record.agency.name, i.record.report_year) for i in items]
    assert len(set(keys)) == len(keys), "the seed gives two reports of one agency and year"
    return items


def write_corpus(landing: Path, items: Iterable[CorpusItem]) -> dict[Path, CorpusItem]:
    """Write the reports under ``landing/<year>/``, as a crawler sorting by year would."""
    written: dict[Path, CorpusItem] = {}
    for n, item in enumerate(items):
        path = landing / str(item.record.report_year) / f"{n:03d}-{item.layout}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        content = item.content if isinstance(item.content, bytes) else item.content.encode("utf-8")
        path.write_bytes(content)
        written[path] = item
    return written


# -- databases ---------------------------------------------------------------
def create_database(server_url: str, template_url: str | None = None) -> str:
    """A new database on the server, empty or a copy of ``template_url``'s."""
    return databases.create_database(server_url, prefix="nianbao_ops", template_url=template_url)


# -- what a warehouse holds ------------------------------------------------------
def mart_checksums(url: str, exclude: Iterable[str] = ()) -> dict[str, str]:
    """md5 of every mart table's rows, in a fixed order: equal checksums, equal tables.

    With ``exclude`` (column names) left out, two warehouses loaded apart can
    be compared on content (see :data:`VOLATILE_COLUMNS`).
    """
    skip = set(exclude)
    out: dict[str, str] = {}
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
            )
        ]
        for table in tables:
            columns = [
                r[0]
                for r in conn.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = %s order by ordinal_position",
                    (table,),
                )
                if r[0] not in skip
            ]
            query = sql.SQL(
                "select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from (select {} from {}) t"
            ).format(sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier("marts", table))
            row = conn.execute(query).fetchone()
            out[table] = row[0] if row else ""
    return out


def report_cells(url: str) -> dict[str, tuple[str, int, int, int, int]]:
    """Per document (sha256): the loading run's status and the report's cell counts.

    Each report is a unit: present with all its cells, or absent. Comparing
    this with an uninterrupted load's shows a partial report at once.
    """
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select r.sha256, l.status, "
            "(select count(*) from raw.application_cells c where c.report_id = r.report_id), "
            "(select count(*) from raw.review_litigation_cells c where c.report_id = r.report_id), "
            "(select count(*) from raw.active_disclosure_cells c where c.report_id = r.report_id), "
            "(select count(*) from raw.legacy_stats c where c.report_id = r.report_id) "
            "from raw.reports r join ops.load_runs l using (run_id)"
        ).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in rows}


def orphan_rows(url: str) -> dict[str, int]:
    """Child rows (cells, findings) whose report is gone, per table: must be none.

    The child tables have no foreign key (migration 0004); this is the check
    that the loader and the crash recovery keep them whole without one.
    """
    from etl.load.runs import CHILD_TABLES

    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(
                f"select count(*) from raw.{table} c "
                "where not exists (select 1 from raw.reports r where r.report_id = c.report_id)"
            ).fetchone()[0]
            for table in CHILD_TABLES
        }


def scalar(url: str, query: str, params: Sequence[object] = ()) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(query, params).fetchone()
    return row[0] if row else None


# -- the real command ---------------------------------------------------------------
def nianbao_env(url: str, home: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``nianbao`` subprocess: its database, and dbt files of its own."""
    env = {k: v for k, v in os.environ.items() if k not in {"NIANBAO_LANDING_DIR", "COLUMNS", "FORCE_COLOR"}}
    env.update({"DATABASE_URL": url, "NIANBAO_HOME": str(home), **extra})
    return env


def start_nianbao(args: Sequence[str], url: str, home: Path, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [NIANBAO, *args],
        cwd=REPO,
        env=nianbao_env(url, home, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# -- the recipes of docs/operations.md ---------------------------------------------
OPERATIONS_MD = REPO / "docs" / "operations.md"


def code_blocks(language: str) -> list[str]:
    """The fenced code blocks of docs/operations.md in ``language``, in order."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in OPERATIONS_MD.read_text(encoding="utf-8").splitlines():
        if current is None and line.strip() == f"```{language}":
            current = []
        elif current is not None and line.strip() == "```":
            blocks.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    return blocks


@dataclass
class CronJob:
    """The documented /etc/cron.d line: its schedule, user, command and the file's variables."""

    schedule: list[str]
    user: str
    command: str
    environment: dict[str, str]


def cron_job() -> CronJob:
    (block,) = code_blocks("cron")
    environment: dict[str, str] = {}
    jobs: list[CronJob] = []
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "=" in line.split()[0]:
            name, value = line.split("=", 1)
            environment[name.strip()] = value.strip()
            continue
        fields = line.split(None, 6)
        jobs.append(CronJob(fields[:5], fields[5], fields[6], environment))
    (job,) = jobs
    return job


def adapt(command: str, replacements: dict[str, str]) -> str:
    """A documented command with its machine's paths replaced by this machine's."""
    for old, new in replacements.items():
        command = command.replace(old, new)
    return command

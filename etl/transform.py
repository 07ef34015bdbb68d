"""Run dbt (``dbt_project/``) in-process, against the database a URL names.

The loader and the CLI call :func:`dbt_build` after a load; tests call it on a
database of their own. dbt reads its connection from the ``NIANBAO_DB_*``
variables of ``dbt_project/profiles.yml``, so the one ``DATABASE_URL`` (or the
embedded server's URL) points dbt at the same database as Alembic and the
loader. dbt runs in this process through ``dbtRunner`` (no subprocess, no
``dbt`` on ``PATH`` needed), and its ``target/`` and ``logs/`` go under the
project's ``var/dbt/`` rather than into the source tree.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.database import ConnectionInfo, project_home

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
MART_SCHEMA = "marts"

# Statuses dbt gives a node that went wrong (models: error; tests: fail/error).
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})


@dataclass(frozen=True)
class NodeResult:
    """What one dbt node (model, seed, test, ...) did."""

    unique_id: str
    name: str
    resource_type: str
    status: str
    message: str | None
    rows_affected: int | None
    failures: int | None
    execution_time: float


@dataclass
class DbtResult:
    """The outcome of one dbt command: a success flag and each node's result."""

    command: list[str]
    success: bool
    nodes: list[NodeResult] = field(default_factory=list)
    error: str | None = None
    elapsed: float = 0.0

    @property
    def failed(self) -> list[NodeResult]:
        """Nodes that failed the command (errors, failing error-severity tests)."""
        return [n for n in self.nodes if n.status in FAILED_STATUSES]

    @property
    def warnings(self) -> list[NodeResult]:
        """Tests at ``severity: warn`` that found rows (reports breaking their own totals)."""
        return [n for n in self.nodes if n.status == "warn"]

    def rows_affected(self, resource_type: str = "model") -> dict[str, int | None]:
        """Rows each model (or seed) wrote, by node name."""
        return {n.name: n.rows_affected for n in self.nodes if n.resource_type == resource_type}

    def summary(self) -> str:
        """One line for logs: counts of node statuses."""
        counts: dict[str, int] = {}
        for n in self.nodes:
            counts[n.status] = counts.get(n.status, 0) + 1
        parts = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
        verdict = "ok" if self.success else "FAILED"
        return f"dbt {' '.join(self.command)}: {verdict} ({parts}) in {self.elapsed:.1f}s"


def dbt_env(url: str) -> dict[str, str]:
    """The ``NIANBAO_DB_*`` variables ``profiles.yml`` reads, for the database at ``url``."""
    info = ConnectionInfo.from_url(url)
    return {
        "NIANBAO_DB_HOST": info.host,
        "NIANBAO_DB_PORT": str(info.port),
        "NIANBAO_DB_USER": info.user,
        "NIANBAO_DB_PASSWORD": info.password,
        "NIANBAO_DB_NAME": info.dbname,
    }


def dbt_work_dir() -> Path:
    """Where dbt writes ``target/`` and ``logs/``: ``var/dbt`` of the project home."""
    return project_home() / "var" / "dbt"


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration, restoring the previous values."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def run_dbt(
    args: Sequence[str],
    url: str,
    *,
    work_dir: Path | None = None,
    log_level: str = "warn",
) -> DbtResult:
    """Run one dbt command (``["build"]``, ``["docs", "generate"]``, ...) against ``url``.

    ``work_dir`` holds dbt's ``target/`` and ``logs/`` (default
    :func:`dbt_work_dir`); give separate runs that may overlap separate
    directories. ``log_level`` is what dbt prints to stdout; its log file
    (JSON lines, in ``work_dir/logs``) always has everything.
    """
    from dbt.cli.main import dbtRunner

    work = work_dir or dbt_work_dir()
    work.mkdir(parents=True, exist_ok=True)
    command = list(args)
    full_args = [
        *command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        "--log-level",
        log_level,
        "--log-format-file",
        "json",
    ]
    started = time.monotonic()
    profile = DBT_PROJECT_DIR / "profiles.yml"
    if not profile.is_file():  # dbt would say only "Could not find profile named 'nianbao'"
        return DbtResult(command=command, success=False, nodes=[], error=f"{profile} not found", elapsed=0.0)
    with _environ(dbt_env(url)):
        outcome = dbtRunner().invoke(full_args)
    elapsed = time.monotonic() - started

    error = None
    if outcome.exception is not None:
        error = f"{type(outcome.exception).__name__}: {outcome.exception}"
    return DbtResult(
        command=command,
        success=bool(outcome.success),
        nodes=_node_results(outcome.result),
        error=error,
        elapsed=elapsed,
    )


def dbt_build(
    url: str,
    *,
    work_dir: Path | None = None,
    select: str | None = None,
    full_refresh: bool = False,
    log_level: str | None = None,
) -> DbtResult:
    """``dbt build``: seeds, models and tests in dependency order (what a load ends with).

    On marts that already exist (and without ``full_refresh``) the build
    tests only the rows of reports new since the last build: see
    ``dbt_project/macros/tests_of_new_reports.sql`` for why that is enough.
    """
    # Unit tests check the models' code, not the night's data: they run in the
    # test suite (`dbt test --select test_type:unit`), not in every build.
    args = ["build", "--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    else:
        since = newest_built_report(url)
        if since is not None:
            args += ["--vars", json.dumps({"tests_since_report_id": since})]
    if select:
        args += ["--select", select]
    kwargs = {"log_level": log_level} if log_level else {}
    return run_dbt(args, url, work_dir=work_dir, **kwargs)


def docs_site(url: str, work_dir: Path | None = None) -> tuple[DbtResult, Path]:
    """``dbt docs generate`` against ``url``: the static site (index.html, manifest, catalog) and where it is."""
    work = work_dir or dbt_work_dir() / "docs"
    result = run_dbt(["docs", "generate"], url, work_dir=work)
    return result, work / "target"


def newest_built_report(url: str, schema: str = MART_SCHEMA) -> int | None:
    """The newest report the marts were built and tested with, or None (test everything).

    That is the newest report of the runs up to the last one whose
    ``dbt build`` succeeded (``ops.load_runs.marts_built_at``, set by
    ``nianbao run``): a build that failed half-way leaves no watermark, so its
    reports are tested again by the next build.
    """
    import psycopg

    with psycopg.connect(url) as conn:
        exists = conn.execute("select to_regclass(%s)", (f"{schema}.fct_reports",)).fetchone()
        if not exists or exists[0] is None:
            return None
        row = conn.execute(
            "select max(r.report_id) from raw.reports r where r.run_id <= "
            "(select max(run_id) from ops.load_runs where marts_built_at is not null)"
        ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def mart_row_counts(url: str, schema: str = MART_SCHEMA) -> dict[str, int]:
    """Rows in each table of the marts schema, for the CLI's summary."""
    import psycopg
    from psycopg import sql

    counts: dict[str, int] = {}
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "select table_name from information_schema.tables "
            "where table_schema = %s and table_type = 'BASE TABLE' order by table_name",
            (schema,),
        ).fetchall()
        for (table,) in tables:
            query = sql.SQL("select count(*) from {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            row = conn.execute(query).fetchone()
            counts[table] = int(row[0]) if row else 0
    return counts


def _node_results(result: Any) -> list[NodeResult]:
    """Per-node results of a run-like command; other commands (docs, parse) have none."""
    nodes: list[NodeResult] = []
    for r in getattr(result, "results", None) or []:
        node = getattr(r, "node", None)
        if node is None:
            continue
        adapter_response = getattr(r, "adapter_response", None) or {}
        rows = adapter_response.get("rows_affected")
        nodes.append(
            NodeResult(
                unique_id=node.unique_id,
                name=node.name,
                resource_type=str(node.resource_type),
                status=str(r.status),
                message=r.message,
                rows_affected=int(rows) if rows is not None and rows >= 0 else None,
                failures=r.failures,
                execution_time=float(r.execution_time or 0.0),
            )
        )
    return nodes

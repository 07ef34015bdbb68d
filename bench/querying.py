"""Latency of the analyst and dashboard queries on the built marts (p50, p95).

The queries are the documentation's own: every fenced ```sql block of
``docs/analyst-guide.md`` (named by the heading above it) when that file
exists, and the dashboard set in ``bench/queries.sql`` beside them. Each
query runs twice to warm the cache, then repeatedly on one connection
(execute and fetch every row), as a dashboard refreshing a tile would.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import sqlparse

from etl.database import project_home

QUERIES_SQL = Path(__file__).resolve().parent / "queries.sql"
_NAME = re.compile(r"^--\s*name:\s*(.+)$", re.M)
_FENCE = re.compile(r"^```sql\s*\n(.*?)^```", re.M | re.S)
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.M)


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    source: str  # "analyst-guide" or "bench"
    parameterised: bool


def analyst_guide() -> Path:
    return project_home() / "docs" / "analyst-guide.md"


def guide_queries(path: Path) -> list[Query]:
    """Every statement of every ```sql block, named by the nearest heading above it."""
    text = path.read_text(encoding="utf-8")
    out: list[Query] = []
    for block in _FENCE.finditer(text):
        headings = _HEADING.findall(text, 0, block.start())
        title = headings[-1].strip() if headings else "analyst guide"
        statements = [s.strip().rstrip(";") for s in sqlparse.split(block.group(1)) if s.strip()]
        statements = [s for s in statements if _is_query(s)]
        for n, statement in enumerate(statements, start=1):
            name = title if len(statements) == 1 else f"{title} ({n})"
            out.append(Query(name, statement, "analyst-guide", parameterised=False))
    return out


def _is_query(statement: str) -> bool:
    """Only reads are timed: a block may also show ``set``, ``\\d`` or DDL for the reader."""
    body = sqlparse.format(statement, strip_comments=True).strip().lower()
    return body.startswith(("select", "with", "table", "values"))


def bench_queries(path: Path = QUERIES_SQL) -> list[Query]:
    """The dashboard set of ``bench/queries.sql``: each query after its ``-- name:`` line."""
    text = path.read_text(encoding="utf-8")
    names = list(_NAME.finditer(text))
    out = []
    for n, m in enumerate(names):
        end = names[n + 1].start() if n + 1 < len(names) else len(text)
        body = text[m.end() : end].strip().rstrip(";").strip()
        out.append(Query(m.group(1).strip(), body, "bench", parameterised=True))
    return out


def all_queries() -> list[Query]:
    guide = analyst_guide()
    return (guide_queries(guide) if guide.exists() else []) + bench_queries()


def parameters(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """Filter values a dashboard would pick: a busy agency, a big province, the latest full year."""
    agency = conn.execute(
        "select agency_name from marts.rpt_agency_year group by agency_name "
        "order by count(*) desc, agency_name limit 1"
    ).fetchone()
    province = conn.execute(
        "select province_name from marts.dim_agency where province_name is not null "
        "group by province_name order by count(*) desc, province_name limit 1"
    ).fetchone()
    year = conn.execute(
        "select report_year from marts.rpt_agency_year group by report_year "
        "order by count(*) desc, report_year desc limit 1"
    ).fetchone()
    return {
        "agency_name": agency[0] if agency else "",
        "province_name": province[0] if province else "",
        "report_year": year[0] if year else 2022,
    }


@dataclass
class Latency:
    name: str
    source: str
    runs: int
    rows: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "runs": self.runs,
            "rows": self.rows,
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "error": self.error,
        }


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty list."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def time_query(
    conn: psycopg.Connection[Any],
    query: Query,
    params: dict[str, Any],
    *,
    runs: int = 30,
    budget_seconds: float = 10.0,
) -> Latency:
    """p50 and p95 of ``runs`` executions (fewer if ``budget_seconds`` runs out), after 2 warm-ups."""
    args = params if query.parameterised else None
    samples: list[float] = []
    rows = 0
    try:
        for _ in range(2):
            rows = len(conn.execute(query.sql, args).fetchall())  # type: ignore[arg-type]
        deadline = time.perf_counter() + budget_seconds
        while len(samples) < runs and (len(samples) < 5 or time.perf_counter() < deadline):
            started = time.perf_counter()
            rows = len(conn.execute(query.sql, args).fetchall())  # type: ignore[arg-type]
            samples.append((time.perf_counter() - started) * 1000)
    except psycopg.Error as exc:
        conn.rollback()
        return Latency(query.name, query.source, len(samples), 0, 0.0, 0.0, 0.0, str(exc).splitlines()[0])
    return Latency(
        query.name,
        query.source,
        len(samples),
        rows,
        percentile(samples, 50),
        percentile(samples, 95),
        max(samples),
    )


def analyze_marts(url: str) -> float:
    """``ANALYZE`` the marts schema; the seconds it took.

    A table dbt has just created has no statistics until autovacuum gets to
    it, and the planner's guesses for a fresh 1M-row fact can make a 10 ms
    query take 250 ms. Queries are timed as they run once statistics exist.
    """
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "select format('%I.%I', schemaname, tablename) from pg_tables where schemaname = 'marts'"
        ).fetchall()
        for (table,) in tables:
            conn.execute(f"analyze {table}")
    return time.perf_counter() - started


def measure_queries(url: str, *, runs: int = 30) -> list[Latency]:
    """Every query's latency on the marts at ``url``."""
    with psycopg.connect(url, autocommit=True) as conn:
        params = parameters(conn)
        return [time_query(conn, q, params, runs=runs) for q in all_queries()]

"""A fingerprint of a warehouse: rows and a content hash per table, to prove a change changed nothing.

A refactoring of the run, the loader or the dbt project promises identical
row counts and identical marts. This tool states that as a diff: fingerprint
the database a load built before the change, again after, and compare::

    python -m bench.fingerprint --url URL > before.json
    ... change, load a fresh database the same way ...
    python -m bench.fingerprint --url URL2 --compare before.json

Each table in the loader's and dbt's schemas gets its row count and an
order-independent md5 of its rows. Columns that differ between two loads of
the same files by construction are left out of the hash: times (``timestamp``,
``timestamptz``, ``date`` of a run, durations) and columns named in
``VOLATILE`` (the dbt run's invocation id).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

SCHEMAS = ("raw", "ops", "staging", "intermediate", "marts")
TIME_TYPES = ("timestamp without time zone", "timestamp with time zone", "interval")
VOLATILE = frozenset({"invocation_id", "dbt_invocation_id", "command", "seconds"})


def fingerprint(url: str, schemas: tuple[str, ...] = SCHEMAS) -> dict[str, dict[str, Any]]:
    """``{schema.table: {"rows": n, "md5": hash of the stable columns}}`` for every base table and view."""
    out: dict[str, dict[str, Any]] = {}
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema = any(%s) order by 1, 2",
            (list(schemas),),
        ).fetchall()
        for schema, table in tables:
            columns = [
                name
                for name, kind in conn.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = %s and table_name = %s order by ordinal_position",
                    (schema, table),
                ).fetchall()
                if kind not in TIME_TYPES and name not in VOLATILE
            ]
            ident = sql.Identifier(schema, table)
            if columns:
                row_text = sql.SQL("row({})::text").format(sql.SQL(", ").join(map(sql.Identifier, columns)))
                query = sql.SQL(
                    "select count(*), md5(coalesce(string_agg(t, E'\\n' order by t), '')) "
                    "from (select {} as t from {}) s"
                ).format(row_text, ident)
            else:
                query = sql.SQL("select count(*), '' from {}").format(ident)
            n, digest = conn.execute(query).fetchone()  # type: ignore[misc]
            out[f"{schema}.{table}"] = {"rows": int(n), "md5": digest}
    return out


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per table that is new, gone, or different in rows or content."""
    lines: list[str] = []
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name), after.get(name)
        if b is None:
            lines.append(f"{name}: new ({a['rows']} rows)")
        elif a is None:
            lines.append(f"{name}: gone (had {b['rows']} rows)")
        elif b != a:
            lines.append(
                f"{name}: rows {b['rows']} -> {a['rows']}, content {'same' if b['md5'] == a['md5'] else 'differs'}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fingerprint", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the database to fingerprint")
    parser.add_argument(
        "--compare", type=Path, help="a fingerprint (JSON) to compare with; exit 1 if different"
    )
    args = parser.parse_args(argv)
    now = fingerprint(args.url)
    if args.compare is None:
        json.dump(now, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
        return 0
    lines = differences(json.loads(args.compare.read_text()), now)
    for line in lines:
        print(line)
    print(f"{len(now)} tables compared: {'identical' if not lines else f'{len(lines)} differ'}")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())

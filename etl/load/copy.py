"""Rows into Postgres with COPY, the fastest way psycopg 3 has.

A night's load writes tens of thousands of cells; ``executemany`` would send
one statement per row, COPY streams them in one round trip per table. These
helpers only stream: the caller owns the transaction, so a batch of tables
written here commits whole or not at all (target-postgres' and nycdb's way).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql


def table_identifier(table: str) -> sql.Identifier:
    """``"schema.table"`` as a quoted identifier (``raw.reports`` -> ``"raw"."reports"``)."""
    return sql.Identifier(*table.split(".", 1))


def copy_statement(table: str, columns: Sequence[str]) -> sql.Composed:
    """``COPY schema.table (col, ...) FROM STDIN`` with every name quoted."""
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        table_identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )


def copy_rows(
    cur: psycopg.Cursor[Any], table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Stream ``rows`` into ``table`` with COPY; return how many were written.

    Values are adapted by psycopg as for any query (``None`` is NULL, ``bytes``
    is ``bytea``, ``Decimal`` is ``numeric``), so callers pass Python values,
    not pre-formatted text. Nothing is sent when ``rows`` is empty.
    """
    count = 0
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    with cur.copy(copy_statement(table, columns)) as copy:
        copy.write_row(first)
        count = 1
        for row in iterator:
            copy.write_row(row)
            count += 1
    return count


@dataclass
class TableRows:
    """Rows bound for one table, with the columns they fill, in order."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, row: tuple[Any, ...]) -> None:
        if len(row) != len(self.columns):
            raise ValueError(f"{self.table}: row has {len(row)} values for {len(self.columns)} columns")
        self.rows.append(row)


def copy_tables(cur: psycopg.Cursor[Any], tables: Iterable[TableRows]) -> Mapping[str, int]:
    """COPY several tables in the order given (parents before children); rows per table."""
    return {t.table: copy_rows(cur, t.table, t.columns, t.rows) for t in tables}

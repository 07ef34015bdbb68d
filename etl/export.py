"""The marts as files: CSV that Excel opens, Parquet, Excel, each with its data dictionary.

People take the data away to a spreadsheet or a notebook. ``export``
writes marts (all, some, or the rows of one query) as:

* ``csv``: one file per table, UTF-8 with a BOM (Excel reads a BOM-less
  UTF-8 file as the system's code page and garbles every Chinese character),
  an empty field for NULL;
* ``parquet``: one file per table, with the column types (integers stay
  integers, a NULL stays a NULL);
* ``xlsx``: one workbook, a sheet per table (times in UTC: Excel has no
  time zones); a table over Excel's row limit is refused with a message
  pointing to CSV or Parquet, never cut short.

Beside them a data dictionary: the table, column, type and the description
dbt gave it (the bilingual text ``dbt docs`` shows), as ``dictionary.csv``
(or the workbook's first sheet). Reading goes through the read-only
columns the database has; nothing is computed here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
from psycopg import sql

FORMATS = ("csv", "parquet", "xlsx")
EXCEL_MAX_ROWS = 1_048_576 - 1  # a sheet's rows, less the header
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class ExportError(ValueError):
    """An export that cannot be written as asked; the message says what to do instead."""


@dataclass(frozen=True)
class Exported:
    table: str
    rows: int
    path: Path


def mart_tables(conn: psycopg.Connection[Any], schema: str = "marts") -> list[str]:
    rows = conn.execute(
        "select table_name from information_schema.tables where table_schema = %s order by table_name",
        (schema,),
    ).fetchall()
    return [r[0] for r in rows]


def dictionary(conn: psycopg.Connection[Any], tables: Sequence[str], schema: str = "marts") -> pd.DataFrame:
    """Table, column, type and description (dbt's, as PostgreSQL comments keep it) of each column."""
    rows = conn.execute(
        "select c.table_name, c.column_name, c.data_type,"
        " col_description(format('%%I.%%I', c.table_schema, c.table_name)::regclass, c.ordinal_position),"
        " obj_description(format('%%I.%%I', c.table_schema, c.table_name)::regclass, 'pg_class')"
        " from information_schema.columns c where c.table_schema = %s and c.table_name = any(%s)"
        " order by c.table_name, c.ordinal_position",
        (schema, list(tables)),
    ).fetchall()
    return pd.DataFrame(rows, columns=["table", "column", "type", "description", "table_description"])


def read_table(conn: psycopg.Connection[Any], query: sql.Composable | str) -> pd.DataFrame:
    """A query's rows as a frame whose columns keep their meaning: whole numbers as nullable
    integers, other numerics as nullable floats, NULL as NULL (never 0, never "")."""
    with conn.cursor() as cur:
        cur.execute(query)
        names = [d.name for d in cur.description or []]
        frame = pd.DataFrame(cur.fetchall(), columns=names, dtype=object)
    for name in names:
        frame[name] = _typed(frame[name])
    return frame


def export(
    url: str,
    out: Path,
    fmt: str = "csv",
    tables: Sequence[str] = (),
    query: str | None = None,
    query_name: str = "query",
    schema: str = "marts",
) -> list[Exported]:
    """Write ``tables`` (default: every mart), or the rows of ``query``, to ``out`` as ``fmt``."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    with psycopg.connect(url) as conn:
        conn.read_only = True
        known = mart_tables(conn, schema)
        if query is None:
            chosen = list(tables) or known
            unknown = [t for t in chosen if t not in known]
            if unknown:
                raise ExportError(
                    f"no mart named {', '.join(unknown)}: one of {', '.join(known) or 'none yet'}"
                )
            frames = {
                t: read_table(
                    conn, sql.SQL("select * from {}.{}").format(sql.Identifier(schema), sql.Identifier(t))
                )
                for t in chosen
            }
            described = dictionary(conn, chosen, schema)
        else:
            if not _NAME.match(query_name):
                raise ExportError(f"{query_name!r}: a query's name must be letters, digits and _")
            frames = {query_name: read_table(conn, query)}
            described = pd.DataFrame(
                [
                    (query_name, c, str(frames[query_name][c].dtype), None, query)
                    for c in frames[query_name].columns
                ],
                columns=["table", "column", "type", "description", "table_description"],
            )
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        return _xlsx({t: _flat(f) for t, f in frames.items()}, described, out)
    written = []
    for table, frame in frames.items():
        path = out / f"{table}.{fmt}"
        if fmt == "csv":
            _flat(frame).to_csv(path, index=False, encoding="utf-8-sig")
        else:
            frame.to_parquet(path, index=False)  # lists (printed_names) stay lists
        written.append(Exported(table, len(frame), path))
    described.to_csv(out / "dictionary.csv", index=False, encoding="utf-8-sig")
    return written


def _xlsx(frames: dict[str, pd.DataFrame], described: pd.DataFrame, out: Path) -> list[Exported]:
    too_big = [f"{t} ({len(f):,} rows)" for t, f in frames.items() if len(f) > EXCEL_MAX_ROWS]
    if too_big:
        raise ExportError(
            f"{', '.join(too_big)}: more rows than an Excel sheet holds ({EXCEL_MAX_ROWS:,}); "
            "export it as csv or parquet (--format csv)"
        )
    path = out / "nianbao.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        described.to_excel(writer, sheet_name="数据字典 dictionary", index=False)
        for table, frame in frames.items():
            _utc_naive(frame).to_excel(writer, sheet_name=table[:31], index=False)
    return [Exported(table, len(frame), path) for table, frame in frames.items()]


def _utc_naive(frame: pd.DataFrame) -> pd.DataFrame:
    """Times in UTC without their zone: Excel has no time zones (the dictionary says UTC)."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists (dim_agency.printed_names) as JSON arrays, for the formats that hold text only."""
    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object and any(isinstance(v, list) for v in out[name]):
            out[name] = out[name].map(lambda v: None if v is None else json.dumps(v, ensure_ascii=False))
    return out


def _typed(column: pd.Series) -> pd.Series:
    values = [v for v in column if v is not None]
    if not values:
        return column
    if all(isinstance(v, bool) for v in values):
        return column.astype("boolean")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return column.astype("Int64")
    if all(isinstance(v, Decimal | int | float) and not isinstance(v, bool) for v in values):
        if all(isinstance(v, int) or (isinstance(v, Decimal) and v == v.to_integral_value()) for v in values):
            return pd.Series([None if v is None else int(v) for v in column], dtype="Int64", name=column.name)
        return pd.Series([None if v is None else float(v) for v in column], dtype="Float64", name=column.name)
    if all(isinstance(v, dt.datetime) for v in values):
        return pd.to_datetime(column, utc=True)
    if all(isinstance(v, dt.date) for v in values):
        return column  # dates stay dates (CSV writes ISO; Parquet a date32)
    if all(isinstance(v, str) for v in values):
        return column.astype("string")
    if all(isinstance(v, list) for v in values):
        return column  # a text[] column: Parquet keeps the list, CSV and Excel get JSON
    return column.map(lambda v: None if v is None else str(v)).astype("string")

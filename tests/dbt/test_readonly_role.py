"""The read-only role BI tools connect as (migration 0002): it reads every mart and nothing else.

After a real load and ``dbt build`` on a fresh database, a session that has
become ``nianbao_reader`` (``SET ROLE`` in the superuser's session; and a
real LOGIN connection where the server lets it in without a password) selects
from every mart, is refused on every relation of raw, ops, staging,
intermediate and seeds, and is refused on every write in marts.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import yaml
from psycopg import errors, sql
from samples_warehouse import SamplesWarehouse

from etl.migrate import downgrade, upgrade
from etl.transform import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0002_readonly_role.py"
READER = "nianbao_reader"
PRIVATE_SCHEMAS = ("raw", "ops", "staging", "intermediate", "seeds", "audit")
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
WRITES = (
    "insert into {table} select * from {table} limit 1",
    "update {table} set {column} = {column}",
    "delete from {table}",
    "truncate {table}",
    "alter table {table} add column probe integer",
    "drop table {table}",
    "comment on table {table} is 'probe'",
)


def _migration() -> object:
    spec = importlib.util.spec_from_file_location("readonly_role_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _relations(url: str, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """(schema, name) of every table, view and materialized view in ``schemas``."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm') order by 1, 2",
            (list(schemas),),
        ).fetchall()


@contextmanager
def as_reader(url: str) -> Iterator[psycopg.Connection]:
    """An autocommit session of the superuser that has become the reader for good (``SET ROLE``)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("set role {}").format(sql.Identifier(READER)))
        assert conn.execute("select current_user").fetchone() == (READER,)
        yield conn


def _refused(conn: psycopg.Connection, statement: sql.Composable | str) -> bool:
    """Whether the statement is refused for lack of privilege (never committed either way)."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(statement)
    except errors.InsufficientPrivilege:
        return True
    return False


def test_role_name_agrees_with_dbt() -> None:
    """The migration creates the role dbt's grants name (vars.reader_role)."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    migration = _migration()
    assert project["vars"]["reader_role"] == migration.READER_ROLE == READER  # type: ignore[attr-defined]
    assert migration.revision == "0002" and migration.down_revision == "0001"  # type: ignore[attr-defined]
    assert set(migration.PRIVATE_SCHEMAS) == set(PRIVATE_SCHEMAS)  # type: ignore[attr-defined]


def test_reader_selects_from_every_mart(samples_warehouse: SamplesWarehouse) -> None:
    url = samples_warehouse.url
    assert samples_warehouse.build.success, [(n.name, n.message) for n in samples_warehouse.build.failed]
    marts = _relations(url, ("marts",))
    built = {n.name for n in samples_warehouse.build.nodes if n.resource_type == "model"}
    assert {name for _, name in marts} == {
        name for name in built if name.startswith(("dim_", "fct_", "rpt_"))
    }
    with psycopg.connect(url) as owner:
        counts = {
            name: owner.execute(
                sql.SQL("select count(*) from marts.{}").format(sql.Identifier(name))
            ).fetchone()
            for _, name in marts
        }
    with as_reader(url) as conn:
        for _, name in marts:
            row = conn.execute(
                sql.SQL("select count(*) from marts.{}").format(sql.Identifier(name))
            ).fetchone()
            assert row == counts[name], name  # every row: no policy hides any
        assert conn.execute("select count(*) from marts.fct_reports").fetchone() == (10,)
        # what a BI tool connected as the reader shows beside a column: its description
        comment = conn.execute(
            "select col_description('marts.rpt_agency_year'::regclass, attnum) from pg_attribute"
            " where attrelid = 'marts.rpt_agency_year'::regclass and attname = 'grant_rate'"
        ).fetchone()
        assert comment is not None and "公开率" in comment[0] and "Grant rate" in comment[0]


def test_reader_is_refused_outside_marts(samples_warehouse: SamplesWarehouse) -> None:
    """Every relation of every schema but marts (and status, the marts' build state, which the reader
    reads: status.marts_build) is refused: raw, ops, staging, intermediate, seeds, audit."""
    with psycopg.connect(samples_warehouse.url) as owner:
        schemas = [
            r[0]
            for r in owner.execute(
                "select nspname from pg_namespace where nspname not in ('marts', 'status') and nspname <> all(%s)"
                " and nspname not like 'pg_temp%%' and nspname not like 'pg_toast_temp%%'",
                (list(SYSTEM_SCHEMAS),),
            )
        ]
    private = _relations(samples_warehouse.url, tuple(schemas))
    # each schema checked on something (audit: the rows the warn tests kept)
    assert {schema for schema, _ in private} >= set(PRIVATE_SCHEMAS)
    with as_reader(samples_warehouse.url) as conn:
        for schema, name in private:
            query = sql.SQL("select * from {}.{} limit 1").format(
                sql.Identifier(schema), sql.Identifier(name)
            )
            assert _refused(conn, query), f"{schema}.{name}"
        for schema in schemas:
            assert conn.execute("select has_schema_privilege(%s, 'create')", (schema,)).fetchone() == (
                False,
            ), schema
        for schema in PRIVATE_SCHEMAS:
            assert conn.execute("select has_schema_privilege(%s, 'usage')", (schema,)).fetchone() == (False,)
            create = sql.SQL("create table {}.probe (x integer)").format(sql.Identifier(schema))
            assert _refused(conn, create), schema


def test_reader_writes_nothing_in_marts(samples_warehouse: SamplesWarehouse) -> None:
    marts = _relations(samples_warehouse.url, ("marts",))
    with psycopg.connect(samples_warehouse.url) as owner:
        first_column = dict(
            owner.execute(
                "select table_name, column_name from information_schema.columns"
                " where table_schema = 'marts' and ordinal_position = 1"
            ).fetchall()
        )
    with as_reader(samples_warehouse.url) as conn:
        for _, name in marts:
            table = sql.SQL("marts.{}").format(sql.Identifier(name))
            column = sql.Identifier(first_column[name])
            for write in WRITES:
                statement = sql.SQL(write).format(table=table, column=column)
                assert _refused(conn, statement), statement.as_string(conn)
        for create in (
            "create table marts.probe (x integer)",
            "create view marts.probe as select 1 as x",
            "create function marts.probe() returns integer language sql as 'select 1'",
        ):
            assert _refused(conn, create), create
        assert conn.execute("select has_schema_privilege('marts', 'create')").fetchone() == (False,)
        assert conn.execute("select count(*) from marts.fct_reports").fetchone() == (10,)


def test_tables_dbt_creates_later_are_readable(samples_warehouse: SamplesWarehouse) -> None:
    """Default privileges: a table the dbt role creates in marts is readable at once, before any grant."""
    with psycopg.connect(samples_warehouse.url) as conn:
        conn.execute("create table marts.probe_rebuilt (x integer)")
        conn.execute("insert into marts.probe_rebuilt values (1)")
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(READER)))
        assert conn.execute("select x from marts.probe_rebuilt").fetchall() == [(1,)]
        conn.rollback()


def test_reader_logs_in(samples_warehouse: SamplesWarehouse) -> None:
    """A real LOGIN connection as the reader, with the password an operator gives it (README)."""
    with psycopg.connect(samples_warehouse.url, autocommit=True) as owner:
        owner.execute(sql.SQL("alter role {} password 'reader-login-test'").format(sql.Identifier(READER)))
    parts = urlsplit(samples_warehouse.url)
    netloc = f"{READER}:reader-login-test@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    url = urlunsplit(parts._replace(netloc=netloc))
    conn = psycopg.connect(url, autocommit=True)
    with conn:
        assert conn.execute("select current_user").fetchone() == (READER,)
        # the marts' build state is the reader's too: dashboards show figures as current only when built
        assert conn.execute("select count(*) from status.marts_build").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("update status.marts_build set state = 'built'")
        row = conn.execute(
            "select applications_received, total_processed from marts.rpt_agency_year"
            " where agency_name = '平潭综合实验区' and report_year = 2021"
        ).fetchone()
        assert row == (70, 69)
        assert _refused(conn, "select * from raw.reports limit 1")
        assert _refused(conn, "select * from ops.load_runs limit 1")


def test_downgrade_revokes_and_keeps_a_role_other_databases_use(
    samples_warehouse: SamplesWarehouse, fresh_database: str
) -> None:
    """Downgrading one database takes back its grants; the role stays for the databases still using it."""
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute(
            "select has_schema_privilege(%s, 'marts', 'usage'), has_database_privilege(%s, current_database(), 'connect')",
            (READER, READER),
        ).fetchone() == (True, True)
        acl = conn.execute(
            "select datacl::text from pg_database where datname = current_database()"
        ).fetchone()
        assert acl is not None and f"{READER}=c/" in acl[0]  # connect granted by name, not only via PUBLIC
    downgrade(fresh_database, "0001")
    try:
        with psycopg.connect(fresh_database) as conn:
            left = conn.execute(
                "select count(*) from pg_shdepend where dbid = (select oid from pg_database where datname = current_database())"
                " and refobjid = (select oid from pg_roles where rolname = %s)",
                (READER,),
            ).fetchone()
            assert left == (0,)  # nothing of this database depends on the role any more
            assert conn.execute(
                "select has_schema_privilege(%s, 'marts', 'usage'), has_database_privilege(%s, current_database(), 'connect')",
                (READER, READER),
            ).fetchone() == (False, True)  # connect: only what PUBLIC has
            acl = conn.execute(
                "select coalesce(datacl::text, '') from pg_database where datname = current_database()"
            ).fetchone()
            assert acl is not None and f"{READER}=" not in acl[0]
            assert conn.execute(
                "select exists (select from pg_roles where rolname = %s)", (READER,)
            ).fetchone() == (True,)  # the samples warehouse still uses it
        with psycopg.connect(samples_warehouse.url) as conn:
            assert conn.execute(
                "select has_table_privilege(%s, 'marts.fct_reports', 'select')", (READER,)
            ).fetchone() == (True,)
    finally:
        upgrade(fresh_database)

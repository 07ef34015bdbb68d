"""The read-only role analysts and BI tools connect as: nianbao_reader.

It reads the marts schema and nothing else: usage and select on ``marts``,
default privileges so the tables dbt rebuilds there stay readable, and
explicitly nothing on ``raw``, ``ops``, ``staging``, ``intermediate``,
``seeds`` or ``audit`` (the rows dbt's warn tests keep). dbt's grants (``dbt_project/macros/grant_select_to_reader.sql``,
var ``reader_role``) grant the same select after every build, so the role
keeps its access even where these default privileges do not apply (dbt run
as another role, the role created after the tables).

Roles belong to the whole server, not to one database, so:

* the role is created only if it does not exist yet (another database of
  the server, ``docker/initdb``, or a DBA may have made it), ``LOGIN`` with no
  password: set one with ``ALTER ROLE nianbao_reader PASSWORD '...'`` (see
  ``docs/analyst-guide.md``); without one it can log in only where
  ``pg_hba.conf`` trusts it;
* a migrating user without ``CREATEROLE`` gets a warning, not a failure: a
  DBA creates the role later and dbt's grants give it the marts;
* the downgrade revokes what this database granted, and drops the role only
  when nothing in any database of the server depends on it any more.

Writes: the role owns nothing and is granted no write anywhere; on servers
older than PostgreSQL 15 the upgrade also takes back the CREATE on schema
public that every role has there by default (15 and newer already do).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The name dbt grants to (dbt_project.yml, vars.reader_role); a test checks they agree.
READER_ROLE = "nianbao_reader"
# The schema it reads, created here if dbt has not built it yet: default
# privileges can only be set on a schema that exists.
READ_SCHEMA = "marts"
# Schemas it must never read: the loader's (Alembic), dbt's inner layers and
# the failing rows dbt's tests store.
PRIVATE_SCHEMAS = ("raw", "ops", "staging", "intermediate", "seeds", "audit")


def _revoke_private_schemas() -> str:
    """Revoke anything on the private schemas that exist (dbt's may not yet)."""
    names = ", ".join(f"'{s}'" for s in PRIVATE_SCHEMAS)
    return f"""
    for private_schema in select nspname from pg_namespace where nspname in ({names}) loop
        execute format('revoke all on schema %I from {READER_ROLE}', private_schema);
        execute format('revoke all on all tables in schema %I from {READER_ROLE}', private_schema);
        execute format('revoke all on all sequences in schema %I from {READER_ROLE}', private_schema);
    end loop;
    """


def upgrade() -> None:
    op.execute(f"create schema if not exists {READ_SCHEMA}")
    op.execute(
        f"""
        do $migration$
        begin
            if exists (select from pg_roles where rolname = '{READER_ROLE}') then
                return;  -- made by another database's migration, docker/initdb or a DBA
            end if;
            create role {READER_ROLE} login;
        exception
            when duplicate_object then
                null;  -- created meanwhile by a migration of another database
            when insufficient_privilege then
                raise warning 'cannot create role {READER_ROLE} (no CREATEROLE): '
                    'ask a DBA to run: create role {READER_ROLE} login; dbt grants it the marts';
        end
        $migration$
        """
    )
    op.execute(
        f"""
        do $migration$
        declare
            private_schema text;
        begin
            if not exists (select from pg_roles where rolname = '{READER_ROLE}') then
                return;
            end if;
            execute format('grant connect on database %I to {READER_ROLE}', current_database());
            grant usage on schema {READ_SCHEMA} to {READER_ROLE};
            grant select on all tables in schema {READ_SCHEMA} to {READER_ROLE};
            -- dbt rebuilds every mart on every run, as the role that runs this migration
            -- (the one DATABASE_URL): what it creates in marts is readable at once.
            alter default privileges in schema {READ_SCHEMA} grant select on tables to {READER_ROLE};
            {_revoke_private_schemas()}
            -- Before PostgreSQL 15 every role (PUBLIC) may create tables in
            -- schema public, the reader too; 15 made this revoke the default.
            -- Nothing of nianbao lives in public. (Not undone by the downgrade.)
            if exists (select from pg_namespace where nspname = 'public') then
                revoke create on schema public from public;
            end if;
        end
        $migration$
        """
    )


def downgrade() -> None:
    op.execute(
        f"""
        do $migration$
        declare
            private_schema text;
            reader oid;
        begin
            select oid into reader from pg_roles where rolname = '{READER_ROLE}';
            if reader is null then
                return;
            end if;
            if exists (select from pg_namespace where nspname = '{READ_SCHEMA}') then
                alter default privileges in schema {READ_SCHEMA} revoke select on tables from {READER_ROLE};
                revoke all on all tables in schema {READ_SCHEMA} from {READER_ROLE};
                revoke all on schema {READ_SCHEMA} from {READER_ROLE};
            end if;
            {_revoke_private_schemas()}
            execute format('revoke connect on database %I from {READER_ROLE}', current_database());
            -- Other databases of the server (privileges, default privileges,
            -- owned objects: pg_shdepend) or other roles (memberships) may
            -- still use the role; then it stays.
            if not exists (select from pg_shdepend where refclassid = 'pg_authid'::regclass and refobjid = reader)
                and not exists (select from pg_auth_members where roleid = reader or member = reader)
            then
                begin
                    drop role {READER_ROLE};
                exception
                    when insufficient_privilege or dependent_objects_still_exist then
                        raise warning 'role {READER_ROLE} kept: %', sqlerrm;
                end;
            end if;
        end
        $migration$
        """
    )

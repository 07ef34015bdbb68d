-- The read-only role BI tools (Metabase) connect as: it can read the marts
-- and nothing else. Run once by the postgres image on a new data directory
-- (/docker-entrypoint-initdb.d), as the owner (POSTGRES_USER) in POSTGRES_DB.
-- Its password comes from NIANBAO_READER_PASSWORD (see docker-compose.yml).
-- An Alembic migration will create the same role on any server; keep the name.

\set ON_ERROR_STOP on
\getenv reader_password NIANBAO_READER_PASSWORD

select format('create role nianbao_reader login password %L', :'reader_password')
where not exists (select from pg_roles where rolname = 'nianbao_reader')
\gexec

grant connect on database :"DBNAME" to nianbao_reader;

-- dbt creates the schema too (create schema if not exists); creating it here
-- lets the grant exist before the first load.
create schema if not exists marts;
grant usage on schema marts to nianbao_reader;
grant select on all tables in schema marts to nianbao_reader;

-- dbt rebuilds mart tables on every run: what the owner creates later in
-- marts must be readable too.
alter default privileges in schema marts grant select on tables to nianbao_reader;

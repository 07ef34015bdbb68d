{#-
    Keep the read-only BI role (var reader_role, nianbao_reader) able to read
    every mart dbt rebuilds. Migration 0002 (migrations/versions/
    0002_readonly_role.py) creates the role and gives it usage on marts plus
    default privileges for the tables the migrating role creates there; these
    grants repeat the same select after every build, so the role keeps it
    where default privileges do not apply (dbt run as another role, a role a
    DBA created after the tables). They grant nothing outside marts. A server
    without the role is left alone, so a build never fails for a role that
    does not exist (yet).

    grant_select_to_reader: a mart's post-hook, select on the new table.
    grant_schema_usage_to_reader: on-run-end, usage on the marts schema, once
    per run (two threads granting on one schema at a time collide).
-#}
{% macro grant_select_to_reader(role=var('reader_role')) %}
do $grant$
begin
    if exists (select from pg_roles where rolname = '{{ role }}') then
        execute format('grant select on %s to %I', '{{ this }}', '{{ role }}');
    end if;
end
$grant$
{% endmacro %}

{% macro grant_schema_usage_to_reader(schema='marts', role=var('reader_role')) %}
do $grant$
begin
    if exists (select from pg_roles where rolname = '{{ role }}')
        and exists (select from pg_namespace where nspname = '{{ schema }}') then
        execute format('grant usage on schema %I to %I', '{{ schema }}', '{{ role }}');
    end if;
end
$grant$
{% endmacro %}

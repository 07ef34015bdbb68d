{#-
    The cell facts (fct_application_outcomes, fct_disclosure_counts,
    fct_review_litigation, fct_legacy_stats, fct_reconciliation_findings) hold
    about a hundred rows per report, so rebuilding them every night would cost
    time that grows with history. They are incremental instead, keyed on
    report_id with the delete+insert strategy: a night rewrites the rows of the
    reports that changed, and only those.

    A report changes in two ways only; everything else a fact row carries
    (agency, year, template, cells) is fixed for a report_id:
      * it is new to the table, or its is_latest flag flipped because a
        re-publication of the same agency-year arrived (or was outranked):
        incremental_reports_filter() selects exactly these, and delete+insert
        replaces all of their rows;
      * it was superseded by a re-parse of the same document (a newer parser,
        `nianbao reparse`): it leaves int_reports_versioned, and
        delete_superseded_reports() removes its rows before the insert.

    Each of them takes its configuration from incremental_fact_config(),
    with an index on (agency_key, report_year) for the dashboards' per-agency
    and per-region lookups.

    fct_reports, the dimensions and the rpt_ tables stay tables (one row per
    report or fewer; they are rebuilt whole). No mart is created with its
    foreign keys (macros/foreign_keys_after_insert.sql: checking them row by
    row was most of a full build); restore_foreign_keys(), a post-hook of
    every mart, adds them after the rows are in, NOT VALID, and dbt's
    relationships tests check every row. It also puts back, after each
    build, the keys that rebuilding a table dropped (with CASCADE) from the
    incremental facts that point at it, so BI tools keep seeing the joins.

    A change to a model's logic needs `nianbao run --full-refresh` once; see
    docs/operations.md.
-#}

{% macro incremental_fact_config() -%}
    {#- the config of every incremental cell fact: {{ config(**incremental_fact_config()) }} -#}
    {{ return({
        'materialized': 'incremental',
        'unique_key': 'report_id',
        'incremental_strategy': 'delete+insert',
        'on_schema_change': 'fail',
        'pre_hook': "{{ delete_superseded_reports() }}",
        'indexes': [{'columns': ['agency_key', 'report_year']}],
    }) }}
{%- endmacro %}


{% macro incremental_reports_filter(reports_alias) -%}
    {%- if is_incremental() %}
    -- incremental: only reports new to this table or whose is_latest flipped
    where not exists (
        select 1
        from {{ this }} as existing
        where existing.report_id = {{ reports_alias }}.report_id
            and existing.is_latest = {{ reports_alias }}.is_latest
    )
    {%- endif %}
{%- endmacro %}


{% macro delete_superseded_reports() -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where report_id in (
        select report_id from {{ ref('stg_raw__reports') }}
        except
        select report_id from {{ ref('int_reports_versioned') }}
    )
    {%- endif %}
{%- endmacro %}


{% macro restore_foreign_keys() -%}
    {%- set statements = [] -%}
    {%- for column_name, column in model.columns.items() -%}
        {%- for constraint in column.constraints or [] -%}
            {%- if constraint.type == 'foreign_key' and constraint.to -%}
                {%- set to_columns = constraint.to_columns | join(', ') -%}
                {%- set name = this.identifier ~ '_' ~ column_name ~ '_fkey' -%}
                {%- do statements.append(
                    "if not exists (select from pg_constraint where contype = 'f' and conrelid = '"
                    ~ this ~ "'::regclass and confrelid = '" ~ constraint.to
                    ~ "'::regclass and conkey = array[(select attnum from pg_attribute where attrelid = '"
                    ~ this ~ "'::regclass and attname = '" ~ column_name ~ "')]::smallint[]) then "
                    ~ "execute 'alter table " ~ this ~ " add constraint " ~ adapter.quote(name)
                    ~ " foreign key (" ~ column_name ~ ") references " ~ constraint.to
                    ~ " (" ~ to_columns ~ ") not valid'; end if;"
                ) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if statements %}
do $restore_fk$
begin
    {{ statements | join('\n    ') }}
end
$restore_fk$
    {%- endif %}
{%- endmacro %}

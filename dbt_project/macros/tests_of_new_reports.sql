{#-
    A nightly build tests the rows of the reports it added, not the whole
    history again.

    `nianbao run` (etl.transform.dbt_build) passes the newest report_id the
    marts held before the build as the var tests_since_report_id; a full
    build or --full-refresh passes none, and every row is tested. Generic
    tests (unique, not_null, relationships, accepted_values,
    unique_combination) on the relations listed in the var
    report_grain_relations then read only rows with a newer report_id.

    Why that is enough: raw cells are written once with their report and
    never change (a re-parse is a new report_id), so the staging views' rows
    of older reports are the rows tested the night they arrived, and so are
    int_report_metrics_conformed's, computed from a report's own cells. The
    incremental facts rewrite an older report's rows only when its is_latest
    flips, with delete+insert from the same select, so those rows differ
    from the tested ones in is_latest alone. The warn-level reconciliation
    audits (tests/assert_*.sql) keep reading everything: their failing rows
    are the audit schema's list of every inconsistent report.

    Overrides dbt's default__get_where_subquery (the hook every generic test
    reads its relation through); a test's own `where` config still applies.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set since = var('tests_since_report_id', none) -%}
    {%- if since is not none and relation.identifier in var('report_grain_relations', []) -%}
        {%- set newer = 'report_id > ' ~ (since | int) -%}
        {%- set where = '(' ~ where ~ ') and ' ~ newer if where else newer -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

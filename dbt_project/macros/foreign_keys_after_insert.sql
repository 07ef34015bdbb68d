{#-
    A mart table is created without its foreign keys, and restore_foreign_keys()
    (macros/incremental_facts.sql, a post-hook of every mart) adds them after
    the rows are in, NOT VALID.

    Why: with the keys in the CREATE TABLE, the insert that follows checks
    every row against every dimension, one trigger call per row and key. The
    bench measured it (docs/performance.md): 50 s instead of 7.5 s for
    fct_application_outcomes at 10,000 reports, and the most of a 100,000
    report build. The keys are still declared in the contracts (the docs, the
    manifest, BI tools reading pg_constraint see them), and dbt's
    relationships test checks every row of every key in the same build.

    Overrides dbt's default__get_table_columns_and_constraints for this
    project only: the columns, their other constraints (not null, primary
    key, unique, check) and the model-level constraints are rendered as dbt
    would.
-#}
{% macro postgres__get_table_columns_and_constraints() -%}
    {%- set columns = {} -%}
    {%- for name, column in model['columns'].items() -%}
        {%- set kept = [] -%}
        {%- for constraint in column.get('constraints', []) -%}
            {%- if constraint.get('type') != 'foreign_key' -%}
                {%- do kept.append(constraint) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set copy = column.copy() -%}
        {%- do copy.update({'constraints': kept}) -%}
        {%- do columns.update({name: copy}) -%}
    {%- endfor -%}
    {%- set model_constraints = [] -%}
    {%- for constraint in model.get('constraints', []) -%}
        {%- if constraint.get('type') != 'foreign_key' -%}
            {%- do model_constraints.append(constraint) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set raw_column_constraints = adapter.render_raw_columns_constraints(raw_columns=columns) -%}
    {%- set raw_model_constraints = adapter.render_raw_model_constraints(raw_constraints=model_constraints) -%}
    (
    {% for c in raw_column_constraints -%}
      {{ c }}{{ "," if not loop.last or raw_model_constraints }}
    {% endfor %}
    {% for c in raw_model_constraints -%}
        {{ c }}{{ "," if not loop.last }}
    {% endfor -%}
    )
{%- endmacro %}

{#-
    dbt's default warns about every contract column typed plain `numeric`
    ("unspecified precision/scale ... rounding"). In PostgreSQL a plain
    numeric is exact at any precision, which is what a cell value needs: a
    report's 1732.633648 万元 must come back as printed, and no fixed scale
    fits every column. This is dbt's default without that warning.
-#}
{% macro postgres__get_empty_schema_sql(columns) %}
    {%- set col_err = [] -%}
    select
    {% for i in columns %}
      {%- set col = columns[i] -%}
      {%- if col['data_type'] is not defined -%}
        {%- do col_err.append(col['name']) -%}
      {%- endif -%}
      {% set col_name = adapter.quote(col['name']) if col.get('quote') else col['name'] %}
      {{ cast('null', col['data_type']) }} as {{ col_name }}{{ ", " if not loop.last }}
    {%- endfor -%}
    {%- if (col_err | length) > 0 -%}
      {{ exceptions.column_type_missing(column_names=col_err) }}
    {%- endif -%}
{% endmacro %}

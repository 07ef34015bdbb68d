{#-
    Schemas are exactly the folder's schema (staging, intermediate, marts,
    seeds), not dbt's default <target_schema>_<custom>: BI tools, the
    read-only role and the analyst guide name them directly.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

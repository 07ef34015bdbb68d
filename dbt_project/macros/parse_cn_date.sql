{#
    A date as crawlers and pages write it (2024-01-20, 2024/1/20, 2024.1.20,
    2024年1月20日, with or without a time after it) to a date; NULL for text
    that is no such date (2023-02-30 included: make_date would raise). The
    loader reads the same forms (etl/load/rows.py); this is for the
    manifest's date, kept as given in raw.documents.manifest.
#}
{% macro parse_cn_date(expression) -%}
    {%- set parts = "regexp_match(" ~ expression ~ ", '^\\s*(\\d{4})\\s*[-/.年]\\s*(\\d{1,2})\\s*[-/.月]\\s*(\\d{1,2})')" -%}
    case
        when {{ parts }} is not null
            and ({{ parts }})[2]::integer between 1 and 12
            and ({{ parts }})[3]::integer between 1 and extract(
                day from make_date(({{ parts }})[1]::integer, ({{ parts }})[2]::integer, 1)
                    + interval '1 month' - interval '1 day'
            )
        then make_date(({{ parts }})[1]::integer, ({{ parts }})[2]::integer, ({{ parts }})[3]::integer)
    end
{%- endmacro %}

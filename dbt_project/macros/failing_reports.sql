{#-
    The reconciliation tests (tests/assert_*.sql) warn with the reports that
    break their own totals. A report_id alone means nothing to the operator
    who reads the warning, so each failing row names its report: agency,
    year, published date, whether it is the latest version, and the file.

    join_failing_report(alias): the join onto fct_reports for the CTE `alias`
    (which has report_id); failing_report_columns(alias): the columns.
-#}
{% macro join_failing_report(alias) -%}
inner join {{ ref('fct_reports') }} as failing_report
    on {{ alias }}.report_id = failing_report.report_id
{%- endmacro %}

{% macro failing_report_columns(alias) -%}
{{ alias }}.report_id,
    failing_report.agency_name,
    failing_report.report_year,
    failing_report.published_date,
    failing_report.is_latest,
    failing_report.source_path,
    failing_report.document_sha256
{%- endmacro %}

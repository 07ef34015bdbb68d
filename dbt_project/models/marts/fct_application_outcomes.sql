{{ config(**incremental_fact_config()) }}
-- Incremental on report_id (delete+insert): a night rewrites the rows of new
-- reports and of reports whose is_latest flipped; see
-- macros/incremental_facts.sql and docs/operations.md.
-- depends_on: {{ ref('stg_raw__reports') }}

-- Section 三 as reported: one row per report x applicant column x table row.
-- value is NULL where the report printed nothing (never 0); raw is the cell
-- text as printed.

with cells as (

    select * from {{ ref('stg_raw__application_cells') }}

),

reports as (

    select * from {{ ref('int_reports_versioned') }} as reports
    {{- incremental_reports_filter('reports') }}

),

final as (

    select
        reports.report_id,
        cells.applicant_code,
        cells.outcome_code,
        reports.document_sha256,
        reports.is_latest,
        reports.agency_key,
        reports.year_key as report_year,
        reports.template,
        cells.value,
        cells.raw
    from cells
    inner join reports
        on cells.report_id = reports.report_id

)

select * from final

{{ config(**incremental_fact_config()) }}
-- Incremental on report_id (delete+insert): a night rewrites the rows of new
-- reports and of reports whose is_latest flipped; see
-- macros/incremental_facts.sql and docs/operations.md.
-- depends_on: {{ ref('stg_raw__reports') }}

-- Section 二 as reported: one row per report x item x measure. Counts, except
-- the amount_10k_yuan measure, which is money in 万元.

with cells as (

    select * from {{ ref('stg_raw__active_disclosure_cells') }}

),

reports as (

    select * from {{ ref('int_reports_versioned') }} as reports
    {{- incremental_reports_filter('reports') }}

),

final as (

    select
        reports.report_id,
        cells.item_code || '.' || cells.measure_code as disclosure_item_key,
        cells.item_code,
        cells.measure_code,
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

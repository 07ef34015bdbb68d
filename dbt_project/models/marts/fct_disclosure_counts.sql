-- Section 二 as reported: one row per report x item x measure. Counts, except
-- the amount_10k_yuan measure, which is money in 万元.

with cells as (

    select * from {{ ref('stg_raw__active_disclosure_cells') }}

),

reports as (

    select * from {{ ref('int_reports_versioned') }}

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

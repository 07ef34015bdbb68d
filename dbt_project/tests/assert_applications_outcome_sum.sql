-- 三(七) 总计 = the sum of every outcome row 三(一)...三(六), per applicant column.
{{ config(severity='warn') }}

with cells as (

    select * from {{ ref('fct_application_outcomes') }}

),

outcome_rows as (

    select * from {{ ref('dim_application_outcome') }}

),

sums as (

    select
        cells.report_id,
        cells.applicant_code,
        sum(cells.value) filter (where outcome_rows.is_outcome) as outcome_sum,
        sum(cells.value) filter (where cells.outcome_code = 'total_processed') as total_processed
    from cells
    inner join outcome_rows
        on cells.outcome_code = outcome_rows.outcome_code
    group by cells.report_id, cells.applicant_code

)

select *
from sums
where outcome_sum <> total_processed

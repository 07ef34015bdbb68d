-- 总计 = 自然人 + the five 法人或其他组织 columns, per table row.
{{ config(severity='warn') }}

with cells as (

    select * from {{ ref('fct_application_outcomes') }}

),

sums as (

    select
        report_id,
        outcome_code,
        sum(value) filter (where applicant_code <> 'total') as applicant_sum,
        sum(value) filter (where applicant_code = 'total') as total
    from cells
    group by report_id, outcome_code

)

select *
from sums
where applicant_sum <> total

-- 第一项加第二项之和，等于第三项加第四项之和: for each report and applicant
-- column, new_received + carried_over = total_processed + carried_forward.
-- Blank cells take no part; a side with no figure at all is not checked.
-- Reports break their own totals: this warns with the failing cells.
{{ config(severity='warn') }}

with cells as (

    select * from {{ ref('fct_application_outcomes') }}

),

sides as (

    select
        report_id,
        applicant_code,
        sum(value) filter (where outcome_code in ('new_received', 'carried_over')) as received,
        sum(value) filter (where outcome_code in ('total_processed', 'carried_forward')) as handled
    from cells
    group by report_id, applicant_code

)

select *
from sides
where received <> handled

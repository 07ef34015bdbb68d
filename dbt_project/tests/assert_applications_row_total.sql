-- 总计 = 自然人 + the five 法人或其他组织 columns, per table row.
-- As the parser checks it (etl/parse/reconcile.py): a row with any of the
-- six columns or the total blank is not checked. Warns with the failing
-- reports (kept in audit.assert_applications_row_total).
{{ config(severity='warn', store_failures=true, schema='audit') }}

with cells as (

    select * from {{ ref('fct_application_outcomes') }}

),

applicant_types as (

    select * from {{ ref('dim_applicant_type') }}

),

parts as (

    select applicant_code
    from applicant_types
    where is_recognised
        and not is_total

),

sums as (

    select
        report_id,
        outcome_code,
        count(value) filter (where applicant_code in (select applicant_code from parts)) as part_figures,
        sum(value) filter (where applicant_code in (select applicant_code from parts)) as applicant_sum,
        sum(value) filter (where applicant_code = 'total') as total
    from cells
    group by report_id, outcome_code

)

select
    {{ failing_report_columns('sums') }},
    sums.outcome_code,
    sums.applicant_sum,
    sums.total
from sums
{{ join_failing_report('sums') }}
where sums.part_figures = (select count(*) from parts)
    and sums.total is not null
    and sums.applicant_sum <> sums.total

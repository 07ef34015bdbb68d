-- 第一项加第二项之和，等于第三项加第四项之和: for each report and applicant
-- column, new_received + carried_over = total_processed + carried_forward.
-- As the parser checks it (etl/parse/reconcile.py): blank cells take no
-- part, so a column with any of the four cells blank is not checked. The
-- parser's applications_balance findings and this test's rows are the same.
-- Reports break their own totals: this warns, one row per failing report
-- and column, naming the report (agency, year, version, file) so an operator
-- can open it; the rows are kept in audit.assert_applications_balance.
{{ config(severity='warn', store_failures=true, schema='audit') }}

with cells as (

    select * from {{ ref('fct_application_outcomes') }}
    where outcome_code in ('new_received', 'carried_over', 'total_processed', 'carried_forward')

),

sides as (

    select
        report_id,
        applicant_code,
        count(value) as figures,
        sum(value) filter (where outcome_code in ('new_received', 'carried_over')) as received,
        sum(value) filter (where outcome_code in ('total_processed', 'carried_forward')) as handled
    from cells
    group by report_id, applicant_code

)

select
    {{ failing_report_columns('sides') }},
    sides.applicant_code,
    sides.received,
    sides.handled
from sides
{{ join_failing_report('sides') }}
where sides.figures = 4
    and sides.received <> sides.handled

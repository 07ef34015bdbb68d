-- 三(七) 总计 = the sum of every outcome row 三(一)...三(六), per applicant column.
-- As the parser checks it (etl/parse/reconcile.py): the outcome rows are
-- those the report prints (a report printing both 2021's 三(六)3 and 2019's
-- single 三(六) counts the 2021 rows only), and a column with a blank outcome
-- cell or a blank total is not checked. Warns with the failing reports (kept
-- in audit.assert_applications_outcome_sum).
{{ config(severity='warn', store_failures=true, schema='audit') }}

with cells as (

    select * from {{ ref('fct_application_outcomes') }}

),

outcome_rows as (

    select * from {{ ref('dim_application_outcome') }}

),

reports_with_2021_other as (

    select distinct report_id
    from cells
    where outcome_code = 'other_other'

),

counted_cells as (

    select
        cells.report_id,
        cells.applicant_code,
        cells.outcome_code,
        cells.value,
        outcome_rows.is_outcome
            and not (
                cells.outcome_code = 'other'
                and cells.report_id in (select report_id from reports_with_2021_other)
            ) as is_counted
    from cells
    inner join outcome_rows
        on cells.outcome_code = outcome_rows.outcome_code

),

outcome_rows_per_report as (

    select
        report_id,
        count(distinct outcome_code) filter (where is_counted) as outcome_rows
    from counted_cells
    group by report_id

),

sums as (

    select
        report_id,
        applicant_code,
        count(value) filter (where is_counted) as outcome_figures,
        sum(value) filter (where is_counted) as outcome_sum,
        sum(value) filter (where outcome_code = 'total_processed') as total_processed
    from counted_cells
    group by report_id, applicant_code

)

select
    {{ failing_report_columns('sums') }},
    sums.applicant_code,
    sums.outcome_sum,
    sums.total_processed
from sums
inner join outcome_rows_per_report
    on sums.report_id = outcome_rows_per_report.report_id
{{ join_failing_report('sums') }}
where outcome_rows_per_report.outcome_rows > 0
    and sums.outcome_figures = outcome_rows_per_report.outcome_rows
    and sums.total_processed is not null
    and sums.outcome_sum <> sums.total_processed

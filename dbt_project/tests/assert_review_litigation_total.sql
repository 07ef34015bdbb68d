-- 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结, per proceeding.
-- As the parser checks it (etl/parse/reconcile.py): a proceeding with any of
-- the five cells blank is not checked. Warns with the failing reports (kept
-- in audit.assert_review_litigation_total).
{{ config(severity='warn', store_failures=true, schema='audit') }}

with cells as (

    select * from {{ ref('fct_review_litigation') }}

),

sums as (

    select
        report_id,
        proceeding_code,
        count(value) filter (where result_code in ('upheld', 'corrected', 'other', 'pending')) as result_figures,
        sum(value) filter (where result_code in ('upheld', 'corrected', 'other', 'pending')) as result_sum,
        sum(value) filter (where result_code = 'total') as total
    from cells
    group by report_id, proceeding_code

)

select
    {{ failing_report_columns('sums') }},
    sums.proceeding_code,
    sums.result_sum,
    sums.total
from sums
{{ join_failing_report('sums') }}
where sums.result_figures = 4
    and sums.total is not null
    and sums.result_sum <> sums.total

-- 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结, per proceeding.
{{ config(severity='warn') }}

with cells as (

    select * from {{ ref('fct_review_litigation') }}

),

sums as (

    select
        report_id,
        proceeding_code,
        sum(value) filter (where result_code in ('upheld', 'corrected', 'other', 'pending')) as result_sum,
        sum(value) filter (where result_code = 'total') as total
    from cells
    group by report_id, proceeding_code

)

select *
from sums
where result_sum <> total

-- The fifteen cells of section 四: proceeding (行政复议, 行政诉讼 未经复议直接起诉,
-- 行政诉讼 复议后起诉) x result (维持, 纠正, 其他, 尚未审结, 总计).

with review_results as (

    select * from {{ ref('review_results') }}

),

cells as (

    select * from {{ ref('stg_raw__review_litigation_cells') }}

),

unrecognised_cells as (

    select distinct
        cells.proceeding_code,
        cells.result_code
    from cells
    left join review_results
        on cells.proceeding_code = review_results.proceeding_code
        and cells.result_code = review_results.result_code
    where review_results.review_result_code is null

),

final as (

    select
        review_result_code,
        proceeding_code,
        proceeding_zh,
        proceeding_en,
        proceeding_group_code,
        proceeding_group_zh,
        proceeding_group_en,
        result_code,
        result_zh,
        result_en,
        proceeding_zh || '/' || result_zh as label_zh,
        proceeding_en || ': ' || result_en as label_en,
        is_total,
        is_concluded,
        true as is_recognised,
        sort_order
    from review_results

    union all

    select
        proceeding_code || '.' || result_code,
        proceeding_code,
        '未识别：' || proceeding_code,
        'Unrecognised: ' || proceeding_code,
        'unrecognised',
        '未识别',
        'Unrecognised',
        result_code,
        '未识别：' || result_code,
        'Unrecognised: ' || result_code,
        '未识别：' || proceeding_code || '/' || result_code,
        'Unrecognised: ' || proceeding_code || ': ' || result_code,
        false,
        false,
        false,
        1000
    from unrecognised_cells

)

select * from final

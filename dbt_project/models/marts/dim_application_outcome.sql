-- The rows of section 三: intake (一, 二), every outcome 三(一)...三(六), the
-- total 三(七) and the carried-forward row 四. The 2021 template splits
-- 三(六) 其他处理 into three rows (other_*); their conformed_code is the 2019
-- row's code, other, so both templates sum to one comparable figure.

with application_outcomes as (

    select * from {{ ref('application_outcomes') }}

),

cells as (

    select * from {{ ref('stg_raw__application_cells') }}

),

unrecognised_codes as (

    select distinct cells.outcome_code
    from cells
    left join application_outcomes
        on cells.outcome_code = application_outcomes.outcome_code
    where application_outcomes.outcome_code is null

),

conformed_labels as (

    select
        outcome_code as conformed_code,
        label_zh as conformed_label_zh,
        label_en as conformed_label_en
    from application_outcomes

),

final as (

    select
        application_outcomes.outcome_code,
        application_outcomes.numbering,
        application_outcomes.label_zh,
        application_outcomes.label_en,
        application_outcomes.group_code,
        application_outcomes.group_zh,
        application_outcomes.group_en,
        application_outcomes.template,
        application_outcomes.is_outcome,
        application_outcomes.conformed_code,
        conformed_labels.conformed_label_zh,
        conformed_labels.conformed_label_en,
        true as is_recognised,
        application_outcomes.sort_order
    from application_outcomes
    left join conformed_labels
        on application_outcomes.conformed_code = conformed_labels.conformed_code

    union all

    select
        outcome_code,
        null,
        '未识别：' || outcome_code,
        'Unrecognised: ' || outcome_code,
        'unrecognised',
        '未识别',
        'Unrecognised',
        'unknown',
        false,
        outcome_code,
        '未识别：' || outcome_code,
        'Unrecognised: ' || outcome_code,
        false,
        1000
    from unrecognised_codes

)

select * from final

-- The applicant columns of section 三 (the seed, from etl/labels.csv), plus
-- any code a report carried that the label table does not know, marked
-- unrecognised so a fact never loses its row.

with applicant_types as (

    select * from {{ ref('applicant_types') }}

),

cells as (

    select * from {{ ref('stg_raw__application_cells') }}

),

unrecognised_codes as (

    select distinct cells.applicant_code
    from cells
    left join applicant_types
        on cells.applicant_code = applicant_types.applicant_code
    where applicant_types.applicant_code is null

),

final as (

    select
        applicant_code,
        label_zh,
        label_en,
        case
            when group_code = 'legal_person_or_org' then group_zh || '/' || label_zh
            else label_zh
        end as full_label_zh,
        case
            when group_code = 'legal_person_or_org' then group_en || ': ' || label_en
            else label_en
        end as full_label_en,
        group_code,
        group_zh,
        group_en,
        applicant_code = 'total' as is_total,
        true as is_recognised,
        sort_order
    from applicant_types

    union all

    select
        applicant_code,
        '未识别：' || applicant_code,
        'Unrecognised: ' || applicant_code,
        '未识别：' || applicant_code,
        'Unrecognised: ' || applicant_code,
        'unrecognised',
        '未识别',
        'Unrecognised',
        false,
        false,
        1000
    from unrecognised_codes

)

select * from final

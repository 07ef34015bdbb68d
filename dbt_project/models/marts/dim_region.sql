-- Administrative divisions (GB/T 2260, from cpca's adcode table) with their
-- hierarchy resolved to province / prefecture / county, plus any code a
-- report carried that the table lacks, plus the whole country (000000, where
-- central agencies belong) and the unknown member.
--
-- cpca keeps the placeholders of the code table: 市辖区 / 县 under the four
-- municipalities (their districts' "prefecture") and 省直辖县级行政区划 (the
-- county-level cities a province governs directly). The first take the
-- municipality's name as their prefecture name; the second are no
-- prefecture, so their counties roll up to the province alone.

with region_codes as (

    select * from {{ ref('region_codes') }}

),

reports as (

    select * from {{ ref('int_reports_versioned') }}

),

reported_codes as (

    select distinct region_code
    from reports
    where region_code is not null

),

unrecognised_codes as (

    select
        reported_codes.region_code as code,
        null::text as name,
        case
            when reported_codes.region_code !~ '^[0-9]{6}$' then 'unknown'
            when substr(reported_codes.region_code, 3) = '0000' then 'province'
            when substr(reported_codes.region_code, 5) = '00' then 'prefecture'
            else 'county'
        end as level
    from reported_codes
    left join region_codes
        on reported_codes.region_code = region_codes.code
    where region_codes.code is null

),

unrecognised_with_parent as (

    select
        unrecognised_codes.code,
        unrecognised_codes.name,
        unrecognised_codes.level,
        coalesce(prefecture.code, province.code) as parent_code
    from unrecognised_codes
    left join region_codes as prefecture
        on unrecognised_codes.level = 'county'
        and prefecture.code = substr(unrecognised_codes.code, 1, 4) || '00'
    left join region_codes as province
        on unrecognised_codes.level in ('county', 'prefecture')
        and province.code = substr(unrecognised_codes.code, 1, 2) || '0000'

),

divisions as (

    select code, name, level, parent_code, true as is_recognised
    from region_codes

    union all

    select code, name, level, parent_code, false as is_recognised
    from unrecognised_with_parent

),

divisions_with_ancestors as (

    select
        divisions.*,
        case
            when divisions.level = 'province' then divisions.code
            when divisions.level = 'prefecture' then divisions.parent_code
            when parent.level = 'province' then parent.code
            else parent.parent_code
        end as province_code,
        case
            when divisions.level = 'prefecture' then divisions.code
            when divisions.level = 'county' and parent.level = 'prefecture' then parent.code
        end as raw_prefecture_code
    from divisions
    left join divisions as parent
        on divisions.parent_code = parent.code

),

resolved as (

    select
        divisions_with_ancestors.code as region_code,
        divisions_with_ancestors.name as region_name,
        divisions_with_ancestors.level as region_level,
        divisions_with_ancestors.parent_code,
        divisions_with_ancestors.province_code,
        province.name as province_name,
        case
            when prefecture.name like '%直辖县级行政区划' then null
            else divisions_with_ancestors.raw_prefecture_code
        end as prefecture_code,
        case
            when prefecture.name like '%直辖县级行政区划' then null
            when prefecture.name in ('市辖区', '县') then province.name
            else prefecture.name
        end as prefecture_name,
        case when divisions_with_ancestors.level = 'county' then divisions_with_ancestors.code end as county_code,
        case when divisions_with_ancestors.level = 'county' then divisions_with_ancestors.name end as county_name,
        coalesce(
            divisions_with_ancestors.name in ('市辖区', '县')
            or divisions_with_ancestors.name like '%直辖县级行政区划',
            false
        ) as is_placeholder,
        divisions_with_ancestors.is_recognised,
        divisions_with_ancestors.code in (select region_code from reported_codes) as has_reports
    from divisions_with_ancestors
    left join divisions as province
        on divisions_with_ancestors.province_code = province.code
    left join divisions as prefecture
        on divisions_with_ancestors.raw_prefecture_code = prefecture.code

),

national as (

    -- the whole country: where central agencies belong, and rpt_region_year's national row
    select
        '000000' as region_code,
        '全国' as region_name,
        'national' as region_level,
        null::text as parent_code,
        null::text as province_code,
        null::text as province_name,
        null::text as prefecture_code,
        null::text as prefecture_name,
        null::text as county_code,
        null::text as county_name,
        false as is_placeholder,
        true as is_recognised,
        false as has_reports

),

unknown_region as (

    select
        'unknown' as region_code,
        '未知地区' as region_name,
        'unknown' as region_level,
        null::text as parent_code,
        null::text as province_code,
        null::text as province_name,
        null::text as prefecture_code,
        null::text as prefecture_name,
        null::text as county_code,
        null::text as county_name,
        false as is_placeholder,
        false as is_recognised,
        false as has_reports

),

final as (

    select
        region_code,
        region_name,
        region_level,
        parent_code,
        province_code,
        province_name,
        prefecture_code,
        prefecture_name,
        county_code,
        county_name,
        concat_ws(' ', province_name, nullif(prefecture_name, province_name), county_name) as full_name,
        is_placeholder,
        is_recognised,
        has_reports
    from resolved

    union all

    select
        region_code,
        region_name,
        region_level,
        parent_code,
        province_code,
        province_name,
        prefecture_code,
        prefecture_name,
        county_code,
        county_name,
        '未知地区' as full_name,
        is_placeholder,
        is_recognised,
        has_reports
    from unknown_region

    union all

    select
        region_code,
        region_name,
        region_level,
        parent_code,
        province_code,
        province_name,
        prefecture_code,
        prefecture_name,
        county_code,
        county_name,
        '全国' as full_name,
        is_placeholder,
        is_recognised,
        has_reports
    from national

)

select * from final

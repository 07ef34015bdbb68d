-- One row per reporting agency, known by its identity: its division and its
-- unit, the name without its place (etl/parse/agency.py), mapped to today's
-- unit through the agency_names seed. 淮安市洪泽区人民政府 (2024) and
-- 洪泽区人民政府 (2023), or 洪泽县人民政府 before 2016, are one agency; so are a
-- 卫生和计划生育局 and the 卫生健康局 it became. Where the identity is not
-- settled (the report's division is not, or it was parsed before parser
-- 1.4.0) the agency is its printed name, as before: nothing is merged on a
-- guess. agency_name is the name of its most recent report; printed_names
-- every form reports used (dim_agency_name has them one per row). Kind,
-- level and region come from its most recent report stating them.
-- parent_agency_key is the key its parent government has (or would have, had
-- it published): a department's and an office's, their government's; a
-- township's, its county's government; a county government's, its
-- prefecture's (else its province's); a prefecture's, its province's.

with reports as (

    select * from {{ ref('int_reports_versioned') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

agencies as (

    select
        agency_key,
        (array_agg(agency_name order by report_year desc nulls last, published_date desc nulls last, report_id desc))[1]
            as agency_name,
        (array_agg(agency_identity order by report_year desc nulls last, published_date desc nulls last, report_id desc)
            filter (where agency_identity is not null))[1] as agency_identity,
        array_agg(distinct agency_name order by agency_name) as printed_names,
        (array_agg(region_code order by report_year desc nulls last, published_date desc nulls last, report_id desc)
            filter (where region_code is not null))[1] as region_code,
        (array_agg(agency_kind order by report_year desc nulls last, published_date desc nulls last, report_id desc)
            filter (where agency_kind is not null))[1] as agency_kind,
        (array_agg(agency_level order by report_year desc nulls last, published_date desc nulls last, report_id desc)
            filter (where agency_level is not null))[1] as agency_level,
        min(report_year) as first_report_year,
        max(report_year) as last_report_year,
        count(*) filter (where is_latest)::integer as report_count
    from reports
    where agency_name is not null
    group by agency_key

),

unknown_agency as (

    select
        'unknown' as agency_key,
        '未知机关' as agency_name,
        null::text as agency_identity,
        array[]::text[] as printed_names,
        null::text as region_code,
        null::text as agency_kind,
        null::text as agency_level,
        min(report_year) as first_report_year,
        max(report_year) as last_report_year,
        (count(*) filter (where is_latest))::integer as report_count
    from reports
    where agency_name is null

),

all_agencies as (

    select * from agencies
    union all
    select * from unknown_agency

),

final as (

    select
        all_agencies.agency_key,
        all_agencies.agency_name,
        case
            when all_agencies.agency_identity is null then null
            when all_agencies.agency_identity like 'national|%' then split_part(all_agencies.agency_identity, '|', 2)
            else concat(
                regions.province_name,
                case when regions.prefecture_name <> regions.province_name then regions.prefecture_name end,
                regions.county_name,
                split_part(all_agencies.agency_identity, '|', 2)
            )
        end as canonical_name,
        split_part(all_agencies.agency_identity, '|', 2) as agency_unit,
        all_agencies.agency_identity is not null as is_identified,
        all_agencies.printed_names,
        coalesce(all_agencies.agency_kind, 'unknown') as agency_kind,
        coalesce(all_agencies.agency_level, 'unknown') as agency_level,
        coalesce(
            all_agencies.region_code, case when all_agencies.agency_level = 'national' then '000000' end, 'unknown'
        ) as region_code,
        regions.region_name,
        regions.province_code,
        regions.province_name,
        regions.prefecture_code,
        regions.prefecture_name,
        regions.county_code,
        regions.county_name,
        all_agencies.first_report_year,
        all_agencies.last_report_year,
        all_agencies.report_count,
        all_agencies.agency_key = 'unknown' as is_unknown,
        case
            when all_agencies.agency_identity is null or all_agencies.agency_identity like 'national|%' then null
            when all_agencies.agency_kind = 'government' and regions.region_level = 'county'
                -- a municipality's districts sit under the municipality itself
                then md5(
                    case
                        when regions.prefecture_name = regions.province_name then regions.province_code
                        else coalesce(regions.prefecture_code, regions.province_code)
                    end || '|人民政府'
                )
            when all_agencies.agency_kind = 'government' and regions.region_level = 'prefecture'
                then md5(regions.province_code || '|人民政府')
            when all_agencies.agency_kind = 'government' then null
            else md5(all_agencies.region_code || '|人民政府')
        end as parent_agency_key
    from all_agencies
    left join regions
        on coalesce(
            all_agencies.region_code, case when all_agencies.agency_level = 'national' then '000000' end, 'unknown'
        ) = regions.region_code

)

select * from final

-- One row per reporting agency, known by the name it gives itself. Its kind,
-- level and region are those of its most recent report that states them.
-- agency_key is md5(agency_name), stable across rebuilds; reports that name
-- no agency point at the unknown member, agency_key 'unknown'.

with reports as (

    select * from {{ ref('int_reports_versioned') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

agencies as (

    select
        agency_key,
        agency_name,
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
    group by agency_key, agency_name

),

unknown_agency as (

    select
        'unknown' as agency_key,
        '未知机关' as agency_name,
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
        coalesce(all_agencies.agency_kind, 'unknown') as agency_kind,
        coalesce(all_agencies.agency_level, 'unknown') as agency_level,
        coalesce(all_agencies.region_code, 'unknown') as region_code,
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
        all_agencies.agency_key = 'unknown' as is_unknown
    from all_agencies
    left join regions
        on coalesce(all_agencies.region_code, 'unknown') = regions.region_code

)

select * from final

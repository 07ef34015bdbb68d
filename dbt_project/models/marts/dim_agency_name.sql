-- Every name an agency's reports printed, one row each, and how it was
-- matched to the agency: 'division and unit' (the same unit in the same
-- division, however the place was printed), 'agency_names: renamed' or
-- 'agency_names: same_agency' (a row of the seed a person maintains, with its
-- source), or 'printed name' (the identity is not settled, so the name is the
-- agency). Analysts read it to check a merge, and to find what to add to
-- dbt_project/seeds/agency_names.csv.

with reports as (

    select * from {{ ref('int_reports_versioned') }}

),

agency_names as (

    select * from {{ ref('agency_names') }}

),

names as (

    select
        agency_key,
        agency_name as printed_name,
        max(agency_unit) as agency_unit,
        (array_agg(region_code order by report_year desc nulls last) filter (where region_code is not null))[1]
            as region_code,
        bool_or(agency_identity is not null) as is_identified,
        min(report_year) as first_report_year,
        max(report_year) as last_report_year,
        count(*) filter (where is_latest)::integer as report_count
    from reports
    where agency_name is not null
    group by agency_key, agency_name

),

final as (

    select
        names.agency_key,
        names.printed_name,
        names.agency_unit,
        case
            when not names.is_identified then 'printed name'
            when mapping.change is not null then 'agency_names: ' || mapping.change
            else 'division and unit'
        end as matched_by,
        mapping.source as mapping_source,
        names.first_report_year,
        names.last_report_year,
        names.report_count
    from names
    left join lateral (
        select agency_names.change, agency_names.source
        from agency_names
        where agency_names.unit = names.agency_unit
            and (agency_names.region_code = names.region_code or agency_names.region_code is null)
        order by agency_names.region_code nulls last
        limit 1
    ) as mapping on true

)

select * from final

-- rpt_agency_year rolled up by administrative division: one row per province,
-- prefecture or county and report year, summing every agency whose region
-- lies in it (a county agency counts in its county, prefecture and province;
-- a prefecture agency in its prefecture and province), and one national row
-- (region 000000) per year over every agency: central agencies (counted in
-- central_agency_count) and agencies of unknown region count there only. A sum adds the agencies that printed the figure
-- (agencies_reporting_applications says how many did for applications); a
-- rate is recomputed over the agencies that printed both of its figures, so
-- an agency whose denominator is blank never inflates the numerator.

with agency_years as (

    select * from {{ ref('rpt_agency_year') }}

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

agency_years_by_region as (

    select
        ancestor.region_code as rollup_region_code,
        agency_years.*
    from agency_years
    inner join agencies
        on agency_years.agency_key = agencies.agency_key
    cross join lateral unnest(
        array[agencies.province_code, agencies.prefecture_code, agencies.county_code]
    ) as ancestor (region_code)
    where ancestor.region_code is not null

    union all

    -- the national row: every agency, central ones and those of unknown region included
    select
        '000000' as rollup_region_code,
        agency_years.*
    from agency_years

),

rolled_up as (

    select
        rollup_region_code as region_code,
        report_year,
        count(distinct agency_key)::integer as agency_count,
        count(distinct agency_key) filter (where agency_level = 'national')::integer as central_agency_count,
        count(applications_received)::integer as agencies_reporting_applications,
        sum(applications_received) as applications_received,
        sum(applications_carried_over) as applications_carried_over,
        sum(granted) as granted,
        sum(partially_granted) as partially_granted,
        sum(denied) as denied,
        sum(unable) as unable,
        sum(not_processed) as not_processed,
        sum(otherwise_handled) as otherwise_handled,
        sum(total_processed) as total_processed,
        sum(carried_forward) as carried_forward,
        sum(review_total) as review_total,
        sum(review_corrected) as review_corrected,
        sum(review_concluded) as review_concluded,
        sum(litigation_total) as litigation_total,
        sum(litigation_corrected) as litigation_corrected,
        sum(litigation_concluded) as litigation_concluded,
        sum(finding_count)::integer as finding_count,
        -- each rate's two parts over the agencies that printed both: sum them to re-aggregate
        sum(granted) filter (where total_processed is not null) as grant_rate_granted,
        sum(total_processed) filter (where granted is not null) as grant_rate_total_processed,
        sum(review_corrected) filter (where review_concluded is not null) as review_rate_corrected,
        sum(review_concluded) filter (where review_corrected is not null) as review_rate_concluded,
        sum(litigation_corrected) filter (where litigation_concluded is not null) as litigation_rate_corrected,
        sum(litigation_concluded) filter (where litigation_corrected is not null) as litigation_rate_concluded
    from agency_years_by_region
    group by rollup_region_code, report_year

),

final as (

    select
        rolled_up.region_code,
        rolled_up.report_year,
        regions.region_level,
        case when regions.is_placeholder then regions.prefecture_name else regions.region_name end as region_name,
        regions.province_name,
        regions.prefecture_name,
        regions.county_name,
        rolled_up.agency_count,
        rolled_up.central_agency_count,
        rolled_up.agencies_reporting_applications,
        rolled_up.applications_received,
        rolled_up.applications_carried_over,
        rolled_up.granted,
        rolled_up.partially_granted,
        rolled_up.denied,
        rolled_up.unable,
        rolled_up.not_processed,
        rolled_up.otherwise_handled,
        rolled_up.total_processed,
        rolled_up.carried_forward,
        round(rolled_up.grant_rate_granted / nullif(rolled_up.grant_rate_total_processed, 0), 4) as grant_rate,
        rolled_up.grant_rate_granted,
        rolled_up.grant_rate_total_processed,
        rolled_up.review_total,
        rolled_up.review_corrected,
        rolled_up.review_concluded,
        round(rolled_up.review_rate_corrected / nullif(rolled_up.review_rate_concluded, 0), 4)
            as review_correction_rate,
        rolled_up.review_rate_corrected,
        rolled_up.review_rate_concluded,
        rolled_up.litigation_total,
        rolled_up.litigation_corrected,
        rolled_up.litigation_concluded,
        round(rolled_up.litigation_rate_corrected / nullif(rolled_up.litigation_rate_concluded, 0), 4)
            as litigation_correction_rate,
        rolled_up.litigation_rate_corrected,
        rolled_up.litigation_rate_concluded,
        rolled_up.finding_count
    from rolled_up
    inner join regions
        on rolled_up.region_code = regions.region_code

)

select * from final

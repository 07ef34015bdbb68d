-- rpt_agency_year rolled up by administrative division: one row per province,
-- prefecture or county and report year, summing every agency whose region
-- lies in it (a county agency counts in its county, prefecture and province;
-- a prefecture agency in its prefecture and province). Agencies of unknown
-- region are in no row. A sum adds the agencies that printed the figure
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

),

rolled_up as (

    select
        rollup_region_code as region_code,
        report_year,
        count(distinct agency_key)::integer as agency_count,
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
        round(
            sum(granted) filter (where total_processed is not null)
            / nullif(sum(total_processed) filter (where granted is not null), 0), 4
        ) as grant_rate,
        round(
            sum(review_corrected) filter (where review_concluded is not null)
            / nullif(sum(review_concluded) filter (where review_corrected is not null), 0), 4
        ) as review_correction_rate,
        round(
            sum(litigation_corrected) filter (where litigation_concluded is not null)
            / nullif(sum(litigation_concluded) filter (where litigation_corrected is not null), 0), 4
        ) as litigation_correction_rate
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
        rolled_up.grant_rate,
        rolled_up.review_total,
        rolled_up.review_corrected,
        rolled_up.review_correction_rate,
        rolled_up.litigation_total,
        rolled_up.litigation_corrected,
        rolled_up.litigation_correction_rate,
        rolled_up.finding_count
    from rolled_up
    inner join regions
        on rolled_up.region_code = regions.region_code

)

select * from final

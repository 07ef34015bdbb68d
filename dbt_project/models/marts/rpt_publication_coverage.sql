-- Who was expected to publish a report for a year, whether the warehouse has
-- it, when it was published and whether that was by the legal deadline.
--
-- Expected publishers, one row per publisher and report year:
--   * every people's government at county level and above in the division
--     list (region_codes, today's divisions), from the first report year the
--     warehouse holds, or from the year its division was created where the
--     division came from a split (region_changes); its key is the one its
--     reports get (division | 人民政府), so a government that never published
--     still has a row;
--   * every other agency the warehouse has seen (departments, offices,
--     townships: no list of them exists), from the first year it published.
-- Years run to the latest report year the warehouse holds. "Expected" can
-- only mean this: a department or township that never published anything
-- loaded here is in no row, and a division abolished before today is not in
-- the list.
--
-- published_on is the date the page or the manifest gives, else the date
-- printed at the report's end; never the fetch time. The deadline comes from
-- the publication_deadlines seed (the 2008 regulation: 31 March for all; the
-- 2019 regulation, article 49: 31 January for departments and offices, 31
-- March for a local government's own report; none for a township).

with region_codes as (

    select * from {{ ref('region_codes') }}

),

region_changes as (

    select * from {{ ref('region_changes') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

reports as (

    select * from {{ ref('fct_reports') }}
    where is_latest and report_year <> -1

),

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

deadlines as (

    select * from {{ ref('publication_deadlines') }}

),

year_span as (

    select min(report_year) as first_year, max(report_year) as last_year
    from reports

),

years as (

    select generate_series(year_span.first_year, year_span.last_year) as report_year
    from year_span
    where year_span.first_year is not null

),

governments as (

    -- county level and above, placeholders (a municipality's 市辖区 rows carry
    -- its own name) and 台湾, 香港, 澳门 left out
    select
        md5(region_codes.code || '|人民政府') as agency_key,
        region_codes.code as region_code,
        region_codes.level as agency_level,
        (
            select min(region_changes.year)
            from region_changes
            where region_changes.new_code = region_codes.code
                and region_changes.kind = 'split'
                and not exists (
                    select 1 from region_changes as earlier
                    where earlier.new_code = region_codes.code and earlier.kind <> 'split'
                )
        ) as created_year
    from region_codes
    left join region_codes as province
        on province.code = substr(region_codes.code, 1, 2) || '0000'
    where region_codes.level in ('province', 'prefecture', 'county')
        and substr(region_codes.code, 1, 2) not in ('71', '81', '82')
        and not (region_codes.level = 'prefecture' and region_codes.name = province.name)

),

expected as (

    select
        coalesce(governments.agency_key, agencies.agency_key) as agency_key,
        governments.agency_key is not null as is_in_division_list,
        case
            -- a division created by a split is expected from then, or from its first report before then
            when governments.agency_key is not null
                then least(coalesce(governments.created_year, 0), coalesce(agencies.first_report_year, 9999))
            else agencies.first_report_year
        end as expected_from
    from governments
    full outer join (
        select * from agencies where not is_unknown and first_report_year is not null
    ) as agencies
        on governments.agency_key = agencies.agency_key

),

publisher_years as (

    select
        expected.agency_key,
        expected.is_in_division_list,
        years.report_year
    from expected
    inner join years
        on years.report_year >= expected.expected_from

),

described as (

    select
        publisher_years.*,
        coalesce(agencies.agency_name, regions.region_name || '人民政府') as agency_name,
        coalesce(agencies.agency_kind, 'government') as agency_kind,
        coalesce(agencies.agency_level, governments.agency_level) as agency_level,
        coalesce(agencies.region_code, governments.region_code, 'unknown') as region_code
    from publisher_years
    left join agencies
        on publisher_years.agency_key = agencies.agency_key
    left join governments
        on publisher_years.agency_key = governments.agency_key
    left join regions
        on governments.region_code = regions.region_code

),

published as (

    select
        reports.agency_key,
        reports.report_year,
        reports.report_id,
        reports.source_url,
        {{ parse_cn_date('documents.manifest_published_date') }} as manifest_date,
        reports.published_date as printed_or_filled_date
    from reports
    left join documents
        on reports.document_sha256 = documents.document_sha256

),

final as (

    select
        described.agency_key,
        described.report_year,
        described.agency_name,
        described.agency_kind,
        described.agency_level,
        described.region_code,
        regions.province_name,
        regions.prefecture_name,
        regions.county_name,
        described.is_in_division_list,
        published.report_id is not null as has_report,
        published.report_id,
        coalesce(published.manifest_date, published.printed_or_filled_date) as published_on,
        case
            when published.manifest_date is not null then 'manifest'
            when published.printed_or_filled_date is not null then 'report'
        end as published_on_source,
        deadlines.regulation,
        make_date(described.report_year + 1, deadlines.deadline_month, deadlines.deadline_day) as deadline,
        deadlines.source as deadline_source,
        case
            when published.report_id is null then 'no_report_loaded'
            when deadlines.regulation is null then 'published_no_deadline'
            when coalesce(published.manifest_date, published.printed_or_filled_date) is null
                then 'published_date_unknown'
            when coalesce(published.manifest_date, published.printed_or_filled_date)
                <= make_date(described.report_year + 1, deadlines.deadline_month, deadlines.deadline_day)
                then 'on_time'
            else 'late'
        end as timeliness,
        case
            -- greatest() skips a NULL: without a date or a deadline there is no delay to state
            when deadlines.regulation is not null
                and coalesce(published.manifest_date, published.printed_or_filled_date) is not null
                then greatest(
                    coalesce(published.manifest_date, published.printed_or_filled_date)
                        - make_date(described.report_year + 1, deadlines.deadline_month, deadlines.deadline_day),
                    0
                )
        end as days_late,
        published.source_url
    from described
    left join published
        on described.agency_key = published.agency_key
        and described.report_year = published.report_year
    left join regions
        on described.region_code = regions.region_code
    left join deadlines
        on described.report_year between deadlines.first_report_year
            and coalesce(deadlines.last_report_year, described.report_year)
        and (
            deadlines.publisher = 'all'
            or (deadlines.publisher = 'government' and described.agency_kind = 'government'
                and described.agency_level in ('province', 'prefecture', 'county'))
            or (deadlines.publisher = 'department' and described.agency_kind in ('department', 'government_office'))
        )

)

select * from final

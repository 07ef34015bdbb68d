{{
    config(
        materialized='table',
        indexes=[{'columns': ['report_id'], 'unique': True}],
        post_hook="analyze {{ this }}"
    )
}}
-- A table, not a view: every fact joins it, and as a view its window filters
-- were estimated at 50 rows whatever the data (10,100 actual at 10,000
-- reports), which sent an incremental model into nested loops for minutes
-- (docs/performance.md). Built once per run, with statistics, it costs a
-- second or two at 100,000 reports.
-- One row per report version. Two kinds of history meet here:
--   * re-parses: the same document (sha256) parsed again by a newer parser;
--     only the newest parser's reading of a document is kept;
--   * re-publications: another document for the same agency and year; all
--     are kept, and the one with the latest published date (then the one
--     first loaded last) is marked is_latest.
-- Where the agency or the year is unknown a version cannot be compared with
-- others, so each such document is its own group (and its own latest).

with reports as (

    select * from {{ ref('int_reports_completed') }}

),

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

findings as (

    select * from {{ ref('stg_raw__findings') }}

),

finding_counts as (

    select
        report_id,
        count(*) as finding_count,
        count(*) filter (
            where rule_code in (
                'applications_balance',
                'applications_outcome_sum',
                'applications_row_total',
                'review_litigation_total'
            )
        ) as reconciliation_finding_count
    from findings
    group by report_id

),

reports_with_parser_order as (

    select
        reports.*,
        -- '0.10.2' sorts after '0.9.0': compare the numeric parts, not the text
        array(
            select version_part[1]::bigint
            from regexp_matches(reports.parser_version, '(\d+)', 'g') as version_part
        ) as parser_version_parts
    from reports

),

parses_ranked as (

    select
        *,
        row_number() over (
            partition by document_sha256
            order by parser_version_parts desc, parsed_at desc, report_id desc
        ) as parse_rank,
        count(*) over (partition by document_sha256) as parse_count
    from reports_with_parser_order

),

latest_parses as (

    select
        parses_ranked.*,
        coalesce(documents.first_loaded_at, parses_ranked.parsed_at) as first_loaded_at,
        case
            when parses_ranked.agency_name is not null and parses_ranked.report_year is not null
                then 'agency-year:' || parses_ranked.agency_name || '|' || parses_ranked.report_year
            else 'document:' || parses_ranked.document_sha256
        end as version_group
    from parses_ranked
    left join documents
        on parses_ranked.document_sha256 = documents.document_sha256
    where parses_ranked.parse_rank = 1

),

versions_ranked as (

    select
        *,
        row_number() over (
            partition by version_group
            order by
                (parse_status <> 'rejected') desc,
                published_date desc nulls last,
                first_loaded_at desc,
                report_id desc
        ) as version_rank,
        count(*) over (partition by version_group) as version_count
    from latest_parses

),

final as (

    select
        versions_ranked.report_id,
        versions_ranked.document_sha256,
        versions_ranked.run_id,
        versions_ranked.parser_version,
        versions_ranked.parse_count::integer as parse_count,
        versions_ranked.source_path,
        versions_ranked.source_format,
        versions_ranked.source_encoding,
        versions_ranked.parse_status,
        jsonb_array_length(versions_ranked.parse_errors)::integer as error_count,
        coalesce(md5(versions_ranked.agency_name), 'unknown') as agency_key,
        versions_ranked.agency_name,
        versions_ranked.region_code,
        versions_ranked.agency_level,
        versions_ranked.agency_kind,
        versions_ranked.report_year,
        coalesce(versions_ranked.report_year, -1) as year_key,
        versions_ranked.template,
        versions_ranked.published_date,
        versions_ranked.parsed_at,
        versions_ranked.first_loaded_at,
        coalesce(finding_counts.finding_count, 0)::integer as finding_count,
        coalesce(finding_counts.reconciliation_finding_count, 0)::integer as reconciliation_finding_count,
        versions_ranked.version_group,
        versions_ranked.version_rank::integer as version_rank,
        versions_ranked.version_count::integer as version_count,
        versions_ranked.version_rank = 1 as is_latest
    from versions_ranked
    left join finding_counts
        on versions_ranked.report_id = finding_counts.report_id

)

select * from final

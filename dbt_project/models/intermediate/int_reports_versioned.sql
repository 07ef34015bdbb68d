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
-- One row per report version. Three kinds of history meet here:
--   * re-parses: the same document (sha256) parsed again by a newer parser;
--     only the newest parser's reading of a document is kept;
--   * copies: another document whose parsed record is identical (the same
--     record_sha256: a copy re-encoded, a trailing space, one page saved
--     twice) is the same version: kept, marked copy_of_report_id, never latest;
--   * re-publications: another document for the same agency and year; all
--     are kept, and one is marked is_latest by a rule that never lets a less
--     complete record replace a more complete one: a version an operator
--     pinned (nianbao versions pin), then a complete one (parsed) before a
--     partial one, then the latest published date, then the one first loaded
--     last. version_rule says which step chose the latest.
-- Where the agency or the year is unknown a version cannot be compared with
-- others, so each such document is its own group (and its own latest).
-- An agency is its identity: its division and its unit (the name without its
-- place, etl/parse/agency.py), the unit mapped to today's through the
-- agency_names seed (renames, other forms a person settled); so
-- 淮安市洪泽区人民政府 and 洪泽区人民政府 are one agency, and their reports of one
-- year versions of each other. A report without a unit (its division not
-- settled, or parsed before parser 1.4.0) is keyed by its printed name.

with reports as (

    select * from {{ ref('int_reports_completed') }}

),

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

findings as (

    select * from {{ ref('stg_raw__findings') }}

),

pins as (

    select * from {{ ref('stg_raw__version_pins') }}

),

agency_names as (

    select * from {{ ref('agency_names') }}

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

identified as (

    select
        parses_ranked.*,
        case
            when parses_ranked.agency_unit is not null
                then coalesce(parses_ranked.region_code, 'national') || '|' || coalesce(
                    (
                        select agency_names.current_unit
                        from agency_names
                        where agency_names.unit = parses_ranked.agency_unit
                            and (
                                agency_names.region_code = parses_ranked.region_code
                                or agency_names.region_code is null
                            )
                        order by agency_names.region_code nulls last
                        limit 1
                    ),
                    parses_ranked.agency_unit
                )
        end as agency_identity
    from parses_ranked
    where parses_ranked.parse_rank = 1

),

keyed as (

    select
        identified.*,
        case
            when identified.agency_identity is not null then md5(identified.agency_identity)
            when identified.agency_name is not null then md5(identified.agency_name)
            else 'unknown'
        end as agency_key
    from identified

),

latest_parses as (

    select
        keyed.*,
        coalesce(documents.first_loaded_at, keyed.parsed_at) as first_loaded_at,
        case
            when keyed.agency_key <> 'unknown' and keyed.report_year is not null
                then 'agency-year:' || keyed.agency_key || '|' || keyed.report_year
            else 'document:' || keyed.document_sha256
        end as version_group,
        coalesce(keyed.record_sha256, keyed.document_sha256) as record_key,
        pins.document_sha256 is not null as is_pinned
    from keyed
    left join documents
        on keyed.document_sha256 = documents.document_sha256
    left join pins
        on keyed.document_sha256 = pins.document_sha256

),

copies_ranked as (

    -- documents of one agency-year whose records are identical are one version:
    -- the pinned one, else the one loaded first, stands for it
    select
        *,
        row_number() over copies as copy_rank,
        first_value(report_id) over copies as copy_of
    from latest_parses
    window copies as (
        partition by version_group, record_key
        order by is_pinned desc, first_loaded_at, report_id
    )

),

versions_ranked as (

    select
        report_id as version_report_id,
        row_number() over (
            partition by version_group
            order by
                is_pinned desc,
                (parse_status <> 'rejected') desc,
                (parse_status = 'parsed') desc,
                published_date desc nulls last,
                first_loaded_at desc,
                report_id desc
        ) as version_rank,
        count(*) over (partition by version_group) as version_count,
        max(published_date) over (partition by version_group) as newest_published_date,
        is_pinned as version_is_pinned,
        published_date as version_published_date
    from copies_ranked
    where copy_rank = 1

),

versioned as (

    select
        copies_ranked.*,
        versions_ranked.version_rank,
        versions_ranked.version_count,
        versions_ranked.version_rank = 1 and copies_ranked.copy_rank = 1 as is_latest,
        case when copies_ranked.copy_rank > 1 then copies_ranked.copy_of end as copy_of_report_id,
        case
            when versions_ranked.version_rank <> 1 or copies_ranked.copy_rank > 1 then null
            when versions_ranked.version_is_pinned then 'pinned'
            when versions_ranked.version_count = 1 then 'only version'
            when versions_ranked.newest_published_date > versions_ranked.version_published_date
                or (versions_ranked.version_published_date is null
                    and versions_ranked.newest_published_date is not null)
                then 'most complete'
            else 'latest published'
        end as version_rule
    from copies_ranked
    inner join versions_ranked
        on copies_ranked.copy_of = versions_ranked.version_report_id

),

final as (

    select
        versioned.report_id,
        versioned.document_sha256,
        versioned.run_id,
        versioned.parser_version,
        versioned.parse_count::integer as parse_count,
        versioned.source_path,
        versioned.source_format,
        versioned.source_encoding,
        versioned.parse_status,
        jsonb_array_length(versioned.parse_errors)::integer as error_count,
        versioned.agency_key,
        versioned.agency_identity,
        versioned.agency_name,
        versioned.agency_unit,
        versioned.region_code,
        versioned.agency_level,
        versioned.agency_kind,
        versioned.report_year,
        coalesce(versioned.report_year, -1) as year_key,
        versioned.template,
        versioned.published_date,
        versioned.parsed_at,
        versioned.first_loaded_at,
        coalesce(finding_counts.finding_count, 0)::integer as finding_count,
        coalesce(finding_counts.reconciliation_finding_count, 0)::integer as reconciliation_finding_count,
        versioned.version_group,
        versioned.version_rank::integer as version_rank,
        versioned.version_count::integer as version_count,
        versioned.is_latest,
        versioned.is_pinned,
        versioned.record_sha256,
        versioned.copy_of_report_id,
        versioned.version_rule
    from versioned
    left join finding_counts
        on versioned.report_id = finding_counts.report_id

)

select * from final

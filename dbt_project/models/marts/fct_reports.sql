-- One row per report version: a document (by SHA-256) as its newest parser
-- read it, from a completed load run.

with reports as (

    select * from {{ ref('int_reports_versioned') }}

),

final as (

    select
        report_id,
        document_sha256,
        agency_key,
        year_key as report_year,
        agency_name,
        template,
        published_date,
        parse_status,
        error_count,
        finding_count,
        reconciliation_finding_count,
        is_latest,
        version_rank,
        version_count,
        version_rule,
        is_pinned,
        copy_of_report_id,
        run_id,
        parser_version,
        parse_count,
        source_path,
        source_format,
        source_encoding,
        parsed_at,
        first_loaded_at
    from reports

)

select * from final

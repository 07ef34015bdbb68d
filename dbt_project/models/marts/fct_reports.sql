-- One row per report version: a document (by SHA-256) as its newest parser
-- read it, from a completed load run, with where it came from: the page and
-- file a crawler's manifest named (URL, title, fetch time; empty for files
-- dropped by hand), and the file's own format and size.

with reports as (

    select * from {{ ref('int_reports_versioned') }}

),

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

final as (

    select
        reports.report_id,
        reports.document_sha256,
        reports.agency_key,
        reports.year_key as report_year,
        reports.agency_name,
        reports.template,
        reports.published_date,
        reports.parse_status,
        reports.error_count,
        reports.finding_count,
        reports.reconciliation_finding_count,
        reports.is_latest,
        reports.version_rank,
        reports.version_count,
        reports.version_rule,
        reports.is_pinned,
        reports.copy_of_report_id,
        reports.run_id,
        reports.parser_version,
        reports.parse_count,
        reports.source_path,
        reports.source_format,
        reports.source_encoding,
        reports.parsed_at,
        reports.first_loaded_at,
        documents.source_url,
        documents.page_title,
        documents.parent_url,
        documents.file_kind,
        documents.content_type,
        documents.fetched_at,
        documents.size_bytes
    from reports
    left join documents
        on reports.document_sha256 = documents.document_sha256

)

select * from final

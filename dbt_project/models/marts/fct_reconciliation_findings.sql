{{ config(**incremental_fact_config()) }}
-- Incremental on report_id (delete+insert): a night rewrites the rows of new
-- reports and of reports whose is_latest flipped; see
-- macros/incremental_facts.sql and docs/operations.md.
-- depends_on: {{ ref('stg_raw__reports') }}

-- The parser's findings: one row per check a report failed, with what the
-- report's own parts add up to (expected) and what it printed (actual).

with findings as (

    select * from {{ ref('stg_raw__findings') }}

),

reports as (

    -- not filtered here as the other facts are: most reports have no
    -- finding, so "not in this table yet" would hold for them every night;
    -- the filter applies to the joined rows below
    select * from {{ ref('int_reports_versioned') }}

),

rules as (

    select * from {{ ref('finding_rules') }}

),

final as (

    select
        reports.report_id,
        findings.position,
        findings.rule_code,
        -- report: the report breaks its own totals; parser: the parser was unsure or declined
        coalesce(rules.kind, 'parser') as finding_kind,
        coalesce(rules.kind = 'report', false) as is_reconciliation_rule,
        findings.location,
        findings.expected,
        findings.actual,
        findings.actual - findings.expected as difference,
        reports.document_sha256,
        reports.is_latest,
        reports.agency_key,
        reports.year_key as report_year
    from findings
    inner join reports
        on findings.report_id = reports.report_id
    left join rules
        on findings.rule_code = rules.rule_code

)

select * from final
{{- incremental_reports_filter('final') }}

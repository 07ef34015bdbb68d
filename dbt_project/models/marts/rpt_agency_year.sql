-- One wide row per agency and report year, from the latest version of the
-- agency's report for that year, on the conformed metrics of
-- int_report_metrics_conformed: application figures are the report's 总计
-- (total) column, a group's figure sums the group's rows and is NULL when any
-- row of the group is blank or was not read (blank is not 0); pre-2019 reports
-- contribute through their 统计表 indicators. Rates are NULL where the
-- denominator is blank or 0.
-- Reports without a known agency or year are left out.

with reports as (

    select * from {{ ref('fct_reports') }}
    where is_latest
        and agency_key <> 'unknown'
        and report_year <> -1

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

metrics as (

    select * from {{ ref('int_report_metrics_conformed') }}

),

disclosure_counts as (

    select * from {{ ref('fct_disclosure_counts') }}
    where is_latest

),

metrics_per_report as (

    select
        report_id,
        sum(value) filter (where metric = 'applications_received') as applications_received,
        sum(value) filter (where metric = 'applications_carried_over') as applications_carried_over,
        sum(value) filter (where metric = 'granted') as granted,
        sum(value) filter (where metric = 'partially_granted') as partially_granted,
        sum(value) filter (where metric = 'denied') as denied,
        sum(value) filter (where metric = 'unable') as unable,
        sum(value) filter (where metric = 'not_processed') as not_processed,
        sum(value) filter (where metric = 'otherwise_handled') as otherwise_handled,
        sum(value) filter (where metric = 'total_processed') as total_processed,
        sum(value) filter (where metric = 'carried_forward') as carried_forward,
        sum(value) filter (where metric = 'review_total') as review_total,
        sum(value) filter (where metric = 'review_corrected') as review_corrected,
        case
            when count(value) filter (
                where metric in ('review_upheld', 'review_corrected', 'review_other')
            ) = 3
                then sum(value) filter (
                    where metric in ('review_upheld', 'review_corrected', 'review_other')
                )
        end as review_concluded,
        sum(value) filter (where metric = 'litigation_total') as litigation_total,
        sum(value) filter (where metric = 'litigation_corrected') as litigation_corrected,
        case
            when count(value) filter (
                where metric in ('litigation_upheld', 'litigation_corrected', 'litigation_other')
            ) = 3
                then sum(value) filter (
                    where metric in ('litigation_upheld', 'litigation_corrected', 'litigation_other')
                )
        end as litigation_concluded,
        case
            when count(value) = 0 then null  -- no figure at all: it came from nowhere
            when bool_and(source = 'table') filter (where value is not null) then 'table'
            when bool_and(source = 'legacy_stats') filter (where value is not null) then 'legacy_stats'
            else 'mixed'
        end as metrics_source,
        coalesce(bool_or(comparability = 'approximate') filter (where value is not null), false)
            as has_approximate_metrics
    from metrics
    group by report_id

),

disclosure_per_report as (

    select
        report_id,
        sum(value) filter (where item_code = 'licensing' and measure_code = 'decisions') as licensing_decisions,
        sum(value) filter (where item_code = 'penalty' and measure_code = 'decisions') as penalty_decisions,
        sum(value) filter (where item_code = 'coercion' and measure_code = 'decisions') as coercion_decisions
    from disclosure_counts
    group by report_id

),

final as (

    select
        reports.agency_key,
        reports.report_year,
        reports.report_id,
        reports.document_sha256,
        agencies.agency_name,
        agencies.agency_kind,
        agencies.agency_level,
        agencies.region_code,
        agencies.province_name,
        agencies.prefecture_name,
        agencies.county_name,
        reports.template,
        reports.published_date,
        reports.parse_status,
        metrics_per_report.applications_received,
        metrics_per_report.applications_carried_over,
        metrics_per_report.granted,
        metrics_per_report.partially_granted,
        metrics_per_report.denied,
        metrics_per_report.unable,
        metrics_per_report.not_processed,
        metrics_per_report.otherwise_handled,
        metrics_per_report.total_processed,
        metrics_per_report.carried_forward,
        round(
            metrics_per_report.granted / nullif(metrics_per_report.total_processed, 0), 4
        ) as grant_rate,
        metrics_per_report.review_total,
        metrics_per_report.review_corrected,
        metrics_per_report.review_concluded,
        round(
            metrics_per_report.review_corrected
            / nullif(metrics_per_report.review_concluded, 0), 4
        ) as review_correction_rate,
        metrics_per_report.litigation_total,
        metrics_per_report.litigation_corrected,
        metrics_per_report.litigation_concluded,
        round(
            metrics_per_report.litigation_corrected
            / nullif(metrics_per_report.litigation_concluded, 0), 4
        ) as litigation_correction_rate,
        disclosure_per_report.licensing_decisions,
        disclosure_per_report.penalty_decisions,
        disclosure_per_report.coercion_decisions,
        metrics_per_report.metrics_source,
        coalesce(metrics_per_report.has_approximate_metrics, false) as has_approximate_metrics,
        reports.finding_count,
        reports.reconciliation_finding_count
    from reports
    inner join agencies
        on reports.agency_key = agencies.agency_key
    left join metrics_per_report
        on reports.report_id = metrics_per_report.report_id
    left join disclosure_per_report
        on reports.report_id = disclosure_per_report.report_id

)

select * from final

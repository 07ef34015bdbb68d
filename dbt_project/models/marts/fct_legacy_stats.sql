{{ config(**incremental_fact_config()) }}
-- Incremental on report_id (delete+insert): a night rewrites the rows of new
-- reports and of reports whose is_latest flipped; see
-- macros/incremental_facts.sql and docs/operations.md.
-- depends_on: {{ ref('stg_raw__reports') }}

-- Pre-2019 统计表 indicators as reported: one row per report x indicator,
-- with the conformed metric the indicator maps to where one does
-- (legacy_indicator_map) and how comparable it is.

with legacy_stats as (

    select * from {{ ref('stg_raw__legacy_stats') }}

),

reports as (

    select * from {{ ref('int_reports_versioned') }} as reports
    {{- incremental_reports_filter('reports') }}

),

legacy_indicator_map as (

    select * from {{ ref('legacy_indicator_map') }}

),

indicators as (

    select
        *,
        {{ legacy_indicator_number('indicator') }} as indicator_number,
        {{ legacy_indicator_label('indicator') }} as indicator_label
    from legacy_stats

),

final as (

    select
        reports.report_id,
        indicators.position,
        indicators.indicator,
        indicators.indicator_number,
        indicators.indicator_label,
        indicators.unit,
        legacy_indicator_map.metric as conformed_metric,
        coalesce(legacy_indicator_map.comparability, 'not_comparable') as comparability,
        reports.document_sha256,
        reports.is_latest,
        reports.agency_key,
        reports.year_key as report_year,
        indicators.value,
        indicators.raw
    from indicators
    inner join reports
        on indicators.report_id = reports.report_id
    left join legacy_indicator_map
        on coalesce(indicators.indicator_number, '无编号') = legacy_indicator_map.indicator_number
        and indicators.indicator_label like legacy_indicator_map.label_pattern

)

select * from final

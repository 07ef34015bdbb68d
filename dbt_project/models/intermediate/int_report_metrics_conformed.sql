-- The figures analysts compare across template generations, one row per
-- report x metric, conformed:
--   * 2019 and 2021 tables: the 总计 (total) column of section 三, summed by
--     outcome group (so 2021's three 其他处理 rows and 2019's one give the same
--     otherwise_handled), and section 四 summed by proceeding group (review;
--     litigation = direct + after review);
--   * pre-2019 统计表 indicators, through the legacy_indicator_map seed
--     (同意公开 -> granted, 四.(二) 被依法纠错 -> review_corrected, ...), where a
--     report has no table figure for the metric.
-- A table metric sums every row the report's template prints for it: if one
-- of them is blank or was not read, the sum is not what the report says, so
-- the value is NULL (blank is not 0) and parts_unsettled counts the rows that
-- left it open.
-- source says where the figure came from; comparability is 'same' for table
-- figures and the map's verdict (same / approximate) for pre-2019 ones.

with reports as (

    select * from {{ ref('int_reports_versioned') }}

),

application_cells as (

    select * from {{ ref('stg_raw__application_cells') }}
    where applicant_code = 'total'

),

outcome_rows as (

    select * from {{ ref('application_outcomes') }}

),

review_cells as (

    select * from {{ ref('stg_raw__review_litigation_cells') }}

),

review_results as (

    select * from {{ ref('review_results') }}

),

legacy_stats as (

    select * from {{ ref('stg_raw__legacy_stats') }}

),

legacy_indicator_map as (

    select * from {{ ref('legacy_indicator_map') }}

),

application_parts as (

    -- every row of section 三 the report's template prints, for the reports
    -- whose section 三 was read at all
    select
        reports.report_id,
        outcome_rows.outcome_code,
        outcome_rows.group_code
    from reports
    inner join outcome_rows
        on outcome_rows.template in ('all', reports.template)
    where exists (
        select 1 from application_cells
        where application_cells.report_id = reports.report_id
    )

),

application_metrics as (

    select
        application_parts.report_id,
        case
            when application_parts.outcome_code = 'new_received' then 'applications_received'
            when application_parts.outcome_code = 'carried_over' then 'applications_carried_over'
            when application_parts.group_code = 'other' then 'otherwise_handled'
            when application_parts.group_code = 'total' then 'total_processed'
            else application_parts.group_code
        end as metric,
        application_cells.value
    from application_parts
    left join application_cells
        on application_parts.report_id = application_cells.report_id
        and application_parts.outcome_code = application_cells.outcome_code

),

review_parts as (

    select
        reports.report_id,
        review_results.proceeding_code,
        review_results.result_code,
        review_results.proceeding_group_code
    from reports
    cross join review_results
    where exists (
        select 1 from review_cells
        where review_cells.report_id = reports.report_id
    )

),

review_metrics as (

    select
        review_parts.report_id,
        review_parts.proceeding_group_code || '_' || review_parts.result_code as metric,
        review_cells.value
    from review_parts
    left join review_cells
        on review_parts.report_id = review_cells.report_id
        and review_parts.proceeding_code = review_cells.proceeding_code
        and review_parts.result_code = review_cells.result_code

),

table_metrics as (

    select
        report_id,
        metric,
        case when count(value) = count(*) then sum(value) end as value,
        (count(*) - count(value))::integer as parts_unsettled
    from (
        select * from application_metrics
        union all
        select * from review_metrics
    ) as cells
    group by report_id, metric

),

legacy_indicators as (

    select
        report_id,
        {{ legacy_indicator_number('indicator') }} as indicator_number,
        {{ legacy_indicator_label('indicator') }} as indicator_label,
        value
    from legacy_stats

),

legacy_metrics as (

    select
        legacy_indicators.report_id,
        legacy_indicator_map.metric,
        sum(legacy_indicators.value) as value,
        -- one approximate part makes the sum approximate
        min(legacy_indicator_map.comparability) as comparability
    from legacy_indicators
    inner join legacy_indicator_map
        on coalesce(legacy_indicators.indicator_number, '无编号') = legacy_indicator_map.indicator_number
        and legacy_indicators.indicator_label like legacy_indicator_map.label_pattern
    group by legacy_indicators.report_id, legacy_indicator_map.metric

),

metrics as (

    select
        coalesce(table_metrics.report_id, legacy_metrics.report_id) as report_id,
        coalesce(table_metrics.metric, legacy_metrics.metric) as metric,
        coalesce(table_metrics.value, legacy_metrics.value) as value,
        case
            when table_metrics.value is null and legacy_metrics.value is not null then 'legacy_stats'
            else 'table'
        end as source,
        case
            when table_metrics.value is null and legacy_metrics.value is not null then legacy_metrics.comparability
            else 'same'
        end as comparability,
        case
            when table_metrics.value is null and legacy_metrics.value is not null then 0
            else coalesce(table_metrics.parts_unsettled, 0)
        end as parts_unsettled
    from table_metrics
    full outer join legacy_metrics
        on table_metrics.report_id = legacy_metrics.report_id
        and table_metrics.metric = legacy_metrics.metric

),

final as (

    select
        metrics.report_id,
        metrics.metric,
        metrics.value,
        metrics.source,
        metrics.comparability,
        metrics.parts_unsettled
    from metrics
    inner join reports
        on metrics.report_id = reports.report_id

)

select * from final

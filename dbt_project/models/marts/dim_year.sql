-- Every report year from the 2008 regulation's first year to this year (and
-- any year a report claims outside that range), with the template the State
-- Council prescribed for it and the regulation in force; -1 is the unknown year.

with reports as (

    select * from {{ ref('int_reports_versioned') }}

),

reported_years as (

    select
        report_year,
        count(*) filter (where is_latest) as report_count
    from reports
    where report_year is not null
    group by report_year

),

year_bounds as (

    select
        least({{ var('first_report_year') }}, min(report_year)) as first_year,
        greatest(extract(year from current_date)::integer, max(report_year)) as last_year
    from reported_years

),

years as (

    select generate_series(first_year, last_year)::integer as report_year
    from year_bounds

),

known_years as (

    select
        years.report_year,
        case
            when years.report_year >= 2021 then '2021'
            when years.report_year >= 2019 then '2019'
            else 'pre2019'
        end as template,
        case
            when years.report_year >= 2019 then 'ogi_2019'
            when years.report_year >= 2008 then 'ogi_2008'
            else 'none'
        end as regulation_regime,
        coalesce(reported_years.report_count, 0)::integer as report_count
    from years
    left join reported_years
        on years.report_year = reported_years.report_year

),

unknown_year as (

    select
        -1 as report_year,
        'unknown' as template,
        'unknown' as regulation_regime,
        (select count(*) from reports where report_year is null and is_latest)::integer as report_count

),

all_years as (

    select * from known_years
    union all
    select * from unknown_year

),

final as (

    select
        report_year,
        case when report_year = -1 then '未知年度' else report_year::text || '年度' end as year_label_zh,
        case when report_year = -1 then 'Unknown year' else report_year::text end as year_label_en,
        template,
        case template
            when '2021' then '国办公开办函〔2021〕30号格式'
            when '2019' then '国办公开办函〔2019〕60号格式'
            when 'pre2019' then '2019年以前的年度报告格式（政府信息公开情况统计表）'
            else '未知'
        end as template_zh,
        case template
            when '2021' then 'Template of GuoBanGongKaiBanHan [2021] No. 30'
            when '2019' then 'Template of GuoBanGongKaiBanHan [2019] No. 60'
            when 'pre2019' then 'Pre-2019 reports (statistical table, no fixed template)'
            else 'Unknown'
        end as template_en,
        regulation_regime,
        case regulation_regime
            when 'ogi_2019' then '《中华人民共和国政府信息公开条例》（2019年修订）'
            when 'ogi_2008' then '《中华人民共和国政府信息公开条例》（2007年公布，2008年施行）'
            when 'none' then '条例施行以前'
            else '未知'
        end as regulation_regime_zh,
        case regulation_regime
            when 'ogi_2019' then 'Regulations on Open Government Information (revised 2019)'
            when 'ogi_2008' then 'Regulations on Open Government Information (2007, in force 2008)'
            when 'none' then 'Before the regulations'
            else 'Unknown'
        end as regulation_regime_en,
        report_count,
        report_year = -1 as is_unknown
    from all_years

)

select * from final

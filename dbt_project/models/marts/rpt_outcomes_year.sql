-- fct_application_outcomes summed for dashboards: one row per report year,
-- province, template, table row and applicant column, over the latest
-- version of each report. National and provincial questions ("applications
-- by applicant type", "denials by reason", a province's outcomes in a year)
-- read a few hundred thousand rows here instead of the cell fact's tens of
-- millions (docs/performance.md). Sums keep the first rule: value is NULL
-- where no report of the group printed a figure, and reports_with_a_figure
-- says how many did.

with cells as (

    select * from {{ ref('fct_application_outcomes') }}

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

final as (

    select
        cells.report_year,
        -- central agencies under the whole country (000000), not under 'unknown'
        coalesce(agencies.province_code, nullif(agencies.region_code, 'unknown'), 'unknown') as region_code,
        cells.template,
        cells.outcome_code,
        cells.applicant_code,
        sum(cells.value) as value,
        count(cells.value)::integer as reports_with_a_figure,
        count(*)::integer as report_count
    from cells
    inner join agencies
        on cells.agency_key = agencies.agency_key
    where cells.is_latest
    group by 1, 2, 3, 4, 5

)

select * from final

-- An agency's 结转下年度继续办理 of year N is its 上年结转 of year N+1
-- (总计 column, latest versions). Warns with both reports, by agency, year
-- and file (kept in audit.assert_carried_forward_matches_next_year).
{{ config(severity='warn', store_failures=true, schema='audit') }}

with cells as (

    select * from {{ ref('fct_application_outcomes') }}
    where is_latest
        and applicant_code = 'total'
        and agency_key <> 'unknown'
        and report_year <> -1

),

reports as (

    select * from {{ ref('fct_reports') }}

),

carried_forward as (

    select agency_key, report_year, report_id, value
    from cells
    where outcome_code = 'carried_forward'
        and value is not null

),

carried_over as (

    select agency_key, report_year, report_id, value
    from cells
    where outcome_code = 'carried_over'
        and value is not null

)

select
    carried_forward.agency_key,
    this_year.agency_name,
    carried_forward.report_year,
    carried_forward.report_id,
    this_year.source_path,
    carried_forward.value as carried_forward,
    carried_over.report_id as next_report_id,
    next_year.source_path as next_source_path,
    carried_over.value as next_year_carried_over
from carried_forward
inner join carried_over
    on carried_forward.agency_key = carried_over.agency_key
    and carried_over.report_year = carried_forward.report_year + 1
inner join reports as this_year
    on carried_forward.report_id = this_year.report_id
inner join reports as next_year
    on carried_over.report_id = next_year.report_id
where carried_forward.value <> carried_over.value

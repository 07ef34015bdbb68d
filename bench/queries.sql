-- Dashboard queries the benchmark times on the built marts, until
-- docs/analyst-guide.md exists (its ```sql blocks are used instead, when it does).
-- Each query follows a "-- name:" line. %(agency_name)s, %(province_name)s and
-- %(report_year)s are filled at run time from the marts (the agency with the
-- most report years, the province with the most agencies, the latest full year),
-- as a dashboard's filter would fill them.

-- name: national trend by year (rpt_region_year, provinces summed)
select
    report_year,
    sum(applications_received) as applications_received,
    sum(granted) as granted,
    round(sum(granted) / nullif(sum(total_processed), 0), 4) as grant_rate
from marts.rpt_region_year
where region_level = 'province'
group by report_year
order by report_year;

-- name: provinces ranked in one year (rpt_region_year)
select region_name, agency_count, applications_received, grant_rate, review_correction_rate
from marts.rpt_region_year
where region_level = 'province' and report_year = %(report_year)s
order by applications_received desc nulls last;

-- name: prefectures of one province in one year (rpt_region_year)
select region_name, agency_count, applications_received, granted, denied, grant_rate
from marts.rpt_region_year
where region_level = 'prefecture' and province_name = %(province_name)s and report_year = %(report_year)s
order by applications_received desc nulls last;

-- name: top 20 agencies by applications in one year (rpt_agency_year)
select agency_name, province_name, applications_received, granted, grant_rate
from marts.rpt_agency_year
where report_year = %(report_year)s
order by applications_received desc nulls last
limit 20;

-- name: one agency's history (rpt_agency_year)
select report_year, template, applications_received, granted, denied, grant_rate,
       review_total, litigation_total, finding_count
from marts.rpt_agency_year
where agency_name = %(agency_name)s
order by report_year;

-- name: agencies with reconciliation findings in one province (rpt_agency_year)
select agency_name, report_year, reconciliation_finding_count
from marts.rpt_agency_year
where province_name = %(province_name)s and reconciliation_finding_count > 0
order by report_year desc, reconciliation_finding_count desc
limit 50;

-- name: one agency-year by outcome and applicant (fct_application_outcomes, README's first query)
select o.numbering, o.label_zh as outcome, f.applicant_code, f.value
from marts.fct_application_outcomes f
join marts.dim_agency a using (agency_key)
join marts.dim_application_outcome o using (outcome_code)
where a.agency_name = %(agency_name)s
  and f.report_year = %(report_year)s
  and f.is_latest
order by o.sort_order, f.applicant_code;

-- name: outcomes of one province in one year (rpt_outcomes_year)
select o.conformed_code, sum(r.value) as applications
from marts.rpt_outcomes_year r
join marts.dim_region g using (region_code)
join marts.dim_application_outcome o using (outcome_code)
where g.province_name = %(province_name)s
  and r.report_year = %(report_year)s
  and r.applicant_code = 'total'
  and o.is_outcome
group by o.conformed_code
order by applications desc nulls last;

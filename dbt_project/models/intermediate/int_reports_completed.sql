-- Reports whose load run finished: a run that failed, was aborted or is still
-- running may have left rows behind, and nothing downstream may read them
-- (dlt's _dlt_loads rule).

with reports as (

    select * from {{ ref('stg_raw__reports') }}

),

load_runs as (

    select * from {{ ref('stg_raw__load_runs') }}

),

completed_runs as (

    select run_id
    from load_runs
    where run_status in ('completed', 'completed_with_quarantine')

),

reports_completed as (

    select reports.*
    from reports
    inner join completed_runs
        on reports.run_id = completed_runs.run_id

)

select * from reports_completed

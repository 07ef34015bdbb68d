with source as (

    select * from {{ source('ops', 'load_runs') }}

),

renamed as (

    select
        run_id::bigint as run_id,
        status as run_status,
        started_at,
        finished_at,
        command,
        parser_version,
        files_seen,
        files_loaded,
        files_skipped,
        files_quarantined,
        findings as finding_count,
        error as run_error

    from source

)

select * from renamed

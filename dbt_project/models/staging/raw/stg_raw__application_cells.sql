with source as (

    select * from {{ source('raw', 'application_cells') }}

),

renamed as (

    select
        report_id::bigint as report_id,
        row_code as outcome_code,
        applicant as applicant_code,
        value::numeric as value,
        raw

    from source

)

select * from renamed

with source as (

    select * from {{ source('raw', 'review_litigation_cells') }}

),

renamed as (

    select
        report_id::bigint as report_id,
        proceeding as proceeding_code,
        result as result_code,
        value::numeric as value,
        raw

    from source

)

select * from renamed

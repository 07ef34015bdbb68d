with source as (

    select * from {{ source('raw', 'active_disclosure_cells') }}

),

renamed as (

    select
        report_id::bigint as report_id,
        item as item_code,
        measure as measure_code,
        value::numeric as value,
        raw

    from source

)

select * from renamed

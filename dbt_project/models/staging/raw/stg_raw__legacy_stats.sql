with source as (

    select * from {{ source('raw', 'legacy_stats') }}

),

renamed as (

    select
        report_id::bigint as report_id,
        position::integer as position,
        indicator,
        unit,
        value::numeric as value,
        raw

    from source

)

select * from renamed

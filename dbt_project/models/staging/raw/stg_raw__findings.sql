with source as (

    select * from {{ source('raw', 'findings') }}

),

renamed as (

    select
        report_id::bigint as report_id,
        position::integer as position,
        rule as rule_code,
        location,
        expected::numeric as expected,
        actual::numeric as actual

    from source

)

select * from renamed

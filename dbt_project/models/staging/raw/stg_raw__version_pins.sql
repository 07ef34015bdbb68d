with source as (

    select * from {{ source('ops', 'version_pins') }}

),

renamed as (

    select
        sha256 as document_sha256,
        pinned_at,
        note as pin_note

    from source

)

select * from renamed

with source as (

    select * from {{ source('raw', 'documents') }}

),

renamed as (

    -- the file's bytes (content) stay in raw: no model reads them
    select
        sha256 as document_sha256,
        format as document_format,
        encoding as document_encoding,
        size_bytes::bigint as size_bytes,
        original_path,
        manifest,
        first_run_id::bigint as first_run_id,
        loaded_at as first_loaded_at

    from source

)

select * from renamed

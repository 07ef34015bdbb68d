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
        -- what a crawler's manifest said of the file (docs/operations.md), kept as given
        nullif(btrim(manifest ->> 'url'), '') as source_url,
        nullif(btrim(manifest ->> 'title'), '') as page_title,
        nullif(btrim(manifest ->> 'published_date'), '') as manifest_published_date,
        nullif(btrim(manifest ->> 'fetched_at'), '') as fetched_at,
        nullif(btrim(manifest ->> 'kind'), '') as file_kind,
        nullif(btrim(manifest ->> 'parent_url'), '') as parent_url,
        nullif(btrim(manifest ->> 'content_type'), '') as content_type,
        first_run_id::bigint as first_run_id,
        loaded_at as first_loaded_at

    from source

)

select * from renamed

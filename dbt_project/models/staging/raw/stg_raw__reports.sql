with source as (

    select * from {{ source('raw', 'reports') }}

),

renamed as (

    select
        report_id::bigint as report_id,
        sha256 as document_sha256,
        run_id::bigint as run_id,
        parser_version,
        source_path,
        source_format,
        source_encoding,
        status as parse_status,
        errors as parse_errors,
        nullif(btrim(agency_name), '') as agency_name,
        nullif(btrim(region_code), '') as region_code,
        agency_level,
        agency_kind,
        agency_unit,
        report_year::integer as report_year,
        template,
        published_date::date as published_date,
        record_sha256,
        parsed_at

    from source

)

select * from renamed

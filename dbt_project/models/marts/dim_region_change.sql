-- Division code changes at county level and above since 2010, one row per
-- old code and successor, with the code the old one has today: how a report
-- from 2015 that printed 洪泽县 (320829) meets one from 2024 of 淮安市洪泽区
-- (320813). From etl/region_changes.csv (sources in docs/regions.md); a split
-- has a row per successor and no current_code (the warehouse never merges on
-- a guess).

with changes as (

    select * from {{ ref('region_changes') }}

),

final as (

    select
        old_code || '>' || coalesce(new_code, '') || '@' || year as change_key,
        old_code,
        old_name,
        nullif(new_code, '') as new_code,
        nullif(new_name, '') as new_name,
        year as change_year,
        kind as change_kind,
        nullif(current_code, '') as current_code,
        source
    from changes

)

select * from final

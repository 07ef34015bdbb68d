-- Item x measure of section 二, conformed across templates: one row per
-- (item, measure) whichever template prints it, with the templates that do.
-- Labels are the newest template's (2021 prints 行政规范性文件 where 2019
-- prints 规范性文件); the 2019 label is kept beside it.

with disclosure_items as (

    select * from {{ ref('disclosure_items') }}

),

cells as (

    select * from {{ ref('stg_raw__active_disclosure_cells') }}

),

items_by_template as (

    select
        *,
        row_number() over (
            partition by item_code, measure_code
            order by template desc
        ) as template_rank
    from disclosure_items

),

labels_2019 as (

    select item_code, measure_code, item_zh, measure_zh
    from disclosure_items
    where template = '2019'

),

templates_per_item as (

    select
        item_code,
        measure_code,
        string_agg(template, ' ' order by template) as templates,
        bool_or(template = '2019') as in_template_2019,
        bool_or(template = '2021') as in_template_2021
    from disclosure_items
    group by item_code, measure_code

),

recognised as (

    select
        items_by_template.item_code || '.' || items_by_template.measure_code as disclosure_item_key,
        items_by_template.item_code,
        items_by_template.measure_code,
        items_by_template.numbering,
        items_by_template.item_zh,
        items_by_template.item_en,
        labels_2019.item_zh as item_zh_2019,
        items_by_template.item_group_code,
        items_by_template.item_group_zh,
        items_by_template.item_group_en,
        items_by_template.measure_zh,
        items_by_template.measure_en,
        labels_2019.measure_zh as measure_zh_2019,
        items_by_template.unit,
        templates_per_item.templates,
        templates_per_item.in_template_2019,
        templates_per_item.in_template_2021,
        true as is_recognised,
        -- newest template's order first, then what only 2019 printed
        (case when items_by_template.template = '2021' then 0 else 100 end
            + items_by_template.sort_order)::integer as sort_order
    from items_by_template
    inner join templates_per_item
        on items_by_template.item_code = templates_per_item.item_code
        and items_by_template.measure_code = templates_per_item.measure_code
    left join labels_2019
        on items_by_template.item_code = labels_2019.item_code
        and items_by_template.measure_code = labels_2019.measure_code
    where items_by_template.template_rank = 1

),

unrecognised_cells as (

    select distinct
        cells.item_code,
        cells.measure_code
    from cells
    left join templates_per_item
        on cells.item_code = templates_per_item.item_code
        and cells.measure_code = templates_per_item.measure_code
    where templates_per_item.item_code is null

),

unrecognised as (

    select
        item_code || '.' || measure_code as disclosure_item_key,
        item_code,
        measure_code,
        null::text as numbering,
        '未识别：' || item_code as item_zh,
        'Unrecognised: ' || item_code as item_en,
        null::text as item_zh_2019,
        'unrecognised' as item_group_code,
        '未识别' as item_group_zh,
        'Unrecognised' as item_group_en,
        '未识别：' || measure_code as measure_zh,
        'Unrecognised: ' || measure_code as measure_en,
        null::text as measure_zh_2019,
        'unknown' as unit,
        '' as templates,
        false as in_template_2019,
        false as in_template_2021,
        false as is_recognised,
        1000 as sort_order
    from unrecognised_cells

),

final as (

    select * from recognised
    union all
    select * from unrecognised

)

select * from final

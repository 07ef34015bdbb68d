{#
    A pre-2019 统计表 indicator as the parser writes it ("三.(三).2 同意公开答复数",
    "其中.1 同意公开答复数", "受理依申请公开信息总数") split into its numbering and its
    label. Only a numbering that opens with a Chinese numeral is one (the 2014-2018
    table's 一 ... 九); the older table (2008-2013) numbers nothing, and its "其中.N"
    sub-rows are no numbering either: they are NULL, the label is the whole text,
    and legacy_indicator_map matches them on its '无编号' (unnumbered) rows.
#}
{% macro legacy_indicator_number(indicator) -%}
    case when {{ indicator }} ~ '^[一二三四五六七八九十]' then split_part({{ indicator }}, ' ', 1) end
{%- endmacro %}

{% macro legacy_indicator_label(indicator) -%}
    case
        when {{ indicator }} ~ '^[一二三四五六七八九十]'
            then substr({{ indicator }}, length(split_part({{ indicator }}, ' ', 1)) + 2)
        else {{ indicator }}
    end
{%- endmacro %}

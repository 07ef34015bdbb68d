"""Whether a text without tables is a report at all, or a page about reports.

A record with a table of section 二, 三 or 四, or a pre-2019 统计表, is a
report. Without one, a text is a report only when it reads as one: it names
its year and speaks as a report of itself (本报告由…组成, 本年度报告所列数据,
现将…报告如下, 特向社会公布…年度报告, 编制了此报告), or opens a report's
sections (一、总体情况, 二、主动公开政府信息情况, 存在的主要问题…). A column's
list page (titles of many reports), a page that only wraps the report's
attachment, a disclosure guide or a README name reports and 信息公开 often
enough, but never speak as the report: loaded, they would become an
agency-year's latest version with no figures, and blank its marts.
"""

from __future__ import annotations

import re

from etl.parse.normalize import normalize

# A report says what it is in its opening pages; a list page is read no further.
SCAN_CHARS = 30000

# Phrases by which a report speaks of itself, and the headings only a report has: a
# disclosure guide has 主动公开 and 依申请公开 sections too, so those are not enough.
_SPEAKS_AS_REPORT = re.compile(
    r"本(?:年度)?(?:报告|年报)"
    r"|现(?:将|就).{0,60}?(?:报告|公布)如下|工作情况(?:报告)?如下"
    r"|(?:特|现)(?:向社会)?(?:予以)?公布.{0,60}?(?:年度报告|年报)"
    r"|编制(?:了)?.{0,40}?(?:报告|年报)"
    r"|(?:^|\n)[ \t\u3000]*(?:[一二三四五六七八九十]+[、.．,，]|[（(][一二三四五六七八九十]+[）)])[ \t\u3000]*"
    r"(?:政府信息公开(?:工作)?的?)?(?:总体情况|基本情况|概述|工作概述|主要工作概述|基础工作|"
    r"收到和处理|因政府信息公开|存在的主要问题|其他需要报告)"
)


def reads_as_report(text: str, year: int | None) -> str | None:
    """None when ``text`` (of a record without tables) reads as a report; else why it does not."""
    if year is None:
        return "it names no report year"
    if not _SPEAKS_AS_REPORT.search(normalize(text[:SCAN_CHARS])):
        return (
            "it names reports but never speaks as one (no 本报告…, 现将…报告如下, nor a report's section "
            "headings): a list page, a page that links the report's file, or a guide"
        )
    return None

"""Synthetic annual reports with ground truth, and renderers for every layout and format.

Used by the parser's property and fuzz tests and by the benchmark: a report
is generated as the canonical record a correct parser must return
(:func:`generate_report`), then written out as text in any of
:data:`TEXT_LAYOUTS` (:func:`render_text`) or as HTML, DOCX or PDF bytes.
"""

from bench.synthetic.formats import render_docx, render_html, render_pdf
from bench.synthetic.generate import (
    CorpusItem,
    Options,
    generate_corpus,
    generate_report,
    random_template_year,
)
from bench.synthetic.reconcile import findings_for
from bench.synthetic.render import EXACT_LAYOUTS, TEXT_LAYOUTS, render_text

__all__ = [
    "EXACT_LAYOUTS",
    "TEXT_LAYOUTS",
    "CorpusItem",
    "Options",
    "findings_for",
    "generate_corpus",
    "generate_report",
    "random_template_year",
    "render_docx",
    "render_html",
    "render_pdf",
    "render_text",
]

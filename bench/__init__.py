"""Benchmarks of the whole pipeline, measured in one run against the machine's own limits.

``python -m bench`` (or ``make bench``) generates (or reuses) synthetic
corpora with ground truth, then measures parsing (per core, all cores,
accuracy), loading beside the raw COPY rate of the same rows, ``dbt build``,
a nightly 1% increment and the dashboard queries, at each corpus size; it
writes ``bench/results/*.json`` and the table in ``docs/performance.md``.
"""

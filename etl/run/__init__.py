"""The run layer: one run of the warehouse, end to end, as one function.

``execute(source, settings)`` (``driver``) resolves the database, migrates,
takes the writer lock, feeds the source's files through the parser into the
single writer (``etl.load``), refreshes the marts by policy (``marts``) and
returns one :class:`RunOutcome` with the exit code. The CLI and the
benchmark both call it. The modules each do one job: ``files`` finds and
reads report files, ``manifest`` reads a crawler's manifests, ``pool``
parses in worker processes in file order, ``sources`` are the three things
a run can load (files, stored documents, quarantine), ``marts`` is the dbt
policy (build or skip, watermark, freshness).

Data flows one way: files → ``etl.pipeline`` (extract, parse) → records →
``etl.load`` (rows, COPY) → dbt. This layer is the only one that knows all
of them; see docs/architecture.md.
"""

from etl.pipeline import PARSER, Parser
from etl.run.driver import ExitCode, RunOutcome, execute, load
from etl.run.files import discover_files, roots_of, sample_files
from etl.run.manifest import Manifest, load_manifest
from etl.run.marts import DbtOptions, Freshness, MartsOutcome
from etl.run.settings import Limits, Settings
from etl.run.sources import Files, Pin, Quarantined, Source, Stored

__all__ = [
    "PARSER",
    "DbtOptions",
    "ExitCode",
    "Files",
    "Freshness",
    "Limits",
    "Manifest",
    "MartsOutcome",
    "Parser",
    "Pin",
    "Quarantined",
    "RunOutcome",
    "Settings",
    "Source",
    "Stored",
    "discover_files",
    "execute",
    "load",
    "load_manifest",
    "roots_of",
    "sample_files",
]

"""The marts' side of a run: build them or say why not, keep the watermark, check freshness.

A run that loaded something builds the marts (``dbt build``); a night that
loaded nothing skips the build when the marts exist and no completed run
still owes them its data (``runs.marts_pending``), so a run killed after its
load, or whose build failed, makes the next quiet night build. ``dbt source
freshness`` runs either way, since a quiet night is exactly when the
operator needs to hear that reports stopped arriving. A build that fails
leaves the load standing: the run's exit code says the marts are behind.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from etl import transform
from etl.load.runs import (
    mark_marts_building,
    mark_marts_built,
    mark_marts_failed,
    marts_exist,
    marts_keys_sha256,
    marts_pending,
    record_error,
)
from etl.load.writer import LoadResult
from etl.run.failures import dbt_hint
from etl.transform import MART_SCHEMA, DbtResult, dbt_build, run_dbt

log = logging.getLogger("etl.run")


def build_marts(
    url: str, *, quiet: bool = False, full_refresh: bool = False, work_dir: Path | None = None
) -> tuple[DbtResult, str]:
    """Run ``dbt build`` (``etl.transform``); return dbt's result and a line to show.

    ``quiet`` silences dbt's own console output, so that with
    ``--log-format json`` stdout holds nothing but the JSON summary; failed
    nodes are reported from dbt's results either way. ``work_dir`` keeps
    dbt's target and logs apart (the benchmark's own).
    """
    result = dbt_build(
        url, full_refresh=full_refresh, log_level="none" if quiet else "warn", work_dir=work_dir
    )
    message = result.summary()
    if result.error:
        lines = [line.strip() for line in result.error.splitlines() if line.strip()]
        message += "; " + " / ".join(lines[:3])
        hint = dbt_hint(result.error)
        if hint:
            message += f"; {hint}"
    for node in result.failed[:5]:
        detail = (node.message or "").strip().splitlines()
        message += f"; {node.resource_type} {node.name}: {node.status}" + (
            f" ({detail[0]})" if detail else ""
        )
    if any("out of sync" in (n.message or "") for n in result.failed):
        message += "; a model changed its columns: run `nianbao run --full-refresh` once"
    return result, message


@dataclass
class Freshness:
    """What ``dbt source freshness`` said: ``pass``, ``warn``, ``error`` or ``skipped``."""

    status: str
    message: str

    @property
    def stale(self) -> bool:
        return self.status in ("warn", "error")


def check_freshness(url: str) -> Freshness:
    """Run ``dbt source freshness`` and say, in words, whether reports stopped arriving.

    The thresholds are the sources' ``freshness`` blocks
    (``_raw__sources.yml``); this only turns dbt's verdict into a line for the
    summary and the log. It never changes the exit code: a quiet crawler is
    news for the operator, not a failure of the load.
    """
    result = run_dbt(["source", "freshness"], url, log_level="none")
    sources = [n for n in result.nodes if n.resource_type == "source"]
    stale = [n for n in sources if n.status in FAILED_FRESHNESS]
    if result.error and not sources:
        return Freshness("error", f"dbt source freshness could not run: {result.error.splitlines()[0]}")
    if not stale:
        return Freshness("pass", f"dbt source freshness: ok ({len(sources)} source table(s) checked)")
    age = ""
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "select extract(epoch from now() - max(parsed_at)) from raw.reports"
            ).fetchone()
        if row and row[0] is not None:
            age = f"; the newest report was loaded {float(row[0]) / 86400:.0f} days ago"
        else:
            age = "; no report was ever loaded"
    except psycopg.Error:
        pass
    names = ", ".join(f"{n.unique_id.split('.', 2)[-1]} ({n.status})" for n in stale)
    status = "error" if any(n.status != "warn" for n in stale) else "warn"
    return Freshness(status, f"dbt source freshness: no new reports for too long: {names}{age}")


# The seeds an agency's key is made of: a change to one re-keys history.
KEY_SEEDS = ("agency_names.csv", "region_changes.csv")


def keys_fingerprint() -> str:
    """SHA-256 over the seeds that key agencies (see :data:`KEY_SEEDS`)."""
    digest = hashlib.sha256()
    for name in KEY_SEEDS:
        path = transform.DBT_PROJECT_DIR / "seeds" / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
    return digest.hexdigest()


FAILED_FRESHNESS = frozenset({"warn", "error", "runtime error"})


@dataclass
class MartsOutcome:
    """What happened to the marts after a run's load."""

    ran: bool
    success: bool
    message: str
    skipped: str | None = None  # why dbt build did not run
    freshness: Freshness | None = None
    dbt: DbtResult | None = None  # dbt's own result (nodes, timings) when the build ran


@dataclass(frozen=True)
class DbtOptions:
    """The dbt choices a loading command was given."""

    dbt: bool = True
    force: bool = False
    full_refresh: bool = False


def refresh_marts(
    url: str, conn: psycopg.Connection[Any], result: LoadResult, options: DbtOptions, *, quiet: bool
) -> MartsOutcome:
    """Build the marts after a load, unless nothing changed since they were last built.

    A night that loaded nothing skips ``dbt build`` when the marts exist and
    no completed run still owes them its data (``runs.marts_pending``): a run
    killed after its load or whose build failed makes the next quiet night
    build. ``dbt source freshness`` runs either way, since a quiet night is
    exactly when the operator needs to hear that reports stopped arriving.
    ``conn`` holds the writer lock, so no other run loads or builds meanwhile.
    """
    if not options.dbt:
        return MartsOutcome(
            ran=False, success=True, message="dbt build: skipped (--no-dbt)", skipped="--no-dbt"
        )
    keys = keys_fingerprint()
    full_refresh = options.full_refresh
    if not full_refresh and marts_exist(conn, MART_SCHEMA) and marts_keys_sha256(conn) != keys:
        # incremental marts keep the keys they were built with: new keys mean every row again
        log.info(
            "dbt build --full-refresh: the agency mapping (%s) changed since the marts were built, "
            "which re-keys history",
            ", ".join(KEY_SEEDS),
        )
        full_refresh = True
    if not (options.force or full_refresh) and result.files_loaded == 0:
        pending = marts_pending(conn)
        if marts_exist(conn, MART_SCHEMA) and not pending:
            reason = "nothing new since the marts were last built"
            log.info("dbt build skipped: %s (--force-dbt builds anyway)", reason)
            outcome = MartsOutcome(
                ran=False, success=True, message=f"dbt build: skipped ({reason})", skipped=reason
            )
            outcome.freshness = _freshness(url)
            return outcome
        if pending:
            log.info("dbt build: runs %s loaded data the marts do not have yet", ", ".join(map(str, pending)))
    outcome = build(conn, url, result.run_id, quiet=quiet, full_refresh=full_refresh, keys_sha256=keys)
    outcome.freshness = _freshness(url)
    return outcome


def build(
    conn: psycopg.Connection[Any],
    url: str,
    run_id: int,
    *,
    quiet: bool = False,
    full_refresh: bool = False,
    work_dir: Path | None = None,
    keys_sha256: str | None = None,
) -> MartsOutcome:
    """``dbt build`` now, then the watermark: run ``run_id``'s data is in the marts, or its error says why not.

    What every build after a load does, whether a run's policy asked for it
    or the benchmark times it.
    """
    dbt: DbtResult | None = None
    mark_marts_building(conn, run_id)
    try:
        dbt, message = build_marts(url, quiet=quiet, full_refresh=full_refresh, work_dir=work_dir)
        ok = dbt.success
    except Exception as exc:  # dbt missing or broken: the load stands, the marts do not
        ok, message = False, f"dbt build could not run: {type(exc).__name__}: {exc}"
    if ok:
        log.info("%s", message)
        mark_marts_built(conn, run_id, keys_sha256 or keys_fingerprint())
    else:
        log.error("%s", message)
        try:
            record_error(conn, run_id, message)
            mark_marts_failed(conn, run_id, message)
        except Exception:  # bookkeeping of a failure must not hide the failure
            log.warning("could not record the dbt failure on run %d", run_id)
    return MartsOutcome(ran=True, success=ok, message=message, dbt=dbt)


def _freshness(url: str) -> Freshness:
    try:
        freshness = check_freshness(url)
    except Exception as exc:
        freshness = Freshness("error", f"dbt source freshness could not run: {type(exc).__name__}: {exc}")
    if freshness.stale:
        log.warning("%s", freshness.message)
    else:
        log.info("%s", freshness.message)
    return freshness

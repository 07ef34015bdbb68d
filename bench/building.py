"""``dbt build`` timed: the full build, and what each model and test cost.

dbt runs in this process, through the run layer's own build (:func:`etl.run.marts.build`), with its
``target/`` and logs in a work directory of the benchmark's own so a run
never disturbs the project's ``var/dbt``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from etl.load.runs import latest_completed_run
from etl.run import marts
from etl.transform import DbtResult


@dataclass
class BuildMeasure:
    """One ``dbt build``: wall time, success, and the slowest nodes."""

    seconds: float
    success: bool
    nodes: int
    failed: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)
    slowest: list[tuple[str, float]] = field(default_factory=list)
    models_seconds: float = 0.0
    tests_seconds: float = 0.0
    seeds_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 2),
            "success": self.success,
            "nodes": self.nodes,
            "failed": self.failed,
            "warned": self.warned,
            # node execution times add up past the wall time: dbt runs 2 threads
            "node_seconds": {
                "models": round(self.models_seconds, 2),
                "tests": round(self.tests_seconds, 2),
                "seeds": round(self.seeds_seconds, 2),
            },
            "slowest_nodes": [[name, round(s, 2)] for name, s in self.slowest],
        }


def _sum(result: DbtResult, kind: str) -> float:
    return sum(n.execution_time for n in result.nodes if n.resource_type == kind)


def build(url: str, work_dir: Path) -> BuildMeasure:
    """Run ``dbt build`` against ``url``; time it and keep the ten slowest nodes."""
    with psycopg.connect(url) as conn:
        run_id = latest_completed_run(conn)
        started = time.perf_counter()
        # what `nianbao run` does after a load: build, then the watermark (so the
        # next build tests only new reports), or the error on the run
        outcome = marts.build(conn, url, run_id, quiet=True, work_dir=work_dir)
        seconds = time.perf_counter() - started
    result = outcome.dbt or DbtResult(command=["build"], success=False, error=outcome.message)
    ranked = sorted(result.nodes, key=lambda n: n.execution_time, reverse=True)
    return BuildMeasure(
        seconds=seconds,
        success=result.success,
        nodes=len(result.nodes),
        failed=[f"{n.name}: {(n.message or n.status)[:200]}" for n in result.failed]
        + ([result.error] if result.error else []),
        warned=[n.name for n in result.warnings],
        slowest=[(f"{n.resource_type}:{n.name}", n.execution_time) for n in ranked[:10]],
        models_seconds=_sum(result, "model"),
        tests_seconds=_sum(result, "test"),
        seeds_seconds=_sum(result, "seed"),
    )

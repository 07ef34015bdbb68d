"""The machine a run measured: CPU, cores, memory, versions, and how busy it was.

Numbers without the machine they came from cannot be compared; and on a
shared machine a slow figure may be someone else's work, so the load
average is recorded beside each stage.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def load_average() -> float | None:
    """The 1-minute load average: above the core count, something else competed for the CPU."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("show server_version").fetchone()
    return str(row[0]) if row else "?"


def postgres_settings(url: str) -> dict[str, str]:
    """The settings that change load and build times: durability and memory."""
    import psycopg

    names = (
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "wal_level",
        "shared_buffers",
        "work_mem",
        "max_wal_size",
    )
    with psycopg.connect(url) as conn:
        return {name: str(conn.execute(f"show {name}").fetchone()[0]) for name in names}  # type: ignore[index]


def disk_kind(path: Path) -> str | None:
    """The filesystem type holding ``path`` (``ext4``, ``overlay``, ...), if ``df`` can tell."""
    try:
        out = subprocess.run(["df", "-T", str(path)], capture_output=True, text=True, check=True).stdout
        return out.splitlines()[1].split()[1]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return None


def describe(url: str, data_dir: Path | None) -> dict[str, Any]:
    """Everything a reader needs to compare this run with another."""
    import dbt.version
    import psycopg

    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgres": postgres_version(url),
        "postgres_settings": postgres_settings(url),
        "psycopg": psycopg.__version__,
        "dbt_core": str(dbt.version.installed).lstrip("="),
        "filesystem": disk_kind(data_dir) if data_dir else None,
        "load_average_at_start": load_average(),
    }

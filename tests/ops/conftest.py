"""Fixtures of the operations tests: one landing folder, one warehouse built for real, clones of it.

``reference`` is the landing folder loaded by ``nianbao run`` with a real
``dbt build``, once per session: the state every other way of getting there
(a quiet night, a crash and its recovery, an incremental build) must end in.
Tests that change a warehouse work on a clone of it (``warehouse``), so one
dbt build serves them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from nightly import (
    BATCH,
    VOLATILE_COLUMNS,
    corpus,
    create_database,
    mart_checksums,
    report_cells,
    write_corpus,
)
from typer.testing import CliRunner

from bench.databases import drop_database
from bench.synthetic import CorpusItem
from etl.cli import app
from etl.migrate import upgrade


@dataclass
class Reference:
    """The uninterrupted night: its database and what its marts hold."""

    url: str
    checksums: dict[str, str]
    stable_checksums: dict[str, str]
    cells: dict[str, tuple[str, int, int, int, int]]


@pytest.fixture(scope="session")
def ops_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``NIANBAO_HOME`` of in-process runs: dbt's target/ and logs/ away from the checkout's var/."""
    return tmp_path_factory.mktemp("nianbao-home")


@pytest.fixture(scope="session")
def synthetic_corpus() -> list[CorpusItem]:
    return corpus()


@pytest.fixture(scope="session")
def landing_dir(tmp_path_factory: pytest.TempPathFactory, synthetic_corpus: list[CorpusItem]) -> Path:
    landing = tmp_path_factory.mktemp("landing")
    write_corpus(landing, synthetic_corpus)
    return landing


@pytest.fixture(scope="session")
def migrated_template(pg_server_url: str) -> Iterator[str]:
    """An empty database migrated to head, cloned by tests that start from nothing."""
    url = create_database(pg_server_url)
    upgrade(url)
    yield url
    drop_database(pg_server_url, url)


def invoke(args: list[str], url: str, home: Path, **env: str) -> Any:
    """``nianbao ARGS`` in this process (fast: dbt is imported once), against ``url``."""
    environment = {"DATABASE_URL": url, "NIANBAO_HOME": str(home), "NIANBAO_LANDING_DIR": None, **env}
    return CliRunner().invoke(app, args, env=environment, catch_exceptions=False)


@pytest.fixture(scope="session")
def reference(
    pg_server_url: str, migrated_template: str, landing_dir: Path, ops_home: Path
) -> Iterator[Reference]:
    url = create_database(pg_server_url, migrated_template)
    result = invoke(["run", str(landing_dir), "--batch-size", str(BATCH)], url, ops_home)
    assert result.exit_code == 0, result.output
    yield Reference(
        url=url,
        checksums=mart_checksums(url),
        stable_checksums=mart_checksums(url, VOLATILE_COLUMNS),
        cells=report_cells(url),
    )
    drop_database(pg_server_url, url)


@pytest.fixture()
def warehouse(pg_server_url: str, reference: Reference) -> Iterator[str]:
    """A copy of the reference warehouse for one test to change."""
    url = create_database(pg_server_url, reference.url)
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture()
def empty_warehouse(pg_server_url: str, migrated_template: str) -> Iterator[str]:
    """A migrated, empty database for one test."""
    url = create_database(pg_server_url, migrated_template)
    yield url
    drop_database(pg_server_url, url)

"""Fixtures of the loader tests: a landing folder per test and a way to fill it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from handmade import make_report

from etl.record import Report

WriteReport = Callable[..., Path]


@pytest.fixture()
def write_report(tmp_path: Path) -> WriteReport:
    """Write a record into ``tmp_path/name`` (a directory per test) and return its path."""
    landing = tmp_path / "landing"
    landing.mkdir(exist_ok=True)

    def write(name: str, report: Report | None = None, raw: bytes | None = None) -> Path:
        path = landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text((report or make_report()).to_json(), encoding="utf-8")
        return path

    return write


@pytest.fixture()
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir(exist_ok=True)
    return path

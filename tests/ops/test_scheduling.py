"""The scheduling recipes of docs/operations.md, checked as far as this machine allows.

The cron line's command is run for real by the quiet-night test
(``test_nightly.py``); here its schedule is checked field by field. The
systemd units are written out and given to ``systemd-analyze verify`` (with
the checkout in place of /opt/nianbao, since it checks that ExecStart
exists), and read to check what the recipe promises: a oneshot service that
treats exit code 3 as success, a timer with ``Persistent=true``. The
docker-compose scheduler is tested in ``tests/test_compose.py``.
"""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from nightly import REPO, adapt, code_blocks, cron_job

UNIT_DIR = "/etc/systemd/system/"


def _units() -> dict[str, str]:
    """The unit files the docs show, by name (each block's first line names its path)."""
    units: dict[str, str] = {}
    for block in code_blocks("ini"):
        first = block.splitlines()[0]
        if first.startswith(f"# {UNIT_DIR}"):
            units[first[len(f"# {UNIT_DIR}") :].strip()] = block
    return units


def _parse_unit(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(text)
    return parser


def _in_range(field: str, low: int, high: int) -> bool:
    """A cron field: *, a number, a list, a range or a step, within [low, high]."""
    for part in field.split(","):
        base, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return False
        if base == "*":
            continue
        bounds = base.split("-")
        if len(bounds) > 2 or not all(b.isdigit() and low <= int(b) <= high for b in bounds):
            return False
    return True


def test_cron_line_is_a_valid_nightly_schedule() -> None:
    job = cron_job()
    minute, hour, day, month, weekday = job.schedule
    ranges = [(minute, 0, 59), (hour, 0, 23), (day, 1, 31), (month, 1, 12), (weekday, 0, 7)]
    assert all(_in_range(f, lo, hi) for f, lo, hi in ranges), job.schedule
    assert (day, month, weekday) == ("*", "*", "*")  # every night
    assert job.user == "nianbao"
    assert {"SHELL", "NIANBAO_LANDING_DIR", "DATABASE_URL"} <= set(job.environment)
    nianbao = shlex.split(job.command.split("&&", 1)[1].split(">>", 1)[0])
    assert nianbao[:2] == [".venv/bin/nianbao", "run"]
    assert "--wait" in nianbao and "--log-format" in nianbao


def test_cron_and_systemd_run_the_same_command() -> None:
    service = _parse_unit(_units()["nianbao.service"])
    exec_start = shlex.split(service["Service"]["ExecStart"])
    cron_args = shlex.split(cron_job().command.split("&&", 1)[1].split(">>", 1)[0])
    assert exec_start[1:] == cron_args[1:]
    assert exec_start[0] == "/opt/nianbao/" + cron_args[0]


def test_systemd_units_promise_what_the_docs_say() -> None:
    units = _units()
    assert set(units) == {"nianbao.service", "nianbao.timer"}
    service = _parse_unit(units["nianbao.service"])["Service"]
    assert service["Type"] == "oneshot"
    assert service["SuccessExitStatus"].split() == ["3"]
    assert service["WorkingDirectory"] == "/opt/nianbao"
    assert "NIANBAO_LANDING_DIR=" in service["Environment"]
    timer = _parse_unit(units["nianbao.timer"])
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed; the units were still parsed above")
    paths = []
    for name, text in _units().items():
        path = tmp_path / name
        # verify checks that ExecStart exists: point it at this checkout's nianbao
        path.write_text(adapt(text, {"/opt/nianbao": str(REPO)}), encoding="utf-8")
        paths.append(str(path))
    result = subprocess.run([analyze, "verify", *paths], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    # unknown keys are only warnings to systemd; a recipe must have none
    assert result.stderr.strip() == "", result.stderr

    timer = _parse_unit(_units()["nianbao.timer"])["Timer"]["OnCalendar"]
    calendar = subprocess.run([analyze, "calendar", timer], capture_output=True, text=True, timeout=60)
    assert calendar.returncode == 0 and "Next elapse" in calendar.stdout, calendar.stderr

"""docker-compose.yml, checked as far as a machine without a Docker engine allows.

``docker-compose config`` (Debian's docker-compose package) validates the
file; PyYAML reads it to check the wiring (healthcheck, the loader's
DATABASE_URL, the read-only role Metabase uses). The role's init script runs
against the test Postgres, and Metabase's set-up script against a stand-in
for Metabase's API, so both are tested for real, not only read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import yaml

from etl.database import EmbeddedServer

REPO = Path(__file__).resolve().parent.parent
COMPOSE = REPO / "docker-compose.yml"
LAPTOP_ENV = REPO / "docker" / "laptop.env"
INIT_SQL = REPO / "docker" / "initdb" / "01-readonly-role.sql"
SETUP_SH = REPO / "docker" / "metabase" / "setup.sh"
READER = "nianbao_reader"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_docker_compose_config_is_valid() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip(
            "docker-compose is not installed (apt-get install docker-compose); the YAML checks still ran"
        )
    result = subprocess.run(
        [binary, "-f", str(COMPOSE), "--env-file", str(LAPTOP_ENV), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_no_password_has_a_default_outside_the_laptop_file(tmp_path: Path) -> None:
    """Without an .env, compose refuses to start and says which password to set and how."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    env = {k: v for k, v in os.environ.items() if "PASSWORD" not in k}
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = subprocess.run(
        [binary, "-f", str(COMPOSE), "--env-file", str(empty), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env=env,
    )
    assert result.returncode != 0
    assert "PASSWORD" in result.stderr and "laptop.env" in result.stderr


def test_images_are_pinned(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        image = service.get("image", "")
        if image == "nianbao:latest":  # built here from this checkout
            continue
        tag = image.rpartition(":")[2]
        assert ":" in image and tag != "latest" and any(ch.isdigit() for ch in tag), (name, image)


def test_postgres_16_with_a_healthcheck(compose: dict[str, Any]) -> None:
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:16.")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    env = db["environment"]
    assert env["POSTGRES_DB"] == "nianbao" and env["POSTGRES_USER"] == "nianbao"


def test_loader_is_built_here_and_waits_for_a_healthy_db(compose: dict[str, Any]) -> None:
    loader = compose["services"]["loader"]
    assert loader["build"] == "."
    assert loader["depends_on"]["db"]["condition"] == "service_healthy"
    url = urlsplit(re.sub(r"\$\{NIANBAO_DB_PASSWORD:\?[^}]*\}", "pw", loader["environment"]["DATABASE_URL"]))
    assert (url.hostname, url.port, url.path, url.username) == ("db", 5432, "/nianbao", "nianbao")
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert 'ENTRYPOINT ["nianbao"]' in dockerfile


def test_metabase_reads_through_the_read_only_role(compose: dict[str, Any]) -> None:
    services = compose["services"]
    db, metabase, setup = services["db"], services["metabase"], services["metabase-setup"]
    assert metabase["image"].startswith("metabase/metabase")
    assert metabase["depends_on"]["db"]["condition"] == "service_healthy"
    assert setup["depends_on"]["metabase"]["condition"] == "service_healthy"
    # the init script is mounted where the postgres image runs it on first start
    mount = next(v for v in db["volumes"] if v.endswith(":/docker-entrypoint-initdb.d:ro"))
    assert (REPO / mount.split(":")[0]).resolve() == INIT_SQL.parent
    assert f"create role {READER}" in INIT_SQL.read_text()
    # db and the set-up share one reader password, and the set-up connects as the reader
    assert db["environment"]["NIANBAO_READER_PASSWORD"] == setup["environment"]["NIANBAO_READER_PASSWORD"]
    assert any(v.startswith("./docker/metabase/setup.sh:") for v in setup["volumes"])
    assert f'"user": "{READER}"' in SETUP_SH.read_text()


def _as(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{parts.hostname}:{parts.port}"))


def test_init_script_gives_the_reader_the_marts_only(fresh_database: str) -> None:
    psql = EmbeddedServer._bin("psql")
    env = {**os.environ, "NIANBAO_READER_PASSWORD": "reader-secret"}
    for _ in range(2):  # idempotent: a second run changes nothing and fails on nothing
        result = subprocess.run(
            [str(psql), fresh_database, "-X", "-q", "-f", str(INIT_SQL)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
    with psycopg.connect(fresh_database, autocommit=True) as owner:
        # created after the script ran, as dbt's rebuilds are
        owner.execute("create table marts.dim_example as select 1 as id")
        # the role existed before the script (the migrations made it), so it kept no password
        owner.execute("alter role nianbao_reader password 'reader-secret'")
    with psycopg.connect(_as(fresh_database, READER, "reader-secret")) as reader:
        assert reader.execute("select id from marts.dim_example").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reader.execute("select count(*) from raw.reports")
        reader.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reader.execute("create table marts.mine (id int)")


# -- Metabase's set-up script against a stand-in for Metabase's API -------------------
class FakeMetabase(BaseHTTPRequestHandler):
    setup_token: str | None = "setup-token-123"
    calls: list[tuple[str, str, dict[str, Any] | None, str | None]] = []

    def _reply(self, body: dict[str, Any], status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self.calls.append(("GET", self.path, None, None))
        if self.path == "/api/health":
            self._reply({"status": "ok"})
        elif self.path == "/api/session/properties":
            self._reply({"version": {"tag": "v0.0.0"}, "setup-token": self.setup_token, "site-name": None})
        else:
            self._reply({}, 404)

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.calls.append(("POST", self.path, body, self.headers.get("X-Metabase-Session")))
        if self.path == "/api/setup" and body.get("token") == self.setup_token:
            self._reply({"id": "session-456"})
        elif self.path == "/api/database" and self.headers.get("X-Metabase-Session") == "session-456":
            self._reply({"id": 2, "name": body["name"]})
        else:
            self._reply({"message": "no"}, 400)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake_metabase() -> Iterator[tuple[str, type[FakeMetabase]]]:
    if shutil.which("curl") is None or shutil.which("sh") is None:
        pytest.skip("sh and curl are needed to run docker/metabase/setup.sh")
    handler = type("Handler", (FakeMetabase,), {"calls": [], "setup_token": "setup-token-123"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()


def _run_setup(url: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "MB_URL": url,
        "MB_ADMIN_EMAIL": "admin@example.org",
        "MB_ADMIN_PASSWORD": "Secret-pass-1",
        "NIANBAO_READER_PASSWORD": "reader-secret",
    }
    return subprocess.run(["sh", str(SETUP_SH)], capture_output=True, text=True, env=env, timeout=60)


def test_metabase_setup_connects_the_marts_as_reader(fake_metabase: tuple[str, type[FakeMetabase]]) -> None:
    url, handler = fake_metabase
    result = _run_setup(url)
    assert result.returncode == 0, result.stderr
    posts = {path: (body, session) for method, path, body, session in handler.calls if method == "POST"}
    setup_body, _ = posts["/api/setup"]
    assert setup_body["user"]["email"] == "admin@example.org"
    database, session = posts["/api/database"]
    assert session == "session-456"
    assert database["engine"] == "postgres"
    assert database["details"]["user"] == READER and database["details"]["password"] == "reader-secret"
    assert database["details"]["host"] == "db" and database["details"]["port"] == 5432
    assert database["details"]["schema-filters-patterns"] == "marts"


def test_metabase_setup_leaves_a_set_up_metabase_alone(fake_metabase: tuple[str, type[FakeMetabase]]) -> None:
    url, handler = fake_metabase
    handler.setup_token = None
    result = _run_setup(url)
    assert result.returncode == 0, result.stderr
    assert "already set up" in result.stdout
    assert not [c for c in handler.calls if c[0] == "POST"]


# -- the scheduler: `nianbao run` every night ----------------------------------------
def test_scheduler_runs_nianbao_over_the_landing_folder(compose: dict[str, Any]) -> None:
    scheduler = compose["services"]["scheduler"]
    loader = compose["services"]["loader"]
    assert scheduler["image"] == loader["image"] and scheduler["build"] == "."
    assert scheduler["depends_on"]["db"]["condition"] == "service_healthy"
    assert scheduler["environment"]["DATABASE_URL"] == loader["environment"]["DATABASE_URL"]
    assert scheduler["environment"]["NIANBAO_LANDING_DIR"] == "/data/landing"
    assert "${NIANBAO_LANDING:-./landing}:/data/landing:ro" in scheduler["volumes"]
    # dbt's partial parse survives restarts, so a quiet night stays quick
    assert any(v.endswith(":/app/var") for v in scheduler["volumes"])
    assert scheduler["restart"] == "unless-stopped"
    assert scheduler["entrypoint"] == ["sh", "-c"]


def test_the_crawler_alone_writes_the_landing_folder(compose: dict[str, Any]) -> None:
    crawler = compose["services"]["crawler"]
    assert crawler["image"] == compose["services"]["loader"]["image"] and crawler["profiles"] == ["crawl"]
    assert "${NIANBAO_LANDING:-./landing}:/data/landing" in crawler["volumes"]  # read-write
    assert crawler["command"][:1] == ["crawl"] and "/data/landing" in crawler["command"]
    assert "DATABASE_URL" not in crawler.get("environment", {})  # it never touches the warehouse
    for name, service in compose["services"].items():
        if name != "crawler":
            assert not any(v.startswith("${NIANBAO_LANDING") and not v.endswith(":ro") for v in service.get("volumes", []))


def _scheduler_script(compose: dict[str, Any]) -> str:
    """The loop as the container's shell gets it: compose turns ``$$`` into ``$``."""
    (script,) = compose["services"]["scheduler"]["command"]
    return script.replace("$$", "$")


STUB_NIANBAO = """#!/bin/sh
echo "$NIANBAO_LANDING_DIR $*" >> "$STUBS/nianbao.calls"
exit 3
"""
# The loop's `sleep N & wait $!`: note N; the second time, stop the loop as
# `docker-compose stop` would (SIGTERM to the container's shell).
STUB_SLEEP = """#!/bin/sh
echo "$1" >> "$STUBS/sleep.calls"
if [ "$(wc -l < "$STUBS/sleep.calls")" -ge 2 ]; then kill -TERM "$PPID"; fi
"""


def test_scheduler_loop_runs_at_start_then_daily_and_stops_on_sigterm(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    import datetime as dt

    if shutil.which("sh") is None or shutil.which("date") is None:
        pytest.skip("sh and date are needed to run the scheduler loop")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, body in (("nianbao", STUB_NIANBAO), ("sleep", STUB_SLEEP)):
        (stubs / name).write_text(body)
        (stubs / name).chmod(0o755)
    environment = compose["services"]["scheduler"]["environment"]
    run_at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).strftime("%H:%M")
    env = {
        "PATH": f"{stubs}:{os.environ['PATH']}",
        "STUBS": str(tmp_path),
        "NIANBAO_LANDING_DIR": environment["NIANBAO_LANDING_DIR"],
        "NIANBAO_RUN_AT": run_at,
    }

    result = subprocess.run(
        ["sh", "-c", _scheduler_script(compose)], capture_output=True, text=True, env=env, timeout=60
    )

    assert result.returncode == 0, result.stderr  # stopped cleanly by the TERM
    calls = (tmp_path / "nianbao.calls").read_text().splitlines()
    # once at start, once after the first sleep; a failing run (exit 3) does not stop the loop
    assert calls == ["/data/landing run --wait 3600 --log-format json"] * 2
    assert result.stdout.splitlines() == ['{"scheduler": "nianbao run exited 3"}'] * 2
    first_sleep = int((tmp_path / "sleep.calls").read_text().splitlines()[0])
    # until today's or tomorrow's NIANBAO_RUN_AT: about three hours from now
    assert abs(first_sleep - 3 * 3600) <= 120, first_sleep


def test_scheduler_interpolates_with_docker_compose() -> None:
    """`docker-compose config` keeps the loop's shell variables for the shell (``$$``)."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    result = subprocess.run(
        [binary, "-f", str(COMPOSE), "config"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={
            **os.environ,
            "NIANBAO_RUN_AT": "03:30",
            "NIANBAO_LANDING": "/srv/landing",
            "NIANBAO_DB_PASSWORD": "p",
            "NIANBAO_READER_PASSWORD": "r",
            "MB_ADMIN_PASSWORD": "m",
        },
    )
    assert result.returncode == 0, result.stderr
    scheduler = yaml.safe_load(result.stdout)["services"]["scheduler"]
    assert scheduler["environment"]["NIANBAO_RUN_AT"] == "03:30"
    assert any(v.get("source") == "/srv/landing" for v in scheduler["volumes"] if isinstance(v, dict)) or any(
        str(v).startswith("/srv/landing:") for v in scheduler["volumes"]
    )
    assert '"$$NIANBAO_RUN_AT"' in scheduler["command"][0]

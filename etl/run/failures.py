"""One line per failure a night can bring: its cause and what to do.

An operator reading a cron mail needs the cause ("the database server's
disk is full") and the next step, not a traceback whose last line names a
library's internals. ``explain`` turns the failures we know (a full disk, a
read-only or unreadable path, a lost server, a missing dbt profile) into
that line; anything else keeps its type and first line. The traceback is
still logged at debug level (``nianbao --debug ...``).
"""

from __future__ import annotations

import errno
import re

import psycopg

# what every explanation of a failed load can promise (see etl.load.runs: a
# failed run's batches are purged, so no report of it stays half-loaded)
NOTHING_KEPT = "nothing of this run was kept"
_CONNECT_FAILED = re.compile(
    r"connection failed|could not connect|Connection refused|timeout expired|password authentication failed"
    r"|does not exist|could not translate host name"
)


def one_line(exc: BaseException) -> str:
    """An error as one line (psycopg's span several; the SQL a driver quotes is cut)."""
    text = str(exc).split("[SQL:")[0].split("(Background on this error at:")[0]
    text = " ".join(text.split())
    return (text or type(exc).__name__)[:400]


def explain(exc: BaseException) -> str:
    """The cause of ``exc`` and what to do about it, in one line."""
    original = getattr(exc, "orig", None)  # SQLAlchemy (Alembic) wraps the driver's error
    if isinstance(original, BaseException):
        return explain(original)
    if isinstance(exc, OSError) and exc.errno is not None:
        name = exc.filename if exc.filename is not None else "a file"
        if exc.errno == errno.ENOSPC:
            return f"no space left on the disk holding {name}: free space, then run again; {NOTHING_KEPT}"
        if exc.errno == errno.EROFS:
            return (
                f"{name} is on a read-only file system and nianbao writes there: make it writable, "
                "or set NIANBAO_HOME to a writable folder"
            )
        if exc.errno in (errno.EACCES, errno.EPERM):
            return f"permission denied: {name} (the account running nianbao needs access to it)"
    if isinstance(exc, psycopg.errors.DiskFull) or "No space left on device" in str(exc):
        where = "the database server's disk" if isinstance(exc, psycopg.Error) else "the disk"
        return (
            f"{where} is full ({one_line(exc)}): free space, then run again; {NOTHING_KEPT}, "
            "and the files not loaded are loaded next time"
        )
    if isinstance(exc, psycopg.OperationalError) and _CONNECT_FAILED.search(str(exc)):
        return (
            f"cannot connect to the database ({one_line(exc)}): check that the server is up and "
            "DATABASE_URL's host, port, user and password"
        )
    if isinstance(exc, psycopg.OperationalError):
        return (
            f"lost the database ({one_line(exc)}): check that the server is up and reachable, "
            f"then run again; {NOTHING_KEPT}"
        )
    return f"{type(exc).__name__}: {one_line(exc)}"


def dbt_hint(error: str) -> str:
    """What to do about a ``dbt`` failure that is the installation's, not the data's ('' if none)."""
    if "Could not find profile" in error or "profiles.yml" in error and "not found" in error:
        return (
            "dbt's profile 'nianbao' is missing: dbt_project/profiles.yml ships with nianbao "
            "(restore it: `git checkout -- dbt_project/profiles.yml`)"
        )
    if "No space left on device" in error or "could not extend file" in error:
        return "the disk is full: free space, then `nianbao run` builds the marts"
    return ""

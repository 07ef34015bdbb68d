"""Parse files in worker processes and hand the records back in file order.

Parsing is nine tenths of a load's CPU (docs/performance.md), and it is pure:
bytes in, record out. So the loader reads and hashes files in its own
process, sends the bytes of the ones it has not seen to a pool of parser
processes, and writes what comes back, in the order of the files, while the
workers parse the next ones. Order matters: report ids follow the files, so
two loads of the same folder give the same ids.

A small load (the samples, a quiet night) is parsed in-line: starting the
pool would cost more than it saves. The pool starts once ``MIN_PARALLEL``
files are waiting. Workers come from a ``forkserver`` (a clean process that
never held the loader's database connection) with the parser preloaded.

A parser that kills its process (a segfault in a PDF library, the kernel's
OOM killer) breaks the pool; the files that were in flight are then parsed
again one by one, each in a fresh process, so the one that kills its parser
is quarantined as ``parser_crashed`` and the others load.

Limits (``etl.run.settings.Limits``): each parse has a time limit, an alarm
in the process that parses (``parse_timeout``), with a harder stop behind
it for code the alarm cannot interrupt (the pool is killed and the files in
flight are parsed again alone); each worker process has an address-space
limit, so a file that asks for gigabytes fails alone (``parse_memory``).
Workers watch the process that started them and exit when it is gone, so a
run killed with SIGKILL leaves no parser (nor, once they exit, the
forkserver and its resource tracker) behind.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from etl.pipeline import parse_bytes, sha256_of
from etl.record import Error, Report, Source

if TYPE_CHECKING:
    from etl.run.settings import Limits

log = logging.getLogger("etl.run")

Parse = Callable[[bytes, str], Report]
T = TypeVar("T")

# files waiting to be parsed before a pool is worth starting
MIN_PARALLEL = 16
# files in flight per worker: enough to keep workers busy while the loader writes
WINDOW_PER_WORKER = 8


def default_workers() -> int:
    """``NIANBAO_WORKERS`` if set, else the cores this process may use."""
    configured = os.environ.get("NIANBAO_WORKERS", "").strip()
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            raise ValueError(f"NIANBAO_WORKERS={configured!r} is not a number of processes") from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Job(Generic[T]):
    """One file on its way through: ``data`` is None for a file not to parse."""

    item: T
    data: bytes | None = None
    name: str = ""


def failed(data: bytes, name: str, code: str, reason: str) -> Report:
    """The record of a file the worker gave no record for: rejected, naming the file."""
    return Report(
        source=Source(path=name, sha256=sha256_of(data)),
        status="rejected",
        errors=[Error(code, f"{name}: {reason}")],
    )


class _Timeout(BaseException):
    """The alarm of a parse over its time limit (a BaseException: the parser's own
    ``except Exception`` must not take it for a bad file)."""


def _on_alarm(signum: int, frame: object) -> None:
    raise _Timeout


def limited_parse(parse: Parse, data: bytes, name: str, seconds: float | None = None) -> Report:
    """``parse(data, name)`` within ``seconds`` (an alarm, where this is the main thread),
    a parse over its time or memory turned into a rejected record naming the limit."""
    alarm = bool(seconds) and threading.current_thread() is threading.main_thread()
    previous = None
    if alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(seconds))  # type: ignore[arg-type]
    try:
        return parse(data, name)
    except _Timeout:
        return failed(
            data,
            name,
            "parse_timeout",
            f"parsing took more than {seconds:g} s (the per-file limit, NIANBAO_PARSE_SECONDS); "
            "the file makes a library spin or is far larger than a report",
        )
    except MemoryError:
        return failed(
            data,
            name,
            "parse_memory",
            "parsing needed more memory than a parser process may use (NIANBAO_PARSE_MEMORY_MB)",
        )
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _start_worker(parent: int, memory_mb: int | None) -> None:
    """In each worker: the memory limit, and a watch on the run that started it."""
    if memory_mb:
        import resource

        limit = memory_mb * 2**20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(70)  # the run is gone: nobody will read what this parses
            except PermissionError:  # pragma: no cover - a pid reused by another user's process
                os._exit(70)

    threading.Thread(target=watch, name="watch-run", daemon=True).start()


def _pool(workers: int, limits: Limits | None = None) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["etl.pipeline", "etl.extract"])
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), limits.parse_memory_mb if limits else None),
    )


def _hard_seconds(limits: Limits | None) -> float | None:
    """How long the run waits for one parse before killing its process: past the alarm, with room."""
    if limits is None or not limits.parse_seconds:
        return None
    return 2 * limits.parse_seconds + 1.0


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's processes (a parse the alarm could not stop); its futures then fail as broken."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()


def _submit(
    pool: ProcessPoolExecutor, parse: Parse, data: bytes, name: str, limits: Limits | None
) -> Future[Report]:
    seconds = limits.parse_seconds if limits else None
    return pool.submit(limited_parse, parse, data, name, seconds)


def _alone(parse: Parse, data: bytes, name: str, limits: Limits | None = None) -> Report:
    """Parse one file in a process of its own: a crash costs only this file."""
    with _pool(1, limits) as pool:
        try:
            return _submit(pool, parse, data, name, limits).result(timeout=_hard_seconds(limits))
        except TimeoutError:
            _kill(pool)
            log.error("%s: the parser did not stop at its time limit; its process was killed", name)
            return failed(
                data,
                name,
                "parse_timeout",
                f"parsing did not finish within {_hard_seconds(limits):g} s; the parser process was killed",
            )
        except BrokenProcessPool as exc:
            log.error("%s: the parser process died (%s); quarantined", name, exc)
            return failed(data, name, "parser_crashed", f"the parser process died reading this file ({exc})")
        except Exception as exc:  # the record could not come back (parse_bytes itself never raises)
            return failed(data, name, "parse_failed", f"parser error ({type(exc).__name__}: {exc})")


def parse_in_order(
    jobs: Iterable[Job[T]],
    *,
    parse: Parse = parse_bytes,
    workers: int | None = None,
    limits: Limits | None = None,
) -> Iterator[tuple[Job[T], Report | None]]:
    """Each job with its record (``None`` for jobs without data), in the order given.

    ``limits`` bounds each parse (``Limits.parse_seconds``; in-line parsing
    has the alarm only where it runs in the main thread, and no memory limit).

    ``workers`` defaults to :func:`default_workers` for the real parser and
    to 1 (in-line) for any other ``parse`` (tests hand in records made on the
    spot, often by functions a worker could not import); an explicit number
    of workers needs a ``parse`` importable by name.
    """
    if workers is None:
        workers = default_workers() if parse is parse_bytes else 1
    workers = max(1, workers)
    seconds = limits.parse_seconds if limits else None
    hard = _hard_seconds(limits)
    if workers == 1:
        for job in jobs:
            yield job, (limited_parse(parse, job.data, job.name, seconds) if job.data is not None else None)
        return

    iterator = iter(jobs)
    # Look ahead: a load with few files to parse never starts the pool.
    head: list[Job[T]] = []
    to_parse = 0
    for job in iterator:
        head.append(job)
        to_parse += job.data is not None
        if to_parse >= MIN_PARALLEL:
            break
    if to_parse < MIN_PARALLEL:
        for job in head:
            yield job, (limited_parse(parse, job.data, job.name, seconds) if job.data is not None else None)
        return

    window = workers * WINDOW_PER_WORKER
    pending: deque[tuple[Job[T], Future[Report] | None]] = deque()
    pool = _pool(workers, limits)
    log.info("parsing in %d worker processes", workers)

    def submit(job: Job[T]) -> Future[Report] | None:
        if job.data is None:
            return None
        try:
            return _submit(pool, parse, job.data, job.name, limits)
        except BrokenProcessPool as exc:  # broke since the last look: handled in drain
            failed: Future[Report] = Future()
            failed.set_exception(exc)
            return failed

    def outcome(job: Job[T], future: Future[Report] | None) -> Report | None:
        """The record of a finished job; a job lost with a broken pool is parsed alone."""
        if future is None or job.data is None:
            return None
        if future.cancelled():
            return _alone(parse, job.data, job.name, limits)
        exc = future.exception()
        if exc is None:
            return future.result()
        if isinstance(exc, BrokenProcessPool):
            return _alone(parse, job.data, job.name, limits)
        # parse_bytes never raises; this is the record failing to come back
        return failed(job.data, job.name, "parse_failed", f"parser error ({type(exc).__name__}: {exc})")

    def drain(limit: int) -> Iterator[tuple[Job[T], Report | None]]:
        nonlocal pool
        while pending and (len(pending) > limit or pending[0][1] is None or pending[0][1].done()):
            job, future = pending.popleft()
            if future is not None:
                try:
                    future.exception(timeout=hard)
                except TimeoutError:
                    # the alarm did not stop it (a C loop): kill the pool, and parse alone below
                    log.error("%s: a parse ran past its time limit; killing the parser processes", job.name)
                    _kill(pool)
                    wait([future])
            if future is not None and isinstance(future.exception(), BrokenProcessPool):
                # Which file killed the pool is unknown: everything in flight is
                # parsed again, each file in a process of its own.
                log.warning(
                    "a parser process died; parsing the %d files in flight one by one", len(pending) + 1
                )
                lost = [(job, future), *pending]
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                wait([f for _, f in lost if f is not None])
                for again, again_future in lost:
                    yield again, outcome(again, again_future)
                pool = _pool(workers)
                continue
            yield job, outcome(job, future)

    try:
        for job in itertools.chain(head, iterator):
            pending.append((job, submit(job)))
            yield from drain(window)
        yield from drain(0)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

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
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, TypeVar

from etl.pipeline import parse_bytes, sha256_of
from etl.record import Error, Report, Source

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


def _pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["etl.pipeline", "etl.extract"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _alone(parse: Parse, data: bytes, name: str) -> Report:
    """Parse one file in a process of its own: a crash costs only this file."""
    with _pool(1) as pool:
        try:
            return pool.submit(parse, data, name).result()
        except BrokenProcessPool as exc:
            log.error("%s: the parser process died (%s); quarantined", name, exc)
            return failed(data, name, "parser_crashed", f"the parser process died reading this file ({exc})")
        except Exception as exc:  # the record could not come back (parse_bytes itself never raises)
            return failed(data, name, "parse_failed", f"parser error ({type(exc).__name__}: {exc})")


def parse_in_order(
    jobs: Iterable[Job[T]], *, parse: Parse = parse_bytes, workers: int | None = None
) -> Iterator[tuple[Job[T], Report | None]]:
    """Each job with its record (``None`` for jobs without data), in the order given.

    ``workers`` defaults to :func:`default_workers` for the real parser and
    to 1 (in-line) for any other ``parse`` (tests hand in records made on the
    spot, often by functions a worker could not import); an explicit number
    of workers needs a ``parse`` importable by name.
    """
    if workers is None:
        workers = default_workers() if parse is parse_bytes else 1
    workers = max(1, workers)
    if workers == 1:
        for job in jobs:
            yield job, (parse(job.data, job.name) if job.data is not None else None)
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
            yield job, (parse(job.data, job.name) if job.data is not None else None)
        return

    window = workers * WINDOW_PER_WORKER
    pending: deque[tuple[Job[T], Future[Report] | None]] = deque()
    pool = _pool(workers)
    log.info("parsing in %d worker processes", workers)

    def submit(job: Job[T]) -> Future[Report] | None:
        if job.data is None:
            return None
        try:
            return pool.submit(parse, job.data, job.name)
        except BrokenProcessPool as exc:  # broke since the last look: handled in drain
            failed: Future[Report] = Future()
            failed.set_exception(exc)
            return failed

    def outcome(job: Job[T], future: Future[Report] | None) -> Report | None:
        """The record of a finished job; a job lost with a broken pool is parsed alone."""
        if future is None or job.data is None:
            return None
        if future.cancelled():
            return _alone(parse, job.data, job.name)
        exc = future.exception()
        if exc is None:
            return future.result()
        if isinstance(exc, BrokenProcessPool):
            return _alone(parse, job.data, job.name)
        # parse_bytes never raises; this is the record failing to come back
        return failed(job.data, job.name, "parse_failed", f"parser error ({type(exc).__name__}: {exc})")

    def drain(limit: int) -> Iterator[tuple[Job[T], Report | None]]:
        nonlocal pool
        while pending and (len(pending) > limit or pending[0][1] is None or pending[0][1].done()):
            job, future = pending.popleft()
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

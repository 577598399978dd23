"""The scoring worker processes: one pool, reused, and the ways work is spread over it.

``harness.scoring.batch`` (the full scorecard) and ``harness.scoring.core`` (the core
suite) hand their batches to these functions; results always come back in input
order, so a table never depends on the number of workers.

Workers are spawned (``spawn``: a clean interpreter, never a fork of a process whose
polars threads may hold locks) and each loads its data tables once, when it starts
(``warm``: named, ``harness.engines.worker_start.warm_by_name``, so that neither this
module nor a caller that only hands out work imports the scoring code). This module
imports none of it: ``harness score`` hands the first batches to the workers, which
started while it read the corpus, before it imports any scorer itself.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from harness.engines.base import in_parallel_task
from harness.engines.processes import kill_pool, main_is_importable, worker_died
from harness.engines.worker_start import WORKERS_FROM_BYTES, available_cores, new_pool, take_early, warm_by_name
from harness.errors import ConfigError

__all__ = [
    "BATCH_DOCS",
    "MIN_CORE_DOCS_TO_START_WORKERS",
    "MIN_DOCS_FOR_RUNNING_WORKERS",
    "MIN_DOCS_TO_START_WORKERS",
    "SLICE_BATCH_DOCS",
    "WARM_FULL_WORKER",
    "default_workers",
    "even_batch_size",
    "map_in_order",
    "map_in_workers",
    "map_with_this_process",
    "prestart_workers",
    "prestart_workers_for",
    "shutdown_workers",
    "start_workers",
    "start_workers_for_input",
    "stop_workers_now",
    "worker_count",
    "worker_peak_memory",
]

_Result = TypeVar("_Result")

# When workers pay off (workers=None). Starting them costs a few seconds per process
# (a fresh interpreter loads CMUdict, VADER and lemma tables): about what one core
# needs to score a thousand news articles. A running pool is reused for any corpus
# of a few batches.
MIN_DOCS_TO_START_WORKERS = 1000
# The core suite does about a tenth of that work per article (0.4 ms): starting the
# pool costs more than it saves below about ten thousand articles (BBC News, 2,225
# articles: 0.9 s in this process, 2.2-3.6 s with two fresh workers).
MIN_CORE_DOCS_TO_START_WORKERS = 10_000
MIN_DOCS_FOR_RUNNING_WORKERS = 96
# Documents per batch: small enough to balance two workers, large enough that the
# fixed cost of a batch (building its frames, the batch readability and VADER set-up,
# sending frames between processes) is a small share of the work: about 37 ms a
# batch, a third of the time at 48 BBC articles a batch, a tenth at 192.
BATCH_DOCS = 192
# Documents per task when slices are scored with the workers running ahead
# (``harness.scoring.score.score_slices``): every task is queued at once, so only the
# last ones can leave a worker waiting, and larger tasks pay the fixed cost less often.
SLICE_BATCH_DOCS = 512

# What a worker of the full scorecard loads when it starts (its tables: CMUdict,
# VADER's lexicon, lemmas), by name: see the module docstring.
WARM_FULL_WORKER = warm_by_name("harness.scoring.batch", "_warm_worker")

_pool: concurrent.futures.ProcessPoolExecutor | None = None
_pool_size = 0


def default_workers() -> int:
    """Cores this process may use (its CPU affinity where the OS reports it).

    One inside an engine's parallel task (Ray): the engine already spreads the work.
    """
    if in_parallel_task():
        return 1
    return available_cores()


def _executor(workers: int, warm: Callable[[], None] | None = None) -> concurrent.futures.ProcessPoolExecutor:
    """The shared pool, (re)started when a different size is asked for; ``warm``
    loads a new worker's tables (default: the full scorecard's, ``WARM_FULL_WORKER``;
    a running pool is reused whatever warmed it)."""
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        shutdown_workers()
        # The CLI may have started this pool before importing this module (``start_early``).
        _pool = take_early(workers) or new_pool(workers, warm or WARM_FULL_WORKER)
        _pool_size = workers
    return _pool


def prestart_workers_for(n_documents: int, *, min_documents: int = MIN_DOCS_TO_START_WORKERS) -> None:
    """Start the pool a job of ``n_documents`` will use, without waiting for it.

    A worker spends seconds importing and loading its data tables; started before the
    caller's own preparation (``harness score`` identifies each article's language
    first), that time overlaps it. Nothing happens when the job would not use workers.
    """
    n_workers = worker_count(None, n_documents, min_documents=min_documents)
    if n_workers == 1 or (_pool is not None and _pool_size == n_workers):
        return
    _executor(n_workers)  # starts every worker


def start_workers_for_input(input_bytes: int) -> None:
    """Start the pool of the full scorecard for an input of ``input_bytes``, now, if it
    is large enough that the pool will be used: the workers start while this process
    reads the input, not after. (Too small a guess only makes them start later.)"""
    if input_bytes >= WORKERS_FROM_BYTES:
        prestart_workers_for(MIN_DOCS_TO_START_WORKERS)


def shutdown_workers(*, wait: bool = True) -> None:
    """Stop the worker processes (they are restarted on demand). ``wait=False``: tell
    them to stop and go on (a command done with them: they exit while it writes its
    output, not after; the interpreter's exit still waits for them)."""
    global _pool, _pool_size
    if _pool is not None:
        _pool.shutdown(wait=wait, cancel_futures=True)
    _pool, _pool_size = None, 0


def stop_workers_now() -> None:
    """Kill the workers mid-task (the parent was interrupted): nothing waits for their batches.

    Also called by the CLI after any interrupt (``harness.cli.entry``): a Ctrl-C that
    lands while this process builds tables between batches is not seen here, and the
    workers, which ignore SIGINT, would outlive the command.
    """
    global _pool, _pool_size
    if _pool is None:
        return
    kill_pool(_pool)
    _pool, _pool_size = None, 0


atexit.register(shutdown_workers)


def start_workers(workers: int) -> None:
    """Start ``workers`` processes and wait until every one has loaded its data.

    Benchmarks call this to keep start-up out of their timings.
    """
    _ask_every_worker(workers, _pid_and_peak)


def worker_peak_memory() -> int | None:
    """Largest peak resident memory (bytes) of the running workers; None if unknown.

    Read from ``/proc/self/status`` (VmHWM) inside each worker: the peak of that
    process since it started, not of the parent it was started from.
    """
    if _pool is None:
        return None
    peaks = _ask_every_worker(_pool_size, _pid_and_peak)
    known = [peak for peak in peaks.values() if peak is not None]
    return max(known) if known else None


def _ask_every_worker(
    workers: int, probe: Callable[[float], tuple[int, int | None]]
) -> dict[int, int | None]:
    """Run ``probe`` on each of ``workers`` processes: {pid: answer}.

    A probe holds its worker busy for a moment, so the next probe has to go to
    another worker; rounds repeat until every worker has answered.
    """
    pool = _executor(workers)
    answers: dict[int, int | None] = {}
    while len(answers) < workers:
        answers.update(pool.map(probe, [_PROBE_SECONDS] * workers))
    return answers


_PROBE_SECONDS = 0.1


def _pid_and_peak(seconds: float) -> tuple[int, int | None]:
    time.sleep(seconds)
    return os.getpid(), _own_peak_memory()


def _own_peak_memory() -> int | None:
    status = Path("/proc/self/status")
    if not status.is_file():
        return None
    for line in status.read_text(encoding="ascii", errors="replace").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024  # reported in kB
    return None


def even_batch_size(n_documents: int, n_workers: int, most: int = BATCH_DOCS) -> int:
    """Documents per batch: at most ``most``, in a number of batches that every worker
    shares alike (445 articles on 2 workers: 4 batches of 112, not 192, 192 and 61,
    where one worker scores 253 while the other waits)."""
    n_batches = -(-n_documents // most)
    n_batches = -(-n_batches // n_workers) * n_workers
    return max(1, -(-n_documents // n_batches))


def worker_count(
    requested: int | None,
    n_documents: int,
    *,
    where: str = "score_documents(workers=...)",
    min_documents: int = MIN_DOCS_TO_START_WORKERS,
) -> int:
    """Processes to use: ``requested``, or every core when the corpus is large enough
    (``min_documents`` to start the pool; fewer when it is already running)."""
    if requested is not None and requested < 1:
        raise ConfigError(
            f"workers must be at least 1, got {requested}",
            where=where,
            hint="pass 1 to score in this process, or leave it unset to use every core",
        )
    if requested is not None:
        return requested
    if not main_is_importable():
        return 1  # the default must work from `python -` too (same tables, one process)
    cores = default_workers()
    running = _pool is not None and _pool_size == cores
    enough = MIN_DOCS_FOR_RUNNING_WORKERS if running else min_documents
    return cores if cores > 1 and n_documents >= enough else 1


@contextlib.contextmanager
def _pool_failures(where: str) -> Iterator[None]:
    """Ctrl-C kills the workers mid-task (nothing waits for their batches); a worker
    that died becomes one clear error instead of ``BrokenProcessPool``."""
    try:
        yield
    except KeyboardInterrupt:
        stop_workers_now()
        raise
    except concurrent.futures.process.BrokenProcessPool as error:
        shutdown_workers()
        raise worker_died("scoring", where=where, alone="pass workers=1 to score in this process") from error


def map_in_workers(
    function: Callable[..., _Result],
    *arguments: Sequence[Any],
    n_workers: int,
    where: str = "score_documents(workers=...)",
) -> list[_Result]:
    """``[function(*args) for args in zip(*arguments)]`` on the worker pool, in order.

    ``function`` must be a module-level function (it is pickled by name).
    """
    return list(_results_in_order(function, *arguments, n_workers=n_workers, where=where))


def _results_in_order(
    function: Callable[..., _Result],
    *arguments: Sequence[Any],
    n_workers: int,
    where: str,
) -> Iterator[_Result]:
    """``map_in_workers`` as results arrive: every task is queued at once, so the
    workers go on with later ones while the caller uses the first."""
    pool = _executor(n_workers)
    with _pool_failures(where):
        yield from pool.map(function, *arguments)


def prestart_workers(workers: int, warm: Callable[[], None]) -> None:
    """Start the pool's ``workers`` processes now, without waiting for them: they load
    their tables while this process reads its input."""
    _executor(workers, warm)  # starts every worker


def map_with_this_process(
    function: Callable[[Any], _Result],
    items: Sequence[Any],
    *,
    n_workers: int,
    warm: Callable[[], None] | None = None,
    on_result: Callable[[int], None] | None = None,
    where: str = "score_documents(workers=...)",
    first: Sequence[Callable[[], None]] = (),
) -> list[_Result]:
    """``[function(item) for item in items]`` on ``n_workers`` processes: this one and
    ``n_workers - 1`` pool workers, results in order.

    ``first``: work for this process alone, done piece by piece (handing out items
    between pieces) before it takes items itself, e.g. while the workers start.

    Items are handed out in order: the workers have two each in flight (so that none
    waits for this process to hand out the next), and this process scores the next
    one itself between hand-outs; no core idles while items remain, and the pool is
    one process smaller than the cores (one start-up less). Items that get smaller
    towards the end keep the last wait short. ``on_result`` hears the index of each
    item done, in completion order.
    """
    pool = _executor(n_workers - 1, warm)
    results: list[Any] = [None] * len(items)
    running: dict[concurrent.futures.Future[_Result], int] = {}
    front = 0
    own = list(first)

    def finished(index: int, result: _Result) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index)

    with _pool_failures(where):
        while front < len(items) or running or own:
            while front < len(items) and len(running) < 2 * (n_workers - 1):
                running[pool.submit(function, items[front])] = front
                front += 1
            if own:
                own.pop(0)()
                done = {future for future in running if future.done()}
            elif front < len(items):
                front += 1
                finished(front - 1, function(items[front - 1]))
                done = {future for future in running if future.done()}
            else:
                done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in sorted(done, key=running.__getitem__):
                finished(running.pop(future), future.result())
        return results


def map_in_order(
    function: Callable[[Any], _Result],
    items: Sequence[Any],
    *,
    n_documents: int,
    workers: int | None = None,
    where: str = "score_documents(workers=...)",
) -> Iterator[_Result]:
    """``function(item)`` of each item, in order, each result as soon as it is ready.

    Worker processes are decided on ``n_documents`` (the documents of all the items,
    see ``worker_count``); every item is queued at once, so the workers go on with
    later items while the caller uses the first. One process: here, one by one.
    ``function`` must be a module-level function (it is pickled by name).
    """
    n_workers = worker_count(workers, n_documents, where=where)
    if n_workers == 1:
        yield from map(function, items)
        return
    yield from _results_in_order(function, items, n_workers=n_workers, where=where)

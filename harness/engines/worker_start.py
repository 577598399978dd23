"""Starting the scoring workers: their environment, and a start before the scoring code is imported.

A scoring worker is a spawned interpreter that imports the scoring modules and loads
their tables (CMUdict, VADER, lemmas) itself: about a second of one core. The parent
needs none of that code to start one, only a function the worker can import by name
(``warm_by_name``). So the CLI starts the pool here as soon as it knows the input is
large (``start_early``): its entry point, before it even imports the typer app
(``harness.cli.score_start``), and ``score`` again after parsing for a command line
that reading could not be sure of. The workers' start then overlaps the parent's
imports and its reading of the corpus, instead of leaving a core idle while the
parent works alone. The scoring code adopts that pool when it first asks for one of
the same size (``take_early``).

This module imports only the standard library and ``harness.engines.processes``.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import functools
import importlib
import multiprocessing
import os
import sys
import weakref
from collections.abc import Callable, Iterator, Sequence

from harness.engines.blas import BLAS_THREADS, one_blas_thread
from harness.engines.processes import kill_pool, main_is_importable, quick_handoffs, workers_ignore_sigint

TYPE_CHECKING = False  # not typing's: `harness run` imports this module before its heavy imports
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "BLAS_THREADS",
    "CORE_WORKERS_FROM_BYTES",
    "DIFF_EARLY",
    "DIFF_WARM",
    "DIFF_WORD_HASHES",
    "EarlyPool",
    "SCORING_EARLY",
    "WORKERS_FROM_BYTES",
    "WORKER_GLIBC_SETTINGS",
    "WORKER_JEMALLOC_SETTINGS",
    "available_cores",
    "has_started",
    "new_pool",
    "one_blas_thread",
    "settings_for_children",
    "spawn_every_worker",
    "start_diff_early",
    "start_early",
    "stop_early_now",
    "take_early",
    "warm_by_name",
    "worker_jemalloc",
    "worker_polars_threads",
]

# Bytes of input that almost always hold at least the articles that make a pool worth
# starting (news articles run from about 1 to 5 kB of JSON each): 1,000 articles for
# the full scorecard (``harness.scoring.batch``), 10,000 for the core suite.
WORKERS_FROM_BYTES = 4_000_000
CORE_WORKERS_FROM_BYTES = 20_000_000


def available_cores() -> int:
    """Cores this process may use (its CPU affinity where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# -- the workers' environment ---------------------------------------------------------

# The memory allocators' settings of the worker processes. A worker allocates and
# frees the same large buffers batch after batch (token lists, numpy arrays, polars
# columns); with the defaults both allocators gave them back to the kernel and faulted
# them in again: about half of the workers' system time (2.0 -> 1.0 s in all for
# 22,250 articles, wall 5-7% less, peak memory +40 MB). Each allocator reads its
# settings once, when the process starts: they go in the environment the workers are
# spawned with, except those the user set.
WORKER_GLIBC_SETTINGS: dict[str, str] = {
    # blocks under 32 MiB (glibc's largest threshold) from the heap, not one mmap each,
    # and up to 64 MiB of freed heap kept for the next batch
    "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(64 << 20),
}
# polars' jemalloc: free pages kept 10 s (jemalloc's own default) before they go back.
# polars/__init__.py writes its defaults (0.5 s and 1 s) first in _RJEM_MALLOC_CONF,
# then what the user had set; jemalloc takes the last value of each option.
WORKER_JEMALLOC_SETTINGS: tuple[str, ...] = ("dirty_decay_ms:10000", "muzzy_decay_ms:10000")
_JEMALLOC = "_RJEM_MALLOC_CONF"
_POLARS_JEMALLOC_DEFAULTS: tuple[str, ...] = ("dirty_decay_ms:500", "muzzy_decay_ms:1000")

# Threads of each worker's polars. The pool has a worker per core and polars starts a
# thread per core in each, so the workers' polars threads outnumbered the cores: idle,
# they spin and yield (about 41,000 sched_yield calls in a `harness score` of 22,250
# articles), taking the core from the other worker's Python. With the cores shared out
# (one polars thread per worker when the pool and this process fill the cores: the core
# suite's pool leaves a core to this process, which scores too), every output byte the
# same: in a busy phase of the machine system time 5-6 -> under 3 s and wall 10-15%
# less; in a quiet one, six alternating pairs, wall and CPU about 2.5% less.
_POLARS_THREADS = "POLARS_MAX_THREADS"

def worker_jemalloc(current: str | None) -> str | None:
    """``_RJEM_MALLOC_CONF`` for the workers; None: keep ``current`` (the user set a decay)."""
    options = [option for option in (current or "").split(",") if option]
    n_defaults = len(_POLARS_JEMALLOC_DEFAULTS)
    users = options[n_defaults:] if tuple(options[:n_defaults]) == _POLARS_JEMALLOC_DEFAULTS else options
    if any(option.startswith(("dirty_decay_ms:", "muzzy_decay_ms:")) for option in users):
        return None
    return ",".join([*options, *WORKER_JEMALLOC_SETTINGS])


def worker_polars_threads(workers: int, cores: int | None = None) -> int:
    """polars threads for each of ``workers`` workers: the cores shared out among them and
    this process (which scores too with the core suite), at least one."""
    return max(1, (available_cores() if cores is None else cores) // (max(0, workers) + 1))


@contextlib.contextmanager
def settings_for_children(workers: int) -> Iterator[None]:
    """The settings of a pool of ``workers`` workers (allocators, polars threads) in this
    process's environment for the processes started meanwhile (a setting the user gave
    is kept); the environment as it was after."""
    before = {name: os.environ.get(name) for name in (*WORKER_GLIBC_SETTINGS, _JEMALLOC, _POLARS_THREADS, BLAS_THREADS)}
    settings = {name: value for name, value in WORKER_GLIBC_SETTINGS.items() if before[name] is None}
    if before[BLAS_THREADS] is None:
        settings[BLAS_THREADS] = "1"
    if before[_POLARS_THREADS] is None:
        settings[_POLARS_THREADS] = str(worker_polars_threads(workers))
    jemalloc = worker_jemalloc(before[_JEMALLOC])
    if jemalloc is not None:
        settings[_JEMALLOC] = jemalloc
    os.environ.update(settings)
    try:
        yield
    finally:
        for name in settings:
            value = before[name]
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# -- pools ---------------------------------------------------------------------------------


def _started() -> None:
    """The task that makes the pool start a process (its initializer does the work)."""


def new_pool(workers: int, warm: Callable[[], None], *, fork: bool = False) -> concurrent.futures.ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes, each started now (``spawn_every_worker``)
    and running ``warm`` first; forked instead with ``fork`` where that is safe
    (``fork_is_safe``). Its result pipe is widened (``wide_result_pipe``)."""
    method = "fork" if fork and fork_is_safe() else "spawn"
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context(method), initializer=warm
    )
    wide_result_pipe(pool)
    try:
        _STARTS[pool] = spawn_every_worker(pool, workers)
    except BaseException:
        kill_pool(pool)  # the processes that did start: none is left waiting for work
        raise
    return pool


# Bytes the pool's result pipe holds (Linux's limit for an unprivileged process, by
# default; 64 KiB otherwise).
RESULT_PIPE_BYTES = 1 << 20


def wide_result_pipe(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Let the pool's result pipe hold ``RESULT_PIPE_BYTES`` (Linux; elsewhere, or
    refused, it stays as it is).

    The pool's thread reads a result in as many reads as the pipe fills, and takes the
    GIL back after each: while this thread works, up to a switch interval each. The 5.5
    MB of the corpus's word hashes (``harness.steps.discovery``) took 28-64 ms to arrive
    through a 64 KiB pipe, 20 ms through 1 MiB (traced on the diff bench); a scored
    slice of ``harness score`` is megabytes too.
    """
    import fcntl

    reader = getattr(getattr(pool, "_result_queue", None), "_reader", None)
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if reader is None or setting is None:
        return
    try:
        fcntl.fcntl(reader.fileno(), setting, RESULT_PIPE_BYTES)
    except OSError:
        pass  # over the system's limit (/proc/sys/fs/pipe-max-size) or its user quota


def fork_is_safe() -> bool:
    """Whether this process may fork its workers: on Linux, with no thread but the main
    one (a fork copies one thread: a lock another holds stays locked in the child).

    `harness run` starts its diff workers before its imports (``harness.cli.run_start``):
    then the process is Python, the standard library and the command line read, and a
    forked worker starts from it at once. A spawned one starts a new interpreter and
    re-imports what the parent had, and multiprocessing first starts its resource
    tracker, a third process (about 120 M instructions on the diff bench's project), on
    the two cores the run and its worker are starting on.
    """
    import threading

    return sys.platform == "linux" and threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


# The start tasks of each pool ``new_pool`` made: done once a worker has run ``warm``.
_STARTS: weakref.WeakKeyDictionary[concurrent.futures.Executor, list[concurrent.futures.Future[None]]] = (
    weakref.WeakKeyDictionary()
)


def has_started(pool: concurrent.futures.Executor) -> bool:
    """Whether ``pool`` has a warm worker (its start tasks are done, or failed: a task
    submitted now then fails as it would); True for a pool ``new_pool`` did not make.

    A spawned worker takes about a quarter of a second to import its code. A task
    handed to it before then waits; the caller can do it itself instead (see
    ``harness.wirediff.pairwork._shared``)."""
    return all(future.done() for future in _STARTS.get(pool, ()))


def spawn_every_worker(
    pool: concurrent.futures.ProcessPoolExecutor, workers: int
) -> list[concurrent.futures.Future[None]]:
    """Start all of the pool's processes now, with Ctrl-C blocked for them from their
    start, in the environment of ``settings_for_children``; the start tasks, done as
    the workers are warm (``has_started``).

    The pool spawns a process per task submitted while none is idle, up to its size,
    and never again after (a dead worker breaks the pool). Spawning them all here
    keeps the window of ``workers_ignore_sigint`` to this call: a Ctrl-C pressed in
    it reaches the parent's handler as the window closes.
    """
    with workers_ignore_sigint(pool), settings_for_children(workers):
        # one task per process: the pool spawns one per task
        return [pool.submit(_started) for _ in range(workers)]


def _call_by_name(module: str, name: str) -> None:
    """Import ``module`` and call its ``name`` (a worker's initializer, named, not imported
    here); then freeze what the warm worker holds (``harness.engines.collector``)."""
    from harness.engines.collector import freeze_imports

    _load_by_name(module, name)
    freeze_imports()


def _load_by_name(module: str, name: str) -> None:
    """Import ``module`` and call its ``name`` with the cyclic collector off: what an
    import and a warm-up make lives as long as the process, and a collector pass over
    it would find nothing."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        getattr(importlib.import_module(module), name)()
    finally:
        if enabled:
            gc.enable()


def _task_by_name(module: str, name: str, *args: Any) -> Any:
    """``module.name(*args)`` in a worker: a task named, its module not imported here."""
    return getattr(importlib.import_module(module), name)(*args)


def warm_by_name(module: str, name: str) -> Callable[[], None]:
    """A worker's initializer that imports ``module`` and calls its ``name`` in the
    worker: picklable without importing that module here."""
    return functools.partial(_call_by_name, module, name)


class EarlyPool:
    """A slot for one pool started before the code that uses it is imported or called.

    One slot per kind of work (the scoring workers', the diff's): a pool is only ever
    adopted by the work it was warmed for. A pool nobody takes is killed when the
    process exits (its workers are only loading tables).
    """

    def __init__(self) -> None:
        self.started: tuple[concurrent.futures.ProcessPoolExecutor, int] | None = None
        # First tasks by name, for the work that takes the pool (``hand``).
        self.handed: dict[str, list[concurrent.futures.Future[Any]]] = {}
        self._handoffs = contextlib.ExitStack()  # quick hand-overs while handed tasks run
        atexit.register(self.stop_now)

    def start(self, workers: int, warm: Callable[[], None], *, fork: bool = False) -> bool:
        """Start a pool of ``workers`` processes whose initializer is ``warm`` (forked
        with ``fork``, where safe: ``new_pool``); False (nothing started) when a pool
        cannot help or cannot start: fewer than two cores, no workers, a main script
        workers cannot re-import, one started already, or the system refused a process
        (an early start is only ever a head start)."""
        if workers < 1 or available_cores() < 2 or not main_is_importable() or self.started is not None:
            return False
        try:
            self.started = (new_pool(workers, warm, fork=fork), workers)
        except OSError:
            return False  # no process could start (a limit reached): the work starts its own pool, or runs alone
        return True

    @property
    def pool(self) -> concurrent.futures.ProcessPoolExecutor | None:
        """The started pool, still in this slot (nobody took it yet), or None: work can
        be handed to it ahead of ``take`` (its results read by whoever takes it)."""
        return None if self.started is None else self.started[0]

    def hand(self, module: str, name: str, arguments: Sequence[tuple[Any, ...]]) -> bool:
        """Give the started pool first tasks now, ``module.name(*args)`` for each of
        ``arguments`` (``module`` is imported by the workers, not here); their futures,
        by ``name``, wait for the work the pool was started for (``take_handed``).
        False: no pool."""
        pool = self.pool
        if pool is None:
            return False
        with workers_ignore_sigint(pool):  # as every submit: a worker started now ignores Ctrl-C
            self.handed.setdefault(name, []).extend(pool.submit(_task_by_name, module, name, *args) for args in arguments)
        if len(self.handed) == 1:
            # The pool's thread moves each next task to the worker and reads each result,
            # and waits the switch interval for the GIL each time while this process
            # imports: 0.5 ms, not 5, until the work that takes the pool decides.
            self._handoffs.enter_context(quick_handoffs())
        return True

    def take_handed(self, *names: str) -> dict[str, list[concurrent.futures.Future[Any]]]:
        """The futures of the tasks ``hand`` gave the pool, by task name, now the caller's:
        those of ``names`` (the rest stay for whoever asks for them), or with no names
        every one. Once none is left, the caller chooses the switch interval."""
        if names:
            handed = {name: self.handed.pop(name) for name in names if name in self.handed}
        else:
            handed, self.handed = self.handed, {}
        if not self.handed:
            self._handoffs.close()
        return handed

    def take(self, workers: int) -> concurrent.futures.ProcessPoolExecutor | None:
        """The pool ``start`` started, if it has ``workers`` processes (it is the caller's
        from then on); one of another size is of no use: it is stopped (killed) and None
        is returned. Handed tasks nobody took are cancelled (those not yet running)."""
        for futures in self.take_handed().values():
            for future in futures:
                future.cancel()
        if self.started is None:
            return None
        pool, size = self.started
        if size == workers:
            self.started = None
            return pool
        self.stop_now()
        return None

    def stop_now(self) -> None:
        """Kill the pool if nobody took it (an interrupt, or the input was refused)."""
        self.handed = {}
        self._handoffs.close()
        if self.started is not None:
            pool, _ = self.started
            self.started = None
            kill_pool(pool)


SCORING_EARLY = EarlyPool()
"""The scoring workers' pool, started by the CLI before it imports the scoring code."""

DIFF_EARLY = EarlyPool()
"""The diff's workers (``harness.wirediff.pairwork``): started by ``harness run`` before
it imports the app (``harness.cli.run_start``), else by the run before its first step."""

DIFF_WARM = ("harness.wirediff.pairwork", "_warm_worker")
"""The diff worker's initializer, by name: its modules and rules, loaded as it starts."""

DIFF_WORD_HASHES = ("harness.wirediff.pairwork", "word_hashes_from_file")
"""The task `harness run` hands the diff's early workers for the discovery step before
the diff, by name: the word hashes of the corpus file's bodies (``harness.steps.discovery``)."""


def start_diff_early(workers: int, *, fork: bool = False) -> bool:
    """Start the diff's workers (``DIFF_EARLY``) without importing the diff here (forked
    with ``fork``: by `harness run` before its imports, ``harness.cli.run_start``).

    Not after importing it here, though the forked workers would then start with it:
    this process has the run's longest path to its first pair, and the workers wait for
    theirs. Loaded here before the fork, the diff and its rules delayed this process by
    84 ms and saved it some 35 ms later, and the run ended 50 ms later than with the
    workers loading them (medians of twelve traced runs of the diff bench's project)."""
    return DIFF_EARLY.start(workers, warm_by_name(*DIFF_WARM), fork=fork)


def start_early(workers: int, warm_module: str, warm_name: str) -> bool:
    """Start the scoring workers' pool (``SCORING_EARLY``) with the initializer
    ``warm_module.warm_name``, without importing that module here (see ``EarlyPool.start``)."""
    return SCORING_EARLY.start(workers, warm_by_name(warm_module, warm_name))


def take_early(workers: int) -> concurrent.futures.ProcessPoolExecutor | None:
    """The scoring workers' early pool, if it has ``workers`` processes (``EarlyPool.take``)."""
    return SCORING_EARLY.take(workers)


def stop_early_now() -> None:
    """Kill the early pools nobody took: the scoring workers' and the diff's."""
    SCORING_EARLY.stop_now()
    DIFF_EARLY.stop_now()

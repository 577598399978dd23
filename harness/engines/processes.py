"""Worker processes on this machine: what scoring's and discovery's pools share.

Both spawn clean interpreters (never a fork of a process whose polars threads may
hold locks), so both need to know whether a spawned worker can start at all, to
keep Ctrl-C the parent's alone, and to stop their workers at once after one.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

from harness.errors import UsageError
from harness.interrupts import interrupts_deferred


# A worker's next task and its last result pass through this process's pool threads
# (the executor's manager, the call queue's feeder: pickling, reading a result larger
# than the pipe holds), which need the GIL. This process's main thread holds it while
# it does its own share of the work (compiled code and C in the diff, discovery) and
# lets another thread in only after that thread has waited the interpreter's switch
# interval: 5 ms by default, paid at every hand-over, sometimes twice. On the diff
# bench's 1,120 pairs the worker so waited 0.14-0.29 s between its chunks of a
# 1.1-1.5 s phase; at 0.5 ms, 0.07-0.12 s.
HANDOFF_SWITCH_INTERVAL = 0.0005

_HANDOFFS: list[float] = []  # the switch interval before the first holder; one entry per holder


@contextlib.contextmanager
def quick_handoffs() -> Iterator[None]:
    """The switch interval at most ``HANDOFF_SWITCH_INTERVAL`` while a pool works beside
    this process, then as it was. Holders may overlap in any order (the diff's early
    furniture pass is taken inside the step's pool): the interval is restored when the
    last one leaves; a caller's own shorter interval is kept."""
    previous = _HANDOFFS[0] if _HANDOFFS else sys.getswitchinterval()
    if not _HANDOFFS and previous > HANDOFF_SWITCH_INTERVAL:
        sys.setswitchinterval(HANDOFF_SWITCH_INTERVAL)
    _HANDOFFS.append(previous)
    try:
        yield
    finally:
        _HANDOFFS.pop()
        if not _HANDOFFS and previous > HANDOFF_SWITCH_INTERVAL:
            sys.setswitchinterval(previous)


def main_is_importable() -> bool:
    """Whether a spawned worker can start: it re-imports the main script by its path.

    A script read from standard input (``python -``) or ``python -c`` has no file to
    re-import, and every worker would die on start. An interactive session or a
    notebook has no ``__file__`` at all, and spawn skips it (workers start fine).
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return path is None or os.path.isfile(path)


def worker_died(kind: str, *, where: str, alone: str) -> UsageError:
    """The one error for a ``kind`` worker process that died before finishing
    (``BrokenProcessPool``): most often a main script re-run by every spawned worker.
    ``alone`` says how to do the work in this process instead."""
    return UsageError(
        f"a {kind} worker process stopped before finishing",
        where=where,
        hint=(
            "workers start a fresh Python that imports your main script: put the call under "
            f"`if __name__ == '__main__':`, or {alone}"
        ),
    )


@contextlib.contextmanager
def workers_ignore_sigint(pool: concurrent.futures.Executor | None = None) -> Iterator[None]:
    """Start worker processes with Ctrl-C blocked: only the parent handles it (for
    ``pool``'s workers, when given: a pool that forks needs no resource tracker).

    On a terminal, Ctrl-C reaches every process of the foreground group: a worker
    would print its own KeyboardInterrupt traceback, and a pool whose workers died
    leaves the parent waiting. A blocked signal stays blocked across fork and exec
    (CPython starts its resource tracker so, bpo-33613), so a worker spawned in here
    never sees SIGINT, from its first instruction on.

    Nothing pressed in here is lost. The parent's handler is not set to "ignore"
    (which drops a Ctrl-C that lands in the window: seen once in 40 stress runs of
    ``harness run``); a Ctrl-C that reaches another thread in the window is noted
    and one still blocked stays pending, and either reaches the parent's own handler
    as the window closes, never halfway through spawning a worker.
    """
    if not hasattr(signal, "pthread_sigmask"):  # no signal masks (Windows): "ignore" is inherited instead
        with _sigint_ignored():
            yield
        return
    if pool is None or _spawns(pool):
        # Its first start unblocks SIGINT in this thread when done: started before the window, not in it.
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    with interrupts_deferred():
        before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)  # a pending Ctrl-C arrives now


def _spawns(pool: concurrent.futures.Executor) -> bool:
    """Whether ``pool`` starts its processes by spawning (or a fork server): those start
    multiprocessing's resource tracker. A pool that forks starts none (its semaphores
    are unlinked at once), so neither does this module for it."""
    context = getattr(pool, "_mp_context", None)  # ProcessPoolExecutor's, since Python 3.7
    return context is None or context.get_start_method() != "fork"


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """The parent ignores Ctrl-C inside (a disposition of "ignore" survives exec)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def kill_pool(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Stop ``pool`` now (after a Ctrl-C): its processes are killed mid-task, nothing
    waits for their tasks, and the pool's thread has finished when this returns.

    The pool has no public way to stop running tasks, so its processes are terminated.
    Its thread (Python 3.11), on seeing a worker die, marks every future still in its
    books failed, and raises InvalidStateError at one already cancelled: a traceback
    on stderr. A Ctrl-C cancels the futures not yet running (``pool.map``'s iterator is
    closed) just before this, and on a busy machine the thread can see the workers die
    before it hears of the shutdown: seen once in CI, a traceback above the one
    "interrupted" line. CPython 3.12 ignores that error there (gh-107219, "ignore the
    InvalidStateError on future.set_exception()"); so does this, from that thread
    only, until the thread has finished.
    """
    with _cancelled_futures_race_ignored():
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()  # gone: their ends of the pool's pipes are closed
        _unblock_pool_threads(pool)
        pool.shutdown(wait=True, cancel_futures=True)  # joins the pool's thread


def _unblock_pool_threads(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Let the pool's thread finish once its workers are gone, wherever the kill caught them.

    A worker killed halfway through sending a result (a scored slice is megabytes)
    left the pool's thread reading the rest of it for good: this process holds the
    result pipe's write end too, so no end of file ever came, and ``shutdown`` waited
    on that thread for ever (seen: a Ctrl-C in ``harness score`` about one time in
    fifteen, ended after 20 s by the watchdog with the output's temporary file left).
    Closing this process's write end (nothing of ours writes there: only workers
    send results) turns that wait into an end of file, which the thread handles:
    the pool is broken, and it winds up. (Its other possible wait, the task queue's
    feeder halfway through a task no worker reads, CPython 3.11.1 and later end
    themselves: gh-94777.)
    """
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()


@contextlib.contextmanager
def _cancelled_futures_race_ignored() -> Iterator[None]:
    from concurrent.futures import process as pools  # loaded with any pool; not at import (start-up)

    pool_thread: type | None = getattr(pools, "_ExecutorManagerThread", None)
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if (
            pool_thread is not None
            and isinstance(args.thread, pool_thread)
            and issubclass(args.exc_type, concurrent.futures.InvalidStateError)
        ):
            return
        previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = previous

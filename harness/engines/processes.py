"""Worker processes on this machine: what scoring's and discovery's pools share.

Both spawn clean interpreters (never a fork of a process whose polars threads may
hold locks), so both need to know whether a spawned worker can start at all and
to keep Ctrl-C the parent's alone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator


def main_is_importable() -> bool:
    """Whether a spawned worker can start: it re-imports the main script by its path.

    A script read from standard input (``python -``) or ``python -c`` has no file to
    re-import, and every worker would die on start. An interactive session or a
    notebook has no ``__file__`` at all, and spawn skips it (workers start fine).
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return path is None or os.path.isfile(path)


@contextlib.contextmanager
def workers_ignore_sigint() -> Iterator[None]:
    """Start worker processes with Ctrl-C ignored: only the parent handles it.

    On a terminal, Ctrl-C reaches every process of the foreground group: a worker
    would print its own KeyboardInterrupt traceback, and a pool whose workers died
    leaves the parent waiting. A disposition of "ignore" survives exec, so a spawned
    worker ignores SIGINT from its first instruction (before the initializer runs).
    The parent's handler is back as soon as the tasks are handed out.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread; no Ctrl-C arrives elsewhere
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)

"""Ctrl-C held back over a block that must not be cut in half.

Publishing a result and pointing ``LATEST`` at it (``harness.results.store``), or
spawning a worker process (``harness.engines.processes``): an interrupt in the
middle would leave a stored result that ``LATEST`` does not name, or a worker that
no pool knows of. Inside :func:`interrupts_deferred` a Ctrl-C is only noted, then
handed to the handler that was there before as the block ends.

The SIGINT handler is swapped, not the thread's signal mask: the signal may land on
any of polars' threads, where a mask set here does not reach. Only the main thread
may set handlers, and only it receives Python's KeyboardInterrupt anyway.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Ctrl-C waits until the block ends, then takes effect as usual (see the module docstring).

    Elsewhere than in the main thread, or with Ctrl-C ignored (started with nohup),
    nothing changes.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pressed:
            signal.raise_signal(signal.SIGINT)  # now handled as it would have been

"""Memory a large run has freed, handed back to the system before it allocates more.

A run at scale frees much at once: the diff's rows of a million edits, say, let go
column by column as they become a table. CPython hands its small objects' memory
back only by whole arenas (an arena with one object still alive stays), and glibc's
``malloc`` keeps what is freed inside its heap for later calls. polars allocates
through its own allocator (jemalloc), which never reuses those pages. So the freed
rows stayed in the process's resident memory beside the table that replaced them:
at 1M articles the diff's step ended at 1,463 MiB; with ``malloc_trim(0)`` after
each large column, returning glibc's free pages to the system, at 1,049 MiB.

``malloc_trim`` is glibc's; with another C library (macOS, musl) nothing is done.
It walks the heap (a few ms for a small one), so callers call it only after freeing
a large amount.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, looked up once; None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # only here: a small run never frees enough to call this

    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # the process's C library
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return trim


def return_freed_memory() -> bool:
    """Return the pages ``malloc`` holds free to the system (True: asked; False: no glibc)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True

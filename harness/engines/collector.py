"""The cyclic garbage collector kept away from the modules a process imports.

A command imports polars, numpy, typer and the harness: several hundred thousand
objects the collector tracks (functions, classes, module dicts) that live as long
as the process. Each full collection walks all of them again, and a ``harness
run`` of discovery and the diff made two such passes of 20-50 ms, on the process
that everything else waits for. ``gc.freeze()`` moves what exists at that point
into a generation the collector never walks; objects made afterwards are
collected as before, and reference counting still frees frozen objects.

The one cost: a cycle of garbage already made when freezing is never collected.
Imports make few (a failed optional import's traceback, say), and the process ends
with the command, so this is done only in a process the harness owns: the ``harness``
command itself (``main(leave=True)``) and the worker processes it spawns.

The diff freezes what a chunk of comparisons leaves alive, too (``freeze_survivors``):
the prepared articles, kept for the article's other pairs, hold a tuple per token
field (some 200,000 references per chunk of 32 pairs), and the collector's next
pass after every chunk walked them all once more: about 1.5 ms a chunk, 4% of the
pairs' time in each process. A comparison makes no cycle of garbage (a test checks
it), so freezing its survivors leaves nothing uncollected that it made. What else is
alive then is frozen with them (in the command's process, the run's tables): the
same cost as above, a cycle among them that becomes garbage later is freed only when
the process ends, which is when the command ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_OWNED = [False]  # is this process the harness's own (modules_kept_apart, freeze_imports)?


@contextmanager
def modules_kept_apart(*, whole_process: bool) -> Iterator[None]:
    """Import inside this block; when ``whole_process`` (the harness owns the process),
    the collector is off while importing (the imports' objects outlive them: each pass
    over them would find nothing) and what they made is frozen after."""
    if not whole_process or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
        _OWNED[0] = True


def freeze_imports() -> None:
    """A worker process, once warm (its modules imported, its rules compiled):
    what it holds now stays for its life and need not be walked again."""
    gc.freeze()
    _OWNED[0] = True


def owns_process() -> bool:
    """Is this process the harness's own (the ``harness`` command, or a worker it spawned)?"""
    return _OWNED[0]


def freeze_survivors() -> None:
    """In a process the harness owns, freeze every object alive now (see the module
    docstring); in any other process (a library caller's), do nothing."""
    if _OWNED[0]:
        gc.freeze()

"""The cyclic garbage collector held off while one comparison runs.

A comparison builds tens of thousands of small containers (alignment runs,
rule windows, edits, the tuples of a prepared text). Reference counting frees
them; they form no cycles that outlive the comparison. Yet every 700 new
containers start a collector pass, and those passes cost about a fifth of a
comparison (measured on the BBC pairs of ``benchmarks.bench_diff``). So the
collector is paused for the length of one comparison and resumed after it,
when any cycle left is collected as usual. The pause is bounded by one
comparison (a few milliseconds, a few MB at most), or by one chunk of a pair
table (``harness.wirediff.pairwork.CHUNK_PAIRS`` comparisons, tens of
milliseconds); nested pauses keep the outermost one, and a collector already
disabled by the caller stays as it is.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def collector_paused(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` with the cyclic collector off (see the module docstring)."""

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return function(*args, **kwargs)  # the caller's choice, or an outer pause
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused

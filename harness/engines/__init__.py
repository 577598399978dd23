"""Where batch steps run: the embedded local engine (polars, this process) or Ray Data.

An engine only decides *where* a step's batches are computed; the step is the same
pure function either way. A step registered with ``batch_over="articles"`` promises
that running it on consecutive slices of that table and concatenating the outputs
gives exactly the tables of one run on the whole table. Ray relies on that promise;
the local engine runs the whole table at once. Same tables, same bytes, same
result id, whichever engine ran them.

The names below are imported on first use (PEP 562): ``harness.engines.worker_start``
(which ``harness score`` imports before polars, to start its workers) must not load
polars with this package.
"""

from __future__ import annotations

from harness.lazy import lazy_exports

TYPE_CHECKING = False  # as in harness/__init__.py: mypy reads this constant as typing's
if TYPE_CHECKING:
    from harness.engines.base import *  # noqa: F403  # the names of __all__ below, for mypy

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ENGINE_NAMES",
    "BatchCall",
    "Engine",
    "EngineName",
    "LocalEngine",
    "ReadsCorpus",
    "check_engine",
    "in_parallel_task",
    "open_engine",
    "parallel_task",
]

_HOME = dict.fromkeys(__all__, "harness.engines.base")

__getattr__, __dir__ = lazy_exports(__name__, _HOME, globals())

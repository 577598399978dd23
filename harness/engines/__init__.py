"""Where batch steps run: the embedded local engine (polars, this process) or Ray Data.

An engine only decides *where* a step's batches are computed; the step is the same
pure function either way. A step registered with ``batch_over="articles"`` promises
that running it on consecutive slices of that table and concatenating the outputs
gives exactly the tables of one run on the whole table. Ray relies on that promise;
the local engine runs the whole table at once. Same tables, same bytes, same
result id, whichever engine ran them.
"""

from harness.engines.base import (
    DEFAULT_BATCH_SIZE,
    ENGINE_NAMES,
    BatchCall,
    Engine,
    EngineName,
    LocalEngine,
    ReadsCorpus,
    check_engine,
    in_parallel_task,
    open_engine,
    parallel_task,
)

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

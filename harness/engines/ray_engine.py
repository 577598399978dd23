"""Ray Data engine: a batch step's slices run as ``map_batches`` tasks.

Each task gets an Arrow slice of the batched table, turns it into polars, runs the
step and returns every output table as Arrow IPC bytes in a one-row record (Ray
Data moves one table per batch; a step may make several). Order is preserved, so
concatenating the slices' outputs gives the local engine's tables byte for byte.
Without ``address`` a local Ray instance starts with this machine's cores; with
it, the engine joins an existing cluster.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl

from harness.engines.base import BatchCall, EngineName, GroupFunction, parallel_task
from harness.errors import UsageError

try:
    import pyarrow as pa
    import ray
    import ray.data
except ImportError:  # pragma: no cover - exercised only without the extra installed
    raise UsageError(
        "--engine ray needs Ray, which is not installed",
        hint="pip install 'framing-harness[ray]'",
    ) from None


def _to_ipc(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="uncompressed")
    return buffer.getvalue()


def _from_ipc(data: bytes) -> pl.DataFrame:
    return pl.read_ipc(io.BytesIO(data))


class _RunSlice:
    """The task body: picklable, holds the call (broadcast tables travel with it)."""

    def __init__(self, call: BatchCall) -> None:
        self.call = call

    def __call__(self, batch: Any) -> Any:
        with parallel_task():
            produced = self.call.call(pl.from_arrow(batch))  # type: ignore[arg-type]
        return pa.table({name: [_to_ipc(produced[name])] for name in self.call.outputs})


def _group_task(func: GroupFunction) -> Any:
    """The task body of a group-by: one group in (Arrow), the function's frame out.

    A plain function (Ray's map_groups wants a named callable, not an instance).
    """

    def run_group(group: Any) -> Any:
        with parallel_task():
            return func(pl.from_arrow(group)).to_arrow()  # type: ignore[arg-type]

    return run_group


def _init(address: str | None) -> None:
    """Start a local Ray, or join the cluster at ``address`` (checked by ``check_engine``).

    Whatever still goes wrong inside Ray (a cluster of another Ray version, no
    running instance for ``auto``) is one line, not Ray's traceback.
    """
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
    if address:
        options["address"] = address
    else:
        options["num_cpus"] = os.cpu_count() or 1
    try:
        ray.init(**options)
    except BaseException as exc:
        # Half-started Ray (Ctrl-C while it starts) crashes the interpreter at exit
        # unless it is shut down: stop whatever did start, then report.
        with contextlib.suppress(Exception):
            ray.shutdown()
        if not isinstance(exc, Exception):
            raise  # KeyboardInterrupt: the CLI says "interrupted"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(
            f"could not {'join the Ray cluster at ' + address if address else 'start Ray'}: {first}",
            where="--ray-address" if address else "--engine ray",
            hint="check the address and that the cluster runs the same Ray version"
            if address
            else "see Ray's logs in /tmp/ray",
        ) from None


class RayEngine:
    name: EngineName = "ray"

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size

    @classmethod
    @contextmanager
    def started(cls, *, address: str | None, batch_size: int) -> Iterator[RayEngine]:
        owns = not ray.is_initialized()
        if owns:
            _init(address)
        with warnings.catch_warnings():
            # Ray's own DataContext construction warns about its own deprecated
            # fields; nothing a researcher can act on.
            warnings.simplefilter("ignore", DeprecationWarning)
            context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        try:
            yield cls(batch_size)
        finally:
            if owns:
                ray.shutdown()

    def run(self, call: BatchCall) -> dict[str, pl.DataFrame]:
        table = call.tables[call.batched]
        if table.height == 0:
            return call.call(table)  # nothing to spread; the schemas come from the step
        blocks = max(1, -(-table.height // self.batch_size))
        dataset = (
            ray.data.from_arrow(table.to_arrow())
            .repartition(blocks)
            .map_batches(_RunSlice(call), batch_format="pyarrow", batch_size=self.batch_size)
        )
        parts: dict[str, list[pl.DataFrame]] = {name: [] for name in call.outputs}
        for row in dataset.iter_rows():
            for name in call.outputs:
                parts[name].append(_from_ipc(row[name]))
        return {name: pl.concat(frames, how="vertical", rechunk=True) for name, frames in parts.items()}

    def map_groups(self, frame: pl.DataFrame, keys: tuple[str, ...], func: GroupFunction) -> pl.DataFrame:
        """A Ray Data group-by: each group's rows meet in one task."""
        if frame.height == 0:
            return func(frame)
        dataset = (
            ray.data.from_arrow(frame.to_arrow())
            .groupby(list(keys))
            .map_groups(_group_task(func), batch_format="pyarrow")
        )
        parts = [pl.from_arrow(batch) for batch in dataset.iter_batches(batch_format="pyarrow")]
        frames = [p for p in parts if isinstance(p, pl.DataFrame)]
        return pl.concat(frames, how="vertical", rechunk=True) if frames else func(frame.clear())

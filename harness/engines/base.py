"""The engine interface and the local engine."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import polars as pl

from harness.engines.address import check_ray_address, effective_ray_address
from harness.errors import UsageError

if TYPE_CHECKING:
    from harness.corpus.columns import ColumnMap
    from harness.corpus.reader import CorpusRead
    from harness.corpus.textfile import InvalidUtf8

EngineName = Literal["local", "ray"]
ENGINE_NAMES: tuple[EngineName, ...] = ("local", "ray")
DEFAULT_BATCH_SIZE = 256

Tables = Mapping[str, pl.DataFrame]

# True inside a task an engine already runs in parallel: code that would start
# its own worker processes (the scorecard's pool) must not, or the cores are
# oversubscribed.
_IN_PARALLEL_TASK: ContextVar[bool] = ContextVar("in_parallel_task", default=False)


def in_parallel_task() -> bool:
    return _IN_PARALLEL_TASK.get()


@contextmanager
def parallel_task() -> Iterator[None]:
    token = _IN_PARALLEL_TASK.set(True)
    try:
        yield
    finally:
        _IN_PARALLEL_TASK.reset(token)


@dataclass(frozen=True, slots=True)
class BatchCall:
    """One step call whose ``batched`` table may be cut into consecutive slices.

    ``func(batched_slice, **broadcast, **settings)`` must return ``outputs``; the
    broadcast tables are handed whole to every slice.
    """

    func: Callable[..., Tables]
    batched: str
    tables: Mapping[str, pl.DataFrame]
    inputs: tuple[str, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()

    def call(self, batch: pl.DataFrame) -> dict[str, pl.DataFrame]:
        args = [batch if name == self.batched else self.tables[name] for name in self.inputs]
        produced = self.func(*args, **self.settings)
        return {name: produced[name] for name in self.outputs}


GroupFunction = Callable[[pl.DataFrame], pl.DataFrame]


class Engine(Protocol):
    name: EngineName

    def run(self, call: BatchCall) -> dict[str, pl.DataFrame]: ...

    def map_groups(self, frame: pl.DataFrame, keys: tuple[str, ...], func: GroupFunction) -> pl.DataFrame:
        """``func`` on every group of rows sharing ``keys``, concatenated (group order unspecified)."""
        ...


@runtime_checkable
class ReadsCorpus(Protocol):
    """An engine that reads (some) corpora itself: Ray reads a Parquet corpus on the cluster."""

    def load_corpus(
        self, path: Path, *, root: Path | None, invalid_utf8: InvalidUtf8, columns: ColumnMap
    ) -> CorpusRead: ...


class LocalEngine:
    """The embedded default: one call over the whole table, in this process."""

    name: EngineName = "local"

    def run(self, call: BatchCall) -> dict[str, pl.DataFrame]:
        return call.call(call.tables[call.batched])

    def map_groups(self, frame: pl.DataFrame, keys: tuple[str, ...], func: GroupFunction) -> pl.DataFrame:
        groups = frame.partition_by(list(keys), maintain_order=True)
        return pl.concat([func(group) for group in groups]) if groups else func(frame)


def check_engine(name: EngineName, *, address: str | None = None) -> None:
    """Refuse engine options that cannot work, before any work is done (a few seconds at most).

    ``--ray-address`` without the Ray engine, Ray not installed, an address that is
    malformed, needs a missing package, or where no Ray cluster answers (see
    ``harness.engines.address``).
    """
    if name not in ENGINE_NAMES:
        raise UsageError(f"unknown engine {name!r}", hint="choose " + " or ".join(ENGINE_NAMES))
    if name == "local":
        if address is not None:
            raise UsageError(
                "given, but the engine is local: there is no Ray cluster to join",
                where="--ray-address",
                hint="add --engine ray, or drop --ray-address",
            )
        return
    if importlib.util.find_spec("ray") is None:
        raise UsageError("--engine ray needs Ray, which is not installed", hint="pip install 'framing-harness[ray]'")
    effective, where = effective_ray_address(address)
    check_ray_address(effective, where=where)


@contextmanager
def open_engine(
    name: EngineName, *, address: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[Engine]:
    """The named engine, started for the duration of the block (Ray: connected or local)."""
    check_engine(name, address=address)
    if name == "local":
        yield LocalEngine()
        return
    from harness.engines.ray_engine import RayEngine  # Ray is optional: imported only here

    with RayEngine.started(address=effective_ray_address(address)[0], batch_size=batch_size) as engine:
        yield engine

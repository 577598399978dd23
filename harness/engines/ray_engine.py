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
from pathlib import Path
from typing import Any

import polars as pl

from harness.corpus.columns import ColumnMap, grouping_warning
from harness.corpus.pieces import parquet_corpus_files, plan_pieces
from harness.corpus.reader import CorpusRead, check_invalid_utf8_choice, load_corpus
from harness.corpus.stream import DEFAULT_STREAM_BATCH
from harness.corpus.textfile import InvalidUtf8
from harness.engines.address import parse_ray_address
from harness.engines.base import BatchCall, EngineName, GroupFunction, parallel_task
from harness.errors import UsageError
from harness.safetext import unicode_text

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


AUTH_MODE_VARIABLE = "RAY_AUTH_MODE"
AUTH_TOKEN_VARIABLES = ("RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")
_GRPC_UNIMPLEMENTED = 12  # the answer of a gRPC server without the GCS's services
_GET_THE_TOKEN = "`ray get-auth-token` on the head node prints it"


@contextmanager
def _stderr_swallowed() -> Iterator[None]:
    """Ray's C++ client logs each refused call on file descriptor 2: not for the user's terminal."""
    import tempfile

    with tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _auth_refused(address: str, token_mode: bool) -> UsageError:
    """Which setting is missing when the cluster refused this process's token (or its lack of one)."""
    if not token_mode:
        mode = os.environ.get(AUTH_MODE_VARIABLE)
        shown = "not set" if mode is None else f"{mode!r}"
        return UsageError(
            f"the Ray cluster at {address} requires token authentication, and {AUTH_MODE_VARIABLE} is {shown} here",
            where="--ray-address",
            hint=f"set {AUTH_MODE_VARIABLE}=token and RAY_AUTH_TOKEN to the cluster's token "
            f"(or RAY_AUTH_TOKEN_PATH to a file holding it); {_GET_THE_TOKEN}",
        )
    given = next((name for name in AUTH_TOKEN_VARIABLES if os.environ.get(name)), None)
    if given == "RAY_AUTH_TOKEN":
        what = "refused the token in RAY_AUTH_TOKEN"
    elif given is not None:
        what = f"refused the token in the file {given} names"
    else:
        what = "refused the token in ~/.ray/auth_token (RAY_AUTH_TOKEN and RAY_AUTH_TOKEN_PATH are not set)"
    return UsageError(
        f"the Ray cluster at {address} {what}", where="--ray-address", hint=f"give the cluster's own token; {_GET_THE_TOKEN}"
    )


def _no_token(address: str) -> UsageError:
    return UsageError(
        f"{AUTH_MODE_VARIABLE} is token, but there is no token here to give the Ray cluster at {address}: "
        "RAY_AUTH_TOKEN and RAY_AUTH_TOKEN_PATH are not set, and there is no ~/.ray/auth_token",
        where="--ray-address",
        hint=f"set RAY_AUTH_TOKEN to the cluster's token, or RAY_AUTH_TOKEN_PATH to a file holding it; {_GET_THE_TOKEN}",
    )


def _fresh_auth_settings() -> None:
    """Ray caches the authentication mode and the token per process: read them again from
    the environment now, as the processes ``ray.init`` starts will (an earlier Ray in this
    process may have seen other settings; a local Ray would then refuse its own driver)."""
    from ray._raylet import AuthenticationTokenLoader, Config  # type: ignore[attr-defined]

    Config.initialize("")
    AuthenticationTokenLoader.instance().reset_cache()


def _probe_head(address: str) -> None:
    """Ask the head's GCS for the cluster id, as ``ray.init`` does first, and say in one
    line why it refuses: ``ray.init`` itself retries a refused token for 20 seconds,
    logging every attempt, and then fails with a generic ConnectionError."""
    parsed = parse_ray_address(address)
    if parsed is None or parsed.client:
        return  # auto/local: Ray's own discovery; ray://: Ray Client's own handshake
    from ray._raylet import (  # type: ignore[attr-defined]
        AuthenticationMode,
        AuthenticationTokenLoader,
        GcsClient,
        get_authentication_mode,
    )
    from ray.exceptions import AuthenticationError, RpcError

    _fresh_auth_settings()
    loader = AuthenticationTokenLoader.instance()
    token_mode = get_authentication_mode() == AuthenticationMode.TOKEN
    if token_mode and not loader.has_token(ignore_auth_mode=True):
        raise _no_token(address)  # Ray's C++ client would abort the process
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    try:
        with _stderr_swallowed():
            GcsClient(address=f"{host}:{parsed.port}", cluster_id=None).cluster_id  # noqa: B018
    except AuthenticationError:
        raise _auth_refused(address, token_mode) from None
    except RpcError as exc:
        if exc.rpc_code == _GRPC_UNIMPLEMENTED:
            raise UsageError(
                f"{address} answers, but is not a Ray head node (no GCS service there)",
                where="--ray-address",
                hint="give the head's GCS port, the --port of `ray start --head` (6379 by default), "
                "not a worker node's or another service's",
            ) from None
        raise UsageError(
            f"could not join the Ray cluster at {address}: {str(exc).strip() or f'RPC error {exc.rpc_code}'}",
            where="--ray-address",
            hint="check the address and that the cluster runs the same Ray version",
        ) from None


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
        _fresh_auth_settings()
        if address:
            _probe_head(address)
        ray.init(**options)
    except BaseException as exc:
        # Half-started Ray (Ctrl-C while it starts) crashes the interpreter at exit
        # unless it is shut down: stop whatever did start, then report.
        with contextlib.suppress(Exception):
            ray.shutdown()
        if not isinstance(exc, Exception) or isinstance(exc, UsageError):
            raise  # KeyboardInterrupt: the CLI says "interrupted"; the probe's line is said as it is
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(
            f"could not {'join the Ray cluster at ' + address if address else 'start Ray'}: {first}",
            where="--ray-address" if address else "--engine ray",
            hint="check the address and that the cluster runs the same Ray version"
            if address
            else "see Ray's logs in /tmp/ray",
        ) from None


_MAX_GROUP_PARTITIONS = 200


class RayEngine:
    name: EngineName = "ray"

    def __init__(self, batch_size: int, read_rows: int = DEFAULT_STREAM_BATCH) -> None:
        self.batch_size = batch_size
        self.read_rows = read_rows  # rows per piece when the cluster reads a Parquet corpus

    def load_corpus(
        self, path: Path, *, root: Path | None, invalid_utf8: InvalidUtf8, columns: ColumnMap
    ) -> CorpusRead:
        """A Parquet corpus (a file or a folder of them) read by the cluster's workers,
        in pieces of ``read_rows`` rows; any other corpus by the local readers here."""
        files = parquet_corpus_files(path, root, columns)
        if files is None:
            return load_corpus(path, root=root, invalid_utf8=invalid_utf8, columns=columns)
        check_invalid_utf8_choice(invalid_utf8)  # nothing to repair in Parquet, but a bad value is still refused
        from harness.engines.ray_corpus import read_articles

        articles = read_articles(plan_pieces(files, self.read_rows))
        warning = grouping_warning(articles, columns, unicode_text(path))
        return CorpusRead(articles, (), (warning,) if warning else ())

    @classmethod
    @contextmanager
    def started(cls, *, address: str | None, batch_size: int) -> Iterator[RayEngine]:
        owns = not ray.is_initialized()
        # Everything after the start is inside the try: a Ctrl-C just after ray.init
        # returns (while the data context is set up) must still stop the Ray this
        # process started, or its daemons outlive the command (holding its output pipes).
        try:
            if owns:
                _init(address)
            with warnings.catch_warnings():
                # Ray's own DataContext construction warns about its own deprecated
                # fields; nothing a researcher can act on.
                warnings.simplefilter("ignore", DeprecationWarning)
                context = ray.data.DataContext.get_current()
            context.execution_options.preserve_order = True
            # Group-bys shuffle by sorting in plain tasks: Ray 2.60's default starts a pool of
            # aggregator actors for every group-by, seconds each on a small table.
            context.shuffle_strategy = ray.data.context.ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
            context.enable_progress_bars = False
            logging.getLogger("ray.data").setLevel(logging.ERROR)
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
        # As many shuffle partitions as batches, not Ray's default of a couple of
        # hundred: on a small table those are hundreds of near-empty tasks.
        partitions = max(1, min(_MAX_GROUP_PARTITIONS, -(-frame.height // self.batch_size)))
        dataset = (
            ray.data.from_arrow(frame.to_arrow())
            .groupby(list(keys), num_partitions=partitions)
            .map_groups(_group_task(func), batch_format="pyarrow")
        )
        parts = [pl.from_arrow(batch) for batch in dataset.iter_batches(batch_format="pyarrow")]
        frames = [p for p in parts if isinstance(p, pl.DataFrame)]
        return pl.concat(frames, how="vertical", rechunk=True) if frames else func(frame.clear())

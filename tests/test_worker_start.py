"""The scoring workers started before the scoring code is imported (``harness.engines.worker_start``)."""

from __future__ import annotations

import concurrent.futures
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.engines import worker_start
from tests.cli_commands import refused_with_one_line

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_pool_left() -> object:
    from harness.scoring import batch

    batch.shutdown_workers()
    worker_start.stop_early_now()
    yield
    worker_start.stop_early_now()
    batch.shutdown_workers()


def test_the_scoring_code_takes_over_the_pool_started_early(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.scoring import pool as scoring_pool

    monkeypatch.setattr(worker_start, "available_cores", lambda: 2)  # on one core none is started early
    assert worker_start.start_early(2, "harness.scoring.batch", "_warm_worker")
    assert not worker_start.start_early(2, "harness.scoring.batch", "_warm_worker")  # one early pool at a time
    early = worker_start.SCORING_EARLY.started
    assert early is not None
    pool = scoring_pool._executor(2)
    assert pool is early[0] and worker_start.SCORING_EARLY.started is None  # adopted, not a second pool
    pids = set(pool.map(_pid, range(8)))
    assert pids and os.getpid() not in pids
    # the named initializer ran in each worker: its tables are loaded
    assert all(pool.map(_warmed, range(4)))


def _pid(_task: int) -> int:
    return os.getpid()


def _warmed(_task: int) -> bool:
    """Run in a worker: did ``batch._warm_worker`` run (it freezes the loaded tables)?"""
    import gc

    return "harness.scoring.batch" in sys.modules and gc.get_freeze_count() > 0


@pytest.mark.parametrize(
    ("warm", "let_go"),
    [
        ("_warm_worker", lambda: worker_start.take_early(2)),  # asked for another size: of no use
        ("_warm_core_worker", worker_start.stop_early_now),  # nobody took it (refused input, Ctrl-C)
    ],
)
def test_an_early_pool_that_is_not_taken_is_killed(warm: str, let_go: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_start, "available_cores", lambda: 2)  # on one core none is started early
    module = "harness.scoring.batch" if warm == "_warm_worker" else "harness.scoring.core"
    assert worker_start.start_early(1, module, warm)
    early = worker_start.SCORING_EARLY.started
    assert early is not None
    processes = list(early[0]._processes.values())
    assert callable(let_go) and let_go() is None
    assert worker_start.SCORING_EARLY.started is None
    for process in processes:
        process.join(timeout=60)
        assert not process.is_alive()


def test_no_early_pool_on_one_core_or_for_no_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not worker_start.start_early(0, "harness.scoring.batch", "_warm_worker")
    monkeypatch.setattr(worker_start, "available_cores", lambda: 1)
    assert not worker_start.start_early(1, "harness.scoring.batch", "_warm_worker")
    assert worker_start.SCORING_EARLY.started is None and worker_start.take_early(1) is None


@pytest.mark.parametrize("suite", ["full", "core"])
def test_a_large_corpus_refused_after_the_early_start_ends_with_one_line(tmp_path: Path, suite: str) -> None:
    """The workers start before the corpus is read; a corpus then refused still ends
    with its one line and exit 2, and the command does not wait on the workers."""
    corpus = tmp_path / "big.jsonl"
    line = '{"id": "a", "text": "' + "word " * 1000 + '"}\n'
    with corpus.open("w", encoding="utf-8") as handle:
        handle.write("{not json\n")
        for _ in range(worker_start.CORE_WORKERS_FROM_BYTES // len(line) + 1):
            handle.write(line)
    line = refused_with_one_line(["score", str(corpus), "--suite", suite, "--format", "jsonl", "-o", str(tmp_path / "out.jsonl")])
    assert "line 1" in line
    assert not (tmp_path / "out.jsonl").exists()


def test_an_early_start_the_system_refuses_starts_nothing_and_leaves_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_start, "available_cores", lambda: 2)
    started: list[Any] = []
    spawn = worker_start.spawn_every_worker

    def one_then_refused(pool: concurrent.futures.ProcessPoolExecutor, workers: int) -> None:
        spawn(pool, 1)
        started.extend(pool._processes.values())
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(worker_start, "spawn_every_worker", one_then_refused)
    early = worker_start.EarlyPool()
    assert not early.start(2, worker_start.warm_by_name("harness.scoring.batch", "_warm_worker"))
    assert early.started is None and len(started) == 1
    for process in started:
        process.join(timeout=60)
        assert not process.is_alive()

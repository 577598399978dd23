"""The wire_diff step's tables on worker processes: the same as in one process."""

from __future__ import annotations

import concurrent.futures
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from harness.engines import processes, worker_start
from harness.engines.base import parallel_task
from harness.errors import UsageError
from harness.wirediff import compare_pairs
from harness.wirediff import articlefile, boilerplate, frames, pairwork
from harness.wirediff.frames import articles_by_id
from tests.test_wirediff_boilerplate import _corpus
from tests.test_wirediff_seed import load_seed_articles

STYLES = Path(__file__).resolve().parent.parent / "experiments" / "styles"


def _articles() -> pl.DataFrame:
    """The seed page's outlets, an outlet with page furniture (Valley Herald), an
    article without outlet and one without body."""
    seeds = [
        (f"s{number}", outlet, headline, body)
        for number, (outlet, (headline, body)) in enumerate(sorted(load_seed_articles().items()))
    ]
    extra = [("n1", None, "No outlet", seeds[0][3]), ("e1", "Empty Post", "Nothing", "")]
    rows = [*_corpus().rows(), *seeds, *extra]
    return pl.DataFrame(rows, schema=["doc_id", "outlet", "headline", "body"], orient="row")


def _parquet(frame: pl.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.write_parquet(out)
    return out.getvalue()


SHEETS = {"Valley Herald": STYLES / "guardian.toml"}


def _every_pair(articles: pl.DataFrame) -> pl.DataFrame:
    """Every ordered pair: each article is in many pairs, on both sides, across chunks."""
    ids = articles["doc_id"].to_list()
    return pl.DataFrame([(a, b) for a in ids for b in ids if a != b], schema=["a_doc_id", "b_doc_id"], orient="row")


def test_workers_give_the_same_tables_as_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    articles = _articles()
    ids = articles["doc_id"].to_list()
    pairs, sheets = _every_pair(articles), SHEETS
    alone = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=sheets, workers=1)
    # Chunks (cut in this process) smaller than a run's, so that they cross every boundary.
    monkeypatch.setattr(pairwork, "CHUNK_PAIRS", 7)
    monkeypatch.setattr(pairwork, "FURNITURE_ARTICLES", 3)
    spread = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=sheets, workers=2)
    assert sorted(spread) == sorted(alone)
    for name, table in alone.items():
        assert _parquet(spread[name]) == _parquet(table), name
    # The check has something to compare: every kind of edit, learned styles and furniture.
    assert alone["pairs"].height == len(ids) * (len(ids) - 1)
    assert set(alone["edits"]["kind"]) == {"style", "boilerplate", "substantive"}
    assert alone["edits"].filter(pl.col("category") == "outlet_furniture").height > 0
    assert alone["style_rules"].height > 0 and alone["furniture"].height == 1


def test_workers_learn_a_lazy_tables_furniture_with_the_same_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """A corpus read in batches (a lazy table): the furniture's first pass is handed to
    the workers and this process, task by task, in order; every table the same bytes."""
    import harness.wirediff.furniture_batches as furniture_batches

    articles = _articles()
    pairs = _every_pair(articles)
    alone = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=SHEETS, workers=1)
    monkeypatch.setattr(pairwork, "CHUNK_PAIRS", 7)
    monkeypatch.setattr(furniture_batches, "READ_ROWS", 5)  # batches, and tasks within them
    monkeypatch.setattr(furniture_batches, "TASK_ARTICLES", 2)
    tasks: list[int] = []
    original_shared = pairwork._shared

    def shared(pool: object, size: int, task: object, arguments: object, here: object) -> object:
        if task is pairwork.hashed_segments_task:
            tasks.append(size + 1)
        return original_shared(pool, size, task, arguments, here)  # type: ignore[arg-type]

    monkeypatch.setattr(pairwork, "_shared", shared)
    lazy = compare_pairs(articles.lazy(), pairs, styles_dir=STYLES, style_files=SHEETS, workers=2)
    assert tasks == [2]  # the pool's worker and this process
    for name, table in alone.items():
        assert _parquet(lazy[name]) == _parquet(table), name
    assert alone["furniture"].height == 1


def test_a_small_table_is_compared_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("no worker pool for a small table")

    monkeypatch.setattr(pairwork, "_pool", no_pool)
    pairs = pl.DataFrame({"a_doc_id": ["z1"], "b_doc_id": ["x1"]})
    assert compare_pairs(_corpus(), pairs, styles_dir=STYLES)["pairs"].height == 1


def test_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pairwork, "available_cores", lambda: 4)
    monkeypatch.setattr(pairwork, "main_is_importable", lambda: True)
    few = pairwork.MIN_PARALLEL_PAIRS - 1
    assert pairwork.worker_count(few) == 1
    assert pairwork.worker_count(pairwork.MIN_PARALLEL_PAIRS) == 4
    assert pairwork.worker_count(few, 3) == 3  # asked for: always
    with parallel_task():  # inside an engine's parallel task the cores are taken
        assert pairwork.worker_count(10 * pairwork.MIN_PARALLEL_PAIRS) == 1
    monkeypatch.setattr(pairwork, "main_is_importable", lambda: False)  # python -c: a worker cannot start
    assert pairwork.worker_count(10 * pairwork.MIN_PARALLEL_PAIRS) == 1
    with pytest.raises(UsageError, match="at least 1"):
        pairwork.worker_count(few, 0)


@pytest.fixture
def _no_early_workers() -> object:
    pairwork.stop_early_workers()
    yield
    pairwork.stop_early_workers()


@pytest.mark.usefixtures("_no_early_workers")
def test_workers_started_early_serve_the_step_with_the_same_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    articles = _articles()
    pairs = _every_pair(articles)
    alone = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=SHEETS, workers=1)
    monkeypatch.setattr(pairwork, "available_cores", lambda: 2)
    monkeypatch.setattr(pairwork, "EARLY_START_ARTICLES", articles.height)
    assert pairwork.prestart_workers(articles.height)
    early = pairwork.EARLY_WORKERS.started
    assert early is not None
    # One early pool at a time: a pool there already (started by `harness run` before
    # its imports: harness.cli.run_start) is the one the run's furniture pass goes to.
    assert pairwork.prestart_workers(articles.height) and pairwork.EARLY_WORKERS.started is early
    taken: list[object] = []
    original_take = pairwork.EARLY_WORKERS.take

    def take(workers: int) -> object:
        taken.append(pool := original_take(workers))
        return pool

    monkeypatch.setattr(pairwork.EARLY_WORKERS, "take", take)
    spread = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=SHEETS, workers=2)
    assert taken == [early[0]] and pairwork.EARLY_WORKERS.started is None  # adopted, not a second pool
    for name, table in alone.items():
        assert _parquet(spread[name]) == _parquet(table), name


@pytest.mark.usefixtures("_no_early_workers")
def test_early_workers_start_only_for_a_large_corpus_and_stop_when_the_step_needs_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pairwork, "available_cores", lambda: 2)
    assert not pairwork.prestart_workers(pairwork.EARLY_START_ARTICLES - 1)
    assert pairwork.EARLY_WORKERS.started is None
    assert pairwork.prestart_workers(pairwork.EARLY_START_ARTICLES)
    started = pairwork.EARLY_WORKERS.started
    assert started is not None
    processes = list(started[0]._processes.values())
    pairs = pl.DataFrame({"a_doc_id": ["z1"], "b_doc_id": ["x1"]})  # one pair: compared in this process
    assert compare_pairs(_corpus(), pairs, styles_dir=STYLES)["pairs"].height == 1
    assert pairwork.EARLY_WORKERS.started is None
    for process in processes:
        process.join(timeout=60)
        assert not process.is_alive()


def test_a_worker_s_warm_start_loads_the_rules() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from harness.wirediff import pairwork; pairwork._warm_worker(); "
        "from harness.wirediff.boilerplate import chrome_rules; from harness.wirediff.lexicon import lexicon; "
        "print(chrome_rules.cache_info().currsize, lexicon.cache_info().currsize)"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["1", "1"]


def _segment_passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records each furniture pass ``compare_all`` runs itself (on a pool or here)."""
    passes: list[int] = []
    original_shared = pairwork._shared
    original_learn = boilerplate.learn_furniture

    def shared(pool: object, size: int, task: object, arguments: object, here: object) -> object:
        if task is pairwork._segments_task:
            passes.append(size + 1)  # the pool's processes and this one
        return original_shared(pool, size, task, arguments, here)  # type: ignore[arg-type]

    def learn(*args: object, **kwargs: object) -> object:
        passes.append(1)
        return original_learn(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pairwork, "_shared", shared)
    monkeypatch.setattr(boilerplate, "learn_furniture", learn)  # pairwork imports it when it learns
    return passes


@pytest.mark.usefixtures("_no_early_workers")
def test_the_furniture_pass_handed_to_early_workers_gives_the_same_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pass started with the workers (before discovery) serves the step: no pass
    of its own, and every table the same bytes as one process's."""
    articles = _articles()
    pairs = _every_pair(articles)
    alone = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=SHEETS, workers=1)
    monkeypatch.setattr(pairwork, "available_cores", lambda: 2)
    monkeypatch.setattr(pairwork, "EARLY_START_ARTICLES", articles.height)
    monkeypatch.setattr(pairwork, "FURNITURE_ARTICLES", 3)  # several tasks, read back in order
    passes = _segment_passes(monkeypatch)
    before = sys.getswitchinterval()
    assert pairwork.prestart_workers(articles.height)
    assert pairwork.prestart_furniture(articles_by_id(articles))
    assert sys.getswitchinterval() == min(before, processes.HANDOFF_SWITCH_INTERVAL)  # while discovery runs here
    concurrent.futures.wait(pairwork.EARLY_FURNITURE._ahead)  # every article prepared ahead: the pool's use them
    assert len(pairwork.EARLY_FURNITURE._ahead) == -(-articles.height // pairwork.AHEAD_TASK_ARTICLES)
    intervals = _intervals_while_comparing(monkeypatch)
    spread = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=SHEETS, workers=2)
    assert passes == [] and pairwork.EARLY_FURNITURE.started is None
    # Quick hand-overs the whole time the pool worked, then the interval as it was.
    assert intervals == {min(before, processes.HANDOFF_SWITCH_INTERVAL)} and sys.getswitchinterval() == before
    for name, table in alone.items():
        assert _parquet(spread[name]) == _parquet(table), name
    assert alone["furniture"].height == 1  # there is furniture to learn


def _intervals_while_comparing(monkeypatch: pytest.MonkeyPatch) -> set[float]:
    """The switch intervals this process compared its chunks under."""
    seen: set[float] = set()
    original = pairwork._compare_task

    def compare(*args: Any) -> Any:
        seen.add(sys.getswitchinterval())
        return original(*args)

    monkeypatch.setattr(pairwork, "_compare_task", compare)
    return seen


def test_quick_handoffs_overlap_in_any_order_and_restore_the_interval() -> None:
    before = sys.getswitchinterval()
    quick = min(before, processes.HANDOFF_SWITCH_INTERVAL)
    early, step = processes.quick_handoffs(), processes.quick_handoffs()
    early.__enter__()  # the early furniture pass: entered first ...
    step.__enter__()  # ... the step's pool inside it ...
    early.__exit__(None, None, None)  # ... and the pass taken (closed) inside the pool
    assert sys.getswitchinterval() == quick  # the pool still works
    step.__exit__(None, None, None)
    assert sys.getswitchinterval() == before
    sys.setswitchinterval(0.0001)  # a caller's own shorter interval is kept, and restored as it was
    mine = sys.getswitchinterval()  # as stored (whole microseconds)
    try:
        with processes.quick_handoffs():
            assert sys.getswitchinterval() == mine
        assert sys.getswitchinterval() == mine
    finally:
        sys.setswitchinterval(before)


@pytest.mark.usefixtures("_no_early_workers")
def test_a_head_start_on_other_articles_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """Started on articles the step does not get (a step before it changed them), the
    pass is dropped and the step reads its own articles."""
    articles = _articles()
    pairs = _every_pair(articles)
    alone = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=SHEETS, workers=1)
    monkeypatch.setattr(pairwork, "available_cores", lambda: 2)
    monkeypatch.setattr(pairwork, "EARLY_START_ARTICLES", 1)
    passes = _segment_passes(monkeypatch)
    assert pairwork.prestart_workers(articles.height)
    others = articles.with_columns(pl.col("body").str.replace("the", "a"))  # same ids, other text
    assert pairwork.prestart_furniture(articles_by_id(others))
    spread = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=SHEETS, workers=2)
    assert passes == [2] and pairwork.EARLY_FURNITURE.started is None
    for name, table in alone.items():
        assert _parquet(spread[name]) == _parquet(table), name


@pytest.mark.usefixtures("_no_early_workers")
def test_a_step_with_few_pairs_uses_the_head_start_then_stops_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    articles = _articles()
    pairs = pl.DataFrame({"a_doc_id": ["z1"], "b_doc_id": ["x1"]})  # one pair: compared in this process
    alone = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=SHEETS, workers=1)
    monkeypatch.setattr(pairwork, "available_cores", lambda: 2)
    monkeypatch.setattr(pairwork, "EARLY_START_ARTICLES", 1)
    passes = _segment_passes(monkeypatch)
    assert pairwork.prestart_workers(articles.height)
    started = pairwork.EARLY_WORKERS.started
    assert started is not None
    processes = list(started[0]._processes.values())
    assert pairwork.prestart_furniture(articles_by_id(articles))
    head_start = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=SHEETS)
    assert passes == [] and pairwork.EARLY_WORKERS.started is None and pairwork.EARLY_FURNITURE.started is None
    for name, table in alone.items():
        assert _parquet(head_start[name]) == _parquet(table), name
    for process in processes:
        process.join(timeout=60)
        assert not process.is_alive()


@pytest.mark.usefixtures("_no_early_workers")
def test_the_head_start_is_bounded_and_needs_started_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    known = articles_by_id(_articles())
    assert not pairwork.prestart_furniture(known)  # no early workers: nothing to hand it to
    monkeypatch.setattr(pairwork, "available_cores", lambda: 2)
    monkeypatch.setattr(pairwork, "EARLY_START_ARTICLES", 1)
    assert pairwork.prestart_workers(len(known))
    monkeypatch.setattr(pairwork, "EARLY_FURNITURE_ARTICLES", len(known) - 1)
    assert not pairwork.prestart_furniture(known)  # a corpus past the bound: the step reads it
    assert pairwork.EARLY_FURNITURE.started is None
    monkeypatch.setattr(pairwork, "EARLY_FURNITURE_ARTICLES", len(known))
    assert pairwork.prestart_furniture(known)
    pairwork.stop_early_workers()
    assert pairwork.EARLY_FURNITURE.started is None and pairwork.EARLY_WORKERS.started is None


def test_the_step_hands_its_articles_over_when_its_workers_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.steps import wirecopy

    handed: list[int] = []
    monkeypatch.setattr(pairwork, "prestart_workers", lambda articles: True)

    def hand_over(known: dict[str, object]) -> bool:
        handed.append(len(known))
        return True

    monkeypatch.setattr(pairwork, "prestart_furniture", hand_over)
    articles = _articles()
    wirecopy._start_workers(articles, {})
    assert handed == [articles.height]
    twice = pl.concat([articles, articles.head(1)])  # a duplicate doc_id: the step itself refuses it
    wirecopy._start_workers(twice, {})
    assert handed == [articles.height]
    monkeypatch.setattr(pairwork, "prestart_workers", lambda articles: False)
    wirecopy._start_workers(articles, {})  # no workers started: nothing handed over
    assert handed == [articles.height]


def test_this_process_compares_beside_its_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """workers=N: a pool of N - 1 and this process, which takes a chunk from the table's
    end whenever the pool's processes have TASKS_IN_FLIGHT each in hand; the tables are
    the same bytes either way."""
    articles = _articles()
    pairs = _every_pair(articles)
    alone = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=SHEETS, workers=1)
    monkeypatch.setattr(pairwork, "CHUNK_PAIRS", 5)
    sizes: list[int] = []
    here: list[int] = []
    here_ids: list[object] = []
    original_pool, original_compare = pairwork._pool, pairwork._compare_task

    @contextmanager
    def pool(size: int) -> Iterator[concurrent.futures.ProcessPoolExecutor]:
        sizes.append(size)
        with original_pool(size) as started:
            concurrent.futures.wait(worker_start._STARTS[started])  # warm: it gets chunks from the first
            yield started

    def compare(prepared: dict[str, object], ids: list[object], *rest: object) -> object:
        here.append(len(ids))
        here_ids[:0] = ids  # this process's chunks come last first
        return original_compare(prepared, ids, *rest)  # type: ignore[arg-type]

    compared: list[list[object]] = []  # the pair ids compare_all was given
    original_all = pairwork.compare_all

    def compare_all(ids: list[object], *args: object, **kwargs: object) -> object:
        compared.append(list(ids))
        return original_all(ids, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pairwork, "_pool", pool)
    monkeypatch.setattr(pairwork, "_compare_task", compare)
    monkeypatch.setattr(frames, "compare_all", compare_all)
    for workers in (2, 3):
        here.clear()
        here_ids.clear()
        shared = compare_pairs(articles, pairs, styles_dir=STYLES, style_files=SHEETS, workers=workers)
        for name, table in alone.items():
            assert _parquet(shared[name]) == _parquet(table), (workers, name)
        assert 0 < sum(here) < pairs.height, workers  # some chunks here, the rest on the pool
        assert here_ids == compared[-1][len(compared[-1]) - len(here_ids) :], workers  # this process: the end
    assert sizes == [1, 2]


def test_nothing_is_handed_to_a_pool_still_starting() -> None:
    """Until a worker is warm, this process does each task itself; then the pool gets
    two a worker in flight, and the results come in order."""

    class Pool(concurrent.futures.Executor):
        def __init__(self) -> None:
            self.tasks: list[tuple[Any, ...]] = []

        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
            self.tasks.append(args)
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            future.set_result(fn(*args))
            return future

    pool, start = Pool(), concurrent.futures.Future[None]()
    worker_start._STARTS[pool] = [start]
    done_here: list[tuple[int, int]] = []

    def here(base: int, power: int) -> int:
        done_here.append((base, power))
        return int(pow(base, power))

    tasks = [(2, n) for n in range(6)]
    assert list(pairwork._shared(pool, 1, pow, tasks[:3], here)) == [1, 2, 4]
    assert pool.tasks == [] and done_here == tasks[:3]
    start.set_result(None)  # a worker is warm
    assert list(pairwork._shared(pool, 1, pow, tasks[3:], here)) == [8, 16, 32]
    assert pool.tasks == tasks[3:]  # its tasks end at once: it always has room


class _QueuedPool(concurrent.futures.Executor):
    """A pool that runs no task of its own: its first task has run (``first_ran``) or
    not, and the others wait in its queue, where a worker has taken them (``taken``:
    ``cancel()`` fails) or not yet."""

    def __init__(self, *, first_ran: bool, taken: bool) -> None:
        self.first_ran, self.taken = first_ran, taken
        self.futures: list[concurrent.futures.Future[object]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[object] = concurrent.futures.Future()
        if self.first_ran and not self.futures:
            future.set_result(fn(*args))
        elif self.taken:
            future.set_running_or_notify_cancel()
        self.futures.append(future)
        return future


def _collect_the_head_start(pool: _QueuedPool) -> list[object]:
    """Start the early furniture pass on ``pool`` (3 articles a batch) and collect it,
    in a thread that must not wait for the pool: what it read."""
    import threading

    rows = list(pairwork._furniture_input(articles_by_id(_articles())))
    read: list[object] = []
    original = pairwork.FURNITURE_ARTICLES
    try:
        pairwork.FURNITURE_ARTICLES = 3
        pairwork.EARLY_FURNITURE.start(pool, rows)
        assert len(pool.futures) > 2
        taking = threading.Thread(target=lambda: read.append(pairwork.EARLY_FURNITURE.take(pool, rows)), daemon=True)
        taking.start()
        taking.join(30)
        assert not taking.is_alive(), "waited for the pool"
    finally:
        pairwork.FURNITURE_ARTICLES = original
        pairwork.EARLY_FURNITURE.drop()
    assert read == [[boilerplate.article_segments(*row) for row in rows]]
    return read


def test_the_head_start_s_batches_no_worker_took_are_read_here() -> None:
    """Collecting the early furniture pass, this process reads each batch still
    waiting in the pool's queue (cancelled there) instead of waiting for it."""
    queue = _QueuedPool(first_ran=True, taken=False)
    _collect_the_head_start(queue)
    assert queue.futures[0].done() and not queue.futures[0].cancelled()
    assert all(future.cancelled() for future in queue.futures[1:])


def test_the_head_start_s_batches_queued_for_a_starting_worker_are_read_here() -> None:
    """Batches already handed to a worker that is still starting (they can no longer be
    cancelled) are read here too, not waited for: the worker's own reading, later, is
    not used."""
    starting = _QueuedPool(first_ran=False, taken=True)
    worker_start._STARTS[starting] = [concurrent.futures.Future()]  # its worker never warms
    _collect_the_head_start(starting)
    assert not any(future.done() for future in starting.futures)  # none was waited for


def test_the_head_start_prepares_articles_ahead_after_its_pass_until_the_pairs_come() -> None:
    """After the furniture batches, the pool is handed the first articles by doc_id to
    prepare, a few a task; collecting the pass cancels those no worker has begun."""
    queue = _QueuedPool(first_ran=True, taken=False)
    articles = articles_by_id(_articles())
    rows = list(pairwork._furniture_input(articles))
    ahead = [(doc_id, articles[doc_id]["headline"], articles[doc_id]["body"]) for doc_id in sorted(articles)[:5]]
    original = pairwork.FURNITURE_ARTICLES
    try:
        pairwork.FURNITURE_ARTICLES = 3
        pairwork.EARLY_FURNITURE.start(queue, rows, ahead)
        batches = -(-len(rows) // 3)
        tasks = len(queue.futures) - batches
        assert tasks == -(-len(ahead) // pairwork.AHEAD_TASK_ARTICLES)
        assert pairwork.EARLY_FURNITURE.take(queue, rows) == [boilerplate.article_segments(*row) for row in rows]
    finally:
        pairwork.FURNITURE_ARTICLES = original
        pairwork.EARLY_FURNITURE.drop()
    assert all(future.cancelled() for future in queue.futures[batches:])


def test_an_article_prepared_ahead_is_used_once_and_only_for_its_own_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a worker prepared ahead is taken for the doc_id it was prepared for, if the
    pair's row has the same headline and body (else it is prepared again), and only once."""
    monkeypatch.setattr(pairwork, "_AHEAD", {})
    row = articles_by_id(_articles())["s1"]
    pairwork._prepare_ahead_task([("s1", row["headline"], row["body"]), ("s2", row["headline"], row["body"])])
    ahead = pairwork._AHEAD["s1"][2]
    prepared: dict[str, Any] = {}
    assert pairwork._prepared(prepared, "s1", row) is ahead and "s1" not in pairwork._AHEAD
    assert pairwork._prepared({}, "s1", row) is not ahead  # used once: prepared anew after
    changed = {**row, "body": row["body"] + " More."}
    other = pairwork._prepared({}, "s2", changed)
    assert other is not pairwork._AHEAD.get("s2", (None, None, None))[2] and "s2" not in pairwork._AHEAD
    assert other == articlefile.prepared_article(changed)
    assert ahead == articlefile.prepared_article(row)


def test_edit_rows_are_the_edits_table_s_columns_in_order() -> None:
    """``edit_rows`` gives tuples (what a worker sends back): each is the edit's JSON
    fields under the table's column names, each sub-edit after its parent."""
    from harness.wirediff.diff import edit_json
    from harness.wirediff.frames import EDITS_SCHEMA
    from harness.wirediff.articlefile import compare_articles, prepared_article

    articles = articles_by_id(_articles())
    seeds = [doc_id for doc_id in sorted(articles) if doc_id.startswith("s")]
    results = [
        compare_articles(prepared_article(articles[a]), prepared_article(articles[b]), a_style=None, b_style=None)
        for a in seeds for b in seeds if a < b
    ]
    # A pair whose copy restyles inside an edit (a title with an abbreviation): sub-edits.
    result = next(result for result in results if any(edit.sub_edits for edit in result.edits))
    rows = pairwork.edit_rows("a", "b", result)
    expected: list[dict[str, object]] = []
    for edit in result.edits:
        parent = len(expected)
        for sub in (edit, *edit.sub_edits):
            fields = {k: v for k, v in edit_json(sub).items() if k != "sub_edits"}
            expected.append({"a_doc_id": "a", "b_doc_id": "b", "edit_index": len(expected), **fields,
                             "parent_edit": None if sub is edit else parent})
    assert [dict(zip(EDITS_SCHEMA, row, strict=True)) for row in rows] == expected
    assert pairwork.EDIT_COLUMNS == tuple(EDITS_SCHEMA)  # what a chunk's columns are named by
    chunk = pairwork.PairRows()
    chunk.add_edits(rows)
    chunk.add_edits([])  # a pair without an edit
    assert [list(row) for row in zip(*chunk.edits, strict=True)] == [list(row) for row in rows]


def test_a_chunk_is_compared_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paused for each run of CHUNK_PAIRS comparisons, on again after; a caller's own
    pause is left as it is."""
    import gc

    from harness.wirediff.frames import _styles_by_outlet

    seen: list[bool] = []
    original_compare = articlefile.compare_articles

    def compare(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return original_compare(*args, **kwargs)

    runs: list[int] = []
    original_into = pairwork._compare_into

    def into(rows: pairwork.PairRows, ids: Any, *args: Any) -> None:
        runs.append(len(ids))
        original_into(rows, ids, *args)

    monkeypatch.setattr(articlefile, "compare_articles", compare)  # pairwork imports it per chunk
    monkeypatch.setattr(pairwork, "_compare_into", into)
    monkeypatch.setattr(pairwork, "CHUNK_PAIRS", 3)
    articles = articles_by_id(_articles())
    ids = sorted(articles)[:4]
    pairs = [(a, b) for a in ids for b in ids if a != b]  # 12 pairs: 4 runs of 3
    context = pairwork.PairContext(_styles_by_outlet(pairs, articles, STYLES, {}), {})
    assert gc.isenabled()
    rows = pairwork.compare_chunk(pairs, articles, context, {})
    assert runs == [3, 3, 3, 3] and seen == [False] * 12 and len(rows.pairs) == 12
    assert gc.isenabled()
    gc.disable()
    try:
        pairwork.compare_chunk(pairs[:1], articles, context, {})
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_comparisons_leave_no_cycle_of_garbage() -> None:
    """What a chunk leaves alive is frozen out of the collector's reach in a process of
    ours (``harness.engines.collector.freeze_survivors``): sound only because comparing
    makes no cycle of garbage, which only the collector could free. Pairs with style
    sheets, page furniture, an article without outlet and one without body."""
    import gc

    from harness.wirediff.boilerplate import furniture_by_outlet, learn_furniture
    from harness.wirediff.frames import _styles_by_outlet

    articles = articles_by_id(_articles())
    pairs = [(a, b) for a in sorted(articles) for b in sorted(articles) if a != b]
    rows = [(row["outlet"], row["headline"], row["body"]) for _, row in sorted(articles.items())]
    furniture = furniture_by_outlet(learn_furniture(rows, min_articles=2))
    assert furniture  # the Valley Herald's page chrome is learned and marked
    context = pairwork.PairContext(_styles_by_outlet(pairs, articles, STYLES, SHEETS), furniture)
    gc.collect()
    gc.disable()
    try:
        compared = pairwork.compare_chunk(pairs, articles, context, {})
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert len(compared.pairs) == len(pairs) and any(compared.edits)


@pytest.mark.parametrize("left", [1, 7, 8, 9, 127, 128, 129, 160, 1000])
def test_chunks_are_whole_until_the_last_four_chunks_pairs(left: int) -> None:
    whole, tail = pairwork.CHUNK_PAIRS, pairwork.CHUNK_PAIRS // 4
    assert pairwork.chunk_size(left) == (whole if left > 4 * whole else min(left, tail))


class _LazyFuture(concurrent.futures.Future[Any]):
    """A task's future, done when its pool gets to it (``run``) or when its result is asked for."""

    def __init__(self, fn: Any, args: tuple[Any, ...]) -> None:
        super().__init__()
        self.fn, self.args = fn, args

    def run(self) -> None:
        if not self.done():
            self.set_result(self.fn(*self.args))

    def result(self, timeout: float | None = None) -> Any:
        self.run()
        return super().result(timeout)


class _SteppedPool(concurrent.futures.Executor):
    """One worker that finishes its oldest task each time this process finishes one (``step``)."""

    def __init__(self) -> None:
        self.futures: list[_LazyFuture] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        self.futures.append(_LazyFuture(fn, args))
        return self.futures[-1]

    def step(self) -> None:
        next((future for future in self.futures if not future.done()), _LazyFuture(int, ())).run()


def _pairs_of(first: int, end: int) -> list[int]:
    return list(range(first, end))


def _from_both_ends(pool: _SteppedPool, pairs: int) -> tuple[list[int], list[tuple[int, int]], list[tuple[int, int]]]:
    """Pairs ``0..pairs`` through ``_from_both_ends``: the results joined, each chunk as
    handed out, and this process's chunks."""
    handed: list[tuple[int, int]] = []
    here: list[tuple[int, int]] = []

    def arguments(first: int, end: int) -> tuple[int, int]:
        handed.append((first, end))
        return first, end

    def compare_here(first: int, end: int) -> list[int]:
        here.append((first, end))
        pool.step()  # the worker works on meanwhile
        return _pairs_of(first, end)

    chunks = pairwork._from_both_ends(pool, 1, pairs, arguments, _pairs_of, compare_here)
    return [pair for chunk in chunks for pair in chunk], handed, here


@pytest.mark.parametrize("pairs", [0, 1, 8, 129, 1000])
def test_the_pool_takes_chunks_from_the_front_and_this_process_from_the_back(pairs: int) -> None:
    """Every pair once, in pair order; the pool's chunks run on from the table's start
    and this process's back from its end, until they meet; each chunk as large as
    ``chunk_size`` says for the pairs not yet handed out."""
    pool = _SteppedPool()
    joined, handed, here = _from_both_ends(pool, pairs)
    assert joined == list(range(pairs))
    front = [future.args for future in pool.futures]
    tiles = [*front, *reversed(here)]  # the pool's chunks in order, then this process's
    assert [first for first, _ in tiles] == [0, *[end for _, end in tiles[:-1]]][: len(tiles)]
    assert (tiles[-1][1] if tiles else 0) == pairs
    assert sorted(handed) == sorted(front + here)
    left = pairs
    for first, end in handed:
        assert end - first == pairwork.chunk_size(left)
        left -= end - first
    if pairs >= 129:
        assert len(front) > pairwork.TASKS_IN_FLIGHT and len(here) > 1  # both ends took their share


def test_near_the_end_the_pool_holds_no_more_than_is_left_to_hand_out() -> None:
    """A chunk goes to the pool only while its pairs in hand are fewer than the pairs not
    yet handed out: this process's last chunk then ends about when the pool's does. The
    pool here keeps two chunks in hand and finishes the older as a third comes."""

    class BusyPool(_SteppedPool):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
            future = super().submit(fn, *args)
            if sum(not f.done() for f in self.futures) > 2:
                self.step()
            return future

    pool = BusyPool()
    back = [1000]
    checked: list[tuple[int, int]] = []

    def arguments(first: int, end: int) -> tuple[int, int]:
        if end == back[0]:  # this process's, from the back
            back[0] = first
        else:  # the pool's, from the front
            held = sum(e - f for f, e in (future.args for future in pool.futures if not future.done()))
            checked.append((held, back[0] - first))
        return first, end

    def compare_here(first: int, end: int) -> list[int]:
        pool.step()
        return _pairs_of(first, end)

    joined = [p for chunk in pairwork._from_both_ends(pool, 1, 1000, arguments, _pairs_of, compare_here) for p in chunk]
    assert joined == list(range(1000))
    assert checked and all(held < left for held, left in checked)


def test_a_pool_still_starting_gets_no_chunk() -> None:
    """Until its worker is warm, this process compares every chunk itself, from the back."""
    pool = _SteppedPool()
    worker_start._STARTS[pool] = [concurrent.futures.Future()]  # its worker never warms
    joined, _, here = _from_both_ends(pool, 300)
    assert joined == list(range(300)) and pool.futures == []
    assert here[0][1] == 300 and here[-1][0] == 0

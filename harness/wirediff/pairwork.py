"""Many pairs compared, in this process or on every core: the work of ``compare_pairs``.

Each pair is compared on its own (the corpus-wide part, learning each outlet's
page furniture, is done before, once), so a large pair table can be cut into
chunks of consecutive pairs and the chunks compared in worker processes, and in
this one: ``workers`` processes are this one and a pool of ``workers - 1``. The pool
takes chunks from the front of the pair table while its processes have three each in
hand, and this process takes them from the back (``_from_both_ends``), so a run
starts one process fewer than it has cores. The rows are put back in pair order and
the learned style counts are summed, so the tables are the same bytes whatever the
number of workers (a test checks it).

Workers are ``spawn``ed (a clean interpreter, never a fork of a process whose
polars threads may hold locks) and load the diff's rules when they start
(``_warm_worker``); each chunk brings its own articles, its outlets' furniture
(learned by the same workers first) and the run's style sheets and settings, so a
run can start them before its step comes (``prestart_workers``: while discovery
runs), and hand them the furniture pass at once (``prestart_furniture``: it reads
only the articles). At most three tasks per worker are in flight, so memory holds a few chunks of
text, not the corpus once more per worker. This module builds rows, not frames: a
worker never imports polars.
"""

from __future__ import annotations

import array
import concurrent.futures
import hashlib
import itertools
import json
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from harness.engines.collector import freeze_survivors
from harness.engines.processes import kill_pool, main_is_importable, quick_handoffs, worker_died, workers_ignore_sigint
from harness.engines.worker_start import (
    DIFF_EARLY,
    DIFF_WARM,
    available_cores,
    has_started,
    new_pool,
    warm_by_name,
)
from harness.errors import UsageError
from harness.wirediff.collector import collector_paused

# The diff's modules (its classes, rules and patterns: some 70-100 ms) are imported
# by the functions that use them, not with this module: a run hands its articles to
# the early workers (``prestart_furniture``) before this process needs the diff, which
# it loads after discovery (harness.steps.wirecopy). A worker loads them as it starts
# (``_warm_worker``). Called per pair or per chunk, an import statement of a module
# already loaded costs about a microsecond.
TYPE_CHECKING = False  # as in harness/__init__.py
if TYPE_CHECKING:
    from harness.wirediff.boilerplate import ArticleSegments, Furniture, FurnitureRow
    from harness.wirediff.diff import DiffSettings, PreparedArticle
    from harness.wirediff.model import DiffResult, Edit, Similarity
    from harness.wirediff.styles import StyleSheet

# Below this many pairs one process is as fast: starting the workers (a fresh Python
# importing the diff) costs about 0.4 s, and a pair of news articles about 4 ms of CPU
# (break-even near 200 pairs on 2 cores; twice that leaves room for slower starts).
MIN_PARALLEL_PAIRS = 400
# Pairs per task: small enough that the cores finish together, large enough that
# handing out a task (a few kB of text each way) is a small part of it.
CHUNK_PAIRS = 32
# Tasks a worker has in hand: the one it works on and the next ones, already sent.
# With two, a worker that finished before this process had handed out the next (this
# process compares chunks too, and only then hands out) waited: 0.10-0.18 s between
# its chunks over the bench's 1,120 pairs; with three, 0.04-0.07 s (five traced runs
# each, alternating; compare_all about 0.1 s shorter).
TASKS_IN_FLIGHT = 3
# Articles per task of furniture learning (about 0.6 ms each).
FURNITURE_ARTICLES = 64
# A worker keeps the articles it has prepared (an article is in many pairs when
# every copy of an outlet is compared with every wire story), up to this many:
# a prepared ~1,000-token article holds about 290 KiB, so about 150 MB per worker.
WORKER_PREPARED_LIMIT = 500

PairIds = tuple[str, str]
EditRow = tuple[Any, ...]  # one row of the ``edits`` table: EDIT_COLUMNS
LearnedKey = tuple[str, str, str, str, str]  # a_outlet, b_outlet, category, a_form, b_form
Articles = Mapping[str, Mapping[str, Any]]  # doc_id -> row with outlet, headline, body


@dataclass(frozen=True, slots=True)
class PairContext:
    """What every pair of one run shares: sheets and furniture by outlet, and the settings."""

    styles: Mapping[str, StyleSheet]  # by outlet name, "" for an article without one
    furniture: Mapping[str, Furniture]
    settings: DiffSettings | None = None

    def style(self, outlet: str | None) -> StyleSheet:
        return self.styles[outlet or ""]


# The edits table's columns, in its order (frames.EDITS_SCHEMA; a test checks).
EDIT_COLUMNS = (
    "a_doc_id", "b_doc_id", "segment", "edit_index", "category", "kind", "rule", "explanation",
    "a_text", "b_text", "a_start", "a_end", "b_start", "b_end", "parent_edit",
)  # fmt: skip


def _no_edits() -> list[list[Any]]:
    return [[] for _ in EDIT_COLUMNS]


@dataclass(slots=True)
class PairRows:
    """The rows of some pairs, in pair order, and the style variants they showed.

    The edits table comes as its columns (``EDIT_COLUMNS``), not its rows: a pair has
    twenty-odd edits, and fifteen long lists a chunk pickle, unpickle and make a frame
    faster than thousands of tuples, and give the cyclic collector nothing to walk."""

    pairs: list[dict[str, Any]] = field(default_factory=list)
    edits: list[list[Any]] = field(default_factory=_no_edits)
    learned: Counter[LearnedKey] = field(default_factory=Counter)

    def add_edits(self, rows: Sequence[EditRow]) -> None:
        for column, values in zip(self.edits, zip(*rows), strict=False):  # no rows: nothing to add
            column += values

    def extend(self, other: PairRows) -> None:
        self.pairs += other.pairs
        for column, values in zip(self.edits, other.edits, strict=True):
            column += values
        self.learned.update(other.learned)


def compare_chunk(
    ids: Sequence[PairIds], articles: Articles, context: PairContext, prepared: dict[str, PreparedArticle]
) -> PairRows:
    """Compare the pairs ``ids`` in order; ``prepared`` keeps each article prepared once."""
    rows = PairRows()
    for first in range(0, len(ids), CHUNK_PAIRS):
        _compare_into(rows, ids[first : first + CHUNK_PAIRS], articles, context, prepared)
    return rows


@collector_paused
def _compare_into(
    rows: PairRows, ids: Sequence[PairIds], articles: Articles, context: PairContext,
    prepared: dict[str, PreparedArticle],
) -> None:
    """Compare ``ids`` and add their rows, with the cyclic collector off for the lot
    (see ``harness.wirediff.collector``). Each comparison pauses it anyway; paused
    between them too, the rows and a newly prepared article start no collector pass
    each: about 28 passes of 1.8 ms per 1,000 pairs (``compare_pairs`` on
    ``benchmarks.bench_diff_step``'s pairs, in process), a few per cent of their time.
    What the chunk leaves alive (the prepared articles above all) is then frozen out of
    the collector's reach in a process the harness owns (``freeze_survivors``), or the
    pass after the pause walks it all again."""
    from harness.wirediff.articlefile import compare_articles
    from harness.wirediff.boilerplate import Chrome
    from harness.wirediff.model import VALUES

    for a_id, b_id in ids:
        a_row, b_row = articles[a_id], articles[b_id]
        a_outlet, b_outlet = str(a_row["outlet"]), str(b_row["outlet"])
        styles = (context.style(a_row["outlet"]), context.style(b_row["outlet"]))
        chrome = Chrome(context.furniture.get(a_outlet), context.furniture.get(b_outlet))
        result = compare_articles(
            _prepared(prepared, a_id, a_row), _prepared(prepared, b_id, b_row),
            a_style=styles[0], b_style=styles[1], settings=context.settings, chrome=chrome,
        )
        rows.pairs.append(pair_row(a_id, b_id, a_row, b_row, styles, result))
        rows.add_edits(edit_rows(a_id, b_id, result))
        rows.learned.update((a_outlet, b_outlet, VALUES[v.category], v.a_form, v.b_form) for v in result.variants)
    freeze_survivors()


def _prepared(prepared: dict[str, PreparedArticle], doc_id: str, row: Mapping[str, Any]) -> PreparedArticle:
    if doc_id not in prepared:
        from harness.wirediff.articlefile import prepared_article

        ahead = _AHEAD.pop(doc_id, None)  # prepared by this worker before its first pair
        if ahead is not None and ahead[0] == row["headline"] and ahead[1] == row["body"]:
            prepared[doc_id] = ahead[2]
        else:
            prepared[doc_id] = prepared_article(row)
    return prepared[doc_id]


def _similarity_columns(sim: Similarity | None, prefix: str = "") -> dict[str, float | None]:
    from harness.wirediff.model import SIMILARITY_FIELDS

    values = sim.as_dict() if sim else dict.fromkeys(SIMILARITY_FIELDS)
    return {f"{prefix}{name}": values[name] for name in SIMILARITY_FIELDS}


def pair_row(
    a_id: str, b_id: str, a_row: Mapping[str, Any], b_row: Mapping[str, Any],
    styles: tuple[StyleSheet, StyleSheet], result: DiffResult,
) -> dict[str, Any]:
    """The ``pairs`` table's row of one compared pair."""
    from harness.wirediff.model import VALUES, Kind, Segment

    return {
        "a_doc_id": a_id,
        "b_doc_id": b_id,
        "a_outlet": a_row["outlet"],
        "b_outlet": b_row["outlet"],
        "a_style": styles[0].name,
        "b_style": styles[1].name,
        "a_words": result.a_words,
        "b_words": result.b_words,
        **_similarity_columns(result.similarity),
        **_similarity_columns(result.headline_similarity, "headline_"),
        "derivation": VALUES[result.derivation],
        "style_edits": result.count(Kind.STYLE),
        "boilerplate_edits": result.count(Kind.BOILERPLATE),
        "substantive_edits": result.count(Kind.SUBSTANTIVE),
        "headline_edits": sum(1 for e in result.edits if e.segment is Segment.HEADLINE),
        "substantive_share": result.substantive_share,
        "substantive_b_share": result.substantive_b_share,
    }


def edit_rows(a_id: str, b_id: str, result: DiffResult) -> list[EditRow]:
    """One row per edit, each followed by its sub-edits (``parent_edit`` = its index).

    Tuples in the table's column order (``EDIT_COLUMNS``), not dicts: a pair of
    restyled copies has twenty-odd edits."""
    from harness.wirediff.model import VALUES

    rows: list[EditRow] = []
    for edit in result.edits:
        parent = len(rows)
        rows.append(_edit_row(a_id, b_id, parent, edit, None, VALUES))
        for sub in edit.sub_edits:
            rows.append(_edit_row(a_id, b_id, len(rows), sub, parent, VALUES))
    return rows


def _edit_row(a_id: str, b_id: str, index: int, edit: Edit, parent: int | None, values: Mapping[Any, str]) -> EditRow:
    return (
        a_id, b_id, values[edit.segment], index, values[edit.category], values[edit.kind], edit.rule,
        edit.explanation, edit.a_text, edit.b_text, edit.a_start, edit.a_end, edit.b_start, edit.b_end, parent,
    )


# ------------------------------------------------------------------ on every core


def worker_count(pairs: int, requested: int | None = None) -> int:
    """``requested``, else every core this process may use for a large pair table, else 1.

    One process inside a task an engine already runs in parallel (the cores are
    taken), and when a spawned worker could not start (``python -c``, a script on
    standard input: see ``main_is_importable``).
    """
    if requested is not None:
        if requested < 1:
            raise UsageError(f"workers must be at least 1, not {requested}", where="compare_pairs")
        return requested
    from harness.engines.base import in_parallel_task  # polars: the parent's, not a worker's

    if pairs < MIN_PARALLEL_PAIRS or in_parallel_task() or not main_is_importable():
        return 1
    return min(available_cores(), -(-pairs // CHUNK_PAIRS))


# Learns the furniture of a corpus larger than the pairs' articles, handing its tasks to
# the function it is given (``harness.wirediff.furniture_batches.furniture_in_batches``).
if TYPE_CHECKING:
    LearnFurniture = Callable[[Callable[[Callable[..., Any], Iterable[tuple[Any, ...]]], Iterable[Any]]], list[FurnitureRow]]


def compare_all(
    ids: Sequence[PairIds], articles: Articles, *, styles: Mapping[str, StyleSheet], settings: DiffSettings | None,
    furniture_min_articles: int, workers: int, learn: LearnFurniture | None = None,
) -> tuple[list[FurnitureRow], PairRows]:
    """Each outlet's furniture, learned from all ``articles`` (or by ``learn``, from a
    corpus larger than the pairs' articles, on the same processes), and every pair's
    rows in pair order, on ``workers`` processes (1: in this one)."""
    from harness.wirediff.boilerplate import furniture_by_outlet, furniture_rows

    rows = list(_furniture_input(articles)) if learn is None else []
    if workers <= 1:
        if learn is None:
            furniture = _furniture_here(rows, furniture_min_articles)
        else:
            furniture = learn(lambda task, arguments: (task(*args) for args in arguments))
        stop_early_workers()  # started for this step (``prestart_workers``), of no use to it now
        context = PairContext(styles, furniture_by_outlet(furniture), settings)
        return furniture, compare_chunk(ids, articles, context, {})
    try:
        with _pool(workers - 1) as pool:  # this process is one of the workers
            if learn is None:
                learned = EARLY_FURNITURE.take_learned(pool, rows, furniture_min_articles)
                furniture = learned if learned is not None else furniture_rows(
                    _segments_on(pool, workers - 1, rows), min_articles=furniture_min_articles
                )
            else:
                furniture = learn(lambda task, arguments: _shared(pool, workers - 1, task, arguments, task))
            by_outlet = furniture_by_outlet(furniture)
            pair_rows = PairRows()
            sheets = dict(styles)
            here: dict[str, PreparedArticle] = {}  # this process's prepared articles, for this call

            def chunk(first: int, end: int) -> ChunkTask:
                return _chunk(ids[first:end], articles, by_outlet, sheets, settings)

            def compare_here(*task: Any) -> PairRows:
                return _compare_task(here, *task)

            for chunk_rows in _from_both_ends(pool, workers - 1, len(ids), chunk, _chunk_task, compare_here):
                pair_rows.extend(chunk_rows)
            return furniture, pair_rows
    except concurrent.futures.process.BrokenProcessPool as error:
        raise worker_died("wire-diff", where="compare_pairs", alone="pass workers=1") from error


def _furniture_here(rows: list[FurnitureInput], least: int) -> list[FurnitureRow]:
    """The furniture of ``rows`` learned in this process, or from the early workers' pass."""
    from harness.wirediff.boilerplate import furniture_rows, learn_furniture

    pool = EARLY_WORKERS.pool
    if pool is not None:
        try:
            learned = EARLY_FURNITURE.take_learned(pool, rows, least)
        except concurrent.futures.process.BrokenProcessPool:
            learned = None  # learned here instead: the same rows
        if learned is not None:
            return learned
    segments = _early_segments_before_stop(rows)
    if segments is None:
        return learn_furniture(rows, min_articles=least)
    return furniture_rows(segments, min_articles=least)


def _segments_on(
    pool: concurrent.futures.ProcessPoolExecutor, size: int, rows: list[FurnitureInput]
) -> Iterable[ArticleSegments | None]:
    """Every article's segments, read by the early workers (``EARLY_FURNITURE``) or now,
    on the pool's ``size`` processes and this one."""
    read = EARLY_FURNITURE.take(pool, rows)
    if read is not None:
        return read
    # no head start for these articles: read them now
    return itertools.chain.from_iterable(_shared(pool, size, _segments_task, _furniture_batches(rows), _segments_task))


def _early_segments_before_stop(rows: list[FurnitureInput]) -> list[ArticleSegments | None] | None:
    """The segments the early workers read for exactly ``rows``, when this step will
    stop them unused (too few pairs): their furniture pass is done or nearly, and gives
    what this process would. None: none started for these rows, or a worker died."""
    pool = EARLY_WORKERS.pool
    if pool is None:
        return None
    try:
        return EARLY_FURNITURE.take(pool, rows)
    except concurrent.futures.process.BrokenProcessPool:
        return None  # learned here instead: the same rows


FurnitureInput = tuple[str | None, str | None, str | None]  # outlet, headline, body


def _furniture_input(articles: Articles) -> Iterator[FurnitureInput]:
    """(outlet, headline, body) of every article in doc_id order, as furniture is learned."""
    return ((articles[d]["outlet"], articles[d]["headline"], articles[d]["body"]) for d in sorted(articles))


def _furniture_batches(rows: Sequence[FurnitureInput]) -> Iterator[tuple[list[FurnitureInput]]]:
    for first in range(0, len(rows), FURNITURE_ARTICLES):
        yield (list(rows[first : first + FURNITURE_ARTICLES]),)


if TYPE_CHECKING:
    ChunkTask = tuple[
        Sequence[PairIds], dict[str, dict[str, Any]], dict[str, Furniture], dict[str, StyleSheet], DiffSettings | None
    ]  # the arguments of _chunk_task


_Result = TypeVar("_Result")


def _chunk(
    ids: Sequence[PairIds], articles: Articles, furniture: Mapping[str, Furniture],
    styles: dict[str, StyleSheet], settings: DiffSettings | None,
) -> ChunkTask:
    """Some consecutive pairs, the articles they name (the columns a pair reads), their
    outlets' furniture, and the run's sheets and settings (a few hundred bytes: each task
    brings them, so that a pool started before the run's settings were known can serve it)."""
    names = sorted({doc_id for pair in ids for doc_id in pair})
    chunk_articles = {d: {k: articles[d][k] for k in ("outlet", "headline", "body")} for d in names}
    outlets = {str(row["outlet"]) for row in chunk_articles.values()}
    return ids, chunk_articles, {o: furniture[o] for o in sorted(outlets) if o in furniture}, styles, settings


def chunk_size(left: int) -> int:
    """Pairs in the next chunk when ``left`` pairs are not yet handed out: CHUNK_PAIRS, and
    a quarter of that for the last 4 * CHUNK_PAIRS. This process waits at the end for the
    tasks the pool has in flight (three a worker): smaller ones there let the processes
    finish together (the wait after this process's last chunk: 7-48 ms on 2 cores with
    whole chunks)."""
    return min(left, CHUNK_PAIRS if left > 4 * CHUNK_PAIRS else max(1, CHUNK_PAIRS // 4))


def _from_both_ends(
    pool: concurrent.futures.Executor, size: int, pairs: int, arguments: Callable[[int, int], tuple[Any, ...]],
    task: Callable[..., _Result], here: Callable[..., _Result],
) -> Iterator[_Result]:
    """The results of pairs ``0..pairs`` in chunks, in pair order: ``task(*arguments(first,
    end))`` on the pool's ``size`` processes, which take chunks from the front while they
    have room (``TASKS_IN_FLIGHT`` each), and ``here(*arguments(first, end))`` in this
    process, which takes them from the back, until the two meet. Nothing is handed to a
    pool still starting (``has_started``): this process works meanwhile. Near the end the
    pool gets a chunk only while its processes hold fewer pairs, each, than are left to
    hand out: past that, this process would wait for them after its last chunk.

    Why from both ends: pairs come sorted by article, and an article is in several
    pairs, one after the other; each process prepares an article once for all its pairs
    (``_PREPARED``), so an article whose pairs go to two processes is prepared twice. On
    the diff bench's 1,120 pairs of 500 articles, handing the next chunk to whichever
    process was free prepared 611-627 articles; from both ends, 500-511 (every traced run).

    Why the pool's share is bounded at the end: with its processes holding three chunks
    each, this process finished its last chunk 13-70 ms before the pool did, then waited
    (three traced runs). Split so that all end together, what is left (``back - front``)
    and what the pool holds (``held``) make this process's share (left + held) / (size +
    1), and the pool has more than its share once ``held >= size * left``.
    """
    front, back = 0, pairs
    pending: deque[tuple[concurrent.futures.Future[_Result], int]] = deque()  # and its pairs
    from_back: list[_Result] = []  # this process's chunks, last first
    while front < back:
        step = chunk_size(back - front)
        held = sum(chunk for future, chunk in pending if not future.done())
        if len(pending) < TASKS_IN_FLIGHT * size and held < size * (back - front) and has_started(pool):
            with workers_ignore_sigint(pool):  # a worker the pool starts now ignores Ctrl-C
                pending.append((pool.submit(task, *arguments(front, front + step)), step))
            front += step
        else:
            from_back.append(here(*arguments(back - step, back)))
            back -= step
        while pending and pending[0][0].done():
            yield pending.popleft()[0].result()
    for future, _ in pending:
        yield future.result()
    while from_back:
        yield from_back.pop()  # handed on and let go one by one


def _shared(
    pool: concurrent.futures.ProcessPoolExecutor, size: int, task: Callable[..., _Result],
    arguments: Iterable[tuple[Any, ...]], here: Callable[..., _Result],
) -> Iterator[_Result]:
    """``task(*a)`` of each ``a``, results in order: on the pool's ``size`` processes
    while they have room (``TASKS_IN_FLIGHT`` each), else ``here(*a)`` in this process,
    which so works beside them instead of waiting (one process fewer to start). Nothing
    is handed to a pool still starting (``has_started``): a task waiting there for a
    worker's start would be waited for here, while this process could have done it."""
    pending: deque[concurrent.futures.Future[_Result] | _Done[_Result]] = deque()
    in_flight = 0
    for args in arguments:
        if in_flight < TASKS_IN_FLIGHT * size and has_started(pool):
            with workers_ignore_sigint(pool):  # a worker the pool starts now ignores Ctrl-C
                pending.append(pool.submit(task, *args))
            in_flight += 1
        else:
            pending.append(_Done(here(*args)))
        while pending and (isinstance(pending[0], _Done) or pending[0].done()):
            first = pending.popleft()
            if not isinstance(first, _Done):
                in_flight -= 1
            yield first.result()
    for rest in pending:
        yield rest.result()


class _Done(Generic[_Result]):
    """A task done in this process, in the queue of results beside the pool's futures."""

    __slots__ = ("value",)

    def __init__(self, value: _Result) -> None:
        self.value = value

    def result(self) -> _Result:
        return self.value


@contextmanager
def _pool(size: int) -> Iterator[concurrent.futures.ProcessPoolExecutor]:
    """A pool of ``size`` processes for one run (the one ``prestart_workers`` started, if
    it has that many); on Ctrl-C (or any error) its workers are stopped, not waited for."""
    pool = EARLY_WORKERS.take(size) or new_pool(size, WARM_DIFF_WORKER)
    try:
        with quick_handoffs():
            yield pool
    except BaseException:
        kill_pool(pool)
        raise
    # Every result is in: the workers wind down (about 0.2 s) while this process builds the tables.
    pool.shutdown(wait=False)


# -- started early -------------------------------------------------------------------

# Diff workers started before their step runs (``prestart_workers``, or `harness run`
# before its imports: harness.cli.run_start): a slot of their own, so that a scoring
# step never adopts a pool warmed for the diff, or the reverse.
EARLY_WORKERS = DIFF_EARLY
# A worker imports the diff and loads its rules when it starts, not at its first task.
WARM_DIFF_WORKER = warm_by_name(*DIFF_WARM)
# Articles from which a run that compares pairs starts the diff's workers before its
# earlier steps (discovery) are done: fewer rarely give MIN_PARALLEL_PAIRS pairs.
EARLY_START_ARTICLES = 200


def prestart_workers(articles: int) -> bool:
    """Start the diff's worker processes now, when a run of ``articles`` articles is
    likely to compare enough pairs to use them (True: started, now or by the command's
    start, ``harness.cli.run_start``): a process per core
    but one, the core of this process, which compares pairs beside them (``_shared``).

    A worker spends about a quarter of a second of a core importing the diff and
    compiling its rules. Started while discovery still runs (one core of it, for a
    corpus this size), that time overlaps discovery instead of following it; a guess
    that proves wrong (too few pairs) costs those seconds of an otherwise idle core,
    and the workers are stopped when the step finds it needs none.
    """
    if articles < EARLY_START_ARTICLES:
        return False
    # Started already by `harness run` itself, before its imports (harness.cli.run_start).
    return EARLY_WORKERS.start(available_cores() - 1, WARM_DIFF_WORKER) or EARLY_WORKERS.pool is not None


def prestart_furniture(articles: Articles) -> bool:
    """Hand the furniture pass over ``articles`` to the workers ``prestart_workers``
    started (True: handed over; see ``EarlyFurniture``)."""
    pool = EARLY_WORKERS.pool
    # The pass and the preparations handed out with the corpus file's path, if any
    # (harness.cli.run_start: furniture_from_file, prepare_ahead_from_file).
    handed = EARLY_WORKERS.take_handed(FILE_PASS[1], FILE_AHEAD[1])  # discovery's, if any, stay for it
    from_file, ahead_from_file = handed.get(FILE_PASS[1], []), handed.get(FILE_AHEAD[1], [])
    if pool is None or len(articles) > EARLY_FURNITURE_ARTICLES:
        _cancel([*from_file, *ahead_from_file])
        return False
    first = sorted(articles)[:AHEAD_ARTICLES]
    ahead = [(doc_id, articles[doc_id]["headline"], articles[doc_id]["body"]) for doc_id in first]
    rows = list(_furniture_input(articles))
    # The rows' digest, once the pass is over (else when the step takes it): see _read_other_rows.
    digest = rows_digest(rows) if from_file and all(future.done() for future in from_file) else None
    if from_file and (digest is None or not _read_other_rows(from_file, digest)):
        EARLY_FURNITURE.start(pool, rows, from_file=from_file, ahead_from_file=ahead_from_file, digest=digest)
    else:
        _cancel([*from_file, *ahead_from_file])
        EARLY_FURNITURE.start(pool, rows, ahead)
    # The pass's results are ArticleSegments: unpickling the first imports their module
    # on the pool's result thread, where it waited for this thread's next imports
    # (numpy's and discovery's: 50-75 ms in traced runs, the worker idle, its result
    # unread). Imported here, once the workers have their tasks, it is found at once
    # there (the diff needs it in this process anyway).
    import harness.wirediff.boilerplate  # noqa: F401

    return True


def stop_early_workers() -> None:
    """Kill the workers ``prestart_workers`` started if no step took them."""
    EARLY_FURNITURE.drop()
    EARLY_WORKERS.stop_now()


class EarlyFurniture:
    """The furniture pass, handed to the early workers as soon as they start.

    Its input is every article of the run (its outlet, headline and body), known
    before any step runs, so it needs nothing from discovery: on the workers it runs
    while discovery runs here, instead of after it. The step uses the result only if
    its own articles are exactly those rows, in the same order, on the same pool;
    otherwise the step reads them itself (``compare_all``), as without a head start.
    """

    def __init__(self) -> None:
        self.started: tuple[concurrent.futures.Executor, list[FurnitureInput], list[concurrent.futures.Future[Any]], bool] | None = None
        self._digest: bytes | None = None  # of the started rows, when a pass from the file had it made
        self._ahead: list[concurrent.futures.Future[None]] = []
        self._handoffs = ExitStack()  # quick hand-overs while discovery runs here (see quick_handoffs)

    def start(
        self, pool: concurrent.futures.Executor, rows: list[FurnitureInput], ahead: Sequence[AheadRow] = (),
        *, from_file: Sequence[concurrent.futures.Future[Any]] = (),
        ahead_from_file: Sequence[concurrent.futures.Future[None]] = (), digest: bytes | None = None,
    ) -> None:
        """Hand the pass over ``rows`` to ``pool``, then the preparation of the articles
        ``ahead`` (see ``_prepare_ahead_task``): a worker done with the pass before
        discovery is done here prepares them until the step hands out its pairs.

        ``from_file``: the pass was handed to the workers already, with the corpus
        file's path (``furniture_from_file``, by ``harness.cli.run_start``): what it
        learned is taken if it read exactly these rows (``take_learned``), and the
        preparations ``ahead_from_file`` (``prepare_ahead_from_file``) stand for ``ahead``
        (``digest``: the rows', if made already)."""
        self.drop()
        self._digest = digest
        self._ahead = list(ahead_from_file)
        futures: list[concurrent.futures.Future[Any]] = list(from_file)
        if not futures:
            for batch in _furniture_batches(rows):
                with workers_ignore_sigint(pool):  # as every submit: a worker started now ignores Ctrl-C
                    futures.append(pool.submit(_segments_task, *batch))
        for first in range(0, len(ahead), AHEAD_TASK_ARTICLES):
            with workers_ignore_sigint(pool):
                self._ahead.append(pool.submit(_prepare_ahead_task, list(ahead[first : first + AHEAD_TASK_ARTICLES])))
        self.started = (pool, rows, futures, bool(from_file))
        self._handoffs.enter_context(quick_handoffs())

    def take(self, pool: concurrent.futures.Executor, rows: list[FurnitureInput]) -> list[ArticleSegments | None] | None:
        """Every article's segments in order (waiting for the workers), if the pass was
        started on ``pool`` for ``rows``; None otherwise (the started pass is dropped)."""
        started, self.started = self.started, None
        self._handoffs.close()
        _cancel(self._ahead)  # the pairs come first now; what a worker prepared is kept
        self._ahead = []
        if started is None:
            return None
        early_pool, early_rows, futures, from_file = started
        if early_pool is not pool or early_rows != rows:
            _cancel(futures)
            return None
        if from_file:  # the rows learned from the file did not do (take_learned): read them now
            _cancel(futures)
            return None
        read: list[ArticleSegments | None] = []
        for future, (batch,) in zip(futures, _furniture_batches(rows), strict=True):
            # A batch no worker has taken yet is read here, beside them, not waited for;
            # so is one queued for a worker still starting (it reads it again later,
            # unread: the segments are the same).
            here = future.cancel() or (not future.done() and not has_started(pool))
            read += _segments_task(batch) if here else future.result()
        return read

    def take_learned(self, pool: concurrent.futures.Executor, rows: list[FurnitureInput], least: int) -> list[FurnitureRow] | None:
        """The furniture the workers learned from the corpus file (``furniture_from_file``),
        if the pass was handed to ``pool`` for ``rows`` that way and read exactly these
        rows; None otherwise: then ``take`` gives the segments of a pass started with
        the rows, if any (a pass from the file that does not match is dropped)."""
        if self.started is None or not self.started[3]:
            return None
        started, self.started = self.started, None
        self._handoffs.close()
        _cancel(self._ahead)  # the pairs come first now; what a worker prepared is kept
        self._ahead = []
        early_pool, early_rows, futures, _ = started
        if early_pool is not pool or early_rows != rows:
            _cancel(futures)
            return None
        return _file_furniture(futures, rows, least, self._digest)

    def drop(self) -> None:
        self._handoffs.close()
        _cancel(self._ahead)
        self._ahead = []
        if self.started is not None:
            _cancel(self.started[2])
            self.started = None


def _cancel(futures: Iterable[concurrent.futures.Future[Any]]) -> None:
    for future in futures:
        future.cancel()  # those not yet running; a running one ends and is not read


# Articles up to which the furniture pass is handed to the early workers: below
# discovery's own pool (harness.discovery.workers.MIN_PARALLEL_ARTICLES), discovery
# keeps one core and the pass fills the others; above, discovery uses every core and
# a head start gains nothing, while its rows would hold the corpus's text a second time.
EARLY_FURNITURE_ARTICLES = 20_000
EARLY_FURNITURE = EarlyFurniture()


def _warm_worker() -> None:
    """A new worker's start: the diff's modules and everything a first comparison loads."""
    import harness.wirediff.articlefile  # noqa: F401  # the diff itself (and rapidfuzz), not at the first article
    from harness.text.sentences import sentence_spans
    from harness.wirediff.boilerplate import chrome_rules
    from harness.wirediff.lexicon import lexicon

    chrome_rules()
    lexicon()
    sentence_spans("Warm. Up.")


# A worker process's run: its pool serves one ``compare_pairs`` call, then ends.
_PREPARED: dict[str, PreparedArticle] = {}
# The corpus file's articles as this worker read them (furniture_from_file), in doc_id order.
_FILE_ARTICLES: list[tuple[str, FurnitureInput]] = []

# Articles prepared ahead by an early worker, before the step hands out pairs:
# doc_id -> (headline, body, prepared). Used once, for that doc_id with that text.
AheadRow = tuple[str, str | None, str | None]  # doc_id, headline, body
_AHEAD: dict[str, tuple[str | None, str | None, PreparedArticle]] = {}
# The early workers get the corpus as soon as this process has read it, before it
# loads discovery and the diff (harness.wirediff.defaults), and their furniture pass
# over the diff bench's 500 articles ended 46-127 ms before discovery did here (seven
# traced runs): time for some 55-160 preparations (about 0.8 ms each). The pool takes
# its pairs from the front of the pair table, which is in doc_id order, so the first
# articles by doc_id are the likeliest to be its own. Up to this many are prepared
# ahead (about 74 MB at most), 16 a task (about 13 ms): each task's hand-over and result
# take this process's GIL from discovery (two a task gave 128 tasks). The two tasks a
# worker may have taken when the pairs come delay its first chunk, not its work: what
# it prepared is its own pairs' (the pool takes the front of the table).
AHEAD_ARTICLES = 256
AHEAD_TASK_ARTICLES = 16


@collector_paused
def _prepare_ahead_task(rows: list[AheadRow]) -> None:
    """Prepare ``rows`` and keep them for this worker's first pairs, with the collector
    off for the lot and what they leave alive frozen after, as ``_compare_into`` does.
    A prepared article holds some 200 tuples, one a token field (a thousand entries for
    a news article's body): the first collector pass after each task walked those of
    the sixteen articles it had made, 1.2-1.9 ms a task (traced on the diff bench: 20-30
    ms of the worker's start in all)."""
    from harness.wirediff.articlefile import prepared_article

    for doc_id, headline, body in rows:
        known = _AHEAD.get(doc_id)
        if known is None or known[:2] != (headline, body):
            _AHEAD[doc_id] = (headline, body, prepared_article({"headline": headline, "body": body}))
    freeze_survivors()


@collector_paused
def _segments_task(articles: list[FurnitureInput]) -> list[ArticleSegments | None]:
    """Each article's segments, with the collector off for the batch (the segments are
    the task's result, alive until sent: a pass over them would find nothing)."""
    from harness.wirediff.boilerplate import article_segments

    return [article_segments(*article) for article in articles]


# -- the furniture pass read from the corpus file ---------------------------------------

# The corpus files whose pass a worker reads itself: one JSON Lines file, at most this
# big: well below EARLY_FURNITURE_ARTICLES news articles (some 30-60 MB of text), past
# which the step would not take the pass while the worker still read it.
FILE_PASS_SUFFIXES = (".jsonl", ".ndjson")
FILE_PASS_MAX_BYTES = 16_000_000
# The tasks harness.cli.run_start hands out by name, with the file's path (a test checks
# that its names and limits are these).
FILE_PASS = ("harness.wirediff.pairwork", "furniture_from_file")
FILE_AHEAD = ("harness.wirediff.pairwork", "prepare_ahead_from_file")

# The furniture a worker learned from the corpus file: the digest of every row it read
# (rows_digest), the least number of articles it asked, and the rows (FurnitureRow's fields).
FileFurniture = tuple[bytes, int, list[tuple[Any, ...]]]


def furniture_from_file(path: str, least: int | None) -> FileFurniture | None:
    """The furniture learned (at least ``least`` articles of an outlet; None: the
    step's default) from the articles of the JSON Lines corpus at ``path``, as this
    worker reads them itself; None: the file is not one it reads as the corpus
    reader does (any doubt: the step learns it then).

    ``harness run`` hands this to its diff workers as they start
    (``harness.cli.run_start``), before it has imported polars or read the corpus
    itself: a worker otherwise waited, idle, some 70-130 ms (traced runs) for the rows
    ``prestart_furniture`` sends, and sent back every article's segments (4.5 MB for
    the diff bench's 500 articles, read by this process while it imports). The rows
    are read by the corpus reader's own record rules
    (``harness.corpus.records.article_row``, no polars) and sorted by doc_id, as
    ``_furniture_input`` orders the step's articles; the step takes the rows learned
    here only when the digest of its own rows equals this one (``_file_furniture``).
    The articles are kept for ``prepare_ahead_from_file``.
    """
    from harness.wirediff.boilerplate import furniture_rows
    from harness.wirediff.defaults import DEFAULT_MIN_ARTICLES

    articles = jsonl_articles(Path(path))
    _FILE_ARTICLES[:] = articles or []
    if articles is None or len(articles) > EARLY_FURNITURE_ARTICLES:  # the step would not take it
        return None
    rows = [row for _, row in articles]
    least = DEFAULT_MIN_ARTICLES if least is None else least
    # Plain tuples: unpickling a FurnitureRow would import the diff on the pool's result
    # thread, where it waits for this process's own imports (see prestart_furniture).
    learned = [tuple(row) for row in furniture_rows(_segments_task(rows), min_articles=least)]
    return rows_digest(rows), least, learned


def prepare_ahead_from_file(first: int, count: int) -> None:
    """``_prepare_ahead_task`` for the articles at ``first``.. (``count`` of them, in
    doc_id order) of the corpus file this worker read (``furniture_from_file``): the
    rows need not come from this process (nothing, in a worker that read no file)."""
    _prepare_ahead_task([(doc_id, headline, body) for doc_id, (_, headline, body) in _FILE_ARTICLES[first : first + count]])


def word_hashes_from_file() -> dict[str, bytes]:
    """Discovery's word hashes of the bodies of the corpus file this worker read
    (``furniture_from_file``): each body the C loop reads, with its
    ``harness.discovery.wordhash.text_word_hash_bytes`` (numpy is not imported here).

    `harness run` hands this out right after the furniture pass when the experiment
    discovers its pairs (``harness.cli.run_start``): the discover_pairs step takes the
    hashes (``harness.steps.discovery``) and reads every other body itself. On the
    diff bench's 500 articles, discovery there took 63 ms instead of 93 (medians of
    twelve traced runs), the worker's 35-40 ms done while that process imported."""
    from harness.discovery.wordhash import text_word_hash_bytes

    hashes: dict[str, bytes] = {}
    for _, (_, _, body) in _FILE_ARTICLES:
        if body and body not in hashes:
            hashed = text_word_hash_bytes(body)
            if hashed is not None:
                hashes[body] = hashed
    return hashes


def jsonl_articles(path: Path) -> list[tuple[str, FurnitureInput]] | None:
    """(doc_id, (outlet, headline, body)) of each record of a JSON Lines corpus file,
    in doc_id order, as the reader makes them; None for a file with anything it would
    refuse or number otherwise (a record without doc_id gets a content id: left to the
    reader)."""
    from harness.corpus.records import RawRecord, article_row
    from harness.corpus.textfile import CorpusFile, read_text
    from harness.errors import HarnessError

    by_id: dict[str, FurnitureInput] = {}
    try:
        for line in read_text(CorpusFile(path, str(path), path.name)).split("\n"):
            if not line.strip():
                continue
            value = json.loads(line)
            if not isinstance(value, dict) or "doc_id" not in value:
                return None
            row = article_row(RawRecord(value, "", ""))
            doc_id = row["doc_id"]
            if doc_id is None or doc_id in by_id:
                return None
            by_id[doc_id] = (row["outlet"], row["headline"], row["body"])
    except (HarnessError, OSError, ValueError, RecursionError):
        return None
    return [(doc_id, by_id[doc_id]) for doc_id in sorted(by_id)]


def rows_digest(rows: Sequence[FurnitureInput]) -> bytes:
    """A digest of the rows, every field with its length (None apart from "")."""
    digest = hashlib.blake2b(digest_size=16)
    for row in rows:
        for value in row:
            data = b"\x00" if value is None else b"\x01" + value.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
    return digest.digest()


def _read_other_rows(futures: Sequence[concurrent.futures.Future[Any]], expected: bytes) -> bool:
    """Whether the file pass is over and did not read the rows of digest ``expected`` (a
    file it declined, other rows): then the pass is handed out with the rows after all,
    not left to the step."""
    if not all(future.done() and not future.cancelled() and future.exception() is None for future in futures):
        return False  # still reading (the usual case: decided when the step takes it)
    return all(future.result() is None or future.result()[0] != expected for future in futures)


def _file_furniture(
    futures: Sequence[concurrent.futures.Future[Any]], rows: list[FurnitureInput], least: int, digest: bytes | None
) -> list[FurnitureRow] | None:
    """The furniture ``furniture_from_file`` learned (waiting for it), if it read exactly
    ``rows`` (whose digest is ``digest``, when known) and asked the same least number of
    articles; None otherwise."""
    from harness.wirediff.boilerplate import FurnitureRow

    expected = rows_digest(rows) if digest is None else digest
    for future in futures:  # one, as handed out (any more are the same pass)
        learned: FileFurniture | None = future.result()
        if learned is not None and learned[0] == expected and learned[1] == least:
            _cancel(futures)
            return [FurnitureRow(*row) for row in learned[2]]
    return None


# What the furniture's first pass over a large corpus keeps of some articles
# (harness.wirediff.furniture_batches): each article's outlet (None for an article
# without outlet or body) and number of short segments, and every segment's hash in
# order, as native uint64 bytes (few objects to pickle and free).
HashedArticles = tuple[list[str | None], list[int], bytes]


def segment_key_hash(key: str) -> int:
    """A segment's 64-bit hash: the first eight bytes of the furniture table's
    ``segment_hash`` (BLAKE2b), the same in every process."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def hashed_segments_task(articles: list[FurnitureInput]) -> HashedArticles:
    """The furniture's first pass over some articles, on a worker or here."""
    from harness.wirediff.boilerplate import article_segments

    read = [article_segments(*article) for article in articles]
    hashes = array.array("Q", (segment_key_hash(key) for s in read if s is not None for key in s.keys))
    return [None if s is None else s.outlet for s in read], [0 if s is None else len(s.keys) for s in read], hashes.tobytes()


def _chunk_task(
    ids: Sequence[PairIds], articles: Articles, furniture: dict[str, Furniture],
    styles: dict[str, StyleSheet], settings: DiffSettings | None,
) -> PairRows:
    _FILE_ARTICLES.clear()  # the pairs have come: the file's texts are of no more use here
    return _compare_task(_PREPARED, ids, articles, furniture, styles, settings)


def _compare_task(
    prepared: dict[str, PreparedArticle], ids: Sequence[PairIds], articles: Articles,
    furniture: dict[str, Furniture], styles: dict[str, StyleSheet], settings: DiffSettings | None,
) -> PairRows:
    if len(prepared) > WORKER_PREPARED_LIMIT:
        prepared.clear()  # bounded memory; an article prepared again gives the same result
    return compare_chunk(ids, articles, PairContext(styles, furniture, settings), prepared)

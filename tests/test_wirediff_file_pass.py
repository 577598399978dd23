"""The furniture pass a diff worker reads from the corpus file itself (issue 16).

``harness run`` of an experiment that compares copies hands its diff workers the
corpus file's path as they start (``harness.cli.run_start``): a worker reads the
JSON Lines file by the corpus reader's record rules, learns the outlets' furniture and
prepares the first articles, while the run imports polars and reads the corpus. The
step takes what it learned only if the worker read exactly the step's own rows.
These tests check the reading against the corpus reader, the refusals, the check,
and that a run gives the same tables either way.
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.cli import run_start
from harness.corpus import read_corpus
from harness.wirediff import boilerplate, pairwork
from harness.wirediff.articlerows import articles_by_id
from harness.wirediff.defaults import DEFAULT_MIN_ARTICLES

FURNITURE = "Sign up for our daily newsletter."


def _lines(records: list[Any]) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def _corpus_records() -> list[Any]:
    """Records as corpora hold them: ids of two kinds out of order, a BOM, Windows line
    endings, a field read under another name, an outlet from `source`, an article
    without outlet or headline, blank lines, extra fields, and one outlet's furniture."""
    topics = ["Talks", "Floods", "Budget", "Strike", "Election", "Harvest"]  # digits would read as one story
    records: list[Any] = [
        {"doc_id": f"v{k:02d}", "outlet": "Valley Herald", "headline": f"{topic} news", "body": f"{topic} first.\n\n{FURNITURE}"}
        for k, topic in enumerate(topics)
    ]
    records += [
        {"doc_id": 12, "source": "Wire", "title": "Windows", "text": "First line.\r\nSecond line.\r\n\r\nThird."},
        "",
        {"doc_id": "a1", "body": "No outlet and no headline here.", "tags": ["x", 1], "published": "2024-05-01"},
        {"doc_id": "  z9 ", "outlet": "  Spaced ", "headline": "", "body": "Café – naïve “quotes”."},
    ]
    return records


def _write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _reader_rows(path: Path) -> list[pairwork.FurnitureInput]:
    """The step's rows for the corpus as `harness run` reads it (the corpus reader)."""
    return list(pairwork._furniture_input(articles_by_id(read_corpus(path))))


def test_a_worker_reads_the_rows_the_corpus_reader_reads(tmp_path: Path) -> None:
    path = _write(tmp_path / "corpus.jsonl", _lines(_corpus_records()), bom=True)
    read = pairwork.jsonl_articles(path)
    assert read is not None
    rows = [row for _, row in read]
    assert rows == _reader_rows(path)
    assert [doc_id for doc_id, _ in read] == sorted(articles_by_id(read_corpus(path)))
    assert pairwork.rows_digest(rows) == pairwork.rows_digest(_reader_rows(path))


records = st.lists(
    st.fixed_dictionaries(
        {"doc_id": st.one_of(st.integers(0, 50), st.text(min_size=1, max_size=4))},
        optional={
            "outlet": st.text(max_size=6),
            "headline": st.text(max_size=8),
            "body": st.text(min_size=0, max_size=30),
            "text": st.text(max_size=10),
            "source": st.text(max_size=5),
        },
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(records)
def test_what_a_worker_reads_is_the_reader_s_rows_or_nothing(tmp_path_factory: pytest.TempPathFactory, found: list[dict[str, Any]]) -> None:
    """Any records: the worker reads exactly the reader's rows, or declines (None) where
    the reader refuses the file or would number it otherwise; never other rows."""
    path = _write(tmp_path_factory.mktemp("c") / "corpus.jsonl", _lines(found))
    read = pairwork.jsonl_articles(path)
    try:
        expected = _reader_rows(path)
    except Exception:  # refused by the reader (no body, an id twice, ...): the run stops there
        expected = None
    if read is not None:
        assert [row for _, row in read] == expected


@pytest.mark.parametrize(
    "text",
    [
        _lines([{"doc_id": "a", "body": "x"}, {"doc_id": "a", "body": "y"}]),  # an id twice
        _lines([{"body": "no id: the reader gives a content id"}]),
        _lines([{"doc_id": "a", "body": "x"}, ["a list"]]),
        _lines([{"doc_id": "a", "body": "x"}]) + "{not json\n",
        _lines([{"doc_id": "a", "body": "<html><body><p>a page</p></body></html>"}]),
        _lines([{"doc_id": "a", "body": " "}]),
    ],
)
def test_a_worker_declines_a_file_the_reader_refuses_or_numbers_itself(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path / "corpus.jsonl", text)
    assert pairwork.jsonl_articles(path) is None
    assert pairwork.furniture_from_file(str(path), None) is None
    assert pairwork._FILE_ARTICLES == []


def test_the_furniture_learned_from_the_file_is_the_step_s(tmp_path: Path) -> None:
    path = _write(tmp_path / "corpus.jsonl", _lines(_corpus_records()))
    rows = _reader_rows(path)
    learned = pairwork.furniture_from_file(str(path), None)
    assert learned is not None
    digest, least, found = learned
    assert least == DEFAULT_MIN_ARTICLES and digest == pairwork.rows_digest(rows)
    expected = boilerplate.learn_furniture(rows, min_articles=DEFAULT_MIN_ARTICLES)
    assert [boilerplate.FurnitureRow(*row) for row in found] == expected
    assert [row.segment for row in expected] == [FURNITURE]  # the check can fail: there is furniture
    assert all(type(row) is tuple for row in found)  # plain tuples: no import to unpickle them
    assert [doc_id for doc_id, _ in pairwork._FILE_ARTICLES] == sorted(articles_by_id(read_corpus(path)))


class _Done(concurrent.futures.Executor):
    """A pool that runs every task at once, here."""

    def __init__(self) -> None:
        self.futures: list[concurrent.futures.Future[Any]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        future.set_result(fn(*args, **kwargs))
        self.futures.append(future)
        return future


def _handed(pool: _Done, path: Path, least: int | None) -> list[concurrent.futures.Future[Any]]:
    return [pool.submit(pairwork.furniture_from_file, str(path), least)]


def test_the_step_takes_what_was_learned_from_the_file_only_for_its_own_rows(tmp_path: Path) -> None:
    path = _write(tmp_path / "corpus.jsonl", _lines(_corpus_records()))
    rows = _reader_rows(path)
    expected = boilerplate.learn_furniture(rows, min_articles=DEFAULT_MIN_ARTICLES)
    pool = _Done()
    try:
        pairwork.EARLY_FURNITURE.start(pool, rows, from_file=_handed(pool, path, None))
        assert pairwork.EARLY_FURNITURE.take_learned(pool, rows, DEFAULT_MIN_ARTICLES) == expected
        # Other rows (an article changed after reading, a subset chosen): not taken.
        changed = [*rows[:-1], (rows[-1][0], rows[-1][1], "another body")]
        pairwork.EARLY_FURNITURE.start(pool, changed, from_file=_handed(pool, path, None))
        assert pairwork.EARLY_FURNITURE.take_learned(pool, changed, DEFAULT_MIN_ARTICLES) is None
        # Another least number of articles: not taken either.
        pairwork.EARLY_FURNITURE.start(pool, rows, from_file=_handed(pool, path, None))
        assert pairwork.EARLY_FURNITURE.take_learned(pool, rows, DEFAULT_MIN_ARTICLES + 1) is None
        # A pass started with the rows themselves is the segments' (take), not this.
        pairwork.EARLY_FURNITURE.start(pool, rows)
        assert pairwork.EARLY_FURNITURE.take_learned(pool, rows, DEFAULT_MIN_ARTICLES) is None
        assert pairwork.EARLY_FURNITURE.take(pool, rows) == [boilerplate.article_segments(*row) for row in rows]
    finally:
        pairwork.EARLY_FURNITURE.drop()


def test_articles_prepared_ahead_from_the_file_are_the_first_by_doc_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pairwork, "_AHEAD", {})
    path = _write(tmp_path / "corpus.jsonl", _lines(_corpus_records()))
    assert pairwork.furniture_from_file(str(path), None) is not None
    pairwork.prepare_ahead_from_file(0, 3)
    articles = articles_by_id(read_corpus(path))
    assert sorted(pairwork._AHEAD) == sorted(articles)[:3]
    for doc_id, (headline, body, _) in pairwork._AHEAD.items():
        assert (headline, body) == (articles[doc_id]["headline"], articles[doc_id]["body"])
    pairwork._chunk_task([], {}, {}, {}, None)  # the pairs have come: the file's texts are let go
    assert pairwork._FILE_ARTICLES == []
    pairwork.prepare_ahead_from_file(3, 3)  # nothing read here: nothing prepared
    assert len(pairwork._AHEAD) == 3


def test_run_start_hands_out_the_pass_only_for_one_plain_jsonl_file(tmp_path: Path) -> None:
    assert (run_start.FILE_PASS, run_start.FILE_AHEAD) == (pairwork.FILE_PASS, pairwork.FILE_AHEAD)
    assert (run_start.FILE_PASS_SUFFIXES, run_start.FILE_PASS_MAX_BYTES) == (
        pairwork.FILE_PASS_SUFFIXES, pairwork.FILE_PASS_MAX_BYTES
    )
    assert (run_start.AHEAD_ARTICLES, run_start.AHEAD_TASK_ARTICLES) == (pairwork.AHEAD_ARTICLES, pairwork.AHEAD_TASK_ARTICLES)
    path = _write(tmp_path / "corpus.jsonl", _lines(_corpus_records()))
    assert run_start._worker_reads({"path": "corpus.jsonl"}, path)
    assert not run_start._worker_reads({"path": "corpus.jsonl", "outlets": ["Wire"]}, path)
    assert not run_start._worker_reads({"path": "corpus.jsonl", "columns": {"outlet": "category"}}, path)
    assert not run_start._worker_reads({"path": "corpus.jsonl", "invalid_utf8": "replace"}, path)
    assert not run_start._worker_reads({"path": "."}, tmp_path)
    assert not run_start._worker_reads({"path": "x.csv"}, _write(tmp_path / "x.csv", "doc_id,body\na,b\n"))
    diff = {"use": "wire_diff", "settings": {"furniture_min_articles": 4}}
    assert run_start._least_articles([{"use": "discover_pairs"}, diff]) == 4
    assert run_start._least_articles([{"use": "wire_diff"}]) is None
    assert run_start._least_articles([{"use": "wire_diff", "settings": {"furniture_min_articles": True}}]) is None


def test_a_run_gives_the_same_tables_with_the_pass_read_from_the_file_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wire-diff step on 2 workers, its pool handed the pass from the file, and the
    same step with the pass read from its rows: the same furniture, pairs and edits."""
    from harness.wirediff.pairwork import compare_all

    path = _write(tmp_path / "corpus.jsonl", _lines(_corpus_records()))
    articles = articles_by_id(read_corpus(path))
    ids = [("v00", "v01"), ("v02", "v03"), ("12", "a1")]
    styles = {outlet: _style() for outlet in {str(a["outlet"]) for a in articles.values()} | {""}}

    taken: list[object] = []
    take_learned = pairwork.EARLY_FURNITURE.take_learned

    def spied(*args: Any) -> Any:
        taken.append(take_learned(*args))
        return taken[-1]

    monkeypatch.setattr(pairwork.EARLY_FURNITURE, "take_learned", spied)

    def run(from_file: bool) -> tuple[Any, ...]:
        pool = _Done()
        monkeypatch.setattr(pairwork, "_pool", lambda size: _nullpool(pool))
        if from_file:
            pairwork.EARLY_FURNITURE.start(pool, list(pairwork._furniture_input(articles)), from_file=_handed(pool, path, None))
        furniture, rows = compare_all(ids, articles, styles=styles, settings=None, furniture_min_articles=DEFAULT_MIN_ARTICLES, workers=2)
        pairwork.EARLY_FURNITURE.drop()
        return furniture, rows.pairs, rows.edits

    with_file, without = run(True), run(False)
    assert taken[0] is not None and taken[1:] == [None]  # learned from the file, then read from the rows
    assert with_file == without
    assert [row.segment for row in with_file[0]] == [FURNITURE]


def _style() -> Any:
    from harness.wirediff.styles import load_style

    return load_style("", styles_dir=Path(__file__).resolve().parents[1] / "experiments" / "styles")


def _nullpool(pool: _Done) -> Any:
    import contextlib

    @contextlib.contextmanager
    def held() -> Any:
        yield pool

    return held()


def test_the_articles_table_is_the_same_for_a_worker_s_reading(tmp_path: Path) -> None:
    # The reader's frame holds what the worker's rows hold, column by column.
    path = _write(tmp_path / "corpus.jsonl", _lines(_corpus_records()))
    frame = read_corpus(path).sort("doc_id")
    read = pairwork.jsonl_articles(path)
    assert read is not None
    assert frame.select("outlet", "headline", "body").rows() == [row for _, row in read]
    assert isinstance(frame, pl.DataFrame)


def test_a_worker_learns_nothing_for_more_articles_than_the_step_would_take(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "corpus.jsonl", _lines(_corpus_records()))
    monkeypatch.setattr(pairwork, "EARLY_FURNITURE_ARTICLES", len(_reader_rows(path)) - 1)
    assert pairwork.furniture_from_file(str(path), None) is None  # prestart_furniture would not take it


@pytest.mark.parametrize("declined", [True, False])
def test_a_pass_the_worker_declined_is_handed_out_with_the_rows_after_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declined: bool
) -> None:
    """When the step starts (prestart_furniture) and the worker's pass is over without
    the step's rows (a file it declined), the pass is handed out in batches as before,
    instead of being read by the step later; one that read the rows is kept."""
    from harness.engines import worker_start

    records = _corpus_records()
    text = _lines([*records, {"body": "no doc_id: the reader numbers it"}] if declined else records)
    path = _write(tmp_path / "corpus.jsonl", text)
    articles = articles_by_id(read_corpus(path))
    pool = _Done()
    monkeypatch.setattr(worker_start.DIFF_EARLY, "started", (pool, 1))
    monkeypatch.setattr(worker_start.DIFF_EARLY, "handed", {pairwork.FILE_PASS[1]: _handed(pool, path, None)})
    try:
        assert pairwork.prestart_furniture(articles)
        started = pairwork.EARLY_FURNITURE.started
        assert started is not None and started[3] is not declined  # from the file, or batches of rows
        if declined:
            rows = list(pairwork._furniture_input(articles))
            assert pairwork.EARLY_FURNITURE.take(pool, rows) == [boilerplate.article_segments(*row) for row in rows]
    finally:
        pairwork.EARLY_FURNITURE.drop()
        monkeypatch.setattr(worker_start.DIFF_EARLY, "started", None)


def test_the_worker_s_word_hashes_are_the_ones_discovery_makes(tmp_path: Path) -> None:
    """``word_hashes_from_file``: every body of the file the C loop reads, with the word
    hashes discovery makes of it (``shingles._text_word_hashes``); given them, discovery
    makes the same shingles, and reads any other text itself."""
    from harness.discovery import shingles, wordhash

    path = _write(tmp_path / "corpus.jsonl", _lines(_corpus_records()))
    assert pairwork.furniture_from_file(str(path), None) is not None
    hashes = pairwork.word_hashes_from_file()
    bodies = [body for _, (_, _, body) in pairwork._FILE_ARTICLES if body]
    if wordhash.plain_word_hashes() is None:
        assert hashes == {}  # no C loop here: discovery reads every body itself
        return
    plain = {body for body in bodies if wordhash.text_word_hash_bytes(body) is not None}
    assert set(hashes) == plain and "Café – naïve “quotes”." not in plain  # letters beyond ASCII: not the loop's
    for body, data in hashes.items():
        assert data == shingles._text_word_hashes(shingles.fold_typography(body)).tobytes()
    texts = [*bodies, "A text that is not in the file, read here."]
    expected = shingles.shingle_batch(texts)
    with shingles.word_hashes_known(hashes):
        given_hashes = shingles.shingle_batch(texts)
    assert np.array_equal(given_hashes.hashes, expected.hashes) and np.array_equal(given_hashes.offsets, expected.offsets)
    assert shingles._KNOWN_WORD_HASHES == {}  # forgotten after the block
    own = shingles.shingle_hashes(texts[0])
    with shingles.word_hashes_known({texts[0]: bytes(8)}):  # taken as given: only a text's own may be given
        assert not np.array_equal(shingles.shingle_hashes(texts[0]), own)


def test_discovery_takes_the_word_hashes_a_worker_has_in_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """Done: taken; being made or on their way: waited for; not started: cancelled (the
    worker goes on to the diff's work); failed or never handed out: read here. Any
    other task handed out stays for whoever takes it."""
    import importlib
    import threading

    from harness.engines import worker_start
    from harness.steps import discovery

    module, name = worker_start.DIFF_WORD_HASHES
    assert getattr(importlib.import_module(module), name) is pairwork.word_hashes_from_file

    def handed(future: concurrent.futures.Future[Any]) -> concurrent.futures.Future[Any]:
        other: concurrent.futures.Future[Any] = concurrent.futures.Future()
        monkeypatch.setattr(worker_start.DIFF_EARLY, "handed", {name: [future], pairwork.FILE_AHEAD[1]: [other]})
        return other

    done: concurrent.futures.Future[Any] = concurrent.futures.Future()
    done.set_result({"a": b"x" * 8})
    other = handed(done)
    assert discovery._early_word_hashes() == {"a": b"x" * 8}
    assert worker_start.DIFF_EARLY.handed == {pairwork.FILE_AHEAD[1]: [other]}
    pending: concurrent.futures.Future[Any] = concurrent.futures.Future()
    handed(pending)
    assert discovery._early_word_hashes() is None and pending.cancelled()
    running: concurrent.futures.Future[Any] = concurrent.futures.Future()
    assert running.set_running_or_notify_cancel()
    threading.Timer(0.05, running.set_result, ({"b": b"y" * 8},)).start()
    handed(running)
    assert discovery._early_word_hashes() == {"b": b"y" * 8}
    failed: concurrent.futures.Future[Any] = concurrent.futures.Future()
    assert failed.set_running_or_notify_cancel()
    failed.set_exception(concurrent.futures.process.BrokenProcessPool("a worker died"))
    handed(failed)
    assert discovery._early_word_hashes() is None
    monkeypatch.setattr(worker_start.DIFF_EARLY, "handed", {})
    assert discovery._early_word_hashes() is None


def test_articles_are_prepared_ahead_with_the_collector_off_and_on_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """A prepared article holds hundreds of long tuples: the collector pass after each
    task walked them all (``_prepare_ahead_task``, as ``_segments_task``, pauses it)."""
    import gc

    from harness.wirediff import articlefile

    enabled: list[bool] = []
    prepare = articlefile.prepared_article

    def spied(row: Any) -> Any:
        enabled.append(gc.isenabled())
        return prepare(row)

    monkeypatch.setattr(articlefile, "prepared_article", spied)
    monkeypatch.setattr(pairwork, "_AHEAD", {})
    assert gc.isenabled()
    pairwork._prepare_ahead_task([("a", "One", "First text."), ("b", "Two", "Second text.")])
    assert enabled == [False, False] and gc.isenabled() and sorted(pairwork._AHEAD) == ["a", "b"]
    segments = boilerplate.article_segments
    monkeypatch.setattr(boilerplate, "article_segments", lambda *row: (enabled.append(gc.isenabled()), segments(*row))[1])
    pairwork._segments_task([("Wire", "One", "First text.")])
    assert enabled[-1] is False and gc.isenabled()

"""The full scorecard's worker stages done for many texts at once (issue 16, item 3).

``units.analyse_texts`` analyses a batch of texts with one set of array operations over
all their tokens; every text must come out as it does alone (``analyse_text``, which
``tests/test_scorecard_batches.py`` checks against row-by-row references), whatever the
texts next to it. ``tokens.tokenize_coded`` hands out the starts and kind codes the
tokeniser makes; the batch pauses the garbage collector and gives it back as it was.
"""

from __future__ import annotations

import gc
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.engines import worker_start
from harness.scoring import batch
from harness.scoring import pool as scoring_pool
from harness.scoring.lexicon import TermMatcher, load_lexicons
from harness.scoring.score import score_documents
from harness.scoring.units import TOKEN_VOCABULARY, AnalysedTexts, analyse_text, analyse_texts
from harness.text import tokenize
from harness.text import tokens as tokens_module
from harness.text.tokens import KIND_CODES, tokenize_coded
from harness.text.voice import Quote

# Quotation marks of every kind, sentence ends, hyphens, digits, apostrophes, line
# breaks: what moves voices, sentences and token kinds.
_ALPHABET = st.sampled_from(
    list("abcXYZ 0129.,!?;:-'\"\u2018\u2019\u201c\u201d\u00ab\u00bb\n\t") + ["U.S.", "said", "Mr ", "\u2026"]
)
_TEXT = st.lists(_ALPHABET, max_size=60).map("".join)


def _owner_by_bisect(starts: list[int], span_starts: list[int], span_ends: list[int]) -> list[int]:
    """The reference: each token's span by a bisect per token (the last span starting at
    or before it, if the token starts before that span's end), -1 for none."""
    import bisect

    owners = []
    for start in starts:
        k = bisect.bisect_right(span_starts, start) - 1
        owners.append(k if k >= 0 and start < span_ends[k] else -1)
    return owners


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.integers(0, 60), max_size=40).map(sorted),
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 15)), max_size=12).map(sorted),
)
def test_spans_own_the_tokens_a_bisect_per_token_gives_them(starts: list[int], spans: list[tuple[int, int]]) -> None:
    """``units._owned_ranges`` (two searches per span) gives each span the tokens the
    bisect per token did, for sorted spans that may touch, overlap, share a start or
    hold no token; the quotation marks read from those ranges match too."""
    from harness.scoring import units

    span_starts = [a for a, _ in spans]
    span_ends = [a + length for a, length in spans]
    token_starts = np.array(starts, dtype=np.int64)
    firsts, stops = units._owned_ranges(token_starts, np.array(span_starts, dtype=np.int64),
                                        np.array(span_ends, dtype=np.int64))
    owners = [-1] * len(starts)
    for k, (first, stop) in enumerate(zip(firsts.tolist(), stops.tolist(), strict=True)):
        assert first <= stop
        for i in range(first, stop):
            assert owners[i] == -1  # one span per token
            owners[i] = k
    assert owners == _owner_by_bisect(starts, span_starts, span_ends)
    assert all((f, s) == (0, 0) for f, s in zip(firsts.tolist(), stops.tolist(), strict=True) if f >= s)
    quotes = [Quote(a, b, '"', '"') for a, b in zip(span_starts, span_ends, strict=True)]
    quoted = units._quoted_in_batch(token_starts, [quotes], np.zeros(1, dtype=np.int64))
    assert quoted.tolist() == [owner >= 0 for owner in owners]


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, max_size=6))
def test_texts_analysed_together_equal_each_text_alone(texts: list[str]) -> None:
    together = analyse_texts(texts)
    assert together.units == [analyse_texts([text]).units[0] for text in texts]
    assert together.units == [analyse_text(text) for text in texts]
    # The batch columns: one entry per token, text after text.
    tokens = [token for units in together.units for token in units.tokens]
    assert together.token_texts == [token.text for token in tokens]
    assert together.codes.tolist() == [KIND_CODES[token.kind] for token in tokens]
    assert together.token_text.tolist() == [t for t, units in enumerate(together.units) for _ in units.tokens]
    assert together.quoted.tolist() == [
        voice.value == "quoted" for units in together.units for voice in units.voices
    ]


def test_texts_with_quotes_next_to_texts_without() -> None:
    texts = [
        '"We will win," she said. Then nothing.',
        "No quotation here. None at all.",
        "",
        "He said: \u201cIt is over.\u201d And left",
        "'Open quotation to the end of the line",
    ]
    together = analyse_texts(texts)
    assert together.units == [analyse_text(text) for text in texts]
    quoted_words = [sum(s.quoted_words for s in units.sentences) for units in together.units]
    assert quoted_words == [3, 0, 0, 3, 8]


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.integers(min_value=0, max_value=50))
def test_token_arrays_are_the_tokens_starts_and_kinds(text: str, offset: int) -> None:
    tokens, starts, codes = tokenize_coded(text, offset)
    assert tokens == tokenize(text, offset)
    assert starts.tolist() == [token.start for token in tokens]
    assert codes.tolist() == [KIND_CODES[token.kind] for token in tokens]


def test_token_arrays_of_a_long_text_read_match_by_match(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "The U.S. said 1,200 'words' here-and-there. " * 5
    expected = tokenize_coded(text, 7)
    monkeypatch.setattr(tokens_module, "ONE_MATCH_CHARS", 10)
    tokens, starts, codes = tokenize_coded(text, 7)
    assert tokens == expected[0]
    assert starts.tolist() == expected[1].tolist()
    assert codes.tolist() == expected[2].tolist()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_batch_gives_the_garbage_collector_back_as_it_was(enabled: bool) -> None:
    documents = [batch._Document(0, "d", "o", "Headline", '"Quoted," he said. Plain words.')]
    settings = batch.BatchSettings(tuple(load_lexicons()), 40)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        batch._score_batch(documents, settings)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def _small_corpus(bodies: list[str]) -> pl.DataFrame:
    """Articles with these bodies, two outlets taking turns, a headline each."""
    return pl.DataFrame(
        {
            "doc_id": [f"d{k}" for k in range(len(bodies))],
            "outlet": [("A", "B")[k % 2] for k in range(len(bodies))],
            "headline": [f"Headline number {k} slams plan" for k in range(len(bodies))],
            "body": bodies,
        }
    )


_BODIES = [
    '"We will fight on," the minister said. Critics slammed the plan.',
    "Prices rose sharply. Analysts said it could get worse, a lot worse.",
    "",
    "\u201cIt is a witch-hunt,\u201d he claimed. She denied it.",
    "Officials said 1,200 people were evacuated from the U.S. base.",
    "The so-called reform was, in fact, a lot of talk, critics claimed.",
]


def test_documents_alone_equal_the_documents_of_every_table_across_analysis_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Texts are analysed a few documents at a time: the tables do not depend on how many."""
    frame = _small_corpus(_BODIES)
    every = score_documents(frame, workers=1)
    monkeypatch.setattr(batch, "ANALYSIS_DOCS", 2)
    for tables in (None, ("documents",)):
        chunked = score_documents(frame, workers=1, tables=tables)
        for name, table in chunked.items():
            assert table.equals(every[name]), name


def test_scoring_with_a_vocabulary_that_restarts_within_a_batch_gives_the_same_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each run of a batch reads its facts by token id before the next run's ids are made:
    a vocabulary that starts afresh between runs (here after every document) changes no value."""
    frame = _small_corpus(_BODIES)
    every = score_documents(frame, workers=1)
    monkeypatch.setattr(batch, "ANALYSIS_DOCS", 1)
    monkeypatch.setattr(TOKEN_VOCABULARY, "max_size", 4)
    generation = TOKEN_VOCABULARY.generation
    restarted = score_documents(frame, workers=1)
    assert TOKEN_VOCABULARY.generation > generation + 2
    for name, table in restarted.items():
        assert table.equals(every[name]), name


_MATCHER = TermMatcher(load_lexicons())
_WORDS = st.sampled_from(
    ["a", "lot", "of", "in", "fact", "said", "claimed", "witch", "-", "hunt", "would", "be", "the", "claims",
     "Slammed", "May", "may", ",", ".", "'", "\u201c", "so", "called", "1,200", "U.S."]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_WORDS, max_size=30).map(" ".join), max_size=5))
def test_lexicon_starts_found_for_many_texts_equal_each_text_scanned_alone(texts: list[str]) -> None:
    analysed = analyse_texts(texts)
    is_word = analysed.codes != batch.PUNCT_CODE
    every = _MATCHER.start_positions_in(analysed.token_texts, is_word)
    # by the tokens' ids (what a batch passes), the same starts, with and without _may_hit
    assert _MATCHER.start_positions_in(analysed.token_texts, is_word, token_ids=analysed.token_ids).tolist() == every.tolist()
    assert (
        _MATCHER.start_positions_in(analysed.token_texts, is_word, analysed.token_text, analysed.token_ids).tolist()
        == _MATCHER.start_positions_in(analysed.token_texts, is_word, analysed.token_text).tolist()
    )
    assert every.tolist() == [
        base + i
        for units, base in zip(analysed.units, _token_bases(analysed), strict=True)
        for i in _MATCHER._start_positions(units.tokens)
    ]
    # _starts_by_text leaves out starts where no term can hit (TermMatcher._may_hit).
    starts = batch._starts_by_text(_MATCHER, analysed)
    for units, text_starts in zip(analysed.units, starts, strict=True):
        assert set(text_starts) <= set(_MATCHER._start_positions(units.tokens))
        assert _MATCHER.match(units.tokens, text_starts) == _MATCHER.match(units.tokens)


def _token_bases(analysed: AnalysedTexts) -> list[int]:
    """Where each text's tokens start in the batch's token columns."""
    sizes = [len(units.tokens) for units in analysed.units]
    return [sum(sizes[:k]) for k in range(len(sizes))]


def _allocator_environment(_task: int) -> tuple[int, dict[str, str | None]]:
    """Run in a worker: its pid and the allocator settings it started with."""
    import os

    names = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "_RJEM_MALLOC_CONF", "POLARS_MAX_THREADS",
             "OPENBLAS_NUM_THREADS")
    return os.getpid(), {name: os.environ.get(name) for name in names}


def test_workers_start_with_the_allocator_settings_and_this_process_keeps_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    batch.shutdown_workers()
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "12345")  # the user's own: kept
    monkeypatch.setenv("_RJEM_MALLOC_CONF", "dirty_decay_ms:500,muzzy_decay_ms:1000")  # what polars writes
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    before = dict(os.environ)
    try:
        batch.start_workers(2)
        assert scoring_pool._pool is not None
        answers = {pid: env for pid, env in scoring_pool._pool.map(_allocator_environment, range(8))}
    finally:
        batch.shutdown_workers()
    assert dict(os.environ) == before
    assert answers and os.getpid() not in answers
    for env in answers.values():
        assert env["MALLOC_MMAP_THRESHOLD_"] == str(32 << 20)
        assert env["MALLOC_TRIM_THRESHOLD_"] == "12345"
        # polars in the worker writes its defaults first again; the last value of an option wins
        assert env["_RJEM_MALLOC_CONF"] is not None
        assert env["_RJEM_MALLOC_CONF"].endswith("dirty_decay_ms:10000,muzzy_decay_ms:10000")
        # the cores shared out among the workers' polars thread pools
        assert env["POLARS_MAX_THREADS"] == str(worker_start.worker_polars_threads(2))
        assert env["OPENBLAS_NUM_THREADS"] == "1"  # no BLAS threads spinning beside a worker per core


def test_workers_keep_the_polars_and_blas_threads_the_user_set(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    batch.shutdown_workers()
    monkeypatch.setenv("POLARS_MAX_THREADS", "3")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    try:
        batch.start_workers(2)
        assert scoring_pool._pool is not None
        answers = dict(scoring_pool._pool.map(_allocator_environment, range(4)))
    finally:
        batch.shutdown_workers()
    assert answers and all(env["POLARS_MAX_THREADS"] == "3" for env in answers.values())
    assert all(env["OPENBLAS_NUM_THREADS"] == "2" for env in answers.values())
    assert os.environ["POLARS_MAX_THREADS"] == "3"


@pytest.mark.parametrize(
    ("workers", "cores", "threads"),
    [(2, 2, 1), (1, 2, 1), (2, 8, 2), (3, 8, 2), (1, 8, 4), (8, 2, 1), (4, 1, 1), (0, 2, 2)],
)
def test_each_workers_polars_threads_share_out_the_cores(workers: int, cores: int, threads: int) -> None:
    assert worker_start.worker_polars_threads(workers, cores) == threads


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (None, "dirty_decay_ms:10000,muzzy_decay_ms:10000"),
        ("dirty_decay_ms:500,muzzy_decay_ms:1000", "dirty_decay_ms:500,muzzy_decay_ms:1000,dirty_decay_ms:10000,muzzy_decay_ms:10000"),
        ("dirty_decay_ms:500,muzzy_decay_ms:1000,thp:always", "dirty_decay_ms:500,muzzy_decay_ms:1000,thp:always,dirty_decay_ms:10000,muzzy_decay_ms:10000"),
        ("dirty_decay_ms:500,muzzy_decay_ms:1000,dirty_decay_ms:0", None),  # the user's decay, after polars'
        ("muzzy_decay_ms:-1", None),
    ],
)
def test_the_workers_jemalloc_settings_keep_a_decay_the_user_chose(current: str | None, expected: str | None) -> None:
    assert worker_start.worker_jemalloc(current) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(["a", "e", "y", "B", "é", "'", "x", "Z", "o"]), min_size=1, max_size=30), max_size=20))
def test_the_words_frame_holds_each_words_letters_and_syllables(word_texts: list[str]) -> None:
    """Packed two to an int in the memo, read back apart: each word's own (letters, syllables)."""
    batch.clear_word_measures()
    words = batch._Words()
    n = len(word_texts)
    words.docs.append(np.zeros(n, dtype=np.int64))
    words.fields.append(np.zeros(n, dtype=np.int64))
    words.quoted.append(np.zeros(n, dtype=np.bool_))
    words.measures.append(batch._WORD_MEASURES.of(TOKEN_VOCABULARY.ids(word_texts)))
    frame = batch._words_frame(words)
    assert list(zip(frame["letters"].to_list(), frame["syllables"].to_list(), strict=True)) == [
        batch._measures(word) for word in word_texts
    ]
    assert batch._packed("x" * 70_000) >> batch._MEASURE_BITS == 70_000  # a long token keeps its letters


def test_killing_the_workers_after_their_futures_were_cancelled_prints_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C closes ``pool.map``'s iterator, which cancels the futures not yet running, and
    ``stop_workers_now`` then kills the workers. On a busy machine the pool's thread sees them
    die before it hears of the shutdown; Python 3.11's thread then marks every future in its
    books failed and meets the cancelled ones with InvalidStateError: a thread traceback on
    stderr above the one interrupt line (seen once in CI; CPython gh-107219, fixed in 3.12).
    Here each kill waits until the thread has seen the worker die, the order of the busy machine."""
    import threading
    import time

    seen: list[type[BaseException]] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.exc_type))
    batch.shutdown_workers()
    results = scoring_pool._results_in_order(time.sleep, [0.2] * 40, n_workers=2, where="test")
    try:
        assert next(results) is None  # the workers are busy; most futures still wait in the pool
        results.close()  # what a KeyboardInterrupt in the consumer does: the waiting ones are cancelled
        assert scoring_pool._pool is not None
        for process in list(scoring_pool._pool._processes.values()):
            def kill_and_wait(process: Any = process, terminate: Any = process.terminate) -> None:
                terminate()
                process.join()
                time.sleep(0.3)  # the pool's thread wakes on the dead worker first
            monkeypatch.setattr(process, "terminate", kill_and_wait)
        batch.stop_workers_now()
    finally:
        batch.shutdown_workers()
    assert seen == []
    assert scoring_pool._pool is None


def test_while_a_pool_is_killed_other_thread_errors_are_still_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from harness.engines import processes

    seen: list[type[BaseException]] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.exc_type))

    def fails() -> None:
        raise ValueError("not the pool's race")

    with processes._cancelled_futures_race_ignored():
        thread = threading.Thread(target=fails)
        thread.start()
        thread.join()
    assert seen == [ValueError]
    assert threading.excepthook is not None and threading.excepthook.__name__ == "<lambda>"  # restored


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 300)), max_size=40),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=500),
)
def test_analysis_runs_cover_the_documents_in_order_within_both_bounds(
    lengths: list[tuple[int, int]], max_docs: int, max_chars: int
) -> None:
    """Runs of at most ANALYSIS_DOCS documents, each ending once it reaches ANALYSIS_CHARS
    characters (a longer document is a run of its own)."""
    documents = [batch._Document(k, f"d{k}", "o", "h" * h, "b" * b) for k, (h, b) in enumerate(lengths)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch, "ANALYSIS_DOCS", max_docs)
        patch.setattr(batch, "ANALYSIS_CHARS", max_chars)
        runs = [list(run) for run in batch._analysis_chunks(documents)]
    assert [d for run in runs for d in run] == documents
    for run in runs:
        sizes = [len(d.headline) + len(d.body) for d in run]
        assert 1 <= len(run) <= max_docs
        assert sum(sizes[:-1]) < max_chars  # it ended at the first document that reached the bound
    for run in runs[:-1]:  # a run ends early only at a bound
        assert len(run) == max_docs or sum(len(d.headline) + len(d.body) for d in run) >= max_chars

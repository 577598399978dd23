"""score_documents end to end on the seed page: tables, schemas, the headline claim."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.corpus import read_corpus
from harness.errors import InputError
from harness.scoring import (
    DOCUMENTS_SCHEMA,
    HITS_SCHEMA,
    METRICS_SCHEMA,
    QUOTES_SCHEMA,
    RATES_SCHEMA,
    SCHEMAS,
    TABLES,
    score_documents,
    wide_column_name,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def articles() -> pl.DataFrame:
    return read_corpus(SEEDS)


@pytest.fixture(scope="module")
def tables(articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return score_documents(articles)


def _by_outlet(documents: pl.DataFrame, outlet: str) -> dict[str, object]:
    rows = documents.filter(pl.col("outlet") == outlet)
    assert rows.height == 1
    return rows.row(0, named=True)


def test_daily_mail_has_denser_loaded_language_than_reuters_in_narrator_voice(
    tables: dict[str, pl.DataFrame],
) -> None:
    documents = tables["documents"]
    mail, reuters = _by_outlet(documents, "Daily Mail"), _by_outlet(documents, "Reuters")
    assert mail["loaded_per_1k_narrator"] > reuters["loaded_per_1k_narrator"]
    assert mail["loaded_per_1k_narrator"] == pytest.approx(
        mail["loaded_hits_narrator"] * 1000 / mail["words_narrator"]
    )
    # ...and the hits behind the number are listed, with their offsets.
    hits = tables["hits"].filter(
        (pl.col("doc_id") == mail["doc_id"])
        & (pl.col("voice") == "narrator")
        & pl.col("loaded")
        & (pl.col("field") == "body")
    )
    assert hits.height == mail["loaded_hits_narrator"]
    assert {"unleashed", "barrage", "shocking", "fired back", "claiming"} <= set(hits["matched"])
    reuters_hits = tables["hits"].filter(
        (pl.col("doc_id") == reuters["doc_id"]) & (pl.col("voice") == "narrator") & pl.col("loaded")
    )
    assert reuters_hits.height == reuters["loaded_hits_narrator"]


def test_wire_copy_restyled_keeps_its_narrator_density(tables: dict[str, pl.DataFrame]) -> None:
    documents = tables["documents"]
    guardian, reuters = _by_outlet(documents, "The Guardian"), _by_outlet(documents, "Reuters")
    assert guardian["loaded_hits_narrator"] == reuters["loaded_hits_narrator"]
    assert guardian["attribution_neutral_narrator"] > 10
    assert guardian["attribution_loaded_narrator"] == 0


def test_every_hit_is_auditable_to_the_character(
    articles: pl.DataFrame, tables: dict[str, pl.DataFrame]
) -> None:
    texts = {
        (r["doc_id"], field): r[field]
        for r in articles.iter_rows(named=True)
        for field in ("headline", "body")
    }
    assert tables["hits"].height > 50
    for hit in tables["hits"].iter_rows(named=True):
        text = texts[(hit["doc_id"], hit["field"])]
        assert text[hit["start"] : hit["end"]] == hit["matched"]
        assert " ".join(text[: hit["start"]].split()).endswith(hit["left"])
        assert " ".join(text[hit["end"] :].split()).startswith(hit["right"])


def test_every_table_has_its_declared_schema(tables: dict[str, pl.DataFrame]) -> None:
    assert tuple(tables) == TABLES
    for name, frame in tables.items():
        assert frame.schema == pl.Schema(SCHEMAS[name]), name


def test_documents_view_has_the_cli_columns(tables: dict[str, pl.DataFrame]) -> None:
    for column in (
        "doc_id",
        "flesch_reading_ease",
        "sentiment_mean",
        "loaded_per_1k",
        "loaded_per_1k_narrator",
        "loaded_per_1k_quoted",
    ):
        assert column in DOCUMENTS_SCHEMA
    assert tables["documents"].height == 4


def test_documents_view_spreads_the_metrics_table(tables: dict[str, pl.DataFrame]) -> None:
    metrics, documents = tables["metrics"], tables["documents"]
    assert metrics.height == documents.height * 2 * 3
    for row in metrics.iter_rows(named=True):
        wide = documents.filter(pl.col("doc_id") == row["doc_id"]).row(0, named=True)
        for metric in ("words", "flesch_reading_ease", "loaded_per_1k", "sentiment_mean"):
            assert wide[wide_column_name(metric, row["field"], row["voice"])] == row[metric]


def test_undefined_values_are_null_not_nan(tables: dict[str, pl.DataFrame]) -> None:
    for name, frame in tables.items():
        for column, dtype in frame.schema.items():
            if dtype == pl.Float64:
                assert frame[column].is_nan().sum() == 0, (name, column)
            if dtype == pl.String:
                assert not frame[column].is_in(["N/A", "NaN", "nan", "null"]).any(), (name, column)
    headline_quoted = tables["metrics"].filter(
        (pl.col("field") == "headline") & (pl.col("voice") == "quoted")
    )
    assert headline_quoted["flesch_reading_ease"].null_count() == headline_quoted.height


def test_rates_by_category_add_up_to_lexicon_hits(tables: dict[str, pl.DataFrame]) -> None:
    rates, metrics = tables["rates"], tables["metrics"]
    totals = rates.group_by("doc_id", "field", "voice").agg(pl.col("hits").sum())
    joined = metrics.join(totals, on=["doc_id", "field", "voice"])
    assert (joined["hits"] == joined["lexicon_hits"]).all()
    assert rates.schema == pl.Schema(RATES_SCHEMA)


def test_scoring_is_deterministic(articles: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> None:
    again = score_documents(articles.reverse()).copy()
    for name, frame in tables.items():
        key = [
            c
            for c in ("doc_id", "field", "voice", "index", "start", "category", "speaker_key")
            if c in frame.columns
        ]
        assert frame.sort(key, nulls_last=True).equals(again[name].sort(key, nulls_last=True)), name


def test_empty_input_gives_empty_tables() -> None:
    empty = pl.DataFrame(
        schema={"doc_id": pl.String, "outlet": pl.String, "headline": pl.String, "body": pl.String}
    )
    tables = score_documents(empty)
    assert all(frame.height == 0 for frame in tables.values())
    assert tables["metrics"].schema == pl.Schema(METRICS_SCHEMA)
    assert tables["hits"].schema == pl.Schema(HITS_SCHEMA)
    assert tables["quotes"].schema == pl.Schema(QUOTES_SCHEMA)


def test_missing_column_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        score_documents(pl.DataFrame({"doc_id": ["a"], "body": ["text"]}))
    assert "outlet" in caught.value.message and "headline" in caught.value.message
    assert caught.value.where == "articles"


def test_duplicate_doc_id_is_an_input_error() -> None:
    frame = pl.DataFrame(
        {"doc_id": ["a", "a"], "outlet": ["X", "Y"], "headline": ["h", "h"], "body": ["b", "b"]}
    )
    with pytest.raises(InputError, match="'a' occurs more than once"):
        score_documents(frame)


def test_null_text_is_scored_as_empty() -> None:
    frame = pl.DataFrame(
        {"doc_id": ["a"], "outlet": [None], "headline": [None], "body": ["He said so."]},
        schema={"doc_id": pl.String, "outlet": pl.String, "headline": pl.String, "body": pl.String},
    )
    row = score_documents(frame)["documents"].row(0, named=True)
    assert row["outlet"] == "unknown"
    assert row["headline_words"] == 0
    assert row["headline_flesch_reading_ease"] is None
    assert row["attribution_neutral"] == 1


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Smith",
                "said",
                "'We",
                "will",
                "win,'",
                "shocking",
                "claims",
                ".",
                "He",
                "fired",
                "back",
                '"No."',
                "the",
                "very",
                "\n",
                "Clinton",
                "allegedly",
                "slammed",
            ]
        ),
        max_size=40,
    )
)
def test_voice_word_counts_add_up(words: list[str]) -> None:
    body = " ".join(words)
    frame = pl.DataFrame({"doc_id": ["d"], "outlet": ["X"], "headline": [""], "body": [body]})
    tables = score_documents(frame)
    row = tables["documents"].row(0, named=True)
    assert row["words_narrator"] + row["words_quoted"] == row["words"]
    assert row["lexicon_hits_narrator"] + row["lexicon_hits_quoted"] == row["lexicon_hits"]
    for voice in ("", "_narrator", "_quoted"):
        rate = row[f"loaded_per_1k{voice}"]
        if row[f"words{voice}"] == 0:
            assert rate is None
        else:
            assert rate is not None and math.isfinite(rate)

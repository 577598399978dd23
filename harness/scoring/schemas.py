"""Every table the scorecard returns, with its schema declared once.

Column names are part of the contract with the CLI, experiments and reports. Metric
columns are nullable: null (never NaN, never "N/A") means undefined, e.g. a rate
over zero quoted words.
"""

from __future__ import annotations

import polars as pl

from harness.errors import InputError
from harness.scoring.views import View

# The eight textstat formulas of the scorecard, in report order. Each name is both the
# textstat function (``harness.scoring.readability``) and our column name.
READABILITY_METRICS: tuple[str, ...] = (
    "flesch_reading_ease",
    "flesch_kincaid_grade",
    "gunning_fog",
    "smog_index",
    "coleman_liau_index",
    "automated_readability_index",
    "dale_chall_readability_score",
    "linsear_write_formula",
)

FIELDS: tuple[str, ...] = ("headline", "body")

# Table names in the order score_documents returns them.
TABLES: tuple[str, ...] = (
    "documents",
    "metrics",
    "sentences",
    "hits",
    "rates",
    "quotes",
    "speakers",
)

KEY_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    "field": pl.String(),  # headline | body
    "voice": pl.String(),  # all | narrator | quoted
}

# One value per document x field x voice. `metrics` holds them long; `documents`
# spreads them into one row per document (see wide_column_name).
METRIC_VALUE_SCHEMA: dict[str, pl.DataType] = {
    "words": pl.Int64(),  # word tokens (harness.text) in this voice
    "sentences": pl.Int64(),  # sentences with at least one word in this voice
    **{name: pl.Float64() for name in READABILITY_METRICS},
    # Sentence-length distribution: words of this voice per sentence that has any.
    "sentence_words_mean": pl.Float64(),
    "sentence_words_median": pl.Float64(),
    "sentence_words_p90": pl.Float64(),
    "sentence_words_max": pl.Int64(),
    # Word-length distribution over word tokens (numbers left out): letters, and
    # syllables by textstat's counter (CMUdict, else Pyphen).
    "word_letters_mean": pl.Float64(),
    "word_letters_median": pl.Float64(),
    "long_word_share": pl.Float64(),  # words of 7 letters or more
    "syllables_per_word": pl.Float64(),
    "polysyllable_share": pl.Float64(),  # words of 3 syllables or more
    # VADER per sentence (of this voice's fragments); quartiles interpolate linearly.
    "sentiment_n": pl.Int64(),  # sentences scored
    "sentiment_mean": pl.Float64(),
    "sentiment_median": pl.Float64(),
    "sentiment_q1": pl.Float64(),
    "sentiment_q3": pl.Float64(),
    "sentiment_min": pl.Float64(),
    "share_negative": pl.Float64(),  # compound <= -0.05
    "share_neutral": pl.Float64(),
    "share_positive": pl.Float64(),  # compound >= 0.05
    "lexicon_hits": pl.Int64(),  # every lexicon hit, weight 0 included
    "loaded_hits": pl.Int64(),  # hits of the loaded categories with weight > 0
    "loaded_per_1k": pl.Float64(),  # loaded_hits per 1,000 words
    "loaded_weighted_per_1k": pl.Float64(),  # sum of the loaded hits' weights per 1,000 words
    # Stance markers, not loaded language: every hit of the category per 1,000 words.
    "hedge_per_1k": pl.Float64(),
    "certainty_per_1k": pl.Float64(),  # boosters
    "intensifier_per_1k": pl.Float64(),
    "attribution_neutral": pl.Int64(),  # hits in category attribution_neutral
    "attribution_loaded": pl.Int64(),  # hits in category attribution_loaded
    "loaded_attribution_share": pl.Float64(),  # loaded / (neutral + loaded)
}

METRICS_SCHEMA: dict[str, pl.DataType] = {**KEY_SCHEMA, **METRIC_VALUE_SCHEMA}


def wide_column_name(metric: str, field: str, voice: str) -> str:
    """``flesch_reading_ease`` (body, all), ``loaded_per_1k_narrator``, ``headline_words``."""
    prefix = "headline_" if field == "headline" else ""
    suffix = "" if voice == View.ALL else f"_{voice}"
    return f"{prefix}{metric}{suffix}"


DOCUMENTS_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    "headline": pl.String(),
    **{
        wide_column_name(metric, field, view): dtype
        for field in ("body", "headline")
        for view in View
        for metric, dtype in METRIC_VALUE_SCHEMA.items()
    },
}

SENTENCES_SCHEMA: dict[str, pl.DataType] = {
    **KEY_SCHEMA,
    "index": pl.Int64(),  # sentence number within the field, from 0
    "start": pl.Int64(),  # the sentence's offsets in the field's text
    "end": pl.Int64(),
    "spans": pl.String(),  # "start:end;start:end": the fragments scored for this voice
    "text": pl.String(),  # what VADER scored: the fragments joined by a space
    "words": pl.Int64(),  # words of this voice in the sentence
    "quoted_share": pl.Float64(),  # quoted words / all words of the sentence
    "compound": pl.Float64(),
    "neg": pl.Float64(),
    "neu": pl.Float64(),
    "pos": pl.Float64(),
    "polarity": pl.String(),  # negative | neutral | positive (compound ±0.05)
    "negativity_rank": pl.Int64(),  # 1 = most negative in doc x field x voice
}

HITS_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    "field": pl.String(),
    "start": pl.Int64(),
    "end": pl.Int64(),
    "sentence": pl.Int64(),
    "voice": pl.String(),  # narrator | quoted (voice of the hit's first word)
    "matched": pl.String(),  # text[start:end]
    "term": pl.String(),  # lexicon entry ("=" prefix: exact form)
    "category": pl.String(),
    "weight": pl.Float64(),
    "loaded": pl.Boolean(),  # counts in loaded_per_1k: weight > 0, not a stance marker
    "lexicon": pl.String(),  # file name
    "lexicon_line": pl.Int64(),
    "left": pl.String(),  # context before, whitespace collapsed
    "right": pl.String(),  # context after
}

RATES_SCHEMA: dict[str, pl.DataType] = {
    **KEY_SCHEMA,
    "category": pl.String(),
    "hits": pl.Int64(),
    "weight_sum": pl.Float64(),
    "words": pl.Int64(),
    "per_1k": pl.Float64(),  # hits per 1,000 words; null with no words
}

QUOTES_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    "field": pl.String(),
    "quote_index": pl.Int64(),
    "start": pl.Int64(),
    "end": pl.Int64(),
    "words": pl.Int64(),
    "speaker": pl.String(),  # display name; null when unattributed
    "speaker_key": pl.String(),
    "speaker_start": pl.Int64(),  # offsets of the mention (name, description or pronoun)
    "speaker_end": pl.Int64(),
    "verb": pl.String(),  # surface text of the attribution verb
    "verb_term": pl.String(),
    "verb_category": pl.String(),
    "verb_start": pl.Int64(),
    "verb_end": pl.Int64(),
    "method": pl.String(),  # how the verb was found (see harness.scoring.attribution)
    "speaker_method": pl.String(),  # name | description | pronoun | participle | sentence subject
}

SPEAKERS_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    "speaker_key": pl.String(),  # null: unattributed quotations
    "speaker": pl.String(),
    "quotes": pl.Int64(),
    "quoted_words": pl.Int64(),
    "neutral_verbs": pl.Int64(),
    "loaded_verbs": pl.Int64(),
}

# -- the core suite (harness.scoring.core): textstat and VADER only, whole texts -----------

CORE_TABLES: tuple[str, ...] = ("core_documents", "core_sentences")

# Per text (headline or body): the eight formulas and the sentence sentiment summary.
CORE_VALUE_SCHEMA: dict[str, pl.DataType] = {
    **{name: pl.Float64() for name in READABILITY_METRICS},
    "sentences": pl.Int64(),  # Punkt sentences (harness.text.split_sentences)
    "sentiment_mean": pl.Float64(),  # VADER compound over the sentences
    "sentiment_median": pl.Float64(),
    "sentiment_q1": pl.Float64(),
    "sentiment_q3": pl.Float64(),
    "sentiment_min": pl.Float64(),
    "sentiment_max": pl.Float64(),
    "share_negative": pl.Float64(),  # compound <= -0.05
    "share_neutral": pl.Float64(),
    "share_positive": pl.Float64(),  # compound >= 0.05
}

CORE_DOCUMENTS_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    **{
        wide_column_name(metric, field, View.ALL): dtype
        for field in ("body", "headline")
        for metric, dtype in CORE_VALUE_SCHEMA.items()
    },
}

CORE_SENTENCES_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    "field": pl.String(),
    "index": pl.Int64(),  # sentence number within the field, from 0
    "start": pl.Int64(),  # offsets in the field's text
    "end": pl.Int64(),
    "text": pl.String(),  # what VADER scored
    "compound": pl.Float64(),
    "neg": pl.Float64(),
    "neu": pl.Float64(),
    "pos": pl.Float64(),
    "polarity": pl.String(),  # negative | neutral | positive (compound ±0.05)
}

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "documents": DOCUMENTS_SCHEMA,
    "metrics": METRICS_SCHEMA,
    "sentences": SENTENCES_SCHEMA,
    "hits": HITS_SCHEMA,
    "rates": RATES_SCHEMA,
    "quotes": QUOTES_SCHEMA,
    "speakers": SPEAKERS_SCHEMA,
    "core_documents": CORE_DOCUMENTS_SCHEMA,
    "core_sentences": CORE_SENTENCES_SCHEMA,
}


# The columns of the articles table every scorer reads (``check_articles``).
REQUIRED_COLUMNS: tuple[str, ...] = ("doc_id", "outlet", "headline", "body")


def check_articles(articles: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in articles.columns]
    if missing:
        raise InputError(
            f"articles table lacks column(s) {', '.join(missing)}",
            where="articles",
            hint="pass a frame with columns doc_id, outlet, headline, body (harness.corpus)",
        )
    frame = articles.select(
        pl.col("doc_id").cast(pl.String),
        pl.col("outlet").cast(pl.String).fill_null("unknown"),
        pl.col("headline").cast(pl.String).fill_null(""),
        pl.col("body").cast(pl.String).fill_null(""),
    )
    null_ids = frame.with_row_index("_row").filter(pl.col("doc_id").is_null())
    if null_ids.height:
        raise InputError(
            "doc_id is null",
            where=f"articles record {null_ids['_row'][0]}",
            hint="give every article an id",
        )
    duplicated = frame.filter(pl.col("doc_id").is_duplicated())
    if duplicated.height:
        raise InputError(
            f"doc_id {duplicated['doc_id'][0]!r} occurs more than once",
            where="articles",
            hint="doc_id must be unique: every table is keyed by it",
        )
    return frame

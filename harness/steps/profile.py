"""corpus-profile: per-article word, sentence and quote counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from harness.experiments.registry import Tables, step
from harness.reports.blocks import Block, Heading, Paragraph, Part, Section, top_rows
from harness.text import split_sentences, text_resources, tokenize
from harness.text.voice import Voice, find_quotes, token_voices

PROFILE_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    "headline": pl.String(),
    "headline_words": pl.Int64(),
    "body_words": pl.Int64(),
    "body_sentences": pl.Int64(),
    "paragraphs": pl.Int64(),
    "quotations": pl.Int64(),
    "quoted_words": pl.Int64(),
    "quoted_share": pl.Float64(),  # null when the body has no words
}


def profile_row(doc_id: str, outlet: str, headline: str, body: str) -> dict[str, Any]:
    tokens = tokenize(body)
    voices = token_voices(body, tokens)
    word_voices = [v for t, v in zip(tokens, voices, strict=True) if t.is_word]
    quoted = sum(1 for v in word_voices if v is Voice.QUOTED)
    return {
        "doc_id": doc_id,
        "outlet": outlet,
        "headline": headline,
        "headline_words": sum(1 for t in tokenize(headline) if t.is_word),
        "body_words": len(word_voices),
        "body_sentences": len(split_sentences(body)),
        "paragraphs": sum(1 for line in body.splitlines() if line.strip()),
        "quotations": len(find_quotes(body)),
        "quoted_words": quoted,
        "quoted_share": quoted / len(word_voices) if word_voices else None,
    }


PROFILE_ROWS = 25


def profile_report(tables: Tables, settings: Mapping[str, Any]) -> Sequence[Block]:
    profile = tables["profile"]
    totals = profile.select(
        pl.len().alias("articles"),
        pl.col("body_words").sum().alias("words"),
        pl.col("body_sentences").sum().alias("sentences"),
        pl.col("quotations").sum().alias("quotations"),
    ).row(0, named=True)
    return [
        Section(
            Part.SUMMARY,
            (
                Heading("Corpus profile"),
                Paragraph(
                    f"{totals['articles']} articles, {totals['words']} body words in "
                    f"{totals['sentences']} sentences, {totals['quotations']} quotations. Words are "
                    "harness.text tokens (numbers count as words, punctuation does not); quoted words lie "
                    "inside quotation marks of any style."
                ),
            ),
        ),
        Section(
            Part.DETAILS,
            (
                top_rows(
                    profile, by="body_words", descending=True, n=PROFILE_ROWS,
                    what="Articles", table="profile",
                ),
            ),
        ),
    ]


@step(
    outputs=("profile",),
    resources=lambda settings: text_resources(),
    report=profile_report,
    batch_over="articles",
)
def profile_articles(articles: pl.DataFrame) -> Tables:
    """Per-article word, sentence, paragraph and quotation counts."""
    rows = [
        profile_row(r["doc_id"], r["outlet"], r["headline"], r["body"])
        for r in articles.iter_rows(named=True)
    ]
    return {"profile": pl.DataFrame(rows, schema=PROFILE_SCHEMA)}

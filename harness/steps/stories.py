"""match_stories: give every article a story id, so outlets are compared on the same events.

The step adds a ``story`` column to the ``articles`` table (read by ``compare_outlets``
as its story key) and stores ``stories`` (one row per story) and ``story_articles``
(one row per article, with the evidence: nearest neighbours and their similarity).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import polars as pl

from harness.engines import Engine
from harness.errors import ConfigError
from harness.experiments.registry import Tables, step
from harness.experiments.settings import Help, Range
from harness.reports.blocks import Block, Heading, Paragraph, Table
from harness.resources import Resource
from harness.stories.features import DEFAULT_HEADLINE_WEIGHT, DEFAULT_LEAD_WORDS, stopwords_resource
from harness.stories.match import (
    DEFAULT_COPY_CONTAINMENT,
    DEFAULT_MAX_DF,
    DEFAULT_MIN_SHARED,
    DEFAULT_NEIGHBOURS,
    DEFAULT_THRESHOLD,
    DEFAULT_TOP_K,
    DEFAULT_WINDOW_DAYS,
    StorySettings,
    match_stories,
)

REPORT_ROWS = 50
STORY_COLUMN = "story"


def _resources(settings: Mapping[str, Any]) -> list[Resource]:
    return [stopwords_resource()]


def _shared_stories(stories: pl.DataFrame, articles: pl.DataFrame | None) -> list[Block]:
    """Which articles share a story, by outlet and headline (stories of two or more)."""
    if articles is None or "headline" not in articles.columns:
        return []
    lookup = articles.select("doc_id", "outlet", "headline")

    def members(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.select("story_id", "doc_ids")
            .explode("doc_ids")
            .rename({"doc_ids": "doc_id"})
            .join(lookup, on="doc_id", how="left", maintain_order="left")
        )

    shared = stories.filter(pl.col("size") > 1)
    alone = stories.filter(pl.col("size") == 1)
    blocks: list[Block] = []
    if shared.height:
        blocks.append(Table(members(shared), "Articles that share a story (table `stories`)", max_rows=REPORT_ROWS * 4))
    else:
        blocks.append(Paragraph("No two articles share a story."))
    if alone.height:
        blocks.append(Table(members(alone), "Articles in a story of their own (table `stories`)", max_rows=REPORT_ROWS))
    return blocks


def stories_report(tables: Tables, settings: Mapping[str, Any]) -> Sequence[Block]:
    stories = tables["stories"]
    per_article = tables["story_articles"]
    counts = per_article.group_by("status").len().sort("status")
    status = ", ".join(f"{s} {n}" for s, n in counts.iter_rows()) or "none"
    threshold = settings.get("threshold", DEFAULT_THRESHOLD)
    window = settings.get("window_days", DEFAULT_WINDOW_DAYS)
    multi = stories.filter(pl.col("size") > 1).height
    return [
        Heading("Stories"),
        Paragraph(
            f"{per_article.height} articles in {stories.height} stories ({multi} with two or more articles). "
            f"Articles are TF-IDF vectors over headline, lead and name-like tokens; candidates share at least "
            f"{settings.get('min_shared', DEFAULT_MIN_SHARED)} of their top {settings.get('top_k', DEFAULT_TOP_K)} terms "
            f"and, when both are dated, lie within {window} days; average-linkage clustering merges stories "
            f"while their mean cosine similarity is at least {threshold}; copies are merged first. "
            f"Article status: {status}. Source: tables `stories` and `story_articles`; the `story` column of "
            "`articles` is the story key of the outlet comparisons."
        ),
        Table(stories.drop("doc_ids"), "Stories (table `stories`)", max_rows=REPORT_ROWS),
        *_shared_stories(stories, tables.get("articles")),
    ]


def _as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"as_of = {value!r} is not an ISO 8601 date or time", where="match_stories", hint='e.g. as_of = "2025-07-31"'
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@step("match_stories", outputs=("articles", "stories", "story_articles"), resources=_resources, report=stories_report)
def match_stories_step(
    articles: pl.DataFrame,
    *,
    threshold: Annotated[
        float,
        Range(0, 1, exclusive_minimum=True),
        Help("Mean cosine similarity two stories need to merge (average linkage)."),
    ] = DEFAULT_THRESHOLD,
    window_days: Annotated[
        int, Range(0, 3650), Help("Dated articles more than this many days apart are never one story.")
    ] = DEFAULT_WINDOW_DAYS,
    top_k: Annotated[
        int, Range(1, 1000), Help("Terms each article posts to the inverted index that finds candidate pairs.")
    ] = DEFAULT_TOP_K,
    max_df: Annotated[
        int, Range(2, 100_000_000), Help("Terms held by more articles than this find no candidates (too common).")
    ] = DEFAULT_MAX_DF,
    min_shared: Annotated[
        int, Range(1, 1000), Help("Posted terms two articles must share to be compared at all.")
    ] = DEFAULT_MIN_SHARED,
    lead_words: Annotated[int, Range(1, 10_000), Help("Words of the body read as the lead.")] = DEFAULT_LEAD_WORDS,
    headline_weight: Annotated[
        float, Range(0, 100), Help("How many times a headline word counts, against once for a lead word.")
    ] = DEFAULT_HEADLINE_WEIGHT,
    weighting: Annotated[Literal["tfidf", "bm25"], Help("Term weights: TF-IDF (sublinear tf, smoothed idf) or BM25.")] = "tfidf",
    neighbours: Annotated[int, Range(0, 100), Help("Nearest candidates kept per article as evidence.")] = DEFAULT_NEIGHBOURS,
    copy_containment: Annotated[
        float,
        Range(0, 1, exclusive_minimum=True),
        Help("Share of the shorter body's word 5-grams the other must hold to be its copy (same story)."),
    ] = DEFAULT_COPY_CONTAINMENT,
    as_of: Annotated[
        str | None, Help("ISO date: a `published` after it is a future date (counted, compared without a window).")
    ] = None,
    engine: Engine | None = None,
) -> Tables:
    """Story ids: which articles report the same event (adds the `story` column compare_outlets uses).

    On Ray, the articles' terms are computed in batch tasks; weighting, candidates
    and clustering run on the driver over compact arrays.
    """
    settings = StorySettings(
        threshold=threshold,
        window_days=window_days,
        top_k=top_k,
        max_df=max_df,
        min_shared=min_shared,
        lead_words=lead_words,
        headline_weight=headline_weight,
        weighting=weighting,
        neighbours=neighbours,
        copy_containment=copy_containment,
        as_of=_as_of(as_of),
    )
    found = match_stories(articles, settings=settings, engine=engine)
    keys = found.assignments.select("doc_id", pl.col("story_id").alias(STORY_COLUMN))
    with_story = articles.drop(STORY_COLUMN, strict=False).join(keys, on="doc_id", how="left", maintain_order="left")
    return {"articles": with_story, "stories": found.stories, "story_articles": found.assignments}

"""Stored tables of a large framing result, generated: for report tests at corpus size.

Scoring 2,000 articles takes most of a minute; a report is a function of its stored
tables alone, so the tests build those tables directly with the declared schemas and
plausible values (seeded, so the same every time) and call the report functions.
Outlet names are long and alike on purpose: a chart that cut them short would make
two of them one.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from harness.reports.blocks import Block
from harness.reports.build import arrange, render_html
from harness.scoring.schemas import DOCUMENTS_SCHEMA, HITS_SCHEMA, SPEAKERS_SCHEMA
from harness.stats import COMPARISON_SCHEMA, outlet_summary
from harness.steps.framing import comparisons_report, framing_report
from harness.text.language import SKIPPED_SCHEMA

OUTLETS = (
    "The Northern Evening Chronicle and Courier (weekend edition)",
    "The Northern Evening Chronicle and Courier (weekday edition)",
    "Wire <Service> & Co",
    "Daily $Sun$",
    "Tribune",
)
SETTINGS: dict[str, Any] = {"seed": 1, "n_boot": 200, "n_perm": 999}
METRICS = ("sentiment_compound", "flesch_reading_ease", "loaded_rate", "rate:emotive", "rate:hedge", "rate:intensifier")


def _documents(rng: np.random.Generator, n: int) -> pl.DataFrame:
    outlets = [OUTLETS[i % len(OUTLETS)] for i in range(n)]
    columns: dict[str, Any] = {
        "doc_id": [f"doc-{i:05d}" for i in range(n)],
        "outlet": outlets,
        "headline": [f"Headline number {i} about a story of the day" for i in range(n)],
    }
    shift = np.array([OUTLETS.index(o) for o in outlets], dtype=float)
    for name, dtype in DOCUMENTS_SCHEMA.items():
        if name in columns:
            continue
        if dtype == pl.Int64():
            columns[name] = rng.integers(0, 900, size=n)
        elif "sentiment" in name:
            columns[name] = np.clip(rng.normal(0.05 * shift - 0.1, 0.25, size=n), -1, 1)
        elif "loaded" in name:
            columns[name] = rng.gamma(2.0, 3.0 + shift, size=n)
        else:
            columns[name] = rng.normal(50.0 + shift, 10.0, size=n)
    frame = pl.DataFrame(columns).cast(DOCUMENTS_SCHEMA)  # type: ignore[arg-type]
    # Quoted text is missing from some articles: null, as the scorer stores it.
    return frame.with_columns(
        pl.when(pl.col("doc_id").str.ends_with("7")).then(None).otherwise(pl.col(c)).alias(c)
        for c in frame.columns
        if c.endswith("_quoted")
    )


def _comparisons(rng: np.random.Generator) -> pl.DataFrame:
    rows = []
    for (a, b), metric, voice in itertools.product(
        itertools.combinations(sorted(OUTLETS), 2), METRICS, ("all", "narrator", "quoted")
    ):
        rate = metric.startswith("rate") or metric == "loaded_rate"
        effect = float(np.exp(rng.normal(0, 0.4))) if rate else float(rng.uniform(-0.5, 0.5))
        half = float(rng.uniform(0.05, 0.3))
        low, high = (effect * np.exp(-half), effect * np.exp(half)) if rate else (effect - half, effect + half)
        rows.append(
            {
                "outlet_a": a, "outlet_b": b, "metric": metric, "voice": voice,
                "test": "poisson-glm-permutation" if rate else "mann-whitney-u",
                "design": "independent", "unit": "article", "n_a": 400, "n_b": 400,
                "articles_a": 400, "articles_b": 400, "stories_shared": None, "confounded": True,
                "count_a": 120 if rate else None, "count_b": 100 if rate else None,
                "statistic": 1.0, "p_value": float(rng.uniform()), "p_adjusted": float(rng.uniform()),
                "effect": effect, "effect_name": "rate_ratio" if rate else "cliffs_delta",
                "ci_low": float(low), "ci_high": float(high), "small_n": voice == "quoted" and metric == "rate:hedge",
                "note": None,
            }
        )
    frame = pl.DataFrame(rows, schema=COMPARISON_SCHEMA)
    # One unbounded ratio (no hits in b: stored null with its note) and one infinite upper bound.
    first = pl.int_range(pl.len()) == 0
    second = pl.int_range(pl.len()) == 1
    return frame.with_columns(
        pl.when(first & (pl.col("metric") == "sentiment_compound")).then(None).otherwise(pl.col("effect")).alias("effect"),
    ).with_columns(
        pl.when(second).then(float("inf")).otherwise(pl.col("ci_high")).alias("ci_high"),
        pl.when(second).then(0.0).otherwise(pl.col("p_adjusted")).alias("p_adjusted"),
    )


def _hits(rng: np.random.Generator, documents: pl.DataFrame, n: int) -> pl.DataFrame:
    picks = rng.integers(0, documents.height, size=n)
    ids, outlets = documents["doc_id"].to_list(), documents["outlet"].to_list()
    rows = {
        "doc_id": [ids[i] for i in picks],
        "outlet": [outlets[i] for i in picks],
        "field": ["body"] * n,
        "start": rng.integers(0, 3000, size=n),
        "sentence": rng.integers(0, 30, size=n),
        "voice": rng.choice(["narrator", "quoted"], size=n).tolist(),
        "matched": ["slammed"] * n,
        "term": ["slam"] * n,
        "category": rng.choice(["emotive", "hedge", "intensifier"], size=n).tolist(),
        "weight": rng.choice([0.0, 0.5, 1.0, 2.0], size=n),
        "lexicon": ["news_loaded.tsv"] * n,
        "lexicon_line": rng.integers(10, 500, size=n),
        "left": ["the minister said critics had"] * n,
        "right": ["the plan as a disaster for the town"] * n,
    }
    frame = pl.DataFrame(rows).with_columns(
        (pl.col("start") + 7).alias("end"), (pl.col("weight") > 0).alias("loaded")
    )
    return frame.select(list(HITS_SCHEMA)).cast(HITS_SCHEMA)  # type: ignore[arg-type]


def _speakers(rng: np.random.Generator, documents: pl.DataFrame, n: int) -> pl.DataFrame:
    picks = rng.integers(0, documents.height, size=n)
    ids, outlets = documents["doc_id"].to_list(), documents["outlet"].to_list()
    rows = {
        "doc_id": [ids[i] for i in picks],
        "outlet": [outlets[i] for i in picks],
        "speaker_key": [f"speaker {i % 300}" for i in range(n)],
        "speaker": [f"Speaker {i % 300}" for i in range(n)],
        "quotes": rng.integers(1, 9, size=n),
        "quoted_words": rng.integers(5, 200, size=n),
        "neutral_verbs": rng.integers(0, 5, size=n),
        "loaded_verbs": rng.integers(0, 3, size=n),
    }
    return pl.DataFrame(rows).cast(SPEAKERS_SCHEMA)  # type: ignore[arg-type]


def large_framing_tables(n_articles: int = 2000, *, seed: int = 12) -> dict[str, pl.DataFrame]:
    """The tables the framing report reads, for ``n_articles`` articles in five outlets."""
    rng = np.random.default_rng(seed)
    documents = _documents(rng, n_articles)
    skipped = pl.DataFrame(
        {"doc_id": [f"fr-{i}" for i in range(60)], "outlet": ["Tribune"] * 60,
         "reason": ["language: fr"] * 60, "detail": ["py3langid 0.99"] * 60},
        schema=SKIPPED_SCHEMA,
    )
    return {
        "documents": documents,
        "hits": _hits(rng, documents, 10 * n_articles),
        "speakers": _speakers(rng, documents, 2 * n_articles),
        "skipped": skipped,
        "comparisons": _comparisons(rng),
        "outlet_summary": outlet_summary(documents, seed=1, n_boot=200),
    }


def framing_report_blocks(tables: Mapping[str, pl.DataFrame]) -> list[Block]:
    """The framing experiment's report sections (score_framing, compare_outlets), laid out."""
    return arrange([*framing_report(tables, {}), *comparisons_report(tables, SETTINGS)])


def large_framing_html(n_articles: int = 2000) -> str:
    return render_html("large", framing_report_blocks(large_framing_tables(n_articles)))

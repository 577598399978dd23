"""compare_outlets: every pair of outlets, every voice, one row per test.

Two families of tests, on the scorecard tables of ``harness.scoring.score_documents``:

* ``sentiment_compound``: sentence-level VADER compound scores of outlet a against
  outlet b, two-sided Mann-Whitney U; effect Cliff's delta (P(a > b) - P(a < b)) with
  a percentile bootstrap CI (numpy Generator seeded from ``seed`` and the row's own
  key, so adding an outlet never changes another row's interval).
* ``loaded_rate`` and ``rate:<category>``: lexicon hits per word, rate ratio a / b with
  the exact conditional binomial test and CI (``harness.stats.rates``).

All p-values of the returned table form one family, adjusted with Benjamini-Hochberg
(``scipy.stats.false_discovery_control``). Every row carries its n (sentences or
words per outlet), the number of articles behind it, and a note when n is too small
for a claim. Sentences and words of one article are not independent draws from an
outlet: with one article per outlet, a test speaks about those articles only.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from harness.errors import InputError
from harness.scoring.schemas import wide_column_name
from harness.scoring.units import VIEWS
from harness.stats._scipy import stats
from harness.stats.effects import mann_whitney
from harness.stats.rates import rate_ratio_test

DEFAULT_SEED = 20240101
DEFAULT_N_BOOT = 2000
MIN_SENTENCES = 10  # per group, for a sentence-level claim
MIN_EVENTS = 5  # hits in both groups together, for a rate claim

SENTIMENT_METRIC = "sentiment_compound"
LOADED_METRIC = "loaded_rate"
CATEGORY_PREFIX = "rate:"

COMPARISON_SCHEMA: dict[str, pl.DataType] = {
    "outlet_a": pl.String(),
    "outlet_b": pl.String(),
    "metric": pl.String(),  # sentiment_compound | loaded_rate | rate:<category>
    "voice": pl.String(),  # all | narrator | quoted
    "test": pl.String(),  # mann-whitney-u | exact-conditional-binomial
    "n_a": pl.Int64(),  # sentences (sentiment) or words (rates) of outlet a
    "n_b": pl.Int64(),
    "articles_a": pl.Int64(),
    "articles_b": pl.Int64(),
    "count_a": pl.Int64(),  # hits (rates only)
    "count_b": pl.Int64(),
    "statistic": pl.Float64(),  # U of sample a, or x_a / (x_a + x_b)
    "p_value": pl.Float64(),
    "p_adjusted": pl.Float64(),  # Benjamini-Hochberg over every p-value of the table
    "effect": pl.Float64(),
    "effect_name": pl.String(),  # cliffs_delta | rate_ratio
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "small_n": pl.Boolean(),  # too few sentences or hits for a claim
    "note": pl.String(),
}


def _row_seed(seed: int, *key: str) -> np.random.SeedSequence:
    """A seed per test from the user's seed and the test's own identity."""
    digest = hashlib.sha256("\x1f".join(key).encode("utf-8")).digest()
    return np.random.SeedSequence([seed, int.from_bytes(digest[:8], "big")])


def _check(documents: pl.DataFrame, sentences: pl.DataFrame, hits: pl.DataFrame) -> None:
    needs = {
        "documents": (documents, ("doc_id", "outlet")),
        "sentences": (sentences, ("doc_id", "field", "voice", "index", "compound")),
        "hits": (hits, ("doc_id", "field", "voice", "category", "loaded")),
    }
    for name, (frame, columns) in needs.items():
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InputError(
                f"{name} table lacks column(s) {', '.join(missing)}",
                where=name,
                hint="pass the tables returned by harness.scoring.score_documents",
            )


def _single_article_note(articles_a: int, articles_b: int) -> str | None:
    if min(articles_a, articles_b) == 1:
        return "one article in an outlet: a claim about these articles, not about the outlet"
    return None


def _join_notes(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def _sentiment_rows(
    pairs: Sequence[tuple[str, str]],
    sentences: pl.DataFrame,
    articles: dict[str, int],
    *,
    seed: int,
    n_boot: int,
    min_sentences: int,
) -> list[dict[str, Any]]:
    rows = []
    for view in VIEWS:
        by_outlet = {
            outlet: group["compound"].to_numpy()
            for (outlet,), group in sentences.filter(pl.col("voice") == view.value).group_by(
                "outlet", maintain_order=True
            )
        }
        for a, b in pairs:
            x, y = by_outlet.get(a, np.empty(0)), by_outlet.get(b, np.empty(0))
            row: dict[str, Any] = {
                "outlet_a": a,
                "outlet_b": b,
                "metric": SENTIMENT_METRIC,
                "voice": view.value,
                "test": "mann-whitney-u",
                "n_a": x.size,
                "n_b": y.size,
                "articles_a": articles[a],
                "articles_b": articles[b],
                "effect_name": "cliffs_delta",
                "small_n": min(x.size, y.size) < min_sentences,
            }
            size_note = (
                f"fewer than {min_sentences} sentences in a group: too few for a claim"
                if row["small_n"]
                else None
            )
            if min(x.size, y.size) == 0:
                row["note"] = _join_notes("no sentences in a group: no test", size_note)
            else:
                test = mann_whitney(
                    x, y, seed=_row_seed(seed, a, b, SENTIMENT_METRIC, view.value), n_boot=n_boot
                )
                row |= {
                    "statistic": test.u,
                    "p_value": test.p_value,
                    "effect": test.delta,
                    "ci_low": test.ci_low,
                    "ci_high": test.ci_high,
                    "note": _join_notes(size_note, _single_article_note(articles[a], articles[b])),
                }
            rows.append(row)
    return rows


def _rate_rows(
    pairs: Sequence[tuple[str, str]],
    metric: str,
    counts: dict[tuple[str, str], int],
    exposure: dict[tuple[str, str], int],
    articles: dict[str, int],
    *,
    min_events: int,
) -> list[dict[str, Any]]:
    rows = []
    for view in VIEWS:
        for a, b in pairs:
            x_a, x_b = counts.get((a, view.value), 0), counts.get((b, view.value), 0)
            t_a, t_b = exposure.get((a, view.value), 0), exposure.get((b, view.value), 0)
            result = rate_ratio_test(x_a, t_a, x_b, t_b)
            small = x_a + x_b < min_events
            rows.append(
                {
                    "outlet_a": a,
                    "outlet_b": b,
                    "metric": metric,
                    "voice": view.value,
                    "test": "exact-conditional-binomial",
                    "n_a": t_a,
                    "n_b": t_b,
                    "articles_a": articles[a],
                    "articles_b": articles[b],
                    "count_a": x_a,
                    "count_b": x_b,
                    "statistic": x_a / (x_a + x_b) if x_a + x_b else None,
                    "p_value": result.p_value,
                    "effect": result.ratio,
                    "effect_name": "rate_ratio",
                    "ci_low": result.ci_low,
                    "ci_high": result.ci_high,
                    "small_n": small,
                    "note": _join_notes(
                        result.note,
                        f"fewer than {min_events} hits in total: too few for a claim"
                        if small
                        else None,
                        _single_article_note(articles[a], articles[b]),
                    ),
                }
            )
    return rows


def _hit_counts(hits: pl.DataFrame) -> pl.DataFrame:
    """Hits per outlet x voice (narrator, quoted and all) x category and loadedness."""
    every = hits.with_columns(pl.lit("all").alias("voice"))
    return pl.concat([every, hits.select(every.columns)])


def _counts_by(frame: pl.DataFrame) -> dict[tuple[str, str], int]:
    grouped = frame.group_by("outlet", "voice").agg(pl.len().alias("n"))
    return {(r["outlet"], r["voice"]): int(r["n"]) for r in grouped.iter_rows(named=True)}


def compare_outlets(
    documents: pl.DataFrame,
    sentences: pl.DataFrame,
    hits: pl.DataFrame,
    *,
    seed: int = DEFAULT_SEED,
    n_boot: int = DEFAULT_N_BOOT,
    field: str = "body",
    by_category: bool = True,
    min_sentences: int = MIN_SENTENCES,
    min_events: int = MIN_EVENTS,
) -> pl.DataFrame:
    """The ``comparisons`` table: every outlet pair x metric x voice (see module docs)."""
    _check(documents, sentences, hits)
    outlet_of = documents.select("doc_id", "outlet")
    articles = {
        r["outlet"]: int(r["n"])
        for r in outlet_of.group_by("outlet").agg(pl.len().alias("n")).iter_rows(named=True)
    }
    pairs = list(itertools.combinations(sorted(articles), 2))
    in_field = pl.col("field") == field
    # A canonical order (not the input's) so that resampling, hence every CI, depends
    # only on the data.
    scored = (
        sentences.filter(in_field)
        .drop("outlet", strict=False)
        .join(outlet_of, on="doc_id")
        .sort("doc_id", "index")
    )
    rows = _sentiment_rows(
        pairs, scored, articles, seed=seed, n_boot=n_boot, min_sentences=min_sentences
    )
    exposure = _exposure(documents, field)
    field_hits = _hit_counts(
        hits.filter(in_field).drop("outlet", strict=False).join(outlet_of, on="doc_id")
    )
    loaded = _counts_by(field_hits.filter(pl.col("loaded")))
    rows += _rate_rows(pairs, LOADED_METRIC, loaded, exposure, articles, min_events=min_events)
    if by_category:
        categories = sorted(set(field_hits["category"].to_list()))
        for category in categories:
            counts = _counts_by(field_hits.filter(pl.col("category") == category))
            rows += _rate_rows(
                pairs, CATEGORY_PREFIX + category, counts, exposure, articles, min_events=min_events
            )
    table = (
        pl.DataFrame(rows, schema=COMPARISON_SCHEMA)
        if rows
        else pl.DataFrame(schema=COMPARISON_SCHEMA)
    )
    return _adjust(table)


def _exposure(documents: pl.DataFrame, field: str) -> dict[tuple[str, str], int]:
    """Words per outlet x voice, from the one-row-per-document table."""
    exposure: dict[tuple[str, str], int] = {}
    for view in VIEWS:
        column = wide_column_name("words", field, view.value)
        if column not in documents.columns:
            raise InputError(
                f"documents table lacks column {column}",
                where="documents",
                hint="pass the documents table returned by harness.scoring.score_documents",
            )
        totals = documents.group_by("outlet").agg(pl.col(column).fill_null(0).sum().alias("w"))
        for r in totals.iter_rows(named=True):
            exposure[(r["outlet"], view.value)] = int(r["w"])
    return exposure


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """BH-adjusted p-values (scipy.stats.false_discovery_control); None stays None."""
    tested = [i for i, p in enumerate(p_values) if p is not None and not np.isnan(p)]
    adjusted: list[float | None] = [None] * len(p_values)
    if tested:
        values = stats.false_discovery_control([p_values[i] for i in tested], method="bh")
        for i, value in zip(tested, values, strict=True):
            adjusted[i] = float(value)
    return adjusted


def _adjust(table: pl.DataFrame) -> pl.DataFrame:
    """Benjamini-Hochberg over every non-null p-value of the table (one family)."""
    adjusted = benjamini_hochberg(table["p_value"].to_list())
    return table.with_columns(pl.Series("p_adjusted", adjusted, dtype=pl.Float64()))

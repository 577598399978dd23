"""outlet_summary: each outlet's per-article values, summarised over its articles.

One row per outlet x metric x voice (body text unless asked otherwise): how many
articles have a value, their mean, median and standard deviation, and a percentile
bootstrap 95% CI of the mean that resamples *articles* (numpy Generator seeded from
``seed`` and the row's own key). The article is the unit: sentences and words of one
article are not independent draws from an outlet. With one article there is a value
but no spread and no interval (null).
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

from harness.errors import InputError
from harness.scoring.schemas import wide_column_name
from harness.scoring.views import VIEWS
from harness.stats.paired import bootstrap_mean_ci

# Per-article values of the documents table that the summary covers.
SUMMARY_METRICS: tuple[str, ...] = (
    "sentiment_mean",
    "loaded_per_1k",
    "flesch_reading_ease",
    "flesch_kincaid_grade",
    "gunning_fog",
    # Stance markers (not loaded language): each outlet's hedging, boosting and intensifying.
    "hedge_per_1k",
    "certainty_per_1k",
    "intensifier_per_1k",
)

VOICES: tuple[str, ...] = tuple(view.value for view in VIEWS)

OUTLET_SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "outlet": pl.String(),
    "metric": pl.String(),  # a per-article column of the documents table (SUMMARY_METRICS)
    "field": pl.String(),  # body | headline
    "voice": pl.String(),  # all | narrator | quoted
    "n_articles": pl.Int64(),  # articles with a value (e.g. with quoted text, for voice quoted)
    "mean": pl.Float64(),
    "median": pl.Float64(),
    "sd": pl.Float64(),  # sample standard deviation over articles; null below two
    "ci_low": pl.Float64(),  # bootstrap over articles, 95%; null below two
    "ci_high": pl.Float64(),
}


def documents_column(documents: pl.DataFrame, metric: str, field: str, voice: str) -> str:
    """The wide column of ``metric`` for ``field`` and ``voice``; a clear error when absent."""
    column = wide_column_name(metric, field, voice)
    if column not in documents.columns:
        raise InputError(
            f"documents table lacks column {column}",
            where="documents",
            hint="pass the documents table returned by harness.scoring.score_documents",
        )
    return column


def summary_seed(seed: int, *key: str) -> np.random.SeedSequence:
    """A seed per row from the user's seed and the row's own identity."""
    digest = hashlib.sha256("\x1f".join(key).encode("utf-8")).digest()
    return np.random.SeedSequence([seed, int.from_bytes(digest[:8], "big")])


def outlet_summary(
    documents: pl.DataFrame,
    *,
    seed: int,
    n_boot: int,
    field: str = "body",
    metrics: tuple[str, ...] = SUMMARY_METRICS,
    voices: tuple[str, ...] = VOICES,
) -> pl.DataFrame:
    """The ``outlet_summary`` table (see module docs) from the one-row-per-article table.

    ``voices`` are the views it has columns for (the core suite's table: ``("all",)``).
    """
    rows = []
    ordered = documents.sort("doc_id")  # resampling depends on the data, not its order
    for metric in metrics:
        for voice in voices:
            column = documents_column(documents, metric, field, voice)
            for outlet in sorted(set(ordered["outlet"].to_list())):
                values = (
                    ordered.filter(pl.col("outlet") == outlet)[column].drop_nulls().drop_nans().to_numpy()
                )
                rows.append(_summary_row(values, outlet, metric, field, voice, seed=seed, n_boot=n_boot))
    frame = pl.DataFrame(rows, schema=OUTLET_SUMMARY_SCHEMA) if rows else pl.DataFrame(schema=OUTLET_SUMMARY_SCHEMA)
    return frame.sort("outlet", "metric", "voice")


def _summary_row(
    values: np.ndarray, outlet: str, metric: str, field: str, voice: str, *, seed: int, n_boot: int
) -> dict[str, object]:
    ci = bootstrap_mean_ci(values, seed=summary_seed(seed, outlet, metric, field, voice), n_boot=n_boot)
    return {
        "outlet": outlet,
        "metric": metric,
        "field": field,
        "voice": voice,
        "n_articles": int(values.size),
        "mean": float(values.mean()) if values.size else None,
        "median": float(np.median(values)) if values.size else None,
        "sd": float(values.std(ddof=1)) if values.size > 1 else None,
        "ci_low": None if ci is None else ci[0],
        "ci_high": None if ci is None else ci[1],
    }

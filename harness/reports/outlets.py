"""Report parts for results by outlet: summary tables, distribution and forest figures.

Every report of a scoring experiment has one shape, at any corpus size:

1. a summary by outlet (one row per outlet: articles, and each metric's mean with its
   95% CI over articles), from a stored per-outlet table (``outlet_summary`` or
   ``core_outlet_summary``);
2. per metric, a distribution chart of the per-article values by outlet, and a forest
   plot of the stored comparisons with their CIs;
3. per-article tables, each capped at a few rows ranked by a metric, with doc_id and
   headline, naming the stored table that has every row.

The functions here read stored tables and lay them out: they select, sort, cap and
pivot, and never compute a statistic (the box of a distribution chart is drawing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from harness.reports.blocks import Block, Figure, Heading, Paragraph, Part, Section, Table, format_cell
from harness.reports.charts import (
    Distribution,
    ForestPanel,
    ForestRow,
    Interval,
    OutletRow,
    distribution_chart,
    forest_chart,
)

MAX_OUTLETS = 40  # outlets drawn in one distribution chart (most articles first)
MAX_PAIRS = 30  # outlet pairs drawn in one forest plot (smallest adjusted p first)
ARTICLE_ROWS = 25  # rows of a per-article table
VOICES = ("all", "narrator", "quoted")


@dataclass(frozen=True, slots=True)
class MetricView:
    """How a report shows one per-article metric."""

    column: str  # a per-article column (body, voice all): sentiment_mean, ...
    title: str  # section heading: "Sentiment"
    label: str  # axis label: what one article's value is
    comparison: str | None = None  # the comparisons table's name for it, if compared


# -- summary ----------------------------------------------------------------------------------


def _mean_with_ci(mean: float | None, low: float | None, high: float | None) -> str:
    if mean is None:
        return ""
    if low is None or high is None:
        return format_cell(mean)
    return f"{format_cell(mean)} [{format_cell(low)}, {format_cell(high)}]"


def summary_frame(summary: pl.DataFrame, metrics: Sequence[MetricView], voice: str = "all") -> pl.DataFrame:
    """The stored per-outlet table pivoted: one row per outlet, "mean [95% CI]" per metric."""
    rows = summary.filter(pl.col("voice") == voice, pl.col("field") == "body")
    outlets = sorted(set(rows["outlet"].to_list()))
    cells: dict[str, list[object]] = {"outlet": list(outlets), "articles": []}
    by_key = {(r["outlet"], r["metric"]): r for r in rows.iter_rows(named=True)}
    for outlet in outlets:
        counts = [r["n_articles"] for (o, _), r in by_key.items() if o == outlet]
        cells["articles"].append(max(counts, default=0))
    for metric in metrics:
        column: list[object] = []
        for outlet in outlets:
            row = by_key.get((outlet, metric.column))
            column.append("" if row is None else _mean_with_ci(row["mean"], row["ci_low"], row["ci_high"]))
        cells[metric.column] = column
    schema = {"outlet": pl.String(), "articles": pl.Int64(), **{m.column: pl.String() for m in metrics}}
    return pl.DataFrame(cells, schema=schema)


def summary_table(summary: pl.DataFrame, metrics: Sequence[MetricView], *, table: str, voice: str = "all") -> Table:
    which = "all words" if voice == "all" else f"the {voice} voice"
    return Table(
        summary_frame(summary, metrics, voice),
        f"Each outlet's articles, body text, {which}: mean [95% bootstrap CI over articles] of the "
        f"per-article values; median and SD in table `{table}`",
    )


def summary_heading(summary: pl.DataFrame, *, table: str) -> list[Block]:
    most = summary["n_articles"].max() if summary.height else 0
    if not isinstance(most, int) or most == 0:
        text = "No article has a value: nothing to summarise or draw (articles not scored are listed below)."
    elif most < 2:
        text = "Each outlet has at most one article: the table holds its values, with no spread and no interval."
    else:
        text = (
            "An outlet's value is the mean over its articles (the article is the unit), with a "
            "percentile bootstrap 95% CI that resamples articles."
        )
    return [Heading("Summary by outlet"), Paragraph(f"{text} Source: table `{table}`.")]


# -- distributions ------------------------------------------------------------------------------


def _outlets_shown(documents: pl.DataFrame) -> tuple[list[str], str]:
    """Outlets in name order; above MAX_OUTLETS, the ones with most articles, and a note."""
    counts = documents.group_by("outlet").len().sort(["len", "outlet"], descending=[True, False])
    names = counts["outlet"].to_list()
    if len(names) <= MAX_OUTLETS:
        return sorted(names), ""
    return sorted(names[:MAX_OUTLETS]), f" The {MAX_OUTLETS} outlets with most articles of {len(names)} are drawn."


def _voice_column(metric: str, voice: str) -> str:
    return metric if voice == "all" else f"{metric}_{voice}"


def distribution_figure(
    documents: pl.DataFrame,
    summary: pl.DataFrame | None,
    metric: MetricView,
    *,
    voices: Sequence[str],
    documents_table: str,
    summary_table_name: str | None,
) -> Figure:
    """Per-article values of ``metric`` by outlet, with the stored mean and CI over each."""
    outlets, note = _outlets_shown(documents)
    means: dict[tuple[str, str], Interval] = {}
    if summary is not None:
        for r in summary.filter(pl.col("metric") == metric.column, pl.col("field") == "body").iter_rows(named=True):
            means[(r["outlet"], r["voice"])] = Interval(r["mean"], r["ci_low"], r["ci_high"])
    ordered = documents.sort("doc_id")
    rows = []
    for outlet in outlets:
        mine = ordered.filter(pl.col("outlet") == outlet)
        series = {}
        for voice in voices:
            values = mine[_voice_column(metric.column, voice)].drop_nulls().drop_nans().to_numpy()
            series[voice] = Distribution(np.asarray(values, dtype=np.float64), means.get((outlet, voice)))
        rows.append(OutletRow(outlet, series))
    svg = distribution_chart(rows, series=voices, title=f"{metric.title}: {metric.label}", x_label=metric.column)
    source = f"table `{documents_table}`"
    if summary_table_name is not None:
        source += f"; means and CIs from table `{summary_table_name}`"
    caption = (
        f"{metric.label}, one value per article, by outlet ({source}). Box: quartiles, whiskers to 1.5 IQR; "
        f"an outlet with up to 40 articles shows each as a point, above that only the outliers.{note}"
    )
    return Figure(svg, caption)


# -- forest plots --------------------------------------------------------------------------------

EFFECT_AXES = {
    "cliffs_delta": "Cliff's delta (> 0: the first outlet's articles score higher)",
    "rate_ratio": "rate ratio, first outlet / second (log scale)",
    "mean_difference": "mean difference per shared story, first − second",
    "mean_difference_per_1k": "difference in hits per 1,000 words per shared story, first − second",
}


def _pair_label(a: str, b: str) -> str:
    return f"{a} vs {b}"


def _pairs_shown(rows: pl.DataFrame) -> tuple[list[str], str]:
    """Pairs in name order; above MAX_PAIRS, those with the smallest adjusted p, and a note."""
    pairs = (
        rows.group_by("outlet_a", "outlet_b")
        .agg(pl.col("p_adjusted").min().alias("p"))  # choosing rows to draw, not a statistic
        .sort(["p", "outlet_a", "outlet_b"], nulls_last=True)
    )
    chosen = pairs.head(MAX_PAIRS).sort("outlet_a", "outlet_b")
    labels = [_pair_label(a, b) for a, b in chosen.select("outlet_a", "outlet_b").iter_rows()]
    if pairs.height <= MAX_PAIRS:
        return labels, ""
    return labels, f" {MAX_PAIRS} of {pairs.height} pairs are drawn, those with the smallest adjusted p-value."


def _effect(row: Mapping[str, Any]) -> Interval:
    effect, low, high = row["effect"], row["ci_low"], row["ci_high"]
    if effect is None and row["effect_name"] == "rate_ratio" and row["count_b"] == 0 and (row["count_a"] or 0) > 0:
        # Stored as null with the note "ratio unbounded": hits in a, none in b.
        return Interval(float("inf"))
    return Interval(
        effect if isinstance(effect, float) else None,
        low if isinstance(low, float) else None,
        high if isinstance(high, float) else None,
    )


def forest_figures(comparisons: pl.DataFrame, metrics: Sequence[str], *, title: str, columns: int = 1) -> list[Block]:
    """One forest plot of the stored comparisons of ``metrics``: a panel per metric and effect."""
    rows = comparisons.filter(pl.col("metric").is_in(list(metrics)))
    if rows.height == 0:
        return []
    labels, note = _pairs_shown(rows)
    voices = [v for v in VOICES if v in set(rows["voice"].to_list())]
    panels = []
    for metric in metrics:
        for effect_name in sorted(set(rows.filter(pl.col("metric") == metric)["effect_name"].drop_nulls().to_list())):
            mine = rows.filter(pl.col("metric") == metric, pl.col("effect_name") == effect_name)
            panels.append(
                ForestPanel(
                    title=metric if len(metrics) > 1 else f"{metric} ({effect_name})",
                    x_label=EFFECT_AXES.get(effect_name, effect_name),
                    rows=[
                        ForestRow(_pair_label(r["outlet_a"], r["outlet_b"]), r["voice"], _effect(r), bool(r["small_n"]))
                        for r in mine.iter_rows(named=True)
                    ],
                    log=effect_name == "rate_ratio",
                    limits=(-1.05, 1.05) if effect_name == "cliffs_delta" else None,
                )
            )
    if not panels:
        return []
    units = ", ".join(sorted(set(rows["unit"].drop_nulls().to_list())))
    caption = (
        f"{title}. Comparisons with their 95% CIs, one row per pair of outlets and voice (table `comparisons`; "
        f"unit: {units}). Dashed: no difference. Open circles: too few units for a claim. An estimate "
        f"off the scale is an arrow at the edge, labelled 0 or ∞; a row without an estimate is left out "
        f"(its note is in the table).{note}"
    )
    svg = forest_chart(panels, labels=labels, series=voices, title=title, columns=columns)
    return [Figure(svg, caption)]


# -- per-article tables ---------------------------------------------------------------------------


def with_headlines(frame: pl.DataFrame, headlines: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the headline of each row's article (a lookup by doc_id), columns
    in the order of every per-article table: doc_id, outlet, headline, the rest."""
    lookup = headlines.select("doc_id", "headline").unique("doc_id", keep="first", maintain_order=True)
    joined = frame.join(lookup, on="doc_id", how="left", maintain_order="left")
    first = [c for c in ("doc_id", "outlet", "headline") if c in joined.columns]
    return joined.select(*first, *[c for c in frame.columns if c not in first])


def sections(part: Part, blocks: Sequence[Block]) -> list[Block]:
    return [Section(part, tuple(blocks))] if blocks else []

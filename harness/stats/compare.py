"""compare_outlets: every pair of outlets, every voice, one row per test.

The unit of analysis is chosen per pair of outlets (column ``design`` and ``unit``):

* **paired-by-story** (unit ``story``), when the corpus has a story key
  (``harness.stats.stories``) and the two outlets share at least one story: each
  shared story gives one difference, outlet a minus outlet b, of the outlets' values
  in that story (mean over their articles; pooled hits per 1,000 words for rates).
  Wilcoxon signed-rank over stories; effect the mean difference with a story
  bootstrap CI (``harness.stats.paired``). Outlet and story are not confounded.
* **independent** with unit ``article``, when both outlets have two or more
  articles: per-article values (sentiment mean, Flesch reading ease) compared with a
  two-sided Mann-Whitney U, effect Cliff's delta with a bootstrap CI that resamples
  articles (``harness.stats.effects``); hit rates with a count model, a Poisson GLM
  with the article's words as exposure, HC3 robust interval and a studentized
  permutation p-value (``harness.stats.counts``).
* **independent** with unit ``sentence`` (sentiment) or ``word`` (rates), only when
  an outlet has a single article (as in the seeds): sentences pooled in a Mann-Whitney
  U, words pooled in an exact conditional binomial rate test (``harness.stats.rates``).
  Sentences and words of one article are not independent draws from an outlet: such
  a row speaks about those articles, not about the outlets, and says so in ``note``.
  Readability is one value per article and has no pooled version: no row.

An independent comparison is flagged ``confounded`` when the outlets share no story
(or when the corpus has no story key, so that outlet and story cannot be separated):
a difference may then be one of topic rather than of framing.

Bootstraps and permutations use a numpy Generator seeded from ``seed`` and the row's
own key, so adding an outlet never changes another row. All p-values of the table form
one family, adjusted with Benjamini-Hochberg (``scipy.stats.false_discovery_control``).
Every row names its unit, its n in that unit, and the articles behind it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from harness.errors import InputError
from harness.scoring.schemas import wide_column_name
from harness.scoring.views import VIEWS
from harness.stats._scipy import stats
from harness.stats.counts import ArticleRateRatio, article_rate_ratios
from harness.stats.defaults import DEFAULT_N_BOOT, DEFAULT_N_PERM, DEFAULT_SEED, MIN_ARTICLES, MIN_STORIES
from harness.stats.effects import mann_whitney
from harness.stats.paired import paired_test
from harness.stats.rates import rate_ratio_test
from harness.stats.summary import documents_column

MIN_SENTENCES = 10  # per group, for a sentence-level claim
MIN_EVENTS = 5  # hits in both groups together, for a rate claim

SENTIMENT_METRIC = "sentiment_compound"
READABILITY_METRIC = "flesch_reading_ease"
LOADED_METRIC = "loaded_rate"
CATEGORY_PREFIX = "rate:"
# Per-article value behind each location metric (a documents-table column).
ARTICLE_VALUE_COLUMN = {SENTIMENT_METRIC: "sentiment_mean", READABILITY_METRIC: "flesch_reading_ease"}

INDEPENDENT = "independent"
PAIRED = "paired-by-story"
NO_STORY_KEY_NOTE = "no story key: outlet and story cannot be separated, a difference may be one of topic"
NO_SHARED_STORY_NOTE = "the outlets share no story: outlet and story are confounded"

COMPARISON_SCHEMA: dict[str, pl.DataType] = {
    "outlet_a": pl.String(),
    "outlet_b": pl.String(),
    "metric": pl.String(),  # sentiment_compound | flesch_reading_ease | loaded_rate | rate:<category>
    "voice": pl.String(),  # all | narrator | quoted
    "test": pl.String(),  # mann-whitney-u | poisson-glm-permutation | wilcoxon-signed-rank | exact-conditional-binomial
    "design": pl.String(),  # independent | paired-by-story
    "unit": pl.String(),  # what n counts and what is treated as independent: article | story | sentence | word
    "n_a": pl.Int64(),  # units of outlet a in the test (stories: the pair's stories with a value)
    "n_b": pl.Int64(),
    "articles_a": pl.Int64(),  # articles of outlet a behind the row
    "articles_b": pl.Int64(),
    "stories_shared": pl.Int64(),  # stories both outlets cover; null without a story key
    "confounded": pl.Boolean(),  # outlet and story cannot be told apart in this row
    "count_a": pl.Int64(),  # hits (rates only)
    "count_b": pl.Int64(),
    "statistic": pl.Float64(),  # U of sample a | studentized log rate ratio | Wilcoxon W | x_a / (x_a + x_b)
    "p_value": pl.Float64(),
    "p_adjusted": pl.Float64(),  # Benjamini-Hochberg over every p-value of the table
    "effect": pl.Float64(),
    "effect_name": pl.String(),  # cliffs_delta | rate_ratio | mean_difference | mean_difference_per_1k
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "small_n": pl.Boolean(),  # too few units or hits for a claim
    "note": pl.String(),
}


@dataclass(frozen=True, slots=True)
class Options:
    """Resampling and the sizes below which a row is flagged ``small_n``."""

    seed: int = DEFAULT_SEED
    n_boot: int = DEFAULT_N_BOOT
    n_perm: int = DEFAULT_N_PERM
    min_sentences: int = MIN_SENTENCES
    min_events: int = MIN_EVENTS
    min_articles: int = MIN_ARTICLES
    min_stories: int = MIN_STORIES

    def seed_for(self, pair: Pair, metric: str, voice: str) -> np.random.SeedSequence:
        return _row_seed(self.seed, pair.a, pair.b, metric, voice)


@dataclass(frozen=True, slots=True)
class Pair:
    """Two outlets and the design their comparison uses."""

    a: str
    b: str
    articles_a: int
    articles_b: int
    design: str
    unit_values: str  # unit of location metrics: article | story | sentence
    unit_rates: str  # unit of rates: article | story | word
    stories: tuple[str, ...] | None  # shared stories (paired design)
    stories_shared: int | None
    confounded: bool
    note: str | None

    def base(self, metric: str, voice: str, test: str, unit: str) -> dict[str, Any]:
        return {
            "outlet_a": self.a,
            "outlet_b": self.b,
            "metric": metric,
            "voice": voice,
            "test": test,
            "design": self.design,
            "unit": unit,
            "articles_a": self.articles_a,
            "articles_b": self.articles_b,
            "stories_shared": self.stories_shared,
            "confounded": self.confounded,
        }


@dataclass(frozen=True, slots=True)
class Data:
    """Per-article values, counts and sentences, in a canonical order (by doc_id)."""

    values: pl.DataFrame  # doc_id, outlet, voice, metric, value (non-null)
    counts: pl.DataFrame  # doc_id, outlet, voice, metric, count, words (every article)
    sentences: pl.DataFrame  # doc_id, outlet, voice, index, compound
    stories: pl.DataFrame | None  # doc_id, story, outlet


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


def _join_notes(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def _size_note(small: bool, what: str) -> str | None:
    return f"fewer than {what}: too few for a claim" if small else None


# -- the data, one row per article ------------------------------------------------------


def _article_values(documents: pl.DataFrame, field: str) -> pl.DataFrame:
    parts = [
        documents.select(
            "doc_id",
            "outlet",
            pl.lit(view.value).alias("voice"),
            pl.lit(metric).alias("metric"),
            pl.col(documents_column(documents, column, field, view.value)).cast(pl.Float64).alias("value"),
        )
        for metric, column in ARTICLE_VALUE_COLUMN.items()
        for view in VIEWS
    ]
    return pl.concat(parts).filter(pl.col("value").is_not_null() & pl.col("value").is_not_nan())


def _article_counts(
    documents: pl.DataFrame, hits: pl.DataFrame, field: str, by_category: bool
) -> pl.DataFrame:
    """Hits per article x voice x rate metric, zero-filled, with the article's words."""
    field_hits = hits.filter(pl.col("field") == field).select("doc_id", "voice", "category", "loaded")
    every = pl.concat([field_hits.with_columns(pl.lit("all").alias("voice")), field_hits])
    tagged = [every.filter(pl.col("loaded")).with_columns(pl.lit(LOADED_METRIC).alias("metric"))]
    categories = sorted(set(every["category"].to_list())) if by_category else []
    if categories:
        tagged.append(every.with_columns((pl.lit(CATEGORY_PREFIX) + pl.col("category")).alias("metric")))
    counted = pl.concat(tagged).group_by("doc_id", "voice", "metric").agg(pl.len().cast(pl.Int64).alias("count"))
    metrics = pl.DataFrame({"metric": [LOADED_METRIC, *(CATEGORY_PREFIX + c for c in categories)]})
    words = pl.concat(
        [
            documents.select(
                "doc_id",
                "outlet",
                pl.lit(view.value).alias("voice"),
                pl.col(documents_column(documents, "words", field, view.value))
                .fill_null(0)
                .cast(pl.Int64)
                .alias("words"),
            )
            for view in VIEWS
        ]
    )
    return (
        words.join(metrics, how="cross")
        .join(counted, on=["doc_id", "voice", "metric"], how="left")
        .with_columns(pl.col("count").fill_null(0))
    )


def _prepare(
    documents: pl.DataFrame,
    sentences: pl.DataFrame,
    hits: pl.DataFrame,
    stories: pl.DataFrame | None,
    field: str,
    by_category: bool,
) -> Data:
    documents = documents.sort("doc_id")
    outlet_of = documents.select("doc_id", "outlet")
    # A canonical order (not the input's) so that resampling, hence every CI, depends
    # only on the data.
    scored = (
        sentences.filter(pl.col("field") == field)
        .drop("outlet", strict=False)
        .join(outlet_of, on="doc_id")
        .sort("doc_id", "index")
        .select("doc_id", "outlet", "voice", "index", "compound")
    )
    keyed = None
    if stories is not None:
        keyed = stories.select("doc_id", "story").join(outlet_of, on="doc_id").sort("doc_id")
        keyed = keyed if keyed.height else None
    return Data(
        values=_article_values(documents, field).sort("doc_id"),
        counts=_article_counts(documents, hits, field, by_category).sort("doc_id", "voice", "metric"),
        sentences=scored,
        stories=keyed,
    )


# -- the design of each pair ---------------------------------------------------------------


ONE_ARTICLE_NOTE = "one article in an outlet: a claim about these articles, not about the outlet"


def _pair(a: str, b: str, articles: dict[str, int], by_outlet: dict[str, set[str]] | None) -> Pair:
    """The design for outlets a and b: within shared stories if any, else independent."""
    if by_outlet is not None:
        shared = tuple(sorted(by_outlet.get(a, set()) & by_outlet.get(b, set())))
        if shared:
            return Pair(a, b, articles[a], articles[b], PAIRED, "story", "story", shared, len(shared), False, None)
    one_article = min(articles[a], articles[b]) < 2
    return Pair(
        a,
        b,
        articles[a],
        articles[b],
        INDEPENDENT,
        unit_values="sentence" if one_article else "article",
        unit_rates="word" if one_article else "article",
        stories=None,
        stories_shared=None if by_outlet is None else 0,
        confounded=True,
        note=_join_notes(
            NO_STORY_KEY_NOTE if by_outlet is None else NO_SHARED_STORY_NOTE,
            ONE_ARTICLE_NOTE if one_article else None,
        ),
    )


def _pairs(articles: dict[str, int], stories: pl.DataFrame | None) -> list[Pair]:
    by_outlet: dict[str, set[str]] | None = None
    if stories is not None:
        by_outlet = {
            str(outlet): set(group["story"].to_list()) for (outlet,), group in stories.group_by("outlet")
        }
    return [_pair(a, b, articles, by_outlet) for a, b in itertools.combinations(sorted(articles), 2)]


# -- location metrics: sentiment, readability ----------------------------------------------


def _pooled_sentiment_row(
    pair: Pair, voice: str, data: Data, opts: Options
) -> dict[str, Any]:
    """Sentences of a one-article outlet pooled: a claim about those articles only."""
    in_voice = data.sentences.filter(pl.col("voice") == voice)
    x = in_voice.filter(pl.col("outlet") == pair.a)["compound"].to_numpy()
    y = in_voice.filter(pl.col("outlet") == pair.b)["compound"].to_numpy()
    row = pair.base(SENTIMENT_METRIC, voice, "mann-whitney-u", "sentence") | {
        "n_a": x.size,
        "n_b": y.size,
        "effect_name": "cliffs_delta",
        "small_n": min(x.size, y.size) < opts.min_sentences,
    }
    size_note = _size_note(row["small_n"], f"{opts.min_sentences} sentences in a group")
    seed = opts.seed_for(pair, SENTIMENT_METRIC, voice)
    return _location_test(row, x, y, seed, opts.n_boot, "no sentences in a group: no test", size_note, pair.note)


def _article_location_row(
    pair: Pair, metric: str, voice: str, data: Data, opts: Options
) -> dict[str, Any]:
    """Per-article values: Mann-Whitney U and Cliff's delta, bootstrap over articles."""
    values = data.values.filter(pl.col("metric") == metric, pl.col("voice") == voice)
    x = values.filter(pl.col("outlet") == pair.a)["value"].to_numpy()
    y = values.filter(pl.col("outlet") == pair.b)["value"].to_numpy()
    small = min(x.size, y.size) < opts.min_articles
    row = pair.base(metric, voice, "mann-whitney-u", "article") | {
        "n_a": x.size,
        "n_b": y.size,
        "effect_name": "cliffs_delta",
        "small_n": small,
    }
    size_note = _size_note(small, f"{opts.min_articles} articles with a value in a group")
    seed = opts.seed_for(pair, metric, voice)
    empty = "no article with a value in a group: no test"
    return _location_test(row, x, y, seed, opts.n_boot, empty, size_note, pair.note)


def _location_test(
    row: dict[str, Any],
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    seed: np.random.SeedSequence,
    n_boot: int,
    empty_note: str,
    *notes: str | None,
) -> dict[str, Any]:
    """``row`` completed with Mann-Whitney U and Cliff's delta of ``x`` against ``y``
    (sentences or articles alike), or with ``empty_note`` when a group is empty."""
    if min(x.size, y.size) == 0:
        return row | {"note": _join_notes(empty_note, *notes)}
    test = mann_whitney(x, y, seed=seed, n_boot=n_boot)
    return row | {
        "statistic": test.u,
        "p_value": test.p_value,
        "effect": test.delta,
        "ci_low": test.ci_low,
        "ci_high": test.ci_high,
        "note": _join_notes(*notes),
    }


def _story_frame(pair: Pair, frame: pl.DataFrame, data: Data) -> pl.DataFrame:
    """Rows of ``frame`` for the pair's outlets in their shared stories, with the story."""
    if data.stories is None or pair.stories is None:
        raise ValueError("a paired comparison needs story keys")  # unreachable by design
    keyed = data.stories.filter(pl.col("story").is_in(list(pair.stories)))
    return frame.filter(pl.col("outlet").is_in([pair.a, pair.b])).join(
        keyed.select("doc_id", "story"), on="doc_id"
    )


def _differences(per_story: pl.DataFrame, pair: Pair, column: str) -> pl.DataFrame:
    """One row per story with a value for both outlets: a, b and a - b, by story."""
    a = per_story.filter(pl.col("outlet") == pair.a).select("story", pl.col(column).alias("a"))
    b = per_story.filter(pl.col("outlet") == pair.b).select("story", pl.col(column).alias("b"))
    return a.join(b, on="story").with_columns((pl.col("a") - pl.col("b")).alias("d")).sort("story")


def _paired_row(
    pair: Pair,
    metric: str,
    voice: str,
    differences: pl.DataFrame,
    effect_name: str,
    opts: Options,
) -> dict[str, Any]:
    test = paired_test(differences["d"].to_numpy(), seed=opts.seed_for(pair, metric, voice), n_boot=opts.n_boot)
    small = test.n < opts.min_stories
    return pair.base(metric, voice, "wilcoxon-signed-rank", "story") | {
        "n_a": test.n,
        "n_b": test.n,
        "statistic": test.statistic,
        "p_value": test.p_value,
        "effect": test.mean_difference,
        "effect_name": effect_name,
        "ci_low": test.ci_low,
        "ci_high": test.ci_high,
        "small_n": small,
        "note": _join_notes(test.note, _size_note(small, f"{opts.min_stories} shared stories with a value")),
    }


def _paired_location_row(
    pair: Pair, metric: str, voice: str, data: Data, opts: Options
) -> dict[str, Any]:
    values = data.values.filter(pl.col("metric") == metric, pl.col("voice") == voice)
    per_story = (
        _story_frame(pair, values, data).group_by("story", "outlet").agg(pl.col("value").mean())
    )
    differences = _differences(per_story, pair, "value")
    return _paired_row(pair, metric, voice, differences, "mean_difference", opts)


def _location_rows(
    pairs: Sequence[Pair], data: Data, opts: Options
) -> Iterator[dict[str, Any]]:
    for metric in ARTICLE_VALUE_COLUMN:
        for view in VIEWS:
            for pair in pairs:
                if pair.design == PAIRED:
                    yield _paired_location_row(pair, metric, view.value, data, opts)
                elif pair.unit_values == "article":
                    yield _article_location_row(pair, metric, view.value, data, opts)
                elif metric == SENTIMENT_METRIC:
                    yield _pooled_sentiment_row(pair, view.value, data, opts)


# -- hit rates: loaded terms and lexicon categories ----------------------------------------


def _rate_frame(data: Data, metric: str, voice: str) -> pl.DataFrame:
    return data.counts.filter(pl.col("metric") == metric, pl.col("voice") == voice)


def _pooled_rate_row(pair: Pair, metric: str, voice: str, data: Data, opts: Options) -> dict[str, Any]:
    """Words of a one-article outlet pooled: exact conditional binomial test."""
    frame = _rate_frame(data, metric, voice)
    totals = {
        outlet: (int(group["count"].sum()), int(group["words"].sum()))
        for outlet in (pair.a, pair.b)
        for group in [frame.filter(pl.col("outlet") == outlet)]
    }
    (x_a, t_a), (x_b, t_b) = totals[pair.a], totals[pair.b]
    result = rate_ratio_test(x_a, t_a, x_b, t_b)
    small = x_a + x_b < opts.min_events
    return pair.base(metric, voice, "exact-conditional-binomial", "word") | {
        "n_a": t_a,
        "n_b": t_b,
        "count_a": x_a,
        "count_b": x_b,
        "statistic": x_a / (x_a + x_b) if x_a + x_b else None,
        "p_value": result.p_value,
        "effect": result.ratio,
        "effect_name": "rate_ratio",
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "small_n": small,
        "note": _join_notes(result.note, _size_note(small, f"{opts.min_events} hits in total"), pair.note),
    }


def _article_rate_results(pair: Pair, data: Data, opts: Options) -> dict[tuple[str, str], ArticleRateRatio]:
    """Every rate series (metric x voice) of a pair at once: they share the relabelings."""
    frame = data.counts.filter(pl.col("outlet").is_in([pair.a, pair.b])).sort("metric", "voice", "doc_id")
    series = frame.select("metric", "voice").unique(maintain_order=True)
    docs = frame.filter(
        pl.col("metric") == series["metric"][0], pl.col("voice") == series["voice"][0]
    ).select("outlet")
    shape = (series.height, docs.height)
    results = article_rate_ratios(
        frame["count"].to_numpy().reshape(shape).T,
        frame["words"].to_numpy().reshape(shape).T,
        (docs["outlet"] == pair.a).to_numpy(),
        seed=opts.seed_for(pair, "rates", "every voice"),
        n_perm=opts.n_perm,
    )
    return {(m, v): r for (m, v), r in zip(series.iter_rows(), results, strict=True)}


def _article_rate_row(
    pair: Pair, metric: str, voice: str, result: ArticleRateRatio, opts: Options
) -> dict[str, Any]:
    """Per-article counts with words as exposure: the count model of harness.stats.counts."""
    few_articles = min(result.n_a, result.n_b) < opts.min_articles
    few_events = result.count_a + result.count_b < opts.min_events
    return pair.base(metric, voice, "poisson-glm-permutation", "article") | {
        "n_a": result.n_a,
        "n_b": result.n_b,
        "count_a": result.count_a,
        "count_b": result.count_b,
        "statistic": result.statistic,
        "p_value": result.p_value,
        "effect": result.ratio,
        "effect_name": "rate_ratio",
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "small_n": few_articles or few_events,
        "note": _join_notes(
            result.note,
            _size_note(few_articles, f"{opts.min_articles} articles with words in a group"),
            _size_note(few_events, f"{opts.min_events} hits in total"),
            pair.note,
        ),
    }


def _paired_rate_row(pair: Pair, metric: str, voice: str, data: Data, opts: Options) -> dict[str, Any]:
    """Per story, each outlet's hits per 1,000 words over its articles there; a - b."""
    per_story = (
        _story_frame(pair, _rate_frame(data, metric, voice), data)
        .group_by("story", "outlet")
        .agg(pl.col("count").sum(), pl.col("words").sum())
        .filter(pl.col("words") > 0)
        .with_columns((pl.col("count") * 1000.0 / pl.col("words")).alias("per_1k"))
    )
    differences = _differences(per_story, pair, "per_1k")
    used = per_story.filter(pl.col("story").is_in(differences["story"].to_list()))
    count_a = int(used.filter(pl.col("outlet") == pair.a)["count"].sum())
    count_b = int(used.filter(pl.col("outlet") == pair.b)["count"].sum())
    row = _paired_row(pair, metric, voice, differences, "mean_difference_per_1k", opts)
    few_events = count_a + count_b < opts.min_events
    return row | {
        "count_a": count_a,
        "count_b": count_b,
        "small_n": row["small_n"] or few_events,
        "note": _join_notes(row["note"], _size_note(few_events, f"{opts.min_events} hits in total")),
    }


def _rate_rows(pairs: Sequence[Pair], data: Data, opts: Options) -> Iterator[dict[str, Any]]:
    metrics = sorted(set(data.counts["metric"].to_list()), key=lambda m: (m != LOADED_METRIC, m))
    modelled = {
        (pair.a, pair.b): _article_rate_results(pair, data, opts)
        for pair in pairs
        if pair.design == INDEPENDENT and pair.unit_rates == "article"
    }
    for metric in metrics:
        for view in VIEWS:
            for pair in pairs:
                if pair.design == PAIRED:
                    yield _paired_rate_row(pair, metric, view.value, data, opts)
                elif (pair.a, pair.b) in modelled:
                    result = modelled[(pair.a, pair.b)][(metric, view.value)]
                    yield _article_rate_row(pair, metric, view.value, result, opts)
                else:
                    yield _pooled_rate_row(pair, metric, view.value, data, opts)


# -- the table ------------------------------------------------------------------------------


def _paired_articles(pair: Pair, data: Data) -> Pair:
    """A paired pair's article counts: the outlets' articles in their shared stories."""
    if pair.design != PAIRED or data.stories is None or pair.stories is None:
        return pair
    in_shared = data.stories.filter(pl.col("story").is_in(list(pair.stories)))
    return dataclasses.replace(
        pair,
        articles_a=in_shared.filter(pl.col("outlet") == pair.a).height,
        articles_b=in_shared.filter(pl.col("outlet") == pair.b).height,
    )


def compare_outlets(
    documents: pl.DataFrame,
    sentences: pl.DataFrame,
    hits: pl.DataFrame,
    *,
    stories: pl.DataFrame | None = None,
    seed: int = DEFAULT_SEED,
    n_boot: int = DEFAULT_N_BOOT,
    n_perm: int = DEFAULT_N_PERM,
    field: str = "body",
    by_category: bool = True,
    min_sentences: int = MIN_SENTENCES,
    min_events: int = MIN_EVENTS,
    min_articles: int = MIN_ARTICLES,
    min_stories: int = MIN_STORIES,
) -> pl.DataFrame:
    """The ``comparisons`` table: every outlet pair x metric x voice (see module docs).

    ``stories`` (``doc_id``, ``story``; see ``harness.stats.story_keys``) says which
    articles report the same event; without it every row is flagged ``confounded``.
    """
    _check(documents, sentences, hits)
    opts = Options(seed, n_boot, n_perm, min_sentences, min_events, min_articles, min_stories)
    data = _prepare(documents, sentences, hits, stories, field, by_category)
    articles = {
        str(r["outlet"]): int(r["n"])
        for r in documents.group_by("outlet").agg(pl.len().alias("n")).iter_rows(named=True)
    }
    pairs = [_paired_articles(pair, data) for pair in _pairs(articles, data.stories)]
    rows = [*_location_rows(pairs, data, opts), *_rate_rows(pairs, data, opts)]
    table = (
        pl.DataFrame(rows, schema=COMPARISON_SCHEMA)
        if rows
        else pl.DataFrame(schema=COMPARISON_SCHEMA)
    )
    return _adjust(table)


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

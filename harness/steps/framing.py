"""tabloid-framing: the framing scorecard and the outlet comparisons, as steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import polars as pl

from harness.experiments.registry import Tables, step
from harness.experiments.settings import Help, ProjectPath, Range, Seed
from harness.reports.blocks import Block, Figure, Heading, Paragraph, Table
from harness.reports.svg import bar_chart, line_chart
from harness.resources import Resource
from harness.scoring import (
    CORE_TABLES,
    TABLES,
    score_core,
    score_documents,
    scoring_resources,
    vader_resources,
)
from harness.stats import (
    DEFAULT_N_BOOT,
    DEFAULT_N_PERM,
    DEFAULT_SEED,
    MIN_ARTICLES,
    MIN_STORIES,
    compare_outlets,
    outlet_summary,
    story_keys,
)
from harness.text.language import SKIPPED_SCHEMA, language_resource, split_by_language
from harness.scoring.readability import readability_resources
from harness.text.sentences import abbreviations_resource

SCORECARD_COLUMNS = (
    "outlet",
    "voice",
    "words",
    "sentences",
    "flesch_reading_ease",
    "flesch_kincaid_grade",
    "gunning_fog",
    "sentiment_mean",
    "sentiment_median",
    "share_negative",
    "loaded_per_1k",
    "attribution_neutral",
    "attribution_loaded",
)
TOP_HITS = 40


def _lexicon_paths(settings: Mapping[str, Any]) -> list[Path]:
    return [Path(p) for p in settings.get("lexicons", ())]


def _score_resources(settings: Mapping[str, Any]) -> list[Resource]:
    return [
        *scoring_resources(_lexicon_paths(settings), include_builtin=settings.get("include_builtin", True)),
        language_resource(),
    ]


def _outlet_order(metrics: pl.DataFrame) -> list[str]:
    return sorted(metrics["outlet"].unique().to_list())


def scorecard_blocks(metrics: pl.DataFrame) -> list[Block]:
    body = metrics.filter(pl.col("field") == "body").sort("outlet", "voice")
    headline = metrics.filter(pl.col("field") == "headline", pl.col("voice") == "all").sort("outlet")
    return [
        Heading("Scorecard by outlet and voice"),
        Paragraph(
            "Body text; voice 'narrator' is the outlet's own words, 'quoted' the words inside "
            "quotation marks. Readability is textstat's, sentiment VADER's compound per sentence "
            "(its mean and median over sentences, and the share of sentences at or below -0.05), "
            "loaded terms per 1,000 words count lexicon entries of weight above 0. "
            "Source: table `metrics` (field = body)."
        ),
        Table(body.select(SCORECARD_COLUMNS), "Body scorecard (table `metrics`)"),
        Table(
            headline.select("outlet", "words", "sentiment_mean", "loaded_per_1k", "flesch_reading_ease"),
            "Headlines (table `metrics`, field = headline, voice = all)",
        ),
    ]


def sentiment_figure(sentences: pl.DataFrame) -> Block:
    body = sentences.filter(pl.col("field") == "body", pl.col("voice") == "all").sort("outlet", "doc_id", "index")
    series = [
        (f"{outlet} ({doc_id[:8]})", group["compound"].to_list())
        for (outlet, doc_id), group in body.group_by(["outlet", "doc_id"], maintain_order=True)
    ]
    return Figure(
        line_chart(series, title="Sentence sentiment along the article (VADER compound)", x_label="start of body -> end"),
        "VADER compound of each body sentence in order, one line per article (table `sentences`, voice = all).",
    )


def density_figure(rates: pl.DataFrame) -> Block:
    by_voice = (
        rates.filter(pl.col("field") == "body", pl.col("voice") != "all")
        .group_by("outlet", "category", "voice")
        .agg(pl.col("hits").sum(), pl.col("words").sum())
        .with_columns((pl.col("hits") * 1000 / pl.col("words")).alias("per_1k"))
    )
    categories = sorted(by_voice["category"].unique().to_list())
    outlets = sorted(by_voice["outlet"].unique().to_list())
    labels = [f"{o}: {c}" for o in outlets for c in categories]
    series = []
    for voice in ("narrator", "quoted"):
        lookup = {
            (r["outlet"], r["category"]): r["per_1k"]
            for r in by_voice.filter(pl.col("voice") == voice).iter_rows(named=True)
        }
        series.append((voice, [lookup.get((o, c)) for o in outlets for c in categories]))
    return Figure(
        bar_chart(labels, series, title="Lexicon hits per 1,000 words by category and voice"),
        "Hits per 1,000 words of that voice, body text, per outlet and lexicon category "
        "(table `rates`; weight-0 categories such as neutral attribution are shown for contrast).",
    )


def top_hits_table(hits: pl.DataFrame) -> Block:
    loaded = hits.filter(pl.col("loaded")).sort(["weight", "outlet", "doc_id", "field", "start"], descending=[True, False, False, False, False])
    return Table(
        loaded.select("outlet", "field", "voice", "category", "term", "left", "matched", "right", "start", "end"),
        "Loaded-term hits in context, heaviest first (table `hits`; start and end are character "
        "offsets into the article's headline or body, as named in column field)",
        max_rows=TOP_HITS,
    )


def attribution_table(speakers: pl.DataFrame) -> Block:
    ordered = speakers.sort(["outlet", "quotes", "speaker"], descending=[False, True, False])
    return Table(
        ordered.select("outlet", "speaker", "quotes", "quoted_words", "neutral_verbs", "loaded_verbs"),
        "Who is quoted, how often and with which attribution verbs (table `speakers`)",
    )


def skipped_blocks(skipped: pl.DataFrame) -> list[Block]:
    if skipped.height == 0:
        return []
    return [
        Heading("Articles not scored"),
        Paragraph(
            f"{skipped.height} article(s) were not scored, each with its reason (table `skipped`): "
            "the readability formulas, VADER and the lexicons are English instruments."
        ),
        Table(skipped, "Skipped articles (table `skipped`)"),
    ]


def framing_report(tables: Tables, settings: Mapping[str, Any]) -> Sequence[Block]:
    return [
        *skipped_blocks(tables["skipped"]),
        *scorecard_blocks(tables["metrics"]),
        sentiment_figure(tables["sentences"]),
        density_figure(tables["rates"]),
        Heading("Loaded terms in context"),
        Paragraph(
            "Every hit is a row of table `hits` with its offsets, lexicon file and line, so each "
            "rate above can be audited word by word."
        ),
        top_hits_table(tables["hits"]),
        Heading("Attribution"),
        attribution_table(tables["speakers"]),
    ]


@step(outputs=(*TABLES, "skipped"), resources=_score_resources, report=framing_report, batch_over="articles")
def score_framing(
    articles: pl.DataFrame,
    *,
    lexicons: Annotated[
        tuple[ProjectPath, ...],
        Help("Extra lexicon files (TSV; see harness/scoring/lexicons/README.md) besides the built-in ones."),
    ] = (),
    include_builtin: Annotated[
        bool, Help("Use the built-in lexicons as well as `lexicons` (false: only the files listed).")
    ] = True,
    context_chars: Annotated[
        int, Range(0, 10_000), Help("Characters of context kept on each side of a hit, in every `hits` row.")
    ] = 60,
    english_only: Annotated[
        bool, Help("Leave out articles confidently in another language (listed in table `skipped`); false scores all.")
    ] = True,
) -> Tables:
    """Readability, sentence sentiment, loaded terms and attribution, by voice.

    Articles confidently identified as another language are not scored as English:
    they are listed, with the reason, in table `skipped` (``english_only = false``
    scores everything).
    """
    if english_only:
        english, skipped = split_by_language(articles)
    else:
        english, skipped = articles, pl.DataFrame(schema=SKIPPED_SCHEMA)
    tables = score_documents(
        english,
        lexicons=[Path(p) for p in lexicons],
        include_builtin=include_builtin,
        context_chars=context_chars,
    )
    return {**tables, "skipped": skipped}


def _story_paragraphs(comparisons: pl.DataFrame) -> list[Block]:
    """What the corpus says about stories: nothing (confounded), or which pairs share some."""
    if comparisons.height == 0:
        return []
    if comparisons["stories_shared"].null_count() == comparisons.height:
        return [
            Paragraph(
                "Caution: the corpus has no story key (a `story` field, or `match_on` in this step's "
                "settings), so nothing says which articles report the same event. Outlet and story "
                "cannot be separated: a difference below may be one of topic (what each outlet "
                "covered) rather than of framing (how it covered it)."
            )
        ]
    shared = (
        comparisons.select("outlet_a", "outlet_b", "stories_shared", "design")
        .unique()
        .sort("outlet_a", "outlet_b")
    )
    blocks: list[Block] = [
        Table(shared, "Stories each pair of outlets shares (table `comparisons`, column stories_shared)")
    ]
    apart = shared.filter(pl.col("stories_shared") == 0)
    if apart.height:
        names = "; ".join(f"{r['outlet_a']} and {r['outlet_b']}" for r in apart.iter_rows(named=True))
        blocks.append(
            Paragraph(
                f"Caution: {names} share no story: their articles report different events, so outlet "
                "and story are confounded and a difference may be one of topic, not of framing "
                "(column confounded)."
            )
        )
    return blocks


def _summary_blocks(summary: pl.DataFrame) -> list[Block]:
    most = summary["n_articles"].max() if summary.height else 0
    if not isinstance(most, int) or most < 2:
        return [
            Paragraph(
                "Each outlet has at most one article: table `outlet_summary` holds its values, with "
                "no spread and no interval."
            )
        ]
    return [
        Table(
            summary.select("outlet", "metric", "voice", "n_articles", "mean", "median", "sd", "ci_low", "ci_high"),
            "Per-article values by outlet: mean, median, SD and a 95% bootstrap CI over articles "
            "(table `outlet_summary`, body)",
        )
    ]


def comparisons_report(tables: Tables, settings: Mapping[str, Any]) -> Sequence[Block]:
    comparisons = tables["comparisons"]
    small = comparisons.filter(pl.col("small_n")).height
    pooled = comparisons.filter(pl.col("unit").is_in(["sentence", "word"])).height
    caveats = []
    if pooled:
        caveats.append(
            f"{pooled} of {comparisons.height} comparisons have one article in an outlet: "
            "they pool that article's sentences or words (unit sentence or word), so they compare "
            "those articles, not outlets; no claim about an outlet's style follows from them."
        )
    if small:
        caveats.append(f"{small} comparisons have too few units or events for inference (column small_n).")
    return [
        Heading("Outlet comparisons"),
        Paragraph(
            "The unit is the article whenever both outlets have two or more (column unit). Sentiment "
            "and readability: each article's value, Mann-Whitney U, Cliff's delta with a bootstrap "
            "95% CI over articles. Loaded-term and category rates: a Poisson count model with each "
            "article's words as exposure, rate ratio with a robust (HC3) 95% CI and a permutation "
            f"p-value over articles ({settings.get('n_perm')} relabelings). Outlets that share stories "
            "are compared within them: per-story differences, Wilcoxon signed-rank, mean difference "
            "with a bootstrap CI over stories. An outlet with one article falls back to its sentences "
            "(Mann-Whitney U) or words (exact rate test). "
            f"Seed {settings.get('seed')}, {settings.get('n_boot')} bootstrap resamples; p_adjusted: "
            "Benjamini-Hochberg across every row of this table. Source: table `comparisons`."
        ),
        *_story_paragraphs(comparisons),
        *[Paragraph("Caution: " + c) for c in caveats],
        Table(
            comparisons.select(
                "outlet_a", "outlet_b", "metric", "voice", "unit", "n_a", "n_b", "articles_a", "articles_b",
                "effect_name", "effect", "ci_low", "ci_high", "p_value", "p_adjusted", "small_n",
            ),
            "Comparisons (table `comparisons`; n_a and n_b count the row's unit)",
        ),
        *_summary_blocks(tables["outlet_summary"]),
    ]


@step("compare_outlets", outputs=("comparisons", "outlet_summary"), report=comparisons_report)
def compare_outlets_step(
    articles: pl.DataFrame,
    documents: pl.DataFrame,
    sentences: pl.DataFrame,
    hits: pl.DataFrame,
    *,
    seed: Annotated[
        Seed, Help("Seed of the bootstrap and permutation draws: the same seed gives the same intervals and p-values.")
    ] = DEFAULT_SEED,
    # Bootstrap resamples: fewer than 100 give no usable 95% interval; past a
    # million the run takes hours and the interval no longer moves.
    n_boot: Annotated[
        int, Range(100, 1_000_000), Help("Bootstrap resamples behind each confidence interval.")
    ] = DEFAULT_N_BOOT,
    # Label permutations for the count model's p-value: its floor is 1 / (n_perm + 1).
    n_perm: Annotated[
        int,
        Range(99, 1_000_000),
        Help("Label permutations for the loaded-term rate p-values; the smallest p-value is 1 / (n_perm + 1)."),
    ] = DEFAULT_N_PERM,
    by_category: Annotated[
        bool, Help("Also compare the rate of each lexicon category (metrics `rate:<category>`), not only all loaded terms.")
    ] = True,
    match_on: Annotated[
        str | None,
        Help("The article field that names its story (event), to compare outlets within stories; default: `story` when present."),
    ] = None,
    min_sentences: Annotated[
        int, Range(minimum=1), Help("A sentence-level row with fewer sentences in a group is flagged `small_n`.")
    ] = 10,
    min_events: Annotated[
        int, Range(minimum=1), Help("A rate row with fewer hits in both outlets together is flagged `small_n`.")
    ] = 5,
    min_articles: Annotated[
        int, Range(minimum=2), Help("An article-level row with fewer articles in a group is flagged `small_n`.")
    ] = MIN_ARTICLES,
    min_stories: Annotated[
        int, Range(minimum=1), Help("A paired-by-story row with fewer shared stories is flagged `small_n`.")
    ] = MIN_STORIES,
) -> Tables:
    """Outlet against outlet, articles (or shared stories) as the unit: sentiment, readability, rates.

    ``match_on`` names the articles' story key (default: a `story` field when the
    corpus has one); see ``harness.stats.compare`` for the tests of each design.
    """
    return {
        "comparisons": compare_outlets(
            documents,
            sentences,
            hits,
            stories=story_keys(articles, match_on),
            seed=seed,
            n_boot=n_boot,
            n_perm=n_perm,
            by_category=by_category,
            min_sentences=min_sentences,
            min_events=min_events,
            min_articles=min_articles,
            min_stories=min_stories,
        ),
        "outlet_summary": outlet_summary(documents, seed=seed, n_boot=n_boot),
    }


# -- the core suite: textstat and VADER on whole texts, for corpus scale -----------------

CORE_ARTICLE_COLUMNS = (
    "outlet",
    "doc_id",
    "sentences",
    "flesch_reading_ease",
    "flesch_kincaid_grade",
    "gunning_fog",
    "dale_chall_readability_score",
    "sentiment_mean",
    "sentiment_min",
    "share_negative",
    "headline_sentiment_mean",
)
CORE_OUTLET_COLUMNS = (
    "flesch_reading_ease",
    "flesch_kincaid_grade",
    "gunning_fog",
    "sentiment_mean",
    "share_negative",
)


def _core_resources(settings: Mapping[str, Any]) -> list[Resource]:
    return [*readability_resources(), *vader_resources(), abbreviations_resource(), language_resource()]


def core_report(tables: Tables, settings: Mapping[str, Any]) -> Sequence[Block]:
    documents = tables["core_documents"].sort("outlet", "doc_id")
    by_outlet = (
        documents.group_by("outlet")
        .agg(pl.len().alias("articles"), *[pl.col(c).mean() for c in CORE_OUTLET_COLUMNS])
        .sort("outlet")
    )
    return [
        *skipped_blocks(tables["skipped"]),
        Heading("Readability and sentence sentiment, whole texts"),
        Paragraph(
            "The reference suite alone: textstat's eight readability formulas on each body and "
            "headline, and VADER's compound score on each sentence (sentences by Punkt with the "
            "harness's news abbreviations), with no voice split. Every value equals textstat's and "
            "vaderSentiment's; the batch implementation is what lets it run over millions of "
            "articles. Sources: tables `core_documents` and `core_sentences`."
        ),
        Table(documents.select(CORE_ARTICLE_COLUMNS), "Articles (table `core_documents`; body unless prefixed headline_)"),
        Table(by_outlet, "Mean over each outlet's articles (table `core_documents`)"),
    ]


@step(outputs=(*CORE_TABLES, "skipped"), resources=_core_resources, report=core_report, batch_over="articles")
def score_core_suite(
    articles: pl.DataFrame,
    *,
    english_only: Annotated[
        bool, Help("Leave out articles confidently in another language (listed in table `skipped`); false scores all.")
    ] = True,
) -> Tables:
    """Readability (textstat) and sentence sentiment (VADER) on whole texts, at corpus scale.

    The same numbers as textstat and vaderSentiment, computed in batches (see
    ``harness.scoring.core``); no voices, lexicons or attribution (``score_framing``).
    Articles in another language are listed in table `skipped`.
    """
    if english_only:
        english, skipped = split_by_language(articles)
    else:
        english, skipped = articles, pl.DataFrame(schema=SKIPPED_SCHEMA)
    return {**score_core(english), "skipped": skipped}

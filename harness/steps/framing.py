"""tabloid-framing: the framing scorecard and the outlet comparisons, as steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl

from harness.experiments.registry import Gather, Tables, step
from harness.experiments.settings import Help, ProjectPath, Range, Seed
from harness.reports.blocks import Block, Heading, Paragraph, Part, top_rows
from harness.reports.outlets import (
    ARTICLE_ROWS,
    VOICES,
    MetricView,
    distribution_figure,
    forest_figures,
    sections,
    summary_heading,
    summary_table,
    with_headlines,
)
from harness.resources import Resource
from harness.scoring.schemas import CORE_TABLES, TABLES
from harness.stats.defaults import DEFAULT_N_BOOT, DEFAULT_N_PERM, DEFAULT_SEED, MIN_ARTICLES, MIN_STORIES
from harness.text.language import SKIPPED_SCHEMA, language_resource, split_by_language
from harness.scoring.arms import HARNESS_ARM

# Per-article columns of the documents table in the framing report (body text).
ARTICLE_COLUMNS = (
    "doc_id",
    "outlet",
    "headline",
    "words",
    "sentences",
    "sentiment_mean",
    "share_negative",
    "loaded_per_1k",
    "loaded_per_1k_narrator",
    "loaded_per_1k_quoted",
    "flesch_reading_ease",
)
FRAMING_METRICS = (
    MetricView("sentiment_mean", "Sentiment", "VADER compound, mean over the article's sentences", "sentiment_compound"),
    MetricView("loaded_per_1k", "Loaded language", "loaded terms per 1,000 words", "loaded_rate"),
    MetricView("flesch_reading_ease", "Reading ease", "Flesch reading ease (higher: easier)", "flesch_reading_ease"),
    MetricView("flesch_kincaid_grade", "Grade level", "Flesch-Kincaid grade", None),
    MetricView("gunning_fog", "Gunning fog", "Gunning fog index", None),
)
# Stance rates: in the summary tables only. Every FRAMING_METRICS entry gets a
# distribution chart (and the compared ones a forest plot); three more charts of mostly
# zero per-article rates would lengthen the report without showing much, while one
# column each in the summary table costs little. Their outlet comparisons stay in the
# category forest plot (rate:hedge, rate:certainty, rate:intensifier).
STANCE_METRICS = (
    MetricView("hedge_per_1k", "Hedges", "hedges per 1,000 words"),
    MetricView("certainty_per_1k", "Certainty", "certainty markers (boosters) per 1,000 words"),
    MetricView("intensifier_per_1k", "Intensifiers", "intensifiers per 1,000 words"),
)
SUMMARY_TABLE_METRICS = (*FRAMING_METRICS, *STANCE_METRICS)
TOP_HITS = 40
CATEGORY_PREFIX = "rate:"


def _lexicon_paths(settings: Mapping[str, Any]) -> list[Path]:
    return [Path(p) for p in settings.get("lexicons", ())]


def _score_resources(settings: Mapping[str, Any]) -> list[Resource]:
    from harness.scoring import scoring_resources  # the scorers: when the step runs, not when it registers

    return [
        *scoring_resources(
            _lexicon_paths(settings),
            include_builtin=settings.get("include_builtin", True),
            loaded_lexicon=settings.get("loaded_lexicon", HARNESS_ARM),
        ),
        language_resource(),
    ]


def article_blocks(documents: pl.DataFrame) -> list[Block]:
    articles = documents.select(ARTICLE_COLUMNS)
    return [
        Heading("Articles"),
        Paragraph(
            "Body text, one row per article. Voice 'narrator' is the outlet's own words, 'quoted' the "
            "words inside quotation marks. Readability is textstat's, sentiment VADER's compound per "
            "sentence (its mean over sentences, and the share of sentences at or below -0.05), loaded "
            "terms per 1,000 words count hits of the loaded categories (weight above 0); hedges, boosters "
            "and intensifiers have their own rates (hedge_per_1k, certainty_per_1k, intensifier_per_1k). "
            "Every metric, for headline "
            "and body and each voice, is a column of table `documents` (long form: table `metrics`)."
        ),
        top_rows(articles, by="loaded_per_1k", descending=True, n=ARTICLE_ROWS, what="Most loaded articles", table="documents"),
        top_rows(articles, by="sentiment_mean", descending=False, n=ARTICLE_ROWS, what="Most negative articles", table="documents"),
    ]


def top_hits_table(hits: pl.DataFrame, documents: pl.DataFrame) -> Block:
    loaded = hits.filter(pl.col("loaded")).sort("outlet", "doc_id", "field", "start")
    shown = with_headlines(
        loaded.select("doc_id", "outlet", "field", "voice", "category", "term", "left", "matched", "right", "start", "end", "weight"),
        documents,
    )
    return top_rows(
        shown,
        by="weight",
        descending=True,
        n=TOP_HITS,
        what="Loaded-term hits in context (start and end: character offsets into the headline or body, "
        "as column field says)",
        table="hits",
    )


def attribution_table(speakers: pl.DataFrame, documents: pl.DataFrame) -> Block:
    ordered = speakers.sort("outlet", "doc_id", "speaker")
    shown = with_headlines(
        ordered.select("doc_id", "outlet", "speaker", "quotes", "quoted_words", "neutral_verbs", "loaded_verbs"),
        documents,
    )
    return top_rows(
        shown, by="quotes", descending=True, n=ARTICLE_ROWS,
        what="Who is quoted, how often and with which attribution verbs, per article", table="speakers",
    )


def skipped_blocks(skipped: pl.DataFrame, articles: pl.DataFrame | None) -> list[Block]:
    """The articles a step left out, with their reasons (and headlines, from the stored articles)."""
    if skipped.height == 0:
        return []
    if articles is not None:
        skipped = with_headlines(skipped, articles)
    return [
        Heading("Articles not scored"),
        Paragraph(
            f"{skipped.height} article(s) were not scored, each with its reason (table `skipped`): "
            "the readability formulas, VADER and the lexicons are English instruments."
        ),
        top_rows(skipped, by="doc_id", descending=False, n=ARTICLE_ROWS, what="Skipped articles", table="skipped"),
    ]


def _voices(documents: pl.DataFrame, metric: str) -> list[str]:
    """The voices with a column for ``metric`` (all three in the documents table)."""
    return [v for v in VOICES if (metric if v == "all" else f"{metric}_{v}") in documents.columns]


def metric_charts(
    documents: pl.DataFrame,
    summary: pl.DataFrame | None,
    comparisons: pl.DataFrame | None,
    metrics: Sequence[MetricView],
    *,
    documents_table: str,
    summary_table_name: str | None,
) -> list[Block]:
    """Per metric: the distribution by outlet, then the forest plot of its comparisons."""
    blocks: list[Block] = []
    if documents.height == 0:
        return blocks  # no article scored: the summary says so
    for metric in metrics:
        blocks += [
            Heading(metric.title),
            distribution_figure(
                documents,
                summary,
                metric,
                voices=_voices(documents, metric.column),
                documents_table=documents_table,
                summary_table_name=summary_table_name,
            ),
        ]
        if comparisons is not None and metric.comparison is not None:
            blocks += forest_figures(comparisons, [metric.comparison], title=f"{metric.title}: outlet against outlet")
        if comparisons is not None and metric.comparison == "loaded_rate":
            categories = sorted(m for m in set(comparisons["metric"].to_list()) if m.startswith(CATEGORY_PREFIX))
            blocks += forest_figures(
                comparisons, categories, title="Lexicon categories: rate ratio, outlet against outlet", columns=2
            )
    return blocks


def framing_report(tables: Tables, settings: Mapping[str, Any]) -> Sequence[Block]:
    documents = tables["documents"]
    blocks: list[Block] = []
    if "outlet_summary" not in tables:
        # No compare_outlets step: this section draws the distributions itself.
        blocks += sections(
            Part.SUMMARY,
            [
                Heading("Summary by outlet"),
                Paragraph(
                    "This experiment has no step compare_outlets: no per-outlet summary and no "
                    "comparisons are stored. The charts below show each article's value by outlet."
                ),
            ],
        )
        blocks += sections(
            Part.CHARTS,
            metric_charts(documents, None, None, FRAMING_METRICS, documents_table="documents", summary_table_name=None),
        )
    return [
        *blocks,
        *sections(
            Part.DETAILS,
            [
                *article_blocks(documents),
                Heading("Loaded terms in context"),
                Paragraph(
                    "Every hit is a row of table `hits` with its offsets, lexicon file and line, so each "
                    "rate above can be audited word by word."
                ),
                top_hits_table(tables["hits"], documents),
                Heading("Attribution"),
                attribution_table(tables["speakers"], documents),
                *skipped_blocks(tables["skipped"], tables.get("articles")),
            ],
        ),
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
    loaded_lexicon: Annotated[
        Literal["harness", "vader-strong"],
        Help(
            "Loaded-language instrument: 'harness' (news_loaded.tsv) or 'vader-strong' (VADER's words with "
            "|valence| >= 1.5, read from the vaderSentiment package); attribution verbs and stance markers stay."
        ),
    ] = "harness",
) -> Tables:
    """Readability, sentence sentiment, loaded terms and attribution, by voice.

    Articles confidently identified as another language are not scored as English:
    they are listed, with the reason, in table `skipped` (``english_only = false``
    scores everything).
    """
    from harness.scoring import score_documents  # the scorers: when the step runs, not when it registers

    if english_only:
        english, skipped = split_by_language(articles)
    else:
        english, skipped = articles, pl.DataFrame(schema=SKIPPED_SCHEMA)
    tables = score_documents(
        english,
        lexicons=[Path(p) for p in lexicons],
        include_builtin=include_builtin,
        context_chars=context_chars,
        loaded_lexicon=loaded_lexicon,
    )
    return {**tables, "skipped": skipped}


MAX_COMPARISON_ROWS = 40
MAX_STORY_PAIRS = 40


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
        top_rows(
            shared, by="stories_shared", descending=True, n=MAX_STORY_PAIRS,
            what="Stories each pair of outlets shares (column stories_shared)", table="comparisons",
        )
    ]
    apart = shared.filter(pl.col("stories_shared") == 0)
    if apart.height:
        names = "; ".join(f"{r['outlet_a']} and {r['outlet_b']}" for r in apart.head(MAX_STORY_PAIRS).iter_rows(named=True))
        more = f" (and {apart.height - MAX_STORY_PAIRS} more pairs)" if apart.height > MAX_STORY_PAIRS else ""
        blocks.append(
            Paragraph(
                f"Caution: {names}{more} share no story: their articles report different events, so outlet "
                "and story are confounded and a difference may be one of topic, not of framing "
                "(column confounded)."
            )
        )
    return blocks


def _caveats(comparisons: pl.DataFrame) -> list[Block]:
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
    return [Paragraph("Caution: " + c) for c in caveats]


def _methods(settings: Mapping[str, Any]) -> Paragraph:
    return Paragraph(
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
    )


def comparisons_report(tables: Tables, settings: Mapping[str, Any]) -> Sequence[Block]:
    comparisons, summary = tables["comparisons"], tables["outlet_summary"]
    shown = comparisons.sort("outlet_a", "outlet_b", "metric", "voice").select(
        "outlet_a", "outlet_b", "metric", "voice", "unit", "n_a", "n_b", "effect_name", "effect",
        "ci_low", "ci_high", "p_value", "p_adjusted", "small_n", "note",
    )
    return [
        *sections(
            Part.SUMMARY,
            [
                *summary_heading(summary, table="outlet_summary"),
                summary_table(summary, SUMMARY_TABLE_METRICS, table="outlet_summary"),
                *_story_paragraphs(comparisons),
                *_caveats(comparisons),
            ],
        ),
        *sections(
            Part.CHARTS,
            metric_charts(
                tables["documents"], summary, comparisons, FRAMING_METRICS,
                documents_table="documents", summary_table_name="outlet_summary",
            ),
        ),
        *sections(
            Part.DETAILS,
            [
                Heading("Outlet comparisons"),
                _methods(settings),
                top_rows(
                    shown, by="p_adjusted", descending=False, n=MAX_COMPARISON_ROWS,
                    what="Comparisons (n_a and n_b count the row's unit; a blank effect has its reason in note)",
                    table="comparisons",
                ),
                Heading("Summary by outlet and voice"),
                summary_table(summary, SUMMARY_TABLE_METRICS, table="outlet_summary", voice="narrator"),
                summary_table(summary, SUMMARY_TABLE_METRICS, table="outlet_summary", voice="quoted"),
            ],
        ),
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
    from harness.stats import compare_outlets, outlet_summary, story_keys  # scipy.stats: not to register the step

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
    "doc_id",
    "outlet",
    "headline",
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
CORE_METRICS = (
    MetricView("sentiment_mean", "Sentiment", "VADER compound, mean over the article's sentences"),
    MetricView("share_negative", "Negative sentences", "share of sentences with compound at or below -0.05"),
    MetricView("flesch_reading_ease", "Reading ease", "Flesch reading ease (higher: easier)"),
    MetricView("flesch_kincaid_grade", "Grade level", "Flesch-Kincaid grade"),
    MetricView("gunning_fog", "Gunning fog", "Gunning fog index"),
    MetricView("dale_chall_readability_score", "Dale-Chall", "Dale-Chall readability score"),
)
CORE_SUMMARY = "core_outlet_summary"


def _core_resources(settings: Mapping[str, Any]) -> list[Resource]:
    from harness.scoring import vader_resources  # the scorers: when the step runs, not when it registers
    from harness.scoring.readability import readability_resources
    from harness.text.sentences import abbreviations_resource

    return [*readability_resources(), *vader_resources(), abbreviations_resource(), language_resource()]


def core_outlet_tables(tables: Tables, settings: Mapping[str, Any]) -> Tables:
    """Each outlet's articles summarised (``outlet_summary``'s schema, voice all), once all batches are in."""
    from harness.stats import outlet_summary  # scipy.stats: not to register the step

    metrics = tuple(m.column for m in CORE_METRICS)
    summary = outlet_summary(
        tables["core_documents"], seed=DEFAULT_SEED, n_boot=DEFAULT_N_BOOT, metrics=metrics, voices=("all",)
    )
    return {CORE_SUMMARY: summary}


def core_report(tables: Tables, settings: Mapping[str, Any]) -> Sequence[Block]:
    documents = tables["core_documents"]
    summary = tables[CORE_SUMMARY]
    articles = with_headlines(documents, tables["articles"]).select(CORE_ARTICLE_COLUMNS)
    return [
        *sections(
            Part.SUMMARY,
            [
                *summary_heading(summary, table=CORE_SUMMARY),
                summary_table(summary, CORE_METRICS, table=CORE_SUMMARY),
                Paragraph(
                    "The reference suite alone: textstat's eight readability formulas on each body and "
                    "headline, and VADER's compound score on each sentence (sentences by Punkt with the "
                    "harness's news abbreviations), with no voice split. Every value equals textstat's and "
                    "vaderSentiment's; the batch implementation is what lets it run over millions of "
                    "articles. No outlet comparisons: the core suite stores none."
                ),
            ],
        ),
        *sections(
            Part.CHARTS,
            metric_charts(
                documents, summary, None, CORE_METRICS, documents_table="core_documents", summary_table_name=CORE_SUMMARY
            ),
        ),
        *sections(
            Part.DETAILS,
            [
                Heading("Articles"),
                Paragraph(
                    "Body text unless prefixed headline_; every formula for headline and body is a column of "
                    "table `core_documents`, every sentence a row of table `core_sentences`."
                ),
                top_rows(articles, by="sentiment_mean", descending=False, n=ARTICLE_ROWS,
                         what="Most negative articles", table="core_documents"),
                top_rows(articles, by="flesch_reading_ease", descending=False, n=ARTICLE_ROWS,
                         what="Hardest to read", table="core_documents"),
                *skipped_blocks(tables["skipped"], tables.get("articles")),
            ],
        ),
    ]


@step(
    outputs=(*CORE_TABLES, "skipped"),
    resources=_core_resources,
    report=core_report,
    batch_over="articles",
    gather=Gather((CORE_SUMMARY,), core_outlet_tables),
)
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
    from harness.scoring import score_core  # the scorers: when the step runs, not when it registers

    if english_only:
        english, skipped = split_by_language(articles)
    else:
        english, skipped = articles, pl.DataFrame(schema=SKIPPED_SCHEMA)
    return {**score_core(english), "skipped": skipped}

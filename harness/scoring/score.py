"""score_documents: the framing scorecard for a table of articles.

Each article's headline and body are scored apart; every metric is reported for the
whole text (``all``), the narrator's words and the quoted words (see
``harness.scoring.units`` for how a voice's text is built). Per-token and
per-sentence work is done once per text in Python, in batches of documents spread
over the cores (``harness.scoring.batch``: tokeniser, VADER, readability counts,
lexicon matcher); every summary is a polars aggregation over the resulting tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from harness.errors import ConfigError
from harness.resources import Resource
from harness.scoring.batch_settings import DOC, FIELD, VIEW, BatchSettings
from harness.scoring.lexicon import (
    LOADED_ATTRIBUTION,
    NEUTRAL_ATTRIBUTION,
    STANCE_RATES,
    TermMatcher,
    clear_lexicon_caches,
    load_lexicons,
)
from harness.scoring.pool import SLICE_BATCH_DOCS, even_batch_size, map_in_order, shutdown_workers, worker_count
from harness.scoring.schemas import (
    FIELDS,
    REQUIRED_COLUMNS as REQUIRED_COLUMNS,
    check_articles as check_articles,
    METRIC_VALUE_SCHEMA,
    METRICS_SCHEMA,
    SCHEMAS,
    wide_column_name,
)
from harness.scoring.sentiment import NEUTRAL_BAND
from harness.scoring.views import VIEWS, View
from harness.text.language import SKIPPED_SCHEMA, split_by_language

# The scorers themselves (harness.scoring.batch: tokeniser, NLTK's Punkt, textstat,
# VADER, attribution) are imported where a batch is scored or a cache cleared, not
# here: `harness score` hands its slices to the workers (``score_slices``) before
# it imports any of them, and never scores in this process.

DEFAULT_CONTEXT_CHARS = 60
PER_THOUSAND = 1000.0

# Private ordering columns (harness.scoring.batch_settings): outputs keep input order.
_DOC = DOC
_FIELD = FIELD
_VIEW = VIEW


def scoring_resources(
    lexicons: Sequence[Path] = (), *, include_builtin: bool = True, loaded_lexicon: str = "harness"
) -> list[Resource]:
    """Every data file that can change the scores (for manifests)."""
    from harness.scoring.attribution import speaker_words_resource
    from harness.scoring.readability import readability_resources
    from harness.scoring.sentiment import vader_resources
    from harness.text import text_resources

    files = [
        lx.resource
        for lx in load_lexicons(lexicons, include_builtin=include_builtin, loaded_lexicon=loaded_lexicon)
    ]
    return [
        *readability_resources(),
        *vader_resources(),
        *files,
        speaker_words_resource(),
        *text_resources(),
    ]


def clear_caches() -> None:
    """Forget every remembered result (syllables, readability, VADER, lemmas).

    Only timing needs this: caches hold pure functions of their input, so results
    never depend on them. Worker processes hold their own caches, so they are stopped
    too (they restart on demand).
    """
    from harness.scoring.batch import clear_word_measures
    from harness.scoring.readability import clear_readability_caches
    from harness.scoring.readability_batch import clear_readability_batch_caches
    from harness.scoring.sentiment import sentence_sentiment
    from harness.scoring.textcounts import clear_count_caches
    from harness.scoring.units import clear_token_ids
    from harness.scoring.vader_batch import clear_vader_batch_caches
    from harness.text.sentences import clear_sentence_caches

    shutdown_workers()
    clear_readability_caches()
    clear_count_caches()
    clear_readability_batch_caches()
    sentence_sentiment.cache_clear()
    clear_vader_batch_caches()
    clear_sentence_caches()
    clear_lexicon_caches()
    clear_word_measures()
    clear_token_ids()  # and every fact kept by token id (word measures, lexicon starts)


def score_documents(
    articles: pl.DataFrame,
    *,
    lexicons: Sequence[Path] = (),
    include_builtin: bool = True,
    context_chars: int = DEFAULT_CONTEXT_CHARS,
    workers: int | None = None,
    loaded_lexicon: str = "harness",
    tables: Sequence[str] | None = None,
) -> dict[str, pl.DataFrame]:
    """Score every article: tables documents, metrics, sentences, hits, rates, quotes, speakers.

    ``lexicons`` are extra lexicon files, matched after the built-in one (whose
    entries they can override); ``include_builtin=False`` uses only them.
    ``loaded_lexicon`` is the loaded-language instrument: ``"harness"`` (the built-in
    lexicon) or ``"vader-strong"`` (``harness.scoring.arms``).
    ``context_chars`` is the width of the KWIC context on each side of a hit.
    ``workers`` is how many processes score the texts: unset, every core for a large
    corpus (``harness.scoring.batch``); 1, this process only. The tables are the same.
    ``tables`` names the tables wanted (default: all); the others are not built.
    """
    from harness.scoring.batch import collect

    wanted = _wanted(tables)
    frame, settings, categories = _prepare(articles, lexicons, include_builtin, context_chars, loaded_lexicon, wanted)
    parts = collect(frame, settings, workers=workers)
    return _tables(frame, parts, categories, wanted)


@dataclass(frozen=True)
class ScoredSlice:
    """One slice of ``score_slices``.

    ``tables``: ``score_documents`` of the slice's English articles (all of them without
    ``english_only``). ``skipped``: ``split_by_language``'s rows for the others (empty
    without ``english_only``). ``encoded``: ``encode(tables["documents"])``, or None.
    """

    tables: dict[str, pl.DataFrame]
    skipped: pl.DataFrame
    encoded: bytes | None


def score_slices(
    articles: pl.DataFrame,
    slice_size: int,
    *,
    lexicons: Sequence[Path] = (),
    include_builtin: bool = True,
    context_chars: int = DEFAULT_CONTEXT_CHARS,
    workers: int | None = None,
    loaded_lexicon: str = "harness",
    tables: Sequence[str] | None = None,
    english_only: bool = False,
    encode: Callable[[pl.DataFrame], bytes] | None = None,
) -> Iterator[ScoredSlice]:
    """Each consecutive slice of ``slice_size`` articles scored wholly by the workers, in order.

    Everything per article happens in the worker that scores it, so none of it waits
    for this process: with ``english_only`` the language check of
    ``split_by_language`` (articles in another language are skipped, with the same
    rows), the slice's tables, and ``encode`` of its ``documents`` table (e.g. the
    output file's bytes; a module-level function, it is pickled by name, and
    encoding must be row by row: the caller joins the slices' bytes). Every article
    is scored on its own, so the tables are those of ``split_by_language`` and then
    ``score_documents`` on each slice (``articles.slice(start, slice_size)``), and the
    slices join into those of the whole. The pool is decided on the whole corpus, not
    on one slice.
    A slice goes to the workers in pieces of at most ``SLICE_BATCH_DOCS`` articles;
    the last slices (one per worker) in quarters, so that the workers end together.
    """
    if slice_size < 1:
        raise ConfigError(
            f"slice_size must be at least 1, got {slice_size}",
            where="score_slices(slice_size=...)",
            hint="pass the number of articles per slice",
        )
    wanted = _wanted(tables)
    frame, settings, categories = _prepare(articles, lexicons, include_builtin, context_chars, loaded_lexicon, wanted)
    slices = [frame.slice(start, slice_size) for start in range(0, frame.height, slice_size)] or [frame]
    n_workers = worker_count(workers, frame.height)
    # The workers' last slices in quarters: they then finish within a quarter slice
    # of each other, instead of one idling while the other scores a whole slice.
    tail = len(slices) - n_workers if n_workers > 1 and len(slices) > n_workers else len(slices)
    pieces = [_pieces(part, quarters=k >= tail) for k, part in enumerate(slices)]
    tasks = [
        _SliceTask(piece, settings, categories, wanted, english_only, encode) for parts in pieces for piece in parts
    ]
    results = map_in_order(_score_slice, tasks, n_documents=frame.height, workers=workers)
    for parts in pieces:
        yield _joined_slice([next(results) for _ in parts])


def _pieces(part: pl.DataFrame, *, quarters: bool = False) -> list[pl.DataFrame]:
    """A slice cut into even pieces of at most SLICE_BATCH_DOCS articles (one task each),
    or of at most a quarter of it (``quarters``)."""
    most = min(SLICE_BATCH_DOCS, -(-part.height // 4)) if quarters else SLICE_BATCH_DOCS
    if part.height <= most:
        return [part]
    size = even_batch_size(part.height, 1, most=most)
    return [part.slice(start, size) for start in range(0, part.height, size)] or [part]


@dataclass(frozen=True)
class _SliceTask:
    """What a worker needs to score one piece of a slice (``_score_slice``)."""

    frame: pl.DataFrame
    settings: BatchSettings
    categories: tuple[str, ...]
    wanted: frozenset[str]
    english_only: bool
    encode: Callable[[pl.DataFrame], bytes] | None


def _score_slice(task: _SliceTask) -> ScoredSlice:
    """One piece of a slice, in this process (a worker's task)."""
    from harness.scoring.batch import collect

    frame = task.frame
    skipped = pl.DataFrame(schema=SKIPPED_SCHEMA)
    if task.english_only:
        frame, skipped = split_by_language(frame)
    tables = _tables(frame, collect(frame, task.settings, workers=1), task.categories, task.wanted)
    encoded = None if task.encode is None else task.encode(tables["documents"])
    return ScoredSlice(tables, skipped, encoded)


def _joined_slice(parts: Sequence[ScoredSlice]) -> ScoredSlice:
    """The pieces of one slice as one (documents are scored alone: their rows just join)."""
    if len(parts) == 1:
        return parts[0]
    tables = {name: pl.concat([part.tables[name] for part in parts]) for name in parts[0].tables}
    skipped = pl.concat([part.skipped for part in parts])
    encoded = None if parts[0].encoded is None else b"".join(part.encoded or b"" for part in parts)
    return ScoredSlice(tables, skipped, encoded)


def _prepare(
    articles: pl.DataFrame,
    lexicons: Sequence[Path],
    include_builtin: bool,
    context_chars: int,
    loaded_lexicon: str,
    wanted: frozenset[str],
) -> tuple[pl.DataFrame, BatchSettings, tuple[str, ...]]:
    """The checked articles, what every batch needs, and the lexicons' categories."""
    frame = check_articles(articles)
    loaded = load_lexicons(lexicons, include_builtin=include_builtin, loaded_lexicon=loaded_lexicon)
    settings = BatchSettings(lexicons=tuple(loaded), context_chars=context_chars, tables=wanted)
    return frame, settings, TermMatcher(loaded).categories


def _wanted(tables: Sequence[str] | None) -> frozenset[str]:
    if tables is None:
        return frozenset(SCHEMAS)
    unknown = sorted(set(tables) - set(SCHEMAS))
    if unknown:
        raise ConfigError(
            f"unknown table(s) {', '.join(unknown)}",
            where="score_documents(tables=...)",
            hint="choose among " + ", ".join(SCHEMAS),
        )
    return frozenset(tables)


def _tables(
    frame: pl.DataFrame, parts: dict[str, pl.DataFrame], categories: Sequence[str], wanted: frozenset[str]
) -> dict[str, pl.DataFrame]:
    """The public tables in ``wanted`` from the batches' frames (see ``score_documents``).

    The batches' sentence rows are already in (document, field, view, index) order, so
    the counts and statistics read the same rows in the same order whether or not the
    sentence table itself (with its negativity ranks) is built.
    """
    sentences = _rank_negativity(parts["sentences"]) if "sentences" in wanted else parts["sentences"]
    hits_frame = parts["hits"]
    quotes = parts["quotes"]
    grid = _grid(frame)
    word_counts = _word_counts(sentences)
    built: dict[str, pl.DataFrame] = {}
    if wanted & {"documents", "metrics"}:
        metrics = _metrics(grid, word_counts, parts["readability"], sentences, parts["word_stats"], hits_frame)
        built["documents"] = _documents(frame, metrics)
        built["metrics"] = metrics
    built["sentences"] = sentences
    built["hits"] = hits_frame
    if "rates" in wanted:
        built["rates"] = _rates(grid, word_counts, hits_frame, categories)
    built["quotes"] = quotes
    if "speakers" in wanted:
        built["speakers"] = _speakers(quotes)
    return {name: _public(table, name) for name, table in built.items() if name in wanted}


def _public(table: pl.DataFrame, name: str) -> pl.DataFrame:
    """Sorted by input order (private columns), then cut to the declared schema."""
    order = [c for c in (_DOC, _FIELD, _VIEW, "index", "start", "category") if c in table.columns]
    if order:
        table = table.sort(order, maintain_order=True)
    schema = SCHEMAS[name]
    return table.select([pl.col(c).cast(t) for c, t in schema.items()])


def _grid(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per document x field x voice, in input order."""
    docs = (
        frame.select("doc_id", "outlet")
        .with_row_index(_DOC)
        .with_columns(pl.col(_DOC).cast(pl.Int64))
    )
    parts = pl.DataFrame(
        {
            _FIELD: [f for f in range(len(FIELDS)) for _ in VIEWS],
            "field": [name for name in FIELDS for _ in VIEWS],
            _VIEW: [v for _ in FIELDS for v in range(len(VIEWS))],
            "voice": [view.value for _ in FIELDS for view in VIEWS],
        },
        schema={_FIELD: pl.Int64(), "field": pl.String(), _VIEW: pl.Int64(), "voice": pl.String()},
    )
    return docs.join(parts, how="cross").sort(_DOC, _FIELD, _VIEW)


def _word_counts(sentences: pl.DataFrame) -> pl.DataFrame:
    """Words and sentences per document x field x voice (from the sentence table)."""
    return sentences.group_by(_DOC, _FIELD, "voice").agg(
        pl.col("words").sum().alias("words"),
        pl.len().cast(pl.Int64).alias("sentences"),
        pl.col("words").mean().alias("sentence_words_mean"),
        pl.col("words").cast(pl.Float64).median().alias("sentence_words_median"),
        pl.col("words")
        .cast(pl.Float64)
        .quantile(0.9, interpolation="linear")
        .alias("sentence_words_p90"),
        pl.col("words").max().cast(pl.Int64).alias("sentence_words_max"),
    )


def _sentiment_stats(sentences: pl.DataFrame) -> pl.DataFrame:
    compound = pl.col("compound")
    return sentences.group_by(_DOC, _FIELD, "voice").agg(
        pl.len().cast(pl.Int64).alias("sentiment_n"),
        compound.mean().alias("sentiment_mean"),
        compound.median().alias("sentiment_median"),
        compound.quantile(0.25, interpolation="linear").alias("sentiment_q1"),
        compound.quantile(0.75, interpolation="linear").alias("sentiment_q3"),
        compound.min().alias("sentiment_min"),
        (compound <= -NEUTRAL_BAND).mean().alias("share_negative"),
        compound.is_between(-NEUTRAL_BAND, NEUTRAL_BAND, closed="none")
        .mean()
        .alias("share_neutral"),
        (compound >= NEUTRAL_BAND).mean().alias("share_positive"),
    )


def _hit_stats(hits: pl.DataFrame) -> pl.DataFrame:
    def stats(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.group_by(_DOC, _FIELD, "voice").agg(
            pl.len().cast(pl.Int64).alias("lexicon_hits"),
            pl.col("loaded").sum().cast(pl.Int64).alias("loaded_hits"),
            pl.col("weight").filter(pl.col("loaded")).sum().alias("_weight"),
            *[
                (pl.col("category") == category).sum().cast(pl.Int64).alias(f"_{category}")
                for category in STANCE_RATES
            ],
            (pl.col("category") == NEUTRAL_ATTRIBUTION)
            .sum()
            .cast(pl.Int64)
            .alias("attribution_neutral"),
            (pl.col("category") == LOADED_ATTRIBUTION)
            .sum()
            .cast(pl.Int64)
            .alias("attribution_loaded"),
        )

    every = hits.with_columns(pl.lit(View.ALL.value).alias("voice"))
    return pl.concat([stats(every), stats(hits)])


def _metrics(
    grid: pl.DataFrame,
    word_counts: pl.DataFrame,
    readability_frame: pl.DataFrame,
    sentences: pl.DataFrame,
    word_stats: pl.DataFrame,
    hits: pl.DataFrame,
) -> pl.DataFrame:
    keys = [_DOC, _FIELD, "voice"]
    table = grid
    for part in (
        word_counts,
        readability_frame,
        word_stats,
        _sentiment_stats(sentences),
        _hit_stats(hits),
    ):
        table = table.join(part, on=keys, how="left", maintain_order="left")
    zero_when_missing = [
        "words",
        "sentences",
        "sentiment_n",
        "lexicon_hits",
        "loaded_hits",
        "attribution_neutral",
        "attribution_loaded",
    ]
    stance_counts = [f"_{category}" for category in STANCE_RATES]
    table = table.with_columns(
        pl.col(zero_when_missing + stance_counts).fill_null(0), pl.col("_weight").fill_null(0.0)
    )
    has_words = pl.col("words") > 0
    attributions = pl.col("attribution_neutral") + pl.col("attribution_loaded")
    table = table.with_columns(
        pl.when(has_words)
        .then(pl.col("loaded_hits") * PER_THOUSAND / pl.col("words"))
        .alias("loaded_per_1k"),
        pl.when(has_words)
        .then(pl.col("_weight") * PER_THOUSAND / pl.col("words"))
        .alias("loaded_weighted_per_1k"),
        pl.when(attributions > 0)
        .then(pl.col("attribution_loaded") / attributions)
        .alias("loaded_attribution_share"),
        *[
            pl.when(has_words).then(pl.col(f"_{category}") * PER_THOUSAND / pl.col("words")).alias(rate)
            for category, rate in STANCE_RATES.items()
        ],
    )
    return table.select(
        _DOC, _FIELD, _VIEW, *[pl.col(c).cast(t) for c, t in METRICS_SCHEMA.items()]
    )


def _rates(
    grid: pl.DataFrame, word_counts: pl.DataFrame, hits: pl.DataFrame, categories: Sequence[str]
) -> pl.DataFrame:
    """Hits per 1,000 words by category, for every document x field x voice x category."""
    keys = [_DOC, _FIELD, "voice"]
    category_frame = pl.DataFrame({"category": list(categories)}, schema={"category": pl.String()})
    every = hits.with_columns(pl.lit(View.ALL.value).alias("voice"))
    counts = (
        pl.concat([every, hits])
        .group_by(*keys, "category")
        .agg(pl.len().cast(pl.Int64).alias("hits"), pl.col("weight").sum().alias("weight_sum"))
    )
    table = (
        grid.join(category_frame, how="cross")
        .join(word_counts.select(*keys, "words"), on=keys, how="left", maintain_order="left")
        .join(counts, on=[*keys, "category"], how="left", maintain_order="left")
        .with_columns(
            pl.col("words", "hits").fill_null(0),
            pl.col("weight_sum").fill_null(0.0),
        )
        .with_columns(
            pl.when(pl.col("words") > 0)
            .then(pl.col("hits") * PER_THOUSAND / pl.col("words"))
            .alias("per_1k")
        )
    )
    return table.sort(_DOC, _FIELD, _VIEW, "category")


def _documents(frame: pl.DataFrame, metrics: pl.DataFrame) -> pl.DataFrame:
    """One row per document: body metrics bare or voice-suffixed, headline ones prefixed.

    ``metrics`` has a row for every document x field x view, in that order (``_grid``,
    then left joins that keep it), so each field and view is every sixth row from its
    own offset: one select reshapes it (six filters and joins cost four times more).
    """
    table = (
        frame.select("doc_id", "outlet", "headline")
        .with_row_index(_DOC)
        .with_columns(pl.col(_DOC).cast(pl.Int64))
    )
    per_doc = len(FIELDS) * len(VIEWS)
    offsets = {
        (fld, view): FIELDS.index(fld) * len(VIEWS) + view_index
        for fld in ("body", "headline")
        for view_index, view in enumerate(VIEWS)
    }
    _check_grid_layout(metrics, table.height, offsets)
    wide = metrics.select(
        pl.col(c).gather_every(per_doc, offset).alias(wide_column_name(c, fld, view.value))
        for (fld, view), offset in offsets.items()
        for c in METRIC_VALUE_SCHEMA
    )
    return pl.concat([table, wide], how="horizontal")


def _check_grid_layout(metrics: pl.DataFrame, n_documents: int, offsets: Mapping[tuple[str, View], int]) -> None:
    """``_documents``' reading of the rows, checked (a few comparisons of small columns)."""
    per_doc = len(offsets)
    expected = pl.DataFrame(
        {
            _DOC: [d for d in range(n_documents) for _ in range(per_doc)],
            "field": [fld for _ in range(n_documents) for fld, _view in sorted(offsets, key=offsets.__getitem__)],
            "voice": [view.value for _ in range(n_documents) for _fld, view in sorted(offsets, key=offsets.__getitem__)],
        },
        schema={_DOC: pl.Int64(), "field": pl.String(), "voice": pl.String()},
    )
    if not metrics.select(_DOC, "field", "voice").equals(expected):
        raise RuntimeError("the metrics rows are not one per document x field x view in order")


def _rank_negativity(sentences: pl.DataFrame) -> pl.DataFrame:
    """negativity_rank: 1 for the most negative sentence of its doc x field x voice."""
    return (
        sentences.sort(_DOC, _FIELD, _VIEW, "compound", "index")
        .with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
            .over(_DOC, _FIELD, _VIEW)
            .alias("negativity_rank")
        )
        .sort(_DOC, _FIELD, _VIEW, "index")
    )


def _speakers(quotes: pl.DataFrame) -> pl.DataFrame:
    """Who is quoted how often, per document (null speaker: unattributed)."""
    return (
        quotes.group_by(_DOC, "doc_id", "outlet", "speaker_key")
        .agg(
            pl.col("speaker").first(),
            pl.len().cast(pl.Int64).alias("quotes"),
            pl.col("words").sum().cast(pl.Int64).alias("quoted_words"),
            (pl.col("verb_category") == NEUTRAL_ATTRIBUTION)
            .sum()
            .cast(pl.Int64)
            .alias("neutral_verbs"),
            (pl.col("verb_category") == LOADED_ATTRIBUTION)
            .sum()
            .cast(pl.Int64)
            .alias("loaded_verbs"),
        )
        .sort(
            [_DOC, "quotes", "speaker_key"],
            descending=[False, True, False],
            nulls_last=True,
            maintain_order=True,
        )
    )


def most_negative(sentences: pl.DataFrame, *, n: int = 3) -> pl.DataFrame:
    """The ``n`` most negative sentences of each document x field x voice, in table order."""
    group = ("doc_id", "field", "voice")
    return (
        sentences.with_row_index("_row")
        .with_columns(pl.col("_row").min().over(group).alias("_group"))
        .filter(pl.col("negativity_rank") <= n)
        .sort("_group", "negativity_rank")
        .drop("_row", "_group")
    )

"""score_core: the reference suite at corpus scale, identical to textstat and vaderSentiment.

What a researcher's plain loop computes — textstat's eight readability formulas on
each text and VADER on each of its sentences — for the headline and the body of
every article, without voices, lexicons or attribution (``score_documents`` adds
those). It is built for millions of articles:

* every stage works on a batch of texts at once: sentences (``harness.text``,
  Punkt's decisions), readability counts (``readability_batch``: polars over the
  distinct whitespace chunks, one dictionary lookup per distinct word) and VADER
  (``vader_batch``: the lexicon joined once per distinct word, its rules applied to
  whole columns); each routes the rare input it cannot vectorise exactly to the
  reference implementation, so every value equals textstat's and vaderSentiment's;
* batches run on every core (this process and ``harness.scoring.pool`` worker
  processes, one fewer than the cores) and are gathered in input order, so the
  tables do not depend on the number of workers;
* summaries are polars aggregations over each batch's sentences (a text's summary
  reads its own sentences only), so a batch sends back one row per text;
* ``score_core_english`` is ``split_by_language`` then ``score_core`` in one pass:
  this process identifies the bodies' languages while the workers score, and the
  articles in another language are dropped from the tables afterwards.

``python -m benchmarks.bench_score`` times it against the plain loop and checks every
value on the whole corpus.
"""

from __future__ import annotations

import functools
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from harness.engines.worker_start import CORE_WORKERS_FROM_BYTES
from harness.scoring.pool import (
    MIN_CORE_DOCS_TO_START_WORKERS,
    map_with_this_process,
    prestart_workers,
    worker_count,
)
from harness.scoring.schemas import (
    CORE_DOCUMENTS_SCHEMA,
    CORE_SENTENCES_SCHEMA,
    CORE_TABLES,
    FIELDS,
    check_articles,
    wide_column_name,
)
from harness.scoring.sentiment import NEUTRAL_BAND

TYPE_CHECKING = False  # as in harness/__init__.py: mypy reads this constant as typing's
if TYPE_CHECKING:
    from harness.text.language import LanguageGuess

# The scorers (textstat's counts, VADER, NLTK's Punkt, the language identifier, NumPy)
# are imported in the functions that use them, not here: `harness score --suite core`
# hands its first batches to the worker, which started while it read the corpus,
# before it imports any of them.

__all__ = ["CORE_BATCH_DOCS", "score_core", "score_core_english", "start_core_workers"]

# Articles per batch: large enough that polars' per-call overhead is small next to
# the work, small enough that two workers get several batches each to balance.
CORE_BATCH_DOCS = 1024
# The smallest batch the last ones shrink to when several processes share the work.
CORE_LAST_BATCH_DOCS = 256

# Private column: the text's position in the batch (document * 2 + field).
_TEXT = "_text"
_SENTIMENT = ("compound", "neg", "neu", "pos")


@dataclass(frozen=True, slots=True)
class _CoreBatch:
    """The texts of a batch of articles: headline, body, headline, body, ..."""

    texts: tuple[str, ...]
    sentences: bool = True  # False: the sentence rows are not sent back (only their summary)


@dataclass(frozen=True, slots=True)
class _CoreParts:
    """What a batch gives back: per text, readability and the summary of its sentences'
    scores; the sentences with VADER scores (unless not asked for)."""

    per_text: pl.DataFrame
    sentences: pl.DataFrame | None


def _sentence_frame(texts: Sequence[str]) -> pl.DataFrame:
    """Every sentence of every text, with its offsets (Punkt's spans)."""
    from harness.text.sentences import sentence_spans

    text_index: list[int] = []
    index: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    strings: list[str] = []
    for position, text in enumerate(texts):
        spans = sentence_spans(text)
        if not spans:
            continue
        text_index.extend([position] * len(spans))
        index.extend(range(len(spans)))
        texts_of, starts_of, ends_of = zip(*spans, strict=True)
        strings.extend(texts_of)
        starts.extend(starts_of)
        ends.extend(ends_of)
    return pl.DataFrame(
        {_TEXT: text_index, "index": index, "start": starts, "end": ends, "text": strings},
        schema={
            _TEXT: pl.Int64(),
            "index": pl.Int64(),
            "start": pl.Int64(),
            "end": pl.Int64(),
            "text": pl.String(),
        },
    )


def _score_core_batch(batch: _CoreBatch) -> _CoreParts:
    """The readability and sentences of one batch; runs in a worker or here."""
    from harness.scoring.readability_batch import readability_batch
    from harness.scoring.vader_batch import vader_batch

    readability = readability_batch(batch.texts).with_row_index(_TEXT).with_columns(
        pl.col(_TEXT).cast(pl.Int64)
    )
    sentences = _sentence_frame(batch.texts)
    scores = vader_batch(sentences["text"].to_list())
    sentences = pl.concat([sentences, scores.select(_SENTIMENT)], how="horizontal")
    # a text's summary reads its own sentences only: summed up here, in the batch
    per_text = readability.join(_sentiment_summary(sentences), on=_TEXT, how="left", maintain_order="left")
    return _CoreParts(per_text, sentences if batch.sentences else None)


def _batch_sizes(n_documents: int, n_workers: int) -> list[int]:
    """Articles per batch: ``CORE_BATCH_DOCS``; on several processes, smaller towards
    the end (a share of what is left, at least ``CORE_LAST_BATCH_DOCS``), so that the
    processes finish close together."""
    sizes: list[int] = []
    left = n_documents
    while left > 0:
        share = -(-left // (2 * n_workers)) if n_workers > 1 else left
        sizes.append(min(left, CORE_BATCH_DOCS, max(CORE_LAST_BATCH_DOCS, share)))
        left -= sizes[-1]
    return sizes


def _batches(frame: pl.DataFrame, sizes: Sequence[int], sentences: bool = True) -> list[_CoreBatch]:
    """Batches of ``sizes`` articles; texts interleaved so that text = doc * 2 + field."""
    batches = []
    start = 0
    for size in sizes:
        part = frame.slice(start, size)
        start += size
        texts = [
            text
            for headline, body in zip(part["headline"], part["body"], strict=True)
            for text in (headline, body)
        ]
        batches.append(_CoreBatch(tuple(texts), sentences))
    return batches


def _warm_core_worker() -> None:
    """Load a core worker's tables (CMUdict, Pyphen, VADER's lexicon, Punkt's settings)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _score_core_batch(_CoreBatch(("Warm up.", "Warm up the counts and the tables.")))


def _core_workers(workers: int | None, n_documents: int) -> int:
    return worker_count(
        workers, n_documents, where="score_core(workers=...)", min_documents=MIN_CORE_DOCS_TO_START_WORKERS
    )


def start_core_workers(input_bytes: int) -> None:
    """Start the worker processes of ``score_core`` for an input of ``input_bytes``, now,
    if it is large enough that they will be used: they start while this process reads
    the input, not after. (Too small a guess only makes them start later.)"""
    if input_bytes < CORE_WORKERS_FROM_BYTES:
        return
    n_workers = _core_workers(None, MIN_CORE_DOCS_TO_START_WORKERS)
    if n_workers > 1:
        prestart_workers(n_workers - 1, _warm_core_worker)


def _gather(
    frame: pl.DataFrame,
    workers: int | None,
    on_progress: Callable[[int], None] | None = None,
    *,
    languages: bool = False,
    sentences: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame | None, list[LanguageGuess]]:
    """The per-text frame (readability, sentence summary) and the sentence frame (None
    without ``sentences``) of all articles, keyed by the global text index, and the
    language guess of every body (with ``languages``)."""
    n_workers = _core_workers(workers, frame.height)
    batches = _batches(frame, _batch_sizes(frame.height, n_workers), sentences)
    # Languages are identified here, in this process alone (one model load), in wide
    # batches (the automaton walk costs per step), while the workers start and score.
    guesses: list[LanguageGuess] = []
    bodies = frame["body"].to_list() if languages else []
    identify = [
        functools.partial(_identify, bodies[start : start + _LANGUAGE_TEXTS], guesses)
        for start in range(0, len(bodies), _LANGUAGE_TEXTS)
    ]
    done = 0

    def count(index: int) -> None:
        nonlocal done
        done += len(batches[index].texts) // len(FIELDS)
        if on_progress is not None:
            on_progress(done)

    if n_workers == 1:
        for piece in identify:
            piece()
        parts = []
        for index, batch in enumerate(batches):
            parts.append(_score_core_batch(batch))
            count(index)
    else:
        # This process scores batches too, beside n_workers - 1 pool workers.
        parts = map_with_this_process(
            _score_core_batch,
            batches,
            n_workers=n_workers,
            warm=_warm_core_worker,
            on_result=count,
            where="score_core(workers=...)",
            first=identify,
        )
    if not parts:  # no articles: the frames of an empty batch, for their columns
        batches = [_CoreBatch((), sentences)]
        parts = [_score_core_batch(batches[0])]
    per_text, rows = [], []
    offset = 0  # the batch's first text in the whole corpus
    for batch, part in zip(batches, parts, strict=True):
        per_text.append(part.per_text.with_columns(pl.col(_TEXT) + offset))
        if part.sentences is not None:
            rows.append(part.sentences.with_columns(pl.col(_TEXT) + offset))
        offset += len(batch.texts)
    return pl.concat(per_text), pl.concat(rows) if sentences else None, guesses


# Bodies identified at once: wide enough that the walk's per-step cost is small.
_LANGUAGE_TEXTS = 2048


def _identify(bodies: list[str], guesses: list[LanguageGuess]) -> None:
    """The language of each of ``bodies``, appended to ``guesses`` (in order)."""
    from harness.text.language import detect_languages

    guesses.extend(detect_languages(bodies))


def _text_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """doc_id, outlet and field of every text index."""
    fields = pl.DataFrame({"field": list(FIELDS)}, schema={"field": pl.String()})
    return (
        frame.select("doc_id", "outlet")
        .join(fields, how="cross", maintain_order="left")
        .with_row_index(_TEXT)
        .with_columns(pl.col(_TEXT).cast(pl.Int64))
    )


def _polarity() -> pl.Expr:
    compound = pl.col("compound")
    return (
        pl.when(compound >= NEUTRAL_BAND)
        .then(pl.lit("positive"))
        .when(compound <= -NEUTRAL_BAND)
        .then(pl.lit("negative"))
        .otherwise(pl.lit("neutral"))
    )


def _sentiment_summary(sentences: pl.DataFrame) -> pl.DataFrame:
    """Per text: sentence count and the distribution of compound scores."""
    compound = pl.col("compound")
    return sentences.group_by(_TEXT).agg(
        pl.len().cast(pl.Int64).alias("sentences"),
        compound.mean().alias("sentiment_mean"),
        compound.median().alias("sentiment_median"),
        compound.quantile(0.25, interpolation="linear").alias("sentiment_q1"),
        compound.quantile(0.75, interpolation="linear").alias("sentiment_q3"),
        compound.min().alias("sentiment_min"),
        compound.max().alias("sentiment_max"),
        (compound <= -NEUTRAL_BAND).mean().alias("share_negative"),
        compound.is_between(-NEUTRAL_BAND, NEUTRAL_BAND, closed="none").mean().alias("share_neutral"),
        (compound >= NEUTRAL_BAND).mean().alias("share_positive"),
    )


def _documents(keys: pl.DataFrame, per_text: pl.DataFrame) -> pl.DataFrame:
    """One row per article: body columns bare, headline columns prefixed ``headline_``."""
    per_text = keys.join(per_text, on=_TEXT, how="left", maintain_order="left").with_columns(
        pl.col("sentences").fill_null(0)
    )
    values = [c for c in per_text.columns if c not in (_TEXT, "doc_id", "outlet", "field")]
    table = per_text.filter(pl.col("field") == "body").select("doc_id", "outlet", *values)
    headline = per_text.filter(pl.col("field") == "headline").select(
        "doc_id", *[pl.col(c).alias(wide_column_name(c, "headline", "all")) for c in values]
    )
    table = table.join(headline, on="doc_id", how="left", maintain_order="left")
    return table.select([pl.col(c).cast(t) for c, t in CORE_DOCUMENTS_SCHEMA.items()])


def score_core(
    articles: pl.DataFrame,
    *,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    sentences: bool = True,
) -> dict[str, pl.DataFrame]:
    """Tables ``core_documents`` (one row per article) and ``core_sentences`` (VADER per sentence).

    ``articles`` has columns doc_id, outlet, headline, body. ``workers``: unset, every
    core for a large corpus; 1, this process only; n, this process and n - 1 workers.
    The tables are the same either way. ``on_progress`` hears the number of articles
    scored so far, after each batch. ``sentences=False``: ``core_documents`` only.
    """
    frame = check_articles(articles)
    per_text, rows, _ = _gather(frame, workers, on_progress, sentences=sentences)
    return _tables(frame, per_text, rows)


def score_core_english(
    articles: pl.DataFrame,
    *,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    sentences: bool = True,
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """``score_core`` of the English articles, and the skipped rows (``split_by_language``).

    The same tables as ``split_by_language`` then ``score_core``, but the language of
    each body is identified in the scoring batches, on every core: every article is
    scored (a text's values never depend on the other texts) and those in another
    language are dropped from the tables afterwards, renumbered as if never there.
    ``sentences=False``: ``core_documents`` only (the sentence rows stay in the batches).
    """
    frame = check_articles(articles)
    per_text, rows, guesses = _gather(frame, workers, on_progress, languages=True, sentences=sentences)
    from harness.text.language import split_by_guesses

    keep, skipped = split_by_guesses(frame, guesses)
    if skipped.height:
        per_text = _renumbered(keep, per_text)
        rows = None if rows is None else _renumbered(keep, rows)
        frame = frame.filter(keep)
    return _tables(frame, per_text, rows), skipped


def _renumbered(keep: pl.Series, rows: pl.DataFrame) -> pl.DataFrame:
    """The rows of the kept articles' texts, their text index counted among those kept."""
    import numpy as np  # here: this module is imported by commands that need no numpy

    kept = keep.to_numpy()
    new_document = np.cumsum(kept) - 1
    n_fields = len(FIELDS)
    text = rows[_TEXT].to_numpy()
    document = text // n_fields
    mine = kept[document]
    renumbered = new_document[document[mine]] * n_fields + text[mine] % n_fields
    return rows.filter(pl.Series(mine)).with_columns(pl.Series(_TEXT, renumbered, dtype=pl.Int64))


def _tables(frame: pl.DataFrame, per_text: pl.DataFrame, sentences: pl.DataFrame | None) -> dict[str, pl.DataFrame]:
    """``core_documents``, and ``core_sentences`` unless ``sentences`` is None."""
    keys = _text_keys(frame)
    tables = {"core_documents": _documents(keys, per_text)}
    if sentences is None:
        return tables
    tables["core_sentences"] = (
        keys.join(sentences, on=_TEXT, how="inner", maintain_order="right")
        .with_columns(_polarity().alias("polarity"))
        .select([pl.col(c).cast(t) for c, t in CORE_SENTENCES_SCHEMA.items()])
    )
    assert tuple(tables) == CORE_TABLES
    return tables

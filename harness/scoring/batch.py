"""Per-text scoring work, done in batches of documents, on every core.

Everything that has to look at a text in Python (tokeniser, voices, lexicon matcher,
attribution) happens here, one batch of documents at a time; the texts every voice
gives to the readability formulas and to VADER are gathered over the batch and
scored at once (``readability_batch``, ``vader_batch``: textstat's and VADER's exact
values). The result of a batch is five polars frames (sentences, hits, quotes,
readability, words), keyed by the document's position in the input (``_doc``) and
the field (``_field``). ``score.score_documents`` concatenates the batches *in
input order* and does every summary as a polars aggregation.

Batches of a large corpus run in worker processes (``spawn``: a clean interpreter,
never a fork of a process whose polars threads may hold locks). Each worker keeps its
data tables (CMUdict, VADER's lexicon, lemma tables) and its lemma cache for the life
of the pool, which is reused across calls. A batch's
frames depend only on its documents, and results are gathered in submission order,
so the tables are identical whatever the number of workers (tested).
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import gc
import hashlib
import itertools
import os
import pickle
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import polars as pl

from harness.engines.base import in_parallel_task
from harness.engines.processes import kill_pool, main_is_importable
from harness.engines.worker_start import WORKERS_FROM_BYTES, available_cores, new_pool, take_early
from harness.errors import ConfigError, UsageError
from harness.scoring.attribution import QuoteAttribution, attribute_quotes, display_names
from harness.scoring.lexicon import Lexicon, TermHit, TermMatcher
from harness.scoring.readability import READABILITY_METRICS, letters
from harness.scoring.schemas import FIELDS, HITS_SCHEMA, QUOTES_SCHEMA, SENTENCES_SCHEMA, TABLES
from harness.scoring.readability_batch import readability_batch, syllable_counts
from harness.scoring.sentiment import NEUTRAL_BAND, sentence_sentiment
from harness.scoring.textcounts import readability_from_counts, syllable_count
from harness.scoring.vader_batch import vader_batch
from harness.scoring.units import (
    SENTENCE_FINAL,
    TOKEN_VOCABULARY,
    VIEWS,
    AnalysedTexts,
    SentenceUnit,
    TextUnits,
    View,
    analyse_text,
    analyse_texts,
)
from harness.text.tokens import KIND_CODES, PUNCT_CODE, TokenKind
from harness.text.vocabulary import TextFact
from harness.text.voice import Voice

__all__ = [
    "BATCH_FRAMES",
    "LONG_WORD_LETTERS",
    "POLYSYLLABLE",
    "DOC",
    "FIELD",
    "VIEW",
    "MIN_CORE_DOCS_TO_START_WORKERS",
    "BatchSettings",
    "collect",
    "default_workers",
    "map_in_order",
    "map_in_workers",
    "map_with_this_process",
    "prestart_workers",
    "prestart_workers_for",
    "start_workers_for_input",
    "shutdown_workers",
    "stop_workers_now",
    "start_workers",
    "worker_count",
    "word_length_stats",
    "clear_word_measures",
    "worker_peak_memory",
]

# Private ordering columns: outputs are sorted by input order, never by hashing.
DOC = "_doc"
FIELD = "_field"
VIEW = "_view"

_Result = TypeVar("_Result")

# VADER's four scores and the label derived from one of them.
_SENTIMENT_COLUMNS: tuple[str, ...] = ("compound", "neg", "neu", "pos", "polarity")

BATCH_FRAMES: tuple[str, ...] = ("sentences", "hits", "quotes", "readability", "word_stats")

# Word length statistics (``word_length_stats``).
LONG_WORD_LETTERS = 7
POLYSYLLABLE = 3

# When workers pay off (workers=None). Starting them costs a few seconds per process
# (a fresh interpreter loads CMUdict, VADER and lemma tables): about what one core
# needs to score a thousand news articles. A running pool is reused for any corpus
# of a few batches.
MIN_DOCS_TO_START_WORKERS = 1000
# The core suite does about a tenth of that work per article (0.4 ms): starting the
# pool costs more than it saves below about ten thousand articles (BBC News, 2,225
# articles: 0.9 s in this process, 2.2-3.6 s with two fresh workers).
MIN_CORE_DOCS_TO_START_WORKERS = 10_000
MIN_DOCS_FOR_RUNNING_WORKERS = 96
# Documents per batch: small enough to balance two workers, large enough that the
# fixed cost of a batch (building its frames, the batch readability and VADER set-up,
# sending frames between processes) is a small share of the work: about 37 ms a
# batch, a third of the time at 48 BBC articles a batch, a tenth at 192.
BATCH_DOCS = 192
# Documents per task when slices are scored with the workers running ahead
# (``harness.scoring.score.score_slices``): every task is queued at once, so only the
# last ones can leave a worker waiting, and larger tasks pay the fixed cost less often.
SLICE_BATCH_DOCS = 512
# Documents analysed together (``units.analyse_texts``: one set of array operations for
# all their texts), up to ANALYSIS_DOCS of them and about ANALYSIS_CHARS characters
# (``_analysis_chunks``): a run's tokens are alive together, about 250 bytes of Python
# objects per token, so a run of 1M characters holds some 50 MB whatever the lengths
# of its documents. Runs of 32 documents took a fifth more CPU per article than runs of
# a whole 512-article slice (in-process rounds alternating the two, the same
# instructions under callgrind: the memory system's, not the code's), and a tenth
# more in separate processes; freeing the tokens was most of the difference.
ANALYSIS_DOCS = 512
ANALYSIS_CHARS = 1 << 20

_PRIVATE: dict[str, pl.DataType] = {DOC: pl.Int64(), FIELD: pl.Int64()}
_READABILITY_SCHEMA: dict[str, pl.DataType] = {
    **_PRIVATE,
    "voice": pl.String(),
    **{m: pl.Float64() for m in READABILITY_METRICS},
}


@dataclass(frozen=True, slots=True)
class BatchSettings:
    """What every batch needs besides its documents (picklable: sent to workers)."""

    lexicons: tuple[Lexicon, ...]
    context_chars: int
    # The public tables the caller wants (``score_documents(tables=...)``): a batch
    # leaves out the work and the columns that only the others need.
    tables: frozenset[str] = frozenset(TABLES)

    def __reduce__(self) -> tuple[Callable[[bytes, bytes], BatchSettings], tuple[bytes, bytes]]:
        """Pickled as its fields' bytes and their digest, both made once (see ``_settings_of``)."""
        return _settings_of, _pickled_settings(self)


# Every task sent to a worker carries its settings, whose lexicons pickle to about
# 160 KB: pickling them for each task, unpickling them in the worker and comparing them
# with the last task's (to keep the term matcher) cost about 6 ms a task. The settings
# last pickled are kept here with their bytes, so a run pickles them once; a worker
# keeps the settings it has read by digest, so it reads them once, and every task then
# holds the same object (the matcher's check is an identity check).
_last_pickled: tuple[BatchSettings, tuple[bytes, bytes]] | None = None
_read_settings: dict[bytes, BatchSettings] = {}
_READ_SETTINGS_KEPT = 8  # distinct settings a worker keeps (a run has one)


def _pickled_settings(settings: BatchSettings) -> tuple[bytes, bytes]:
    """(digest, bytes) of the settings' fields, made once for the same settings object."""
    global _last_pickled
    if _last_pickled is None or _last_pickled[0] is not settings:
        data = pickle.dumps((settings.lexicons, settings.context_chars, settings.tables), pickle.HIGHEST_PROTOCOL)
        _last_pickled = (settings, (hashlib.sha256(data).digest(), data))
    return _last_pickled[1]


def _settings_of(digest: bytes, data: bytes) -> BatchSettings:
    """The settings pickled as ``data``: read once per digest, then the same object."""
    settings = _read_settings.get(digest)
    if settings is None:
        lexicons, context_chars, tables = pickle.loads(data)
        if len(_read_settings) >= _READ_SETTINGS_KEPT:
            _read_settings.clear()
        settings = _read_settings[digest] = BatchSettings(lexicons, context_chars, tables)
    return settings


@dataclass(frozen=True, slots=True)
class _Document:
    index: int  # position in the input table (the _doc column)
    doc_id: str
    outlet: str
    headline: str
    body: str


# Key columns copied to every sentence row, then the columns a sentence row fills.
_SENTENCE_KEYS: tuple[str, ...] = (DOC, FIELD, "doc_id", "outlet", "field")
_SENTENCE_COLUMNS: tuple[str, ...] = (
    *_SENTENCE_KEYS, "voice", VIEW, "index", "start", "end", "spans", "text", "words", "quoted_share"
)


@dataclass(slots=True)
class _Collector:
    """Rows gathered text by text, turned into frames at the end of the batch."""

    sentences: dict[str, list[Any]] = field(
        default_factory=lambda: {name: [] for name in _SENTENCE_COLUMNS}
    )
    hits: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    readability: list[dict[str, Any]] = field(default_factory=list)
    readability_texts: list[str] = field(default_factory=list)  # one per readability row
    # False when the sentences table is not wanted (``harness score``): a sentence row
    # then holds only what the statistics read (``_SENTENCE_STATS_COLUMNS``) and the
    # text VADER scores, not its offsets and spans, which ``_slimmed`` would drop.
    full_sentences: bool = True


def _context(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    left = " ".join(text[max(0, start - width) : start].split())
    right = " ".join(text[end : end + width].split())
    return left, right


def _collect_views(out: _Collector, key: dict[str, Any], units: TextUnits) -> None:
    """Readability texts and sentence texts of every view; scored per batch (``_scored``).

    Sentence rows go into column lists, a column at a time (no row dicts); each view's
    readability text is built from the same sentence texts
    (``harness.scoring.units.readability_text``, same string). A sentence has a row in
    a view when its text there is not empty: in ``all`` when it has a word, in a voice
    when it has a fragment in that voice (a fragment runs from a word to a word).
    """
    columns = out.sentences
    text = units.text
    for view_index, view in enumerate(VIEWS):
        kept, spans_of, words = _view_rows(units.sentences, view)
        pieces = _pieces(text, spans_of)
        n_rows = len(kept)
        out.readability.append({DOC: key[DOC], FIELD: key[FIELD], "voice": view.value})
        out.readability_texts.append(text if view is View.ALL else _joined_sentences(pieces))
        if not out.full_sentences:
            columns[DOC].extend([key[DOC]] * n_rows)
            columns[FIELD].extend([key[FIELD]] * n_rows)
            columns["voice"].extend([view.value] * n_rows)
            columns["text"].extend(pieces)
            columns["words"].extend(words)
            continue
        for name in _SENTENCE_KEYS:
            columns[name].extend([key[name]] * n_rows)
        columns["voice"].extend([view.value] * n_rows)
        columns[VIEW].extend([view_index] * n_rows)
        columns["index"].extend([s.index for s in kept])
        columns["start"].extend([s.start for s in kept])
        columns["end"].extend([s.end for s in kept])
        columns["spans"].extend([";".join([f"{a}:{b}" for a, b in spans]) for spans in spans_of])
        columns["text"].extend(pieces)
        columns["words"].extend(words)
        columns["quoted_share"].extend([s.quoted_share for s in kept])


def _view_rows(
    sentences: Sequence[SentenceUnit], view: View
) -> tuple[list[SentenceUnit], list[tuple[tuple[int, int], ...]], list[int]]:
    """The sentences with a row in ``view``, their spans and their words there:
    ``SentenceUnit.spans(view)`` (kept when not empty) and ``words_in(view)``, read
    from the fields directly (no method call per sentence and view)."""
    if view is View.ALL:
        kept = [s for s in sentences if s.words]
        return kept, [((s.start, s.end),) for s in kept], [s.words for s in kept]
    if view is View.NARRATOR:
        kept = [s for s in sentences if s.narrator_spans]
        return kept, [s.narrator_spans for s in kept], [s.words - s.quoted_words for s in kept]
    kept = [s for s in sentences if s.quoted_spans]
    return kept, [s.quoted_spans for s in kept], [s.quoted_words for s in kept]


def _pieces(text: str, spans_of: Sequence[tuple[tuple[int, int], ...]]) -> list[str]:
    """Each sentence's text in a view: its spans joined by a space (most have one)."""
    return [
        text[spans[0][0] : spans[0][1]] if len(spans) == 1 else " ".join([text[a:b] for a, b in spans])
        for spans in spans_of
    ]


def _joined_sentences(pieces: Sequence[str]) -> str:
    """``readability_text(units, view)`` from the sentence texts: each ends in a full stop."""
    return " ".join([p if p[-1] in SENTENCE_FINAL else p + "." for p in pieces])


def _polarity() -> pl.Expr:
    """harness.scoring.sentiment.polarity, as an expression."""
    compound = pl.col("compound")
    return (
        pl.when(compound >= NEUTRAL_BAND)
        .then(pl.lit("positive"))
        .when(compound <= -NEUTRAL_BAND)
        .then(pl.lit("negative"))
        .otherwise(pl.lit("neutral"))
    )


def _sentence_frame(out: _Collector) -> pl.DataFrame:
    """Sentence rows with VADER's scores, all sentences of the batch scored at once."""
    schema = {**SENTENCES_SCHEMA, **_PRIVATE, VIEW: pl.Int64()}
    scores = vader_batch(out.sentences["text"])
    if not out.full_sentences:  # what the statistics read, as _slimmed would keep it
        kept = {c: schema[c] for c in _SENTENCE_STATS_COLUMNS if c != "compound"}
        rows = pl.DataFrame({c: out.sentences[c] for c in kept}, schema=kept)
        return pl.concat([rows, scores.select("compound")], how="horizontal")
    unscored = {c: t for c, t in schema.items() if c not in _SENTIMENT_COLUMNS}
    n_rows = len(out.sentences["text"])
    columns = {c: out.sentences.get(c, [None] * n_rows) for c in unscored}  # negativity_rank: later
    rows = pl.DataFrame(columns, schema=unscored)
    return pl.concat([rows, scores.select(_SENTIMENT_COLUMNS[:-1])], how="horizontal").with_columns(
        _polarity().alias("polarity")
    ).select(list(schema))


def _readability_frame(out: _Collector) -> pl.DataFrame:
    """Readability of every view text of the batch, computed at once (textstat's values)."""
    keys = {c: t for c, t in _READABILITY_SCHEMA.items() if c not in READABILITY_METRICS}
    rows = pl.DataFrame(out.readability, schema=keys) if out.readability else pl.DataFrame(schema=keys)
    scores = readability_batch(out.readability_texts).select(READABILITY_METRICS)
    return pl.concat([rows, scores], how="horizontal").select(list(_READABILITY_SCHEMA))


# Letters and syllables of each word token text met so far in this process: a batch
# mostly meets words that earlier batches measured. Both values packed in one int
# (``_packed``), kept by the text's id in the process's token vocabulary
# (``harness.text.vocabulary``): a batch's words get theirs in one array gather.
_WORD_CODE = KIND_CODES[TokenKind.WORD]
_MEASURE_BITS = 32  # syllables in the low bits, letters above (a word under 2**31 characters)
_LOW_MASK = (1 << _MEASURE_BITS) - 1


def _measures(word: str) -> tuple[int, int]:
    """(letters, syllables) of one word token; syllables: readability.syllables (textstat's counter)."""
    return letters(word), syllable_count(word.lower())


def _packed(word: str) -> int:
    """``_measures(word)`` as ``letters << _MEASURE_BITS | syllables``."""
    n_letters, syllables = _measures(word)
    return n_letters << _MEASURE_BITS | syllables


def _packed_many(words: list[str]) -> list[int]:
    """``_packed`` of each word; the syllables of the batch's new words counted at once."""
    syllables = syllable_counts([word.lower() for word in words])
    return [letters(word) << _MEASURE_BITS | count for word, count in zip(words, syllables, strict=True)]


_WORD_MEASURES = TextFact(TOKEN_VOCABULARY, _packed, compute_many=_packed_many)


def clear_word_measures() -> None:
    """Forget the remembered word measures (benchmarks start cold)."""
    _WORD_MEASURES.clear()


@dataclass(slots=True)
class _Words:
    """The word tokens (not numbers) of a batch, as columns, gathered chunk by chunk:
    each one's document, field, voice and packed measures (``_packed``)."""

    docs: list[np.ndarray] = field(default_factory=list)
    fields: list[np.ndarray] = field(default_factory=list)
    quoted: list[np.ndarray] = field(default_factory=list)
    measures: list[np.ndarray] = field(default_factory=list)

    def add(self, analysed: AnalysedTexts, text_doc: np.ndarray, text_field: np.ndarray) -> None:
        """The word tokens of ``analysed``, whose texts belong to ``text_doc`` x ``text_field``.

        Their measures are read now: the chunk's token ids are only good until the
        vocabulary next starts afresh (see ``harness.text.vocabulary``).
        """
        is_word = analysed.codes == _WORD_CODE
        text_of_word = analysed.token_text[is_word]
        self.docs.append(text_doc[text_of_word])
        self.fields.append(text_field[text_of_word])
        self.quoted.append(analysed.quoted[is_word])
        self.measures.append(_WORD_MEASURES.of(analysed.token_ids.subset(is_word)))


def _words_frame(words: _Words) -> pl.DataFrame:
    """Every word token of the batch: its document, field, voice code (``_quoted``),
    letters and syllables."""

    def joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    packed = joined(words.measures, np.int64)
    return pl.DataFrame(
        {
            DOC: joined(words.docs, np.int64),
            FIELD: joined(words.fields, np.int64),
            "_quoted": joined(words.quoted, np.bool_),
            "letters": packed >> _MEASURE_BITS,
            "syllables": packed & _LOW_MASK,
        },
        schema={**_PRIVATE, "_quoted": pl.Boolean(), "letters": pl.Int64(), "syllables": pl.Int64()},
    )


def word_length_stats(words: pl.DataFrame) -> pl.DataFrame:
    """Word letters and syllables per document x field x voice (``all`` and each voice).

    Computed in the batch, from its own word tokens: a document's words are all in one
    batch, and every statistic is exact on integers (sums, counts, a median), so the
    values do not depend on the batching; only these rows travel, not one per word.
    ``words``: ``_words_frame``'s columns (the voice as ``_quoted``).

    Counted with numpy (``_word_length_counts``) when the batch's keys and letters fit
    small tables, the usual case; otherwise by polars' group-by
    (``word_length_stats_by_group``, the reference: the same rows, in another order).
    """
    counted = _word_length_counts(words)
    return word_length_stats_by_group(words) if counted is None else counted


_WORD_STATISTICS = ("word_letters_mean", "word_letters_median", "long_word_share", "syllables_per_word", "polysyllable_share")


def word_length_stats_by_group(words: pl.DataFrame) -> pl.DataFrame:
    """``word_length_stats`` by polars' group-by (any input; rows in no set order)."""
    statistics = (
        pl.col("letters").mean().alias("word_letters_mean"),
        pl.col("letters").cast(pl.Float64).median().alias("word_letters_median"),
        (pl.col("letters") >= LONG_WORD_LETTERS).mean().alias("long_word_share"),
        pl.col("syllables").mean().alias("syllables_per_word"),
        (pl.col("syllables") >= POLYSYLLABLE).mean().alias("polysyllable_share"),
    )
    every = words.group_by(DOC, FIELD).agg(*statistics).with_columns(pl.lit(View.ALL.value).alias("voice"))
    voices = words.group_by(DOC, FIELD, "_quoted").agg(*statistics).with_columns(
        pl.when(pl.col("_quoted")).then(pl.lit(Voice.QUOTED.value)).otherwise(pl.lit(Voice.NARRATOR.value)).alias("voice")
    )
    columns = [DOC, FIELD, "voice", *_WORD_STATISTICS]
    return pl.concat([every.select(columns), voices.select(columns)])


# Letter counts below this are tallied in a table (the median is read off it); a
# batch with a longer word token goes to the group-by.
_LETTER_TABLE = 64
# Cells of the (document, field, voice) x letters table at most (16 MB of int64).
_MAX_TABLE_CELLS = 1 << 21


def _word_length_counts(words: pl.DataFrame) -> pl.DataFrame | None:
    """``word_length_stats`` by counting: the same values, rows in (document, field,
    voice) order; None when the batch does not fit the tables (see the constants).

    Every group is a cell (document, field, quoted); one ``bincount`` per measure sums
    them, and ``all`` adds each cell pair. The sums are of integers (exact in float64),
    so each mean is the same float as polars' sum / count; the median is the middle
    value (the mean of the two middle ones) read from each group's letter counts, as
    polars' linear median of integers.
    """
    if not words.height:
        return None
    doc = words[DOC].to_numpy()
    field = words[FIELD].to_numpy()
    letters = words["letters"].to_numpy()
    d0, fields = int(doc.min()), int(field.max()) + 1
    size = (int(doc.max()) - d0 + 1) * fields * 2
    if field.min() < 0 or letters.min() < 0 or letters.max() >= _LETTER_TABLE or size * _LETTER_TABLE > _MAX_TABLE_CELLS:
        return None
    syllables = words["syllables"].to_numpy()
    cell = ((doc - d0) * fields + field) * 2 + words["_quoted"].to_numpy()
    tallies = (
        np.bincount(cell, minlength=size),
        np.bincount(cell, weights=letters, minlength=size),
        np.bincount(cell, weights=letters >= LONG_WORD_LETTERS, minlength=size),
        np.bincount(cell, weights=syllables, minlength=size),
        np.bincount(cell, weights=syllables >= POLYSYLLABLE, minlength=size),
        np.bincount(cell * _LETTER_TABLE + letters, minlength=size * _LETTER_TABLE).reshape(size, _LETTER_TABLE),
    )
    # ``all``: the narrator and quoted cells of each (document, field) added together
    every = tuple(t.reshape(size // 2, 2, *t.shape[1:]).sum(axis=1) for t in tallies)
    groups = []
    for counts, voices in ((every, None), (tallies, (Voice.NARRATOR.value, Voice.QUOTED.value))):
        kept = np.flatnonzero(counts[0])
        pair = kept if voices is None else kept // 2
        voice: Any = View.ALL.value if voices is None else np.array(voices)[kept % 2]
        rows = {DOC: pair // fields + d0, FIELD: pair % fields, "voice": voice}
        groups.append(pl.DataFrame({**rows, **_word_statistics(*(t[kept] for t in counts))}))
    return pl.concat(groups).cast({DOC: pl.Int64, FIELD: pl.Int64})


def _word_statistics(
    n: np.ndarray, letters: np.ndarray, long: np.ndarray, syllables: np.ndarray, poly: np.ndarray, table: np.ndarray
) -> dict[str, np.ndarray]:
    """The statistics of groups given their word count, sums and letter-count table."""
    below = table.cumsum(axis=1)  # words with at most k letters, per group
    lower = (below <= ((n - 1) // 2)[:, None]).sum(axis=1)  # the letters of the middle word(s)
    upper = (below <= (n // 2)[:, None]).sum(axis=1)
    words = n.astype(np.float64)
    return {
        "word_letters_mean": letters / words,
        "word_letters_median": (lower + upper) / 2.0,
        "long_word_share": long / words,
        "syllables_per_word": syllables / words,
        "polysyllable_share": poly / words,
    }


def _collect_hits(
    out: _Collector,
    key: dict[str, Any],
    units: TextUnits,
    hits: Sequence[TermHit],
    context_chars: int,
) -> None:
    sentence_of_token = units.sentence_of_token if hits else ()
    for hit in hits:
        left, right = _context(units.text, hit.start, hit.end, context_chars)
        out.hits.append(
            {
                **key,
                "start": hit.start,
                "end": hit.end,
                "sentence": sentence_of_token[hit.first_token],
                "voice": units.voices[hit.first_token].value,
                "matched": units.text[hit.start : hit.end],
                "term": hit.entry.term,
                "category": hit.entry.category,
                "weight": hit.entry.weight,
                "loaded": hit.entry.loaded,
                "lexicon": hit.entry.lexicon,
                "lexicon_line": hit.entry.line,
                "left": left,
                "right": right,
            }
        )


def _collect_hit_counts(out: _Collector, key: dict[str, Any], units: TextUnits, hits: Sequence[TermHit]) -> None:
    """What the statistics read of each hit (``_HIT_STATS_COLUMNS``), when the hits table is not wanted."""
    voices = units.voices
    for hit in hits:
        entry = hit.entry
        out.hits.append(
            {
                DOC: key[DOC],
                FIELD: key[FIELD],
                "voice": voices[hit.first_token].value,
                "category": entry.category,
                "weight": entry.weight,
                "loaded": entry.loaded,
            }
        )


def _hit_counts_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = {**HITS_SCHEMA, **_PRIVATE}
    return _frame(rows, {c: schema[c] for c in _HIT_STATS_COLUMNS}, {})


def _quote_rows(
    key: dict[str, Any], text: str, attributions: Sequence[QuoteAttribution]
) -> list[dict[str, Any]]:
    names = display_names(attributions)
    rows = []
    for a in attributions:
        speaker, verb = a.speaker, a.verb
        rows.append(
            {
                **key,
                "quote_index": a.quote_index,
                "start": a.start,
                "end": a.end,
                "words": a.words,
                "speaker": names[speaker.key] if speaker else None,
                "speaker_key": speaker.key if speaker else None,
                "speaker_start": speaker.start if speaker else None,
                "speaker_end": speaker.end if speaker else None,
                "verb": text[verb.start : verb.end] if verb else None,
                "verb_term": verb.entry.term if verb else None,
                "verb_category": verb.entry.category if verb else None,
                "verb_start": verb.start if verb else None,
                "verb_end": verb.end if verb else None,
                "method": a.method,
                "speaker_method": speaker.method if speaker else None,
            }
        )
    return rows


def _frame(
    rows: list[dict[str, Any]],
    schema: Mapping[str, pl.DataType],
    extra: Mapping[str, pl.DataType],
) -> pl.DataFrame:
    full = {**schema, **extra}
    return pl.DataFrame(rows, schema=full) if rows else pl.DataFrame(schema=full)


# The last matcher built, with its lexicons: a worker scores many batches with the same
# lexicons, and the matcher's per-word candidate cache is worth keeping between them.
_matcher: tuple[tuple[Lexicon, ...], TermMatcher] | None = None


def _matcher_for(lexicons: tuple[Lexicon, ...]) -> TermMatcher:
    global _matcher
    if _matcher is None or _matcher[0] != lexicons:
        _matcher = (lexicons, TermMatcher(lexicons))
    return _matcher[1]


def _starts_by_text(matcher: TermMatcher, analysed: AnalysedTexts) -> list[list[int]]:
    """Each text's lexicon start positions (``TermMatcher.match``'s ``starts``), found
    for all the texts' tokens at once."""
    starts = matcher.start_positions_in(
        analysed.token_texts, analysed.codes != PUNCT_CODE, analysed.token_text, analysed.token_ids
    )
    n_texts = len(analysed.units)
    token_bases = np.searchsorted(analysed.token_text, np.arange(n_texts + 1, dtype=np.int64))
    cuts = np.searchsorted(starts, token_bases).tolist()
    local = (starts - token_bases[analysed.token_text[starts]]).tolist()
    return [local[cuts[t] : cuts[t + 1]] for t in range(n_texts)]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector off for the duration (then back as it was).

    A batch makes millions of small objects (tokens, sentence units, rows) that stay
    alive while it runs and make no reference cycles; the collector's passes walk them
    again and again, and every full pass the whole heap (CMUdict, VADER, lemma tables),
    to free next to nothing (a few hundred objects per thousand articles). What a batch
    leaves behind is collected once the collector is back.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _score_batch(documents: Sequence[_Document], settings: BatchSettings) -> dict[str, pl.DataFrame]:
    """The five per-text frames of a batch of documents (runs in a worker or in-process)."""
    with _collector_paused():
        return _score_batch_now(documents, settings)


def _score_batch_now(documents: Sequence[_Document], settings: BatchSettings) -> dict[str, pl.DataFrame]:
    matcher = _matcher_for(settings.lexicons)
    out = _Collector(full_sentences="sentences" in settings.tables)
    words = _Words()
    for chunk in _analysis_chunks(documents):
        _score_chunk(chunk, matcher, settings, out, words)
    frames = {
        "sentences": _sentence_frame(out),
        "hits": _frame(out.hits, HITS_SCHEMA, _PRIVATE) if "hits" in settings.tables else _hit_counts_frame(out.hits),
        "quotes": _frame(out.quotes, QUOTES_SCHEMA, _PRIVATE),
        "readability": _readability_frame(out),
        "word_stats": word_length_stats(_words_frame(words)),
    }
    return _slimmed(frames, settings.tables)


def _analysis_chunks(documents: Sequence[_Document]) -> Iterator[Sequence[_Document]]:
    """The documents in runs analysed together: up to ``ANALYSIS_DOCS`` documents, a run
    ending once its texts reach ``ANALYSIS_CHARS`` characters (at least one document)."""
    start, n = 0, len(documents)
    while start < n:
        stop, chars = start, 0
        while stop < n and stop - start < ANALYSIS_DOCS and chars < ANALYSIS_CHARS:
            chars += len(documents[stop].headline) + len(documents[stop].body)
            stop += 1
        yield documents[start:stop]
        start = stop


def _score_chunk(
    chunk: Sequence[_Document], matcher: TermMatcher, settings: BatchSettings, out: _Collector, words: _Words
) -> None:
    """Analyse one run of documents and collect its rows into ``out`` and ``words``.

    A function of its own so that the run's tokens and units are let go when it
    returns, before the next run is analysed (never two runs' tokens alive at once).
    """
    with_quotes = not settings.tables.isdisjoint(("quotes", "speakers"))  # attribution: for them only
    with_hits = "hits" in settings.tables  # else only what the statistics count (_HIT_STATS_COLUMNS)
    analysed = analyse_texts([d.headline if fld == "headline" else d.body for d in chunk for fld in FIELDS])
    text_doc = np.array([d.index for d in chunk for _ in FIELDS], dtype=np.int64)
    words.add(analysed, text_doc, np.tile(np.arange(len(FIELDS), dtype=np.int64), len(chunk)))
    starts_of = iter(_starts_by_text(matcher, analysed))
    units_of = iter(analysed.units)
    for document in chunk:
        for fld_index, fld in enumerate(FIELDS):
            key = {
                DOC: document.index,
                FIELD: fld_index,
                "doc_id": document.doc_id,
                "outlet": document.outlet,
                "field": fld,
            }
            units = next(units_of)
            hits = matcher.match(units.tokens, next(starts_of))
            _collect_views(out, key, units)
            if with_hits:
                _collect_hits(out, key, units, hits, settings.context_chars)
            else:
                _collect_hit_counts(out, key, units, hits)
            if with_quotes:
                out.quotes.extend(_quote_rows(key, units.text, attribute_quotes(units, hits)))


# What the statistics read from the sentence and hit frames (``score._metrics``,
# ``score._rates``) when the sentences or hits are not wanted as tables themselves.
_SENTENCE_STATS_COLUMNS: tuple[str, ...] = (DOC, FIELD, "voice", "words", "compound")
_HIT_STATS_COLUMNS: tuple[str, ...] = (DOC, FIELD, "voice", "category", "weight", "loaded")


def _slimmed(frames: dict[str, pl.DataFrame], tables: frozenset[str]) -> dict[str, pl.DataFrame]:
    """Only the columns the wanted tables need: less to send between processes.

    ``harness score`` wants ``documents`` alone: its sentences' texts and spans and its
    hits' contexts would travel from every worker for nothing.
    """
    if "sentences" not in tables:
        frames["sentences"] = frames["sentences"].select(_SENTENCE_STATS_COLUMNS)
    if "hits" not in tables:
        frames["hits"] = frames["hits"].select(_HIT_STATS_COLUMNS)
    return frames


# -- workers ---------------------------------------------------------------------------

_pool: concurrent.futures.ProcessPoolExecutor | None = None
_pool_size = 0


def default_workers() -> int:
    """Cores this process may use (its CPU affinity where the OS reports it).

    One inside an engine's parallel task (Ray): the engine already spreads the work.
    """
    if in_parallel_task():
        return 1
    return available_cores()


def _warm_worker() -> None:
    """Load the shared data once per worker (CMUdict, VADER's lexicon, lemma tables).

    Ctrl-C is the parent's to handle (see ``harness.engines.processes.workers_ignore_sigint``).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    readability_from_counts("Warm up the counts.")
    readability_batch(["Warm up the counts."])  # the batch lookup tables
    sentence_sentiment("Warm up.")
    vader_batch(["Warm up."])
    TermMatcher(()).match(analyse_text("Officials said.").tokens)
    # The tables just loaded live as long as the worker: kept out of the garbage
    # collector's full passes, which would otherwise walk them again and again while
    # the batches build millions of small objects.
    gc.collect()
    gc.freeze()


def _executor(
    workers: int, warm: Callable[[], None] = _warm_worker
) -> concurrent.futures.ProcessPoolExecutor:
    """The shared pool, (re)started when a different size is asked for; ``warm``
    loads a new worker's tables (a running pool is reused whatever warmed it)."""
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        shutdown_workers()
        # The CLI may have started this pool before importing this module (``start_early``).
        _pool = take_early(workers) or new_pool(workers, warm)
        _pool_size = workers
    return _pool


def prestart_workers_for(n_documents: int, *, min_documents: int = MIN_DOCS_TO_START_WORKERS) -> None:
    """Start the pool a job of ``n_documents`` will use, without waiting for it.

    A worker spends seconds importing and loading its data tables; started before the
    caller's own preparation (``harness score`` identifies each article's language
    first), that time overlaps it. Nothing happens when the job would not use workers.
    """
    n_workers = worker_count(None, n_documents, min_documents=min_documents)
    if n_workers == 1 or (_pool is not None and _pool_size == n_workers):
        return
    _executor(n_workers)  # starts every worker


def start_workers_for_input(input_bytes: int) -> None:
    """Start the pool of the full scorecard for an input of ``input_bytes``, now, if it
    is large enough that the pool will be used: the workers start while this process
    reads the input, not after. (Too small a guess only makes them start later.)"""
    if input_bytes >= WORKERS_FROM_BYTES:
        prestart_workers_for(MIN_DOCS_TO_START_WORKERS)


def shutdown_workers(*, wait: bool = True) -> None:
    """Stop the worker processes (they are restarted on demand). ``wait=False``: tell
    them to stop and go on (a command done with them: they exit while it writes its
    output, not after; the interpreter's exit still waits for them)."""
    global _pool, _pool_size
    if _pool is not None:
        _pool.shutdown(wait=wait, cancel_futures=True)
    _pool, _pool_size = None, 0


def stop_workers_now() -> None:
    """Kill the workers mid-task (the parent was interrupted): nothing waits for their batches.

    Also called by the CLI after any interrupt (``harness.cli.entry``): a Ctrl-C that
    lands while this process builds tables between batches is not seen here, and the
    workers, which ignore SIGINT, would outlive the command.
    """
    global _pool, _pool_size
    if _pool is None:
        return
    kill_pool(_pool)
    _pool, _pool_size = None, 0


atexit.register(shutdown_workers)


def start_workers(workers: int) -> None:
    """Start ``workers`` processes and wait until every one has loaded its data.

    Benchmarks call this to keep start-up out of their timings.
    """
    _ask_every_worker(workers, _pid_and_peak)


def worker_peak_memory() -> int | None:
    """Largest peak resident memory (bytes) of the running workers; None if unknown.

    Read from ``/proc/self/status`` (VmHWM) inside each worker: the peak of that
    process since it started, not of the parent it was started from.
    """
    if _pool is None:
        return None
    peaks = _ask_every_worker(_pool_size, _pid_and_peak)
    known = [peak for peak in peaks.values() if peak is not None]
    return max(known) if known else None


def _ask_every_worker(
    workers: int, probe: Callable[[float], tuple[int, int | None]]
) -> dict[int, int | None]:
    """Run ``probe`` on each of ``workers`` processes: {pid: answer}.

    A probe holds its worker busy for a moment, so the next probe has to go to
    another worker; rounds repeat until every worker has answered.
    """
    pool = _executor(workers)
    answers: dict[int, int | None] = {}
    while len(answers) < workers:
        answers.update(pool.map(probe, [_PROBE_SECONDS] * workers))
    return answers


_PROBE_SECONDS = 0.1


def _pid_and_peak(seconds: float) -> tuple[int, int | None]:
    time.sleep(seconds)
    return os.getpid(), _own_peak_memory()


def _own_peak_memory() -> int | None:
    status = Path("/proc/self/status")
    if not status.is_file():
        return None
    for line in status.read_text(encoding="ascii", errors="replace").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024  # reported in kB
    return None


def _documents(frame: pl.DataFrame) -> list[_Document]:
    return [
        _Document(index, row["doc_id"], row["outlet"], row["headline"], row["body"])
        for index, row in enumerate(frame.iter_rows(named=True))
    ]


def even_batch_size(n_documents: int, n_workers: int, most: int = BATCH_DOCS) -> int:
    """Documents per batch: at most ``most``, in a number of batches that every worker
    shares alike (445 articles on 2 workers: 4 batches of 112, not 192, 192 and 61,
    where one worker scores 253 while the other waits)."""
    n_batches = -(-n_documents // most)
    n_batches = -(-n_batches // n_workers) * n_workers
    return max(1, -(-n_documents // n_batches))


def _batches(documents: list[_Document], size: int) -> Iterator[list[_Document]]:
    for start in range(0, len(documents), size):
        yield documents[start : start + size]


def worker_count(
    requested: int | None,
    n_documents: int,
    *,
    where: str = "score_documents(workers=...)",
    min_documents: int = MIN_DOCS_TO_START_WORKERS,
) -> int:
    """Processes to use: ``requested``, or every core when the corpus is large enough
    (``min_documents`` to start the pool; fewer when it is already running)."""
    if requested is not None and requested < 1:
        raise ConfigError(
            f"workers must be at least 1, got {requested}",
            where=where,
            hint="pass 1 to score in this process, or leave it unset to use every core",
        )
    if requested is not None:
        return requested
    if not main_is_importable():
        return 1  # the default must work from `python -` too (same tables, one process)
    cores = default_workers()
    running = _pool is not None and _pool_size == cores
    enough = MIN_DOCS_FOR_RUNNING_WORKERS if running else min_documents
    return cores if cores > 1 and n_documents >= enough else 1


@contextlib.contextmanager
def _pool_failures(where: str) -> Iterator[None]:
    """Ctrl-C kills the workers mid-task (nothing waits for their batches); a worker
    that died becomes one clear error instead of ``BrokenProcessPool``."""
    try:
        yield
    except KeyboardInterrupt:
        stop_workers_now()
        raise
    except concurrent.futures.process.BrokenProcessPool as error:
        shutdown_workers()
        raise UsageError(
            "a scoring worker process stopped before finishing",
            where=where,
            hint=(
                "workers start a fresh Python that imports your main script: put the call "
                "under `if __name__ == '__main__':`, or pass workers=1 to score in this process"
            ),
        ) from error


def map_in_workers(
    function: Callable[..., _Result],
    *arguments: Sequence[Any],
    n_workers: int,
    where: str = "score_documents(workers=...)",
) -> list[_Result]:
    """``[function(*args) for args in zip(*arguments)]`` on the worker pool, in order.

    ``function`` must be a module-level function (it is pickled by name).
    """
    return list(_results_in_order(function, *arguments, n_workers=n_workers, where=where))


def _results_in_order(
    function: Callable[..., _Result],
    *arguments: Sequence[Any],
    n_workers: int,
    where: str,
) -> Iterator[_Result]:
    """``map_in_workers`` as results arrive: every task is queued at once, so the
    workers go on with later ones while the caller uses the first."""
    pool = _executor(n_workers)
    with _pool_failures(where):
        yield from pool.map(function, *arguments)


def prestart_workers(workers: int, warm: Callable[[], None]) -> None:
    """Start the pool's ``workers`` processes now, without waiting for them: they load
    their tables while this process reads its input."""
    _executor(workers, warm)  # starts every worker


def map_with_this_process(
    function: Callable[[Any], _Result],
    items: Sequence[Any],
    *,
    n_workers: int,
    warm: Callable[[], None] = _warm_worker,
    on_result: Callable[[int], None] | None = None,
    where: str = "score_documents(workers=...)",
    first: Sequence[Callable[[], None]] = (),
) -> list[_Result]:
    """``[function(item) for item in items]`` on ``n_workers`` processes: this one and
    ``n_workers - 1`` pool workers, results in order.

    ``first``: work for this process alone, done piece by piece (handing out items
    between pieces) before it takes items itself, e.g. while the workers start.

    Items are handed out in order: the workers have two each in flight (so that none
    waits for this process to hand out the next), and this process scores the next
    one itself between hand-outs; no core idles while items remain, and the pool is
    one process smaller than the cores (one start-up less). Items that get smaller
    towards the end keep the last wait short. ``on_result`` hears the index of each
    item done, in completion order.
    """
    pool = _executor(n_workers - 1, warm)
    results: list[Any] = [None] * len(items)
    running: dict[concurrent.futures.Future[_Result], int] = {}
    front = 0
    own = list(first)

    def finished(index: int, result: _Result) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index)

    with _pool_failures(where):
        while front < len(items) or running or own:
            while front < len(items) and len(running) < 2 * (n_workers - 1):
                running[pool.submit(function, items[front])] = front
                front += 1
            if own:
                own.pop(0)()
                done = {future for future in running if future.done()}
            elif front < len(items):
                front += 1
                finished(front - 1, function(items[front - 1]))
                done = {future for future in running if future.done()}
            else:
                done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in sorted(done, key=running.__getitem__):
                finished(running.pop(future), future.result())
        return results


def _joined(parts: Sequence[dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    return {name: pl.concat([part[name] for part in parts]) for name in BATCH_FRAMES}


def map_in_order(
    function: Callable[[Any], _Result],
    items: Sequence[Any],
    *,
    n_documents: int,
    workers: int | None = None,
    where: str = "score_documents(workers=...)",
) -> Iterator[_Result]:
    """``function(item)`` of each item, in order, each result as soon as it is ready.

    Worker processes are decided on ``n_documents`` (the documents of all the items,
    see ``worker_count``); every item is queued at once, so the workers go on with
    later items while the caller uses the first. One process: here, one by one.
    ``function`` must be a module-level function (it is pickled by name).
    """
    n_workers = worker_count(workers, n_documents, where=where)
    if n_workers == 1:
        yield from map(function, items)
        return
    yield from _results_in_order(function, items, n_workers=n_workers, where=where)


def collect(
    frame: pl.DataFrame, settings: BatchSettings, *, workers: int | None = None
) -> dict[str, pl.DataFrame]:
    """The five per-text frames of every document in ``frame``, in input order.

    ``workers=None`` uses every core for a large corpus and this process for a small
    one; ``workers=1`` never starts a process. The result is the same either way.
    """
    documents = _documents(frame)
    n_workers = worker_count(workers, len(documents))
    if n_workers == 1:
        parts = [_score_batch(documents, settings)]
    else:
        batches = list(_batches(documents, even_batch_size(len(documents), n_workers)))
        parts = map_in_workers(
            _score_batch, batches, [settings] * len(batches), n_workers=n_workers
        )
    return _joined(parts)

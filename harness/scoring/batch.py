"""Per-text scoring work, done in batches of documents, on every core.

Everything that has to look at a text in Python (tokeniser, voices, lexicon matcher,
attribution) happens here, one batch of documents at a time; the texts every voice
gives to the readability formulas and to VADER are gathered over the batch and
scored at once (``readability_batch``, ``vader_batch``: textstat's and VADER's exact
values). The result of a batch is five polars frames (sentences, hits, quotes,
readability, words), keyed by the document's position in the input (``_doc``) and
the field (``_field``). ``score.score_documents`` concatenates the batches *in
input order* and does every summary as a polars aggregation.

Batches of a large corpus run in worker processes (``harness.scoring.pool``: spawned,
a clean interpreter, never a fork of a process whose polars threads may hold locks).
Each worker keeps its data tables (CMUdict, VADER's lexicon, lemma tables) and its
lemma cache for the life of the pool, which is reused across calls. A batch's
frames depend only on its documents, and results are gathered in submission order,
so the tables are identical whatever the number of workers (tested).
"""

from __future__ import annotations

import contextlib
import gc
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from harness.scoring.attribution import QuoteAttribution, attribute_quotes, display_names
from harness.scoring.batch_settings import DOC, FIELD, VIEW, BatchSettings
from harness.scoring.lexicon import Lexicon, TermHit, TermMatcher
# The worker pool lives in harness.scoring.pool; its names stay importable from here.
from harness.scoring.pool import (
    BATCH_DOCS,
    MIN_CORE_DOCS_TO_START_WORKERS,
    MIN_DOCS_FOR_RUNNING_WORKERS,
    MIN_DOCS_TO_START_WORKERS,
    SLICE_BATCH_DOCS,
    default_workers,
    even_batch_size,
    map_in_order,
    map_in_workers,
    map_with_this_process,
    prestart_workers,
    prestart_workers_for,
    shutdown_workers,
    start_workers,
    start_workers_for_input,
    stop_workers_now,
    worker_count,
    worker_peak_memory,
)
from harness.scoring.readability import letters
from harness.scoring.schemas import FIELDS, HITS_SCHEMA, QUOTES_SCHEMA, READABILITY_METRICS, SENTENCES_SCHEMA
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

# VADER's four scores and the label derived from one of them.
_SENTIMENT_COLUMNS: tuple[str, ...] = ("compound", "neg", "neu", "pos", "polarity")

BATCH_FRAMES: tuple[str, ...] = ("sentences", "hits", "quotes", "readability", "word_stats")

# Word length statistics (``word_length_stats``).
LONG_WORD_LETTERS = 7
POLYSYLLABLE = 3

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


# -- workers (the pool itself: harness.scoring.pool) ----------------------------------


def _warm_worker() -> None:
    """Load the shared data once per worker (CMUdict, VADER's lexicon, lemma tables):
    the initializer of the full scorecard's workers (``pool.WARM_FULL_WORKER``).

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


def _documents(frame: pl.DataFrame) -> list[_Document]:
    return [
        _Document(index, row["doc_id"], row["outlet"], row["headline"], row["body"])
        for index, row in enumerate(frame.iter_rows(named=True))
    ]


def _batches(documents: list[_Document], size: int) -> Iterator[list[_Document]]:
    for start in range(0, len(documents), size):
        yield documents[start : start + size]


def _joined(parts: Sequence[dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    return {name: pl.concat([part[name] for part in parts]) for name in BATCH_FRAMES}


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

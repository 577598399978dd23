"""How well loaded-term hits find what human annotators mark as loaded or biased.

``validate_loaded_gold(path)`` reads one of the two public formats
(``harness.scoring.loaded_gold``) and reports, for two instruments side by side:

* ``lexicon``: the loaded-term lexicons (built-in and ``--lexicon`` files; with
  ``loaded_lexicon="vader-strong"`` the second arm, ``harness.scoring.arms``); a hit counts
  when its entry is loaded (``LexiconEntry.loaded``: the hits ``loaded_per_1k`` counts);
* ``vader_words``: the reference plain word list, every word of VADER's lexicon with
  ``|valence| >= 1.5``, matched on the lower-cased word as written (no lemmas), weight 1.

Sentence files (BABE-like), over the sentences with a biased / not biased label:

* ``auc_weighted_density``: ROC AUC of the **weighted density**, the sum of the loaded
  hits' weights per 1,000 words (the score ``loaded_weighted_per_1k`` reports);
* ``auc_density``: ROC AUC of loaded hits per 1,000 words (``loaded_per_1k``);
* ``auc_hit_count``: ROC AUC of the plain number of loaded hits in the sentence.

and over every sentence (the marked words do not depend on the label's agreement):
``token_precision``, ``token_recall``, ``token_f1`` of word tokens inside a hit against
word tokens the annotators marked (a marked word or phrase marks each of its
occurrences in the sentence, compared lower-cased with possessive ``'s`` removed).
``token_precision`` is also given per lexicon category (column ``category``).

Span folders (PTC-like), over the annotated articles:

* ``loaded_span_recall``: share of ``Loaded_Language`` spans that a hit overlaps;
* ``hit_precision_any_span``: share of hits that overlap any annotated span;
* ``hit_precision_loaded_span``: share of hits that overlap a ``Loaded_Language`` span
  (also per lexicon category);
* ``spearman_density_loaded_spans``: per article, Spearman's rho of the weighted density
  against annotated ``Loaded_Language`` spans per 1,000 words.

Undefined values (no positive item, no hit, fewer than 3 articles) are null with a note.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

from harness.errors import InputError
from harness.scoring.lexicon import TermMatcher, load_lexicons
from harness.scoring.loaded_gold import (
    Article,
    GoldFormat,
    Sentence,
    detect_format,
    read_articles,
    read_sentences,
)
from harness.scoring.validation import roc_auc
from harness.stats._scipy import stats
from harness.text import tokenize
from harness.text.tokens import Token

LEXICON = "lexicon"
VADER_WORDS = "vader_words"
INSTRUMENTS: tuple[str, ...] = (LEXICON, VADER_WORDS)
VADER_MIN_VALENCE = 1.5
PER_THOUSAND = 1000.0

LOADED_VALIDATION_SCHEMA: dict[str, pl.DataType] = {
    "format": pl.String(),  # sentences | spans
    "instrument": pl.String(),  # lexicon | vader_words
    "measure": pl.String(),
    "category": pl.String(),  # null: all hits; else hits of one lexicon category
    "value": pl.Float64(),  # null when undefined (see note)
    "p_value": pl.Float64(),  # spearman only
    "n": pl.Int64(),  # items the measure is over (sentences, tokens, spans, hits, articles)
    "note": pl.String(),
}

SCORE_NOTE = "weighted density: sum of loaded hit weights per 1,000 words"
_POSSESSIVE_RE = re.compile(r"'s$")


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    weight: float
    category: str


Instrument = Callable[[Sequence[Token]], list[Hit]]


@dataclass(frozen=True, slots=True)
class LoadedValidation:
    format: GoldFormat
    items: int  # sentences or articles read
    left_out: int  # sentences with no agreement / articles nothing annotates
    table: pl.DataFrame  # LOADED_VALIDATION_SCHEMA

    def to_json(self) -> dict[str, object]:
        return {
            "kind": "loaded-terms",
            "format": self.format,
            "items": self.items,
            "left_out": self.left_out,
            "score": SCORE_NOTE,
            "measures": self.table.to_dicts(),
        }


@dataclass(frozen=True, slots=True)
class _Row:
    instrument: str
    measure: str
    value: float | None
    n: int
    category: str | None = None
    p_value: float | None = None
    note: str | None = None


# -- instruments -------------------------------------------------------------------------------


def lexicon_instrument(matcher: TermMatcher) -> Instrument:
    """Loaded hits of the lexicons (weight > 0 entries, as ``loaded_per_1k`` counts)."""

    def hits(tokens: Sequence[Token]) -> list[Hit]:
        return [
            Hit(h.start, h.end, h.entry.weight, h.entry.category)
            for h in matcher.match(tokens)
            if h.entry.loaded
        ]

    return hits


@cache
def vader_word_list(min_valence: float = VADER_MIN_VALENCE) -> dict[str, str]:
    """VADER lexicon words with ``|valence| >= min_valence``: word -> vader_negative/positive."""
    from harness.scoring.sentiment import _analyzer  # the analyser already loaded for scoring

    return {
        word: "vader_negative" if valence < 0 else "vader_positive"
        for word, valence in sorted(_analyzer().lexicon.items())
        if abs(valence) >= min_valence
    }


def vader_instrument(min_valence: float = VADER_MIN_VALENCE) -> Instrument:
    words = vader_word_list(min_valence)

    def hits(tokens: Sequence[Token]) -> list[Hit]:
        found = []
        for token in tokens:
            category = words.get(token.text.lower().replace("\u2019", "'")) if token.is_word else None
            if category is not None:
                found.append(Hit(token.start, token.end, 1.0, category))
        return found

    return hits


def instruments(
    lexicons: Sequence[Path] = (), *, include_builtin: bool = True, loaded_lexicon: str = "harness"
) -> dict[str, Instrument]:
    """``lexicon``: the loaded hits of ``loaded_lexicon``'s arm (``harness.scoring.arms``),
    as ``score`` counts them; ``vader_words``: the plain word list beside it."""
    matcher = TermMatcher(load_lexicons(lexicons, include_builtin=include_builtin, loaded_lexicon=loaded_lexicon))
    return {LEXICON: lexicon_instrument(matcher), VADER_WORDS: vader_instrument()}


# -- sentences ---------------------------------------------------------------------------------


def word_key(text: str) -> str:
    """How a text word and a marked word are compared: lower case, ' for ’, no possessive."""
    return _POSSESSIVE_RE.sub("", text.lower().replace("\u2019", "'"))


def marked_tokens(tokens: Sequence[Token], words: Sequence[str]) -> tuple[set[int], int]:
    """(indices of the word tokens the marked words cover, marked words not found)."""
    positions = [i for i, t in enumerate(tokens) if t.is_word]
    keys = [word_key(tokens[i].text) for i in positions]
    covered: set[int] = set()
    missing = 0
    for phrase in words:
        wanted = [word_key(t.text) for t in tokenize(phrase) if t.is_word]
        size = len(wanted)
        starts = [k for k in range(len(keys) - size + 1) if size and keys[k : k + size] == wanted]
        for k in starts:
            covered.update(positions[k : k + size])
        missing += not starts
    return covered, missing


def hit_tokens(tokens: Sequence[Token], hit: Hit) -> set[int]:
    """Indices of the word tokens inside a hit."""
    return {
        i for i, t in enumerate(tokens) if t.is_word and t.start >= hit.start and t.end <= hit.end
    }


@dataclass(slots=True)
class _TokenCounts:
    predicted: int = 0
    correct: int = 0


def _sentence_rows(name: str, instrument: Instrument, sentences: Sequence[Sentence]) -> list[_Row]:
    weighted, density, count = [], [], []
    total, by_category = _TokenCounts(), dict[str, _TokenCounts]()
    marked = missing = 0
    for sentence in sentences:
        tokens = tokenize(sentence.text)
        words = sum(1 for t in tokens if t.is_word)
        hits = instrument(tokens)
        weighted.append(sum(h.weight for h in hits) * PER_THOUSAND / words if words else 0.0)
        density.append(len(hits) * PER_THOUSAND / words if words else 0.0)
        count.append(float(len(hits)))
        gold, not_found = marked_tokens(tokens, sentence.words)
        marked += len(gold)
        missing += not_found
        predicted: set[int] = set()
        for hit in hits:
            inside = hit_tokens(tokens, hit) - predicted  # hits never overlap; be safe anyway
            predicted |= inside
            part = by_category.setdefault(hit.category, _TokenCounts())
            part.predicted += len(inside)
            part.correct += len(inside & gold)
        total.predicted += len(predicted)
        total.correct += len(predicted & gold)
    labels = [s.biased for s in sentences]
    rows = [
        _auc_row(name, "auc_weighted_density", np.array(weighted), labels, SCORE_NOTE),
        _auc_row(name, "auc_density", np.array(density), labels, "loaded hits per 1,000 words"),
        _auc_row(name, "auc_hit_count", np.array(count), labels, "loaded hits per sentence"),
    ]
    return rows + _token_rows(name, total, marked, missing, by_category)


def _auc_row(
    name: str, measure: str, scores: np.ndarray, labels: Sequence[bool | None], note: str
) -> _Row:
    positive = scores[np.array([label is True for label in labels], dtype=bool)]
    negative = scores[np.array([label is False for label in labels], dtype=bool)]
    auc = roc_auc(positive, negative)
    n = len(positive) + len(negative)
    if auc is None:
        note = "needs biased and not biased sentences"
    return _Row(name, measure, auc, n, note=f"{note}; biased {len(positive)} vs not {len(negative)}")


def _ratio(top: int, bottom: int) -> float | None:
    return top / bottom if bottom else None


def _token_rows(
    name: str, total: _TokenCounts, marked: int, missing: int, by_category: dict[str, _TokenCounts]
) -> list[_Row]:
    precision = _ratio(total.correct, total.predicted)
    recall = _ratio(total.correct, marked)
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall > 0
        else None
    )
    missing_note = f"{missing} marked word(s) not found in their sentence" if missing else None
    rows = [
        _Row(name, "token_precision", precision, total.predicted, note="hit tokens that are marked"),
        _Row(name, "token_recall", recall, marked, note=missing_note),
        _Row(name, "token_f1", f1, marked),
    ]
    for category in sorted(by_category):
        part = by_category[category]
        rows.append(
            _Row(name, "token_precision", _ratio(part.correct, part.predicted), part.predicted, category)
        )
    return rows


# -- spans -------------------------------------------------------------------------------------


def _overlaps(hit: Hit, start: int, end: int) -> bool:
    return hit.start < end and start < hit.end


@dataclass(slots=True)
class _SpanCounts:
    hits: int = 0
    on_any: int = 0
    on_loaded: int = 0


def _span_rows(name: str, instrument: Instrument, articles: Sequence[Article]) -> list[_Row]:
    loaded_spans = found = 0
    total, by_category = _SpanCounts(), dict[str, _SpanCounts]()
    density, annotated = [], []
    for article in articles:
        tokens = tokenize(article.text)
        words = sum(1 for t in tokens if t.is_word)
        hits = instrument(tokens)
        loaded = [s for s in article.spans if s.loaded_language]
        loaded_spans += len(loaded)
        found += sum(1 for s in loaded if any(_overlaps(h, s.start, s.end) for h in hits))
        for hit in hits:
            on_any = any(_overlaps(hit, s.start, s.end) for s in article.spans)
            on_loaded = any(_overlaps(hit, s.start, s.end) for s in loaded)
            for counts in (total, by_category.setdefault(hit.category, _SpanCounts())):
                counts.hits += 1
                counts.on_any += on_any
                counts.on_loaded += on_loaded
        if words:
            density.append(sum(h.weight for h in hits) * PER_THOUSAND / words)
            annotated.append(len(loaded) * PER_THOUSAND / words)
    rows = [
        _Row(name, "loaded_span_recall", _ratio(found, loaded_spans), loaded_spans,
             note=None if loaded_spans else "no Loaded_Language span"),
        _Row(name, "hit_precision_any_span", _ratio(total.on_any, total.hits), total.hits),
        _Row(name, "hit_precision_loaded_span", _ratio(total.on_loaded, total.hits), total.hits),
        _spearman_row(name, np.array(density), np.array(annotated)),
    ]
    for category in sorted(by_category):
        part = by_category[category]
        rows.append(
            _Row(name, "hit_precision_loaded_span", _ratio(part.on_loaded, part.hits), part.hits, category)
        )
    return rows


def _spearman_row(name: str, density: np.ndarray, annotated: np.ndarray) -> _Row:
    measure, n = "spearman_density_loaded_spans", len(density)
    if n < 3:
        return _Row(name, measure, None, n, note="fewer than 3 articles with words")
    if np.ptp(density) == 0 or np.ptp(annotated) == 0:
        return _Row(name, measure, None, n, note="constant density or span rate: undefined")
    result = stats.spearmanr(density, annotated)
    return _Row(name, measure, float(result.statistic), n, p_value=float(result.pvalue),
                note="per article: " + SCORE_NOTE + " vs Loaded_Language spans per 1,000 words")


# -- the whole validation ------------------------------------------------------------------------


def _table(fmt: GoldFormat, rows: Sequence[_Row]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "format": fmt,
                "instrument": r.instrument,
                "measure": r.measure,
                "category": r.category,
                "value": r.value,
                "p_value": r.p_value,
                "n": r.n,
                "note": r.note,
            }
            for r in rows
        ],
        schema=LOADED_VALIDATION_SCHEMA,
    )


def validate_sentences(sentences: Sequence[Sentence], using: dict[str, Instrument]) -> pl.DataFrame:
    rows = [row for name, tool in using.items() for row in _sentence_rows(name, tool, sentences)]
    return _table("sentences", rows)


def validate_articles(articles: Sequence[Article], using: dict[str, Instrument]) -> pl.DataFrame:
    rows = [row for name, tool in using.items() for row in _span_rows(name, tool, articles)]
    return _table("spans", rows)


def validate_loaded_gold(
    path: Path, *, lexicons: Sequence[Path] = (), include_builtin: bool = True, loaded_lexicon: str = "harness"
) -> LoadedValidation:
    """Read ``path`` (format from the path, see ``detect_format``) and measure both instruments.

    ``loaded_lexicon`` picks the arm measured as instrument ``lexicon``.
    """
    fmt = detect_format(path)
    using = instruments(lexicons, include_builtin=include_builtin, loaded_lexicon=loaded_lexicon)
    if fmt == "sentences":
        sentences = read_sentences(path)
        left_out = sum(1 for s in sentences if s.biased is None)
        return LoadedValidation(fmt, len(sentences), left_out, validate_sentences(sentences, using))
    if fmt == "spans":
        articles, left_out = read_articles(path)
        return LoadedValidation(fmt, len(articles), left_out, validate_articles(articles, using))
    raise InputError(
        "neither a sentence bias file nor a folder of span-annotated articles",
        where=path,
        hint="a CSV/TSV with text, label_bias, biased_words; or a folder of article<ID>.txt with .labels files",
    )

"""One text cut into the units every metric shares: tokens, voices, sentences, fragments.

Voice comes from ``harness.text.voice``: every token is narrator or quoted. Metrics
are reported for three views of a text: ``all`` (the text as written), ``narrator``
and ``quoted``. A voice's text is built from *sentence fragments*: within each
sentence, each maximal run of consecutive tokens in that voice, with punctuation
trimmed from its edges (quotation marks, the comma before a closing mark) except a
final ``.``, ``!``, ``?`` or ``…``. A sentence's fragments in one voice are joined by a
space; that is the voice's text for that sentence (what VADER scores). For the
readability formulas the sentence texts are joined by spaces, and one that does not
end in sentence-final punctuation gets a ``.`` so that textstat counts one sentence
per source sentence that has words in that voice. :func:`voice_text` returns exactly
the string textstat scores, so every voice number can be reproduced by hand.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from harness.text import split_sentences
from harness.text.sentences import Sentence
from harness.text.tokens import PUNCT_CODE, Token, TokenKind, tokenize_coded
from harness.text.voice import Quote, Voice, find_quotes

SENTENCE_FINAL = frozenset(".!?\u2026")


class View(StrEnum):
    """Which part of a text a metric covers."""

    ALL = "all"
    NARRATOR = "narrator"
    QUOTED = "quoted"

    @property
    def voice(self) -> Voice | None:
        """The token voice this view keeps; None for ``all`` (every token)."""
        if self is View.NARRATOR:
            return Voice.NARRATOR
        if self is View.QUOTED:
            return Voice.QUOTED
        return None


VIEWS: tuple[View, ...] = (View.ALL, View.NARRATOR, View.QUOTED)

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class SentenceUnit:
    index: int
    start: int
    end: int
    first_token: int
    stop_token: int  # one past the sentence's last token
    words: int
    quoted_words: int
    narrator_spans: tuple[Span, ...]
    quoted_spans: tuple[Span, ...]

    def spans(self, view: View) -> tuple[Span, ...]:
        if view is View.ALL:
            return ((self.start, self.end),) if self.words else ()
        return self.narrator_spans if view is View.NARRATOR else self.quoted_spans

    def words_in(self, view: View) -> int:
        """Word tokens of the sentence in ``view``."""
        if view is View.ALL:
            return self.words
        return self.quoted_words if view is View.QUOTED else self.words - self.quoted_words

    @property
    def quoted_share(self) -> float | None:
        return self.quoted_words / self.words if self.words else None


@dataclass(frozen=True, slots=True)
class TextUnits:
    text: str
    tokens: tuple[Token, ...]
    voices: tuple[Voice, ...]
    sentence_of_token: tuple[int, ...]  # -1 for a token outside every sentence
    sentences: tuple[SentenceUnit, ...]
    # The text's outermost quotations (find_quotes), found once for voices and attribution.
    quotes: tuple[Quote, ...]

    def in_view(self, token_index: int, view: View) -> bool:
        return view is View.ALL or self.voices[token_index] is view.voice

    def words_in_view(self, view: View) -> list[int]:
        """Indices of the word tokens in ``view``."""
        return [i for i, t in enumerate(self.tokens) if t.is_word and self.in_view(i, view)]

    def sentence_text(self, sentence: SentenceUnit, view: View) -> str:
        """The sentence's text in ``view``: its fragments joined by a space."""
        return " ".join(self.text[s:e] for s, e in sentence.spans(view))


def _fragments(
    tokens: Sequence[Token], voices: Sequence[Voice], first: int, stop: int
) -> tuple[int, int, tuple[Span, ...], tuple[Span, ...]]:
    """Words, quoted words, narrator spans and quoted spans of tokens ``[first, stop)``.

    One scan over the sentence's tokens: each maximal run of one voice gives a span
    from its first word to its last word, extended over sentence-final punctuation
    right after that word (keep "home." of "home.'"); a run without words gives none.
    """
    spans: dict[Voice, list[Span]] = {Voice.NARRATOR: [], Voice.QUOTED: []}
    words = quoted_words = 0
    punct = TokenKind.PUNCT
    k = first
    while k < stop:
        voice = voices[k]
        run_stop = k
        first_word = last_word = -1
        n_words = 0
        while run_stop < stop and voices[run_stop] is voice:
            if tokens[run_stop].kind is not punct:
                if first_word < 0:
                    first_word = run_stop
                last_word = run_stop
                n_words += 1
            run_stop += 1
        if first_word >= 0:
            words += n_words
            if voice is Voice.QUOTED:
                quoted_words += n_words
            while last_word + 1 < run_stop and tokens[last_word + 1].text in SENTENCE_FINAL:
                last_word += 1
            spans[voice].append((tokens[first_word].start, tokens[last_word].end))
        k = run_stop
    return words, quoted_words, tuple(spans[Voice.NARRATOR]), tuple(spans[Voice.QUOTED])


# A token's start (field 1 of the named tuple), read in C by ``map`` rather than by a
# generator per token.
_START = operator.itemgetter(1)


def _sentence_of_token(tokens: Sequence[Token], sentences: Sequence[Sentence]) -> np.ndarray:
    """Index of the sentence each token starts in; -1 outside every sentence."""
    return _sentence_of_starts(np.fromiter(map(_START, tokens), dtype=np.int64, count=len(tokens)), sentences)


def _sentence_of_starts(starts: np.ndarray, sentences: Sequence[Sentence]) -> np.ndarray:
    """``_sentence_of_token`` from the tokens' starts.

    The last sentence starting at or before the token, if the token starts before
    that sentence's end: one ``searchsorted`` over the text's tokens (the same
    answer as a bisect per token).
    """
    if not sentences:
        return np.full(len(starts), -1, dtype=np.int64)
    sentence_starts = np.array([s.start for s in sentences], dtype=np.int64)
    sentence_ends = np.array([s.end for s in sentences], dtype=np.int64)
    k = np.searchsorted(sentence_starts, starts, side="right") - 1
    inside = (k >= 0) & (starts < sentence_ends[np.maximum(k, 0)])
    return np.where(inside, k, -1)


def analyse_text(text: str) -> TextUnits:
    """Tokens, voices and sentences (with voice fragments) of one text."""
    tokens, starts, codes = tokenize_coded(text)
    quotes = find_quotes(text)
    quoted = _quoted_tokens(starts, quotes)
    voices = list(map(_VOICE_OF.__getitem__, quoted.tolist())) if quotes else [Voice.NARRATOR] * len(tokens)
    sentences = split_sentences(text)
    sentence_array = _sentence_of_starts(starts, sentences)
    bounds = _token_bounds(sentence_array, len(sentences))
    units = _sentence_units(tokens, voices, sentences, bounds, codes != PUNCT_CODE, quoted)
    return TextUnits(
        text, tuple(tokens), tuple(voices), tuple(sentence_array.tolist()), tuple(units), tuple(quotes)
    )


_VOICE_OF: tuple[Voice, Voice] = (Voice.NARRATOR, Voice.QUOTED)


def _quoted_tokens(starts: np.ndarray, quotes: Sequence[Quote]) -> np.ndarray:
    """Whether each token is quoted: it starts inside the last quotation starting at or
    before it (``harness.text.voice.quote_voices``, one ``searchsorted`` per text)."""
    if not quotes:
        return np.zeros(len(starts), dtype=bool)
    quote_starts = np.array([q.start for q in quotes], dtype=np.int64)
    quote_ends = np.array([q.end for q in quotes], dtype=np.int64)
    k = np.searchsorted(quote_starts, starts, side="right") - 1
    return (k >= 0) & (starts < quote_ends[np.maximum(k, 0)])


def _sentence_units(
    tokens: Sequence[Token],
    voices: Sequence[Voice],
    sentences: Sequence[Sentence],
    bounds: Sequence[Span],
    is_word: np.ndarray,
    quoted: np.ndarray,
) -> list[SentenceUnit]:
    """Each sentence with its words and voice fragments (``_fragments``' values).

    A sentence whose tokens all have one voice (most: every sentence of a text without
    quotations) is one run: its words are counted and its first and last words found
    from the text's cumulative counts, with no loop over its tokens; a sentence that
    changes voice goes through ``_fragments``.
    """
    if not sentences:
        return []
    firsts = np.array([b[0] for b in bounds], dtype=np.int64)
    stops = np.array([b[1] for b in bounds], dtype=np.int64)
    word_count = np.concatenate(([0], np.cumsum(is_word)))
    quoted_count = np.concatenate(([0], np.cumsum(quoted)))
    quoted_word_count = np.concatenate(([0], np.cumsum(quoted & is_word)))
    words = (word_count[stops] - word_count[firsts]).tolist()
    quoted_tokens = (quoted_count[stops] - quoted_count[firsts]).tolist()
    quoted_words = (quoted_word_count[stops] - quoted_word_count[firsts]).tolist()
    word_positions = np.flatnonzero(is_word)
    # The first word at or after a sentence's first token, the last before its stop
    # (read only for sentences with words, where both lie inside the sentence).
    if len(word_positions):
        last_index = len(word_positions) - 1
        first_words = word_positions[np.minimum(np.searchsorted(word_positions, firsts), last_index)].tolist()
        last_words = word_positions[np.maximum(np.searchsorted(word_positions, stops) - 1, 0)].tolist()
    else:
        first_words = last_words = firsts.tolist()
    units: list[SentenceUnit] = []
    for k, sentence in enumerate(sentences):
        first, stop = bounds[k]
        n_quoted = quoted_tokens[k]
        if 0 < n_quoted < stop - first:  # the voice changes inside the sentence
            n_words, n_quoted_words, narrator_spans, quoted_spans = _fragments(tokens, voices, first, stop)
        else:
            n_words, n_quoted_words = words[k], quoted_words[k]
            narrator_spans = quoted_spans = ()
            if n_words:
                last = last_words[k]
                while last + 1 < stop and tokens[last + 1].text in SENTENCE_FINAL:
                    last += 1
                spans = ((tokens[first_words[k]].start, tokens[last].end),)
                if n_quoted:
                    quoted_spans = spans
                else:
                    narrator_spans = spans
        units.append(
            SentenceUnit(k, sentence.start, sentence.end, first, stop, n_words, n_quoted_words, narrator_spans, quoted_spans)
        )
    return units


def _token_bounds(sentence_of_token: np.ndarray, n_sentences: int) -> list[Span]:
    """[first, stop) token indices of each sentence; (0, 0) for one without tokens.

    A sentence holds consecutive tokens (its index never recurs after the next
    sentence's), so its first occurrence and its count give the bounds.
    """
    bounds: list[Span] = [(0, 0)] * n_sentences
    positions = np.flatnonzero(sentence_of_token >= 0)
    found, first, counts = np.unique(
        sentence_of_token[positions], return_index=True, return_counts=True
    )
    for k, start, count in zip(found.tolist(), positions[first].tolist(), counts.tolist(), strict=True):
        bounds[k] = (start, start + count)
    return bounds


def readability_text(units: TextUnits, view: View) -> str:
    """The string the readability formulas score for ``view`` (see the module docstring)."""
    if view is View.ALL:
        return units.text
    parts = []
    for sentence in units.sentences:
        piece = units.sentence_text(sentence, view)
        if piece:
            parts.append(piece if piece[-1] in SENTENCE_FINAL else piece + ".")
    return " ".join(parts)


def voice_text(text: str, view: View | str) -> str:
    """What textstat scores for ``view`` of ``text``: reproduce any voice number by hand."""
    return readability_text(analyse_text(text), View(view))

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

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np

from harness.text.sentences import sentence_spans
from harness.text.tokens import PUNCT_CODE, TokenView, tokenize_columns
from harness.text.vocabulary import TokenIds, Vocabulary
from harness.text.voice import Quote, Voice, find_quotes
from harness.scoring.views import VIEWS as VIEWS, View as View  # their home until the schemas needed them alone

SENTENCE_FINAL = frozenset(".!?\u2026")


Span = tuple[int, int]
# A sentence as ``harness.text.sentences.sentence_spans`` gives it: (text, start, end).
SentenceSpan = tuple[str, int, int]


class SentenceUnit(NamedTuple):
    """One sentence of a text, with its words and voice fragments.

    A named tuple rather than a frozen dataclass: one is made per sentence of every
    text, and a tuple is built in one call (a frozen dataclass sets each field apart).
    The field ``index`` (the sentence's position in its text, a public name read by
    the sentence tables) hides ``tuple.index``, which nothing calls on a sentence.
    """

    index: int  # type: ignore[assignment]  # hides tuple.index on purpose (see above)
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
    tokens: TokenView  # a sequence of Token, kept as columns (``harness.text.tokens.TokenView``)
    voices: tuple[Voice, ...]
    sentences: tuple[SentenceUnit, ...]
    # The text's outermost quotations (find_quotes), found once for voices and attribution.
    quotes: tuple[Quote, ...]

    @property
    def sentence_of_token(self) -> tuple[int, ...]:
        """The index of each token's sentence, -1 for a token outside every sentence.

        Made from the sentences' token bounds each time it is read (a reader wanting
        many tokens' sentences keeps it): most texts never need it, and a tuple per
        text of every corpus cost as much as reading it here.
        """
        out = [-1] * len(self.tokens)
        for sentence in self.sentences:
            first, stop = sentence.first_token, sentence.stop_token
            out[first:stop] = [sentence.index] * (stop - first)
        return tuple(out)

    def in_view(self, token_index: int, view: View) -> bool:
        return view is View.ALL or self.voices[token_index] is view.voice

    def words_in_view(self, view: View) -> list[int]:
        """Indices of the word tokens in ``view``."""
        is_word = self.tokens.is_word
        return [i for i in range(len(self.tokens)) if is_word(i) and self.in_view(i, view)]

    def sentence_text(self, sentence: SentenceUnit, view: View) -> str:
        """The sentence's text in ``view``: its fragments joined by a space."""
        return " ".join(self.text[s:e] for s, e in sentence.spans(view))


def _fragments(
    tokens: TokenView, voices: Sequence[Voice], first: int, stop: int
) -> tuple[int, int, tuple[Span, ...], tuple[Span, ...]]:
    """Words, quoted words, narrator spans and quoted spans of tokens ``[first, stop)``.

    One scan over the sentence's tokens: each maximal run of one voice gives a span
    from its first word to its last word, extended over sentence-final punctuation
    right after that word (keep "home." of "home.'"); a run without words gives none.
    """
    spans: dict[Voice, list[Span]] = {Voice.NARRATOR: [], Voice.QUOTED: []}
    words = quoted_words = 0
    codes, texts = tokens.codes, tokens.texts
    k = first
    while k < stop:
        voice = voices[k]
        run_stop = k
        first_word = last_word = -1
        n_words = 0
        while run_stop < stop and voices[run_stop] is voice:
            if codes[run_stop] != PUNCT_CODE:
                if first_word < 0:
                    first_word = run_stop
                last_word = run_stop
                n_words += 1
            run_stop += 1
        if first_word >= 0:
            words += n_words
            if voice is Voice.QUOTED:
                quoted_words += n_words
            while last_word + 1 < run_stop and texts[last_word + 1] in SENTENCE_FINAL:
                last_word += 1
            spans[voice].append((tokens.starts[first_word], tokens.ends[last_word]))
        k = run_stop
    return words, quoted_words, tuple(spans[Voice.NARRATOR]), tuple(spans[Voice.QUOTED])


def analyse_text(text: str) -> TextUnits:
    """Tokens, voices and sentences (with voice fragments) of one text."""
    return analyse_texts([text]).units[0]


@dataclass(frozen=True, slots=True)
class AnalysedTexts:
    """``analyse_text`` of every text of a batch, and the batch's tokens as columns.

    The arrays run over every token of every text, text after text: which text each
    token is in, its kind code (``harness.text.tokens.tokenize_coded``) and whether it
    is quoted; ``token_texts`` are the tokens' texts in the same order.
    """

    units: list[TextUnits]
    token_text: np.ndarray  # int64: index of the token's text in the batch
    codes: np.ndarray  # int8 kind codes
    quoted: np.ndarray  # bool
    token_texts: list[str]
    token_ids: TokenIds  # each token's text as an id of TOKEN_VOCABULARY


# The token texts this process has met: the batch stages read per-text facts (word
# measures, lexicon starts) by these ids (``harness.text.vocabulary``).
TOKEN_VOCABULARY = Vocabulary()


def clear_token_ids() -> None:
    """Forget the token texts met so far, and every fact remembered by their ids."""
    TOKEN_VOCABULARY.clear()


def analyse_texts(texts: Sequence[str]) -> AnalysedTexts:
    """``analyse_text`` of each text, the array work done once for the whole batch.

    Each text keeps its own tokens, quotations and sentences; for the arrays, offsets
    are moved to one line through the batch (each text starts past the previous one's
    end), so two searches per sentence and per quotation find the tokens each holds
    (``_owned_ranges``), and one cumulative count per measure gives every sentence's
    words: a text is never compared with another's quotation or sentence (theirs end
    before it starts).
    """
    n_texts = len(texts)
    tokenized = [tokenize_columns(text) for text in texts]
    quotes = [find_quotes(text) for text in texts]
    sentences = [sentence_spans(text) for text in texts]
    bases = np.zeros(n_texts, dtype=np.int64)
    if n_texts > 1:
        bases[1:] = np.cumsum([len(text) + 1 for text in texts[:-1]])
    token_counts = np.array([len(t[0]) for t in tokenized], dtype=np.int64)
    token_bases = np.concatenate(([0], np.cumsum(token_counts)))
    token_text = np.repeat(np.arange(n_texts, dtype=np.int64), token_counts)
    if int(token_bases[-1]):
        starts = np.concatenate([t[1] for t in tokenized]) + bases[token_text]
        codes = np.concatenate([t[2] for t in tokenized])
    else:
        starts, codes = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int8)
    quoted = _quoted_in_batch(starts, quotes, bases)
    sentence_counts = np.array([len(ss) for ss in sentences], dtype=np.int64)
    sentence_bases = np.concatenate(([0], np.cumsum(sentence_counts)))
    sentence_text = np.repeat(np.arange(n_texts, dtype=np.int64), sentence_counts)
    flat_sentences = [sentence for ss in sentences for sentence in ss]
    firsts, stops = _sentence_bounds_in_batch(starts, flat_sentences, bases[sentence_text])
    is_word = codes != PUNCT_CODE
    columns = _sentence_columns(firsts, stops, is_word, quoted)
    firsts -= token_bases[sentence_text]
    stops -= token_bases[sentence_text]
    empty = stops <= 0  # no token: bounds (0, 0)
    firsts[empty] = 0
    stops[empty] = 0
    first_words = (columns.pop("first_word") - token_bases[sentence_text]).tolist()
    last_words = (columns.pop("last_word") - token_bases[sentence_text]).tolist()
    lists = {name: values.tolist() for name, values in columns.items()}
    firsts_list, stops_list = firsts.tolist(), stops.tolist()
    units = []
    for t, text in enumerate(texts):
        tokens = tokenized[t][0]
        a, b = int(token_bases[t]), int(token_bases[t + 1])
        # Each voice tuple made once, in C: every token narrator in a text without quotations.
        voices = tuple(map(_VOICE_OF.__getitem__, quoted[a:b].tolist())) if quotes[t] else _NARRATOR * (b - a)
        c = int(sentence_bases[t])
        sentence_units = _text_sentences(
            tokens, voices, sentences[t], c, firsts_list, stops_list, lists, first_words, last_words
        )
        units.append(
            TextUnits(text, tokens, voices, tuple(sentence_units), tuple(quotes[t]))
        )
    token_texts = list(itertools.chain.from_iterable(t.texts for t in tokenized))  # in C, not a loop
    return AnalysedTexts(units, token_text, codes, quoted, token_texts, TOKEN_VOCABULARY.ids(token_texts))


_VOICE_OF: tuple[Voice, Voice] = (Voice.NARRATOR, Voice.QUOTED)
_NARRATOR: tuple[Voice] = (Voice.NARRATOR,)


def _owned_ranges(starts: np.ndarray, span_starts: np.ndarray, span_ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batch [first, stop) token indices of the tokens each span owns; (0, 0) when none.

    A token belongs to the last span starting at or before it, if it starts before
    that span's end (the answer of a bisect per token). Spans and tokens are both in
    batch order, so span k owns the tokens from the first starting at or after its
    start, up to the first starting at or after its end or at or after the next
    span's start: two searches per span, not one per token (a batch has a few
    hundred thousand tokens and a few thousand sentences).
    """
    n = len(starts)
    firsts = np.searchsorted(starts, span_starts, side="left")
    stops = np.minimum(np.searchsorted(starts, span_ends, side="left"), np.append(firsts[1:], n))
    empty = stops <= firsts
    firsts[empty] = 0
    stops[empty] = 0
    return firsts.astype(np.int64), stops.astype(np.int64)


def _quoted_in_batch(starts: np.ndarray, quotes: Sequence[Sequence[Quote]], bases: np.ndarray) -> np.ndarray:
    """Whether each token is quoted: it starts inside the last quotation starting at or
    before it (``harness.text.voice.quote_voices``): the tokens ``_owned_ranges`` gives
    each quotation, marked by one cumulative count."""
    offsets = bases.tolist()
    quote_starts = np.array([q.start + base for qs, base in zip(quotes, offsets, strict=True) for q in qs],
                            dtype=np.int64)
    if not len(quote_starts):
        return np.zeros(len(starts), dtype=bool)
    quote_ends = np.array([q.end + base for qs, base in zip(quotes, offsets, strict=True) for q in qs],
                          dtype=np.int64)
    firsts, stops = _owned_ranges(starts, quote_starts, quote_ends)
    n = len(starts)
    depth = np.cumsum(np.bincount(firsts, minlength=n + 1) - np.bincount(stops, minlength=n + 1))
    quoted: np.ndarray = depth[:n] > 0
    return quoted


def _sentence_bounds_in_batch(
    starts: np.ndarray, sentences: Sequence[SentenceSpan], bases: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Batch [first, stop) token indices of each sentence (``_owned_ranges``); (0, 0)
    for a sentence without tokens. A sentence's tokens are consecutive."""
    if not sentences:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    sentence_starts = np.array([s[1] for s in sentences], dtype=np.int64) + bases
    sentence_ends = np.array([s[2] for s in sentences], dtype=np.int64) + bases
    return _owned_ranges(starts, sentence_starts, sentence_ends)


def _sentence_columns(
    firsts: np.ndarray, stops: np.ndarray, is_word: np.ndarray, quoted: np.ndarray
) -> dict[str, np.ndarray]:
    """Per sentence (batch token bounds): words, quoted words, quoted tokens, and the batch
    index of its first and last word (read only for a sentence with words)."""
    word_count = np.concatenate(([0], np.cumsum(is_word)))
    quoted_count = np.concatenate(([0], np.cumsum(quoted)))
    quoted_word_count = np.concatenate(([0], np.cumsum(quoted & is_word)))
    word_positions = np.flatnonzero(is_word)
    if len(word_positions):
        last_index = len(word_positions) - 1
        first_words = word_positions[np.minimum(np.searchsorted(word_positions, firsts), last_index)]
        last_words = word_positions[np.maximum(np.searchsorted(word_positions, stops) - 1, 0)]
    else:
        first_words = last_words = firsts
    return {
        "words": word_count[stops] - word_count[firsts],
        "quoted_words": quoted_word_count[stops] - quoted_word_count[firsts],
        "quoted_tokens": quoted_count[stops] - quoted_count[firsts],
        "first_word": first_words,
        "last_word": last_words,
    }


def _text_sentences(
    tokens: TokenView,
    voices: Sequence[Voice],
    spans: Sequence[SentenceSpan],
    base: int,
    firsts: list[int],
    stops: list[int],
    columns: dict[str, list[int]],
    first_words: list[int],
    last_words: list[int],
) -> list[SentenceUnit]:
    """One text's sentences with their words and voice fragments (``_fragments``' values);
    ``base``: the batch index of its first sentence in the per-sentence lists.

    A sentence whose tokens all have one voice (most: every sentence of a text without
    quotations) is one run: its counts and its first and last words come from the
    batch's cumulative counts, with no loop over its tokens; a sentence that changes
    voice goes through ``_fragments``. One loop per text, no call per sentence but the
    tuple's (``tuple.__new__``: a named tuple built in C).
    """
    words, quoted_words, quoted_tokens = columns["words"], columns["quoted_words"], columns["quoted_tokens"]
    new, final = tuple.__new__, SENTENCE_FINAL
    texts, token_starts, token_ends = tokens.texts, tokens.starts, tokens.ends
    out: list[SentenceUnit] = []
    for k, (_, start, end) in enumerate(spans):
        j = base + k
        first, stop, n_words, n_quoted = firsts[j], stops[j], words[j], quoted_tokens[j]
        if 0 < n_quoted < stop - first:  # the voice changes inside the sentence
            n_words, n_quoted_words, narrator_spans, quoted_spans = _fragments(tokens, voices, first, stop)
            out.append(new(SentenceUnit, (k, start, end, first, stop, n_words, n_quoted_words,
                                          narrator_spans, quoted_spans)))
            continue
        narrator_spans = quoted_spans = ()
        if n_words:
            last = last_words[j]
            while last + 1 < stop and texts[last + 1] in final:
                last += 1
            one = ((token_starts[first_words[j]], token_ends[last]),)
            if n_quoted:
                quoted_spans = one
            else:
                narrator_spans = one
        out.append(new(SentenceUnit, (k, start, end, first, stop, n_words, quoted_words[j],
                                      narrator_spans, quoted_spans)))
    return out


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

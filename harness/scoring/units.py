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

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from harness.text import split_sentences, tokenize
from harness.text.tokens import Token
from harness.text.voice import Voice, token_voices

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

    def in_view(self, token_index: int, view: View) -> bool:
        return view is View.ALL or self.voices[token_index] is view.voice

    def words_in_view(self, view: View) -> list[int]:
        """Indices of the word tokens in ``view``."""
        return [i for i, t in enumerate(self.tokens) if t.is_word and self.in_view(i, view)]

    def sentence_text(self, sentence: SentenceUnit, view: View) -> str:
        """The sentence's text in ``view``: its fragments joined by a space."""
        return " ".join(self.text[s:e] for s, e in sentence.spans(view))


def _trimmed(run: Sequence[Token]) -> Span | None:
    """Span of a run of same-voice tokens without edge punctuation; None if no words."""
    words = [k for k, t in enumerate(run) if t.is_word]
    if not words:
        return None
    last = words[-1]
    # Keep sentence-final punctuation right after the last word ("home." of "home.'").
    while last + 1 < len(run) and run[last + 1].text in SENTENCE_FINAL:
        last += 1
    return run[words[0]].start, run[last].end


def _voice_spans(
    tokens: Sequence[Token], voices: Sequence[Voice], voice: Voice
) -> tuple[Span, ...]:
    spans: list[Span] = []
    pairs = zip(tokens, voices, strict=True)
    for run_voice, run in itertools.groupby(pairs, key=lambda pair: pair[1]):
        if run_voice is voice:
            span = _trimmed([token for token, _ in run])
            if span is not None:
                spans.append(span)
    return tuple(spans)


def analyse_text(text: str) -> TextUnits:
    """Tokens, voices and sentences (with voice fragments) of one text."""
    tokens = tokenize(text)
    voices = token_voices(text, tokens)
    sentences = split_sentences(text)
    starts = [s.start for s in sentences]
    sentence_of_token = []
    for token in tokens:
        k = bisect.bisect_right(starts, token.start) - 1
        inside = k >= 0 and token.start < sentences[k].end
        sentence_of_token.append(k if inside else -1)
    bounds = _token_bounds(sentence_of_token, len(sentences))
    units: list[SentenceUnit] = []
    for k, sentence in enumerate(sentences):
        first, stop = bounds[k]
        toks, vois = tokens[first:stop], voices[first:stop]
        word_flags = [t.is_word for t in toks]
        units.append(
            SentenceUnit(
                index=k,
                start=sentence.start,
                end=sentence.end,
                first_token=first,
                stop_token=stop,
                words=sum(word_flags),
                quoted_words=sum(
                    1 for w, v in zip(word_flags, vois, strict=True) if w and v is Voice.QUOTED
                ),
                narrator_spans=_voice_spans(toks, vois, Voice.NARRATOR),
                quoted_spans=_voice_spans(toks, vois, Voice.QUOTED),
            )
        )
    return TextUnits(text, tuple(tokens), tuple(voices), tuple(sentence_of_token), tuple(units))


def _token_bounds(sentence_of_token: Sequence[int], n_sentences: int) -> list[Span]:
    """[first, stop) token indices of each sentence (sentences hold consecutive tokens)."""
    bounds: list[Span] = [(0, 0)] * n_sentences
    for k, group in itertools.groupby(enumerate(sentence_of_token), key=lambda pair: pair[1]):
        if k >= 0:
            indices = [i for i, _ in group]
            bounds[k] = (indices[0], indices[-1] + 1)
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

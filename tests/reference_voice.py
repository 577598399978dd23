"""The quotation reader as it was before the one-scan reading (``harness.text.voice``
up to issue 16): the reference ``tests/test_worker_text_speed.py`` checks the fast
reader against. A frozen copy; only ``Quote`` is shared, so results compare equal.
Narrator or quoted: the voice each token speaks in.

A token is ``quoted`` when it lies inside quotation marks of any style
("..." '...' “...” ‘...’ «...» „...“ ‹...› 「...」) and ``narrator`` otherwise.
The marks themselves count as quoted, so every quotation is auditable as one
character span ``text[start:end]``.

How a mark is read
------------------
Whether a mark opens or closes is decided from the characters around it, the way
a typesetter reads it (the same "flanking" idea CommonMark uses for emphasis):

* a mark with start of line, a space or punctuation (an opening bracket, a dash,
  another quote mark) before it and a non-space after it can *open*;
* a mark with a non-space before it and the end of line, a space or punctuation
  after it can *close*.

When the surroundings allow only one reading, that reading wins, even over the
mark's own shape (German „...“ closes with “; some copy uses » to open). When
they allow both or neither, a curly mark follows its shape and a straight mark
follows the state: it closes an open quotation of its family, else it opens one.

Apostrophes are not quotation marks. The single marks ' and ’ double as
apostrophes, so they are read as apostrophes when they sit between two letters
or digits (don't, Ukraine's, O'Brien), when they begin a known elided word or a
two-digit year (rock 'n' roll, 'em, '90s; the words live in
``resources/data/quote_elisions.txt``), and in plural possessives ("the leaders'
meeting": a mark after an ``s`` and before a space, when no single quotation is
open, when closing there would leave the quotation without a word, or when a
clear closing mark for the open quotation follows before any new opening one).
A tentative opening (an elided word or year) only becomes a quotation if a
closing mark for it follows in the same paragraph.

Paragraphs (lines) are independent: a quotation still open at the end of its line
is closed there. That is the news convention for quotes running over several
paragraphs, where each paragraph reopens the quote but only the last closes it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import cache

from harness.resources import Resource, packaged_resource
from harness.text.tokens import Token
from harness.text.voice import Quote

ELISIONS_FILE = "quote_elisions.txt"

__all__ = ["ELISIONS_FILE", "Quote", "Voice", "find_quotes", "quote_voices", "token_voices", "voice_resources"]


class Voice(StrEnum):
    NARRATOR = "narrator"
    QUOTED = "quoted"


class _Shape(Enum):
    """What a mark's glyph says about its direction."""

    OPENS = "opens"
    CLOSES = "closes"
    STRAIGHT = "straight"  # " and ': the glyph says nothing


class _Role(Enum):
    """What a mark does, as far as its surroundings alone can tell."""

    OPEN = "open"
    TENTATIVE_OPEN = "tentative open"  # an elided word or a year: quote only if closed
    CLOSE = "close"
    EITHER = "either"  # decided by whether a quotation of its family is open
    POSSESSIVE_OR_CLOSE = "possessive or close"  # s' followed by a space
    APOSTROPHE = "apostrophe"
    IGNORE = "ignore"


@dataclass(frozen=True, slots=True)
class _MarkStyle:
    family: str  # a closing mark only closes a quotation of its own family
    shape: _Shape


_SINGLE = "single"

# Unicode's quotation marks, grouped into families that pair with each other.
# This is typography, not a word list: it does not change between corpora.
_MARKS: dict[str, _MarkStyle] = {
    '"': _MarkStyle("double", _Shape.STRAIGHT),
    "\uff02": _MarkStyle("double", _Shape.STRAIGHT),  # fullwidth "
    "\u201c": _MarkStyle("double", _Shape.OPENS),  # “
    "\u201d": _MarkStyle("double", _Shape.CLOSES),  # ”
    "\u201e": _MarkStyle("double", _Shape.OPENS),  # „
    "\u201f": _MarkStyle("double", _Shape.OPENS),  # ‟
    "'": _MarkStyle(_SINGLE, _Shape.STRAIGHT),
    "\uff07": _MarkStyle(_SINGLE, _Shape.STRAIGHT),  # fullwidth '
    "\u2018": _MarkStyle(_SINGLE, _Shape.OPENS),  # ‘
    # ’ is also the typographic apostrophe, and some copy uses it for every
    # single quote: read it like the straight mark.
    "\u2019": _MarkStyle(_SINGLE, _Shape.STRAIGHT),  # ’
    "\u201a": _MarkStyle(_SINGLE, _Shape.OPENS),  # ‚
    "\u201b": _MarkStyle(_SINGLE, _Shape.OPENS),  # ‛
    "\u00ab": _MarkStyle("guillemet", _Shape.OPENS),  # «
    "\u00bb": _MarkStyle("guillemet", _Shape.CLOSES),  # »
    "\u2039": _MarkStyle("single guillemet", _Shape.OPENS),  # ‹
    "\u203a": _MarkStyle("single guillemet", _Shape.CLOSES),  # ›
    "\u300c": _MarkStyle("corner", _Shape.OPENS),  # 「
    "\u300d": _MarkStyle("corner", _Shape.CLOSES),  # 」
    "\u300e": _MarkStyle("white corner", _Shape.OPENS),  # 『
    "\u300f": _MarkStyle("white corner", _Shape.CLOSES),  # 』
}

_MARK_RE = re.compile("[" + re.escape("".join(_MARKS)) + "]")
_PARAGRAPH_RE = re.compile(r"[^\r\n]+")
_WORD_RE = re.compile(r"\w")
# Single marks are folded to ' before matching the elision list.
_APOSTROPHE_FOLD = str.maketrans({m: "'" for m, s in _MARKS.items() if s.family == _SINGLE})


def voice_resources() -> list[Resource]:
    """Data files the voice tagger depends on (for manifests)."""
    return [packaged_resource(ELISIONS_FILE)]


@cache
def _elisions() -> tuple[str, ...]:
    """Elided forms, longest first so that 'nother wins over 'n."""
    forms = {line.lower() for line in packaged_resource(ELISIONS_FILE).lines()}
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


def _is_word_char(char: str | None) -> bool:
    """What ``\\w`` matches: the tokenizer keeps a mark between two of these inside one word."""
    return char is not None and (char.isalnum() or char == "_")


def _is_punct(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def _opens_before(prev: str | None) -> bool:
    """Start of line, a space or punctuation: what may stand before an opening mark."""
    return prev is None or prev.isspace() or _is_punct(prev)


def _closes_after(nxt: str | None) -> bool:
    """End of line, a space or punctuation: what may stand after a closing mark."""
    return nxt is None or nxt.isspace() or _is_punct(nxt)


@dataclass(frozen=True, slots=True)
class _Mark:
    pos: int
    char: str
    family: str
    role: _Role


@dataclass(slots=True)
class _Open:
    pos: int
    char: str
    family: str
    tentative: bool


class _Paragraph:
    """Reads the marks of one line and collects its quotations."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.apostrophes: set[int] = set()  # second marks of forms like 'n'
        self.marks = self._read_marks()
        self.closer_ahead = self._closer_ahead()
        self.stack: list[_Open] = []
        self.quotes: list[Quote] = []

    # -- static reading: what each mark can be, from its surroundings ---------------

    def _read_marks(self) -> list[_Mark]:
        marks: list[_Mark] = []
        for m in _MARK_RE.finditer(self.text, self.start, self.end):
            pos = m.start()
            style = _MARKS[m.group()]
            role = _Role.APOSTROPHE if pos in self.apostrophes else self._role(pos, style)
            marks.append(_Mark(pos, m.group(), style.family, role))
        return marks

    def _char(self, pos: int) -> str | None:
        return self.text[pos] if self.start <= pos < self.end else None

    def _role(self, pos: int, style: _MarkStyle) -> _Role:
        prev, nxt = self._char(pos - 1), self._char(pos + 1)
        can_open = nxt is not None and not nxt.isspace() and (not _is_punct(nxt) or _opens_before(prev))
        can_close = prev is not None and not prev.isspace() and (not _is_punct(prev) or _closes_after(nxt))
        if style.family == _SINGLE:
            special = self._apostrophe_role(pos, prev, nxt, can_open=can_open, can_close=can_close)
            if special is not None:
                return special
        if can_open != can_close:
            return _Role.OPEN if can_open else _Role.CLOSE
        if style.shape is _Shape.OPENS:
            return _Role.OPEN
        if style.shape is _Shape.CLOSES:
            return _Role.CLOSE
        # A straight single mark with spaces on both sides is a stray, not a quote.
        if not can_open and style.family == _SINGLE:
            return _Role.IGNORE
        return _Role.EITHER

    def _apostrophe_role(
        self, pos: int, prev: str | None, nxt: str | None, *, can_open: bool, can_close: bool
    ) -> _Role | None:
        """The apostrophe readings of a single mark, or None when it is a plain quote mark."""
        if _is_word_char(prev) and _is_word_char(nxt):
            return _Role.APOSTROPHE  # don't, Ukraine's, O'Brien
        if can_open and not can_close and not _is_word_char(prev):
            return self._elision_role(pos)
        if can_close and not can_open and prev in ("s", "S") and nxt is not None and nxt.isspace():
            return _Role.POSSESSIVE_OR_CLOSE
        return None

    def _elision_role(self, pos: int) -> _Role | None:
        for form in _elisions():
            end = pos + len(form)
            if end > self.end or self.text[pos:end].lower().translate(_APOSTROPHE_FOLD) != form:
                continue
            if _is_word_char(self._char(end)):
                continue  # 'n must not match the start of 'nother
            if form.endswith("'"):
                self.apostrophes.add(end - 1)  # rock 'n' roll: both marks
                return _Role.APOSTROPHE
            return _Role.TENTATIVE_OPEN
        if self._is_two_digit_year(pos):
            return _Role.TENTATIVE_OPEN
        return None

    def _is_two_digit_year(self, pos: int) -> bool:
        """'90s, '08: two digits, not a third."""
        digits = self.text[pos + 1 : pos + 3]
        after = self._char(pos + 3)
        return len(digits) == 2 and digits.isdigit() and not (after is not None and after.isdigit())

    def _closer_ahead(self) -> list[bool]:
        """For each mark: does a clear single closing mark follow before a single opening one?

        Computed backwards in one pass so that long texts stay linear.
        """
        ahead = [False] * len(self.marks)
        state = False
        for index in range(len(self.marks) - 1, -1, -1):
            ahead[index] = state
            mark = self.marks[index]
            if mark.family != _SINGLE:
                continue
            if mark.role in (_Role.CLOSE, _Role.EITHER):
                state = True
            elif mark.role in (_Role.OPEN, _Role.TENTATIVE_OPEN):
                state = False
        return ahead

    # -- reading in order: which marks pair up --------------------------------------

    def read(self) -> list[Quote]:
        for index, mark in enumerate(self.marks):
            self._step(index, mark)
        self._close_at_paragraph_end()
        return self.quotes

    def _step(self, index: int, mark: _Mark) -> None:
        role = mark.role
        if role in (_Role.OPEN, _Role.TENTATIVE_OPEN):
            self.stack.append(_Open(mark.pos, mark.char, mark.family, role is _Role.TENTATIVE_OPEN))
            return
        target = self._innermost_open(mark.family)
        if role is _Role.CLOSE and target is not None:
            self._close(target, mark)
        elif role is _Role.EITHER:
            if target is None:
                self.stack.append(_Open(mark.pos, mark.char, mark.family, tentative=False))
            else:
                self._close(target, mark)
        elif role is _Role.POSSESSIVE_OR_CLOSE and target is not None:
            if self._has_words(self.stack[target].pos + 1, mark.pos) and not self.closer_ahead[index]:
                self._close(target, mark)

    def _innermost_open(self, family: str) -> int | None:
        """Stack index of the quotation a closing mark of ``family`` would close.

        A real opening wins over a tentative one: in "'It was the '90s,' she said"
        the closing mark closes the quotation, and '90s was an apostrophe after all.
        """
        tentative: int | None = None
        for index in range(len(self.stack) - 1, -1, -1):
            entry = self.stack[index]
            if entry.family != family:
                continue
            if not entry.tentative:
                return index
            if tentative is None:
                tentative = index
        return tentative

    def _has_words(self, start: int, end: int) -> bool:
        return _WORD_RE.search(self.text, start, end) is not None

    def _close(self, index: int, mark: _Mark) -> None:
        # Quotations opened inside it and left open end with it; tentative ones
        # inside it were apostrophes. Either way they lie inside this span.
        entry = self.stack[index]
        self.quotes.append(Quote(entry.pos, mark.pos + 1, entry.char, mark.char))
        del self.stack[index:]

    def _close_at_paragraph_end(self) -> None:
        real = [entry for entry in self.stack if not entry.tentative]
        if real:
            end = self.start + len(self.text[self.start : self.end].rstrip())
            self.quotes.append(Quote(real[0].pos, end, real[0].char, ""))
        self.stack.clear()


def _outermost(quotes: list[Quote]) -> list[Quote]:
    """Drop quotations that lie inside another; the rest sorted by start."""
    out: list[Quote] = []
    for quote in sorted(quotes, key=lambda q: (q.start, -q.end)):
        if out and quote.end <= out[-1].end:
            continue
        out.append(quote)
    return out


def find_quotes(text: str) -> list[Quote]:
    """Outermost quotations of ``text`` (nested ones lie inside), sorted by start."""
    quotes: list[Quote] = []
    for para in _PARAGRAPH_RE.finditer(text):
        if _MARK_RE.search(para.group()) is not None:
            quotes.extend(_Paragraph(text, para.start(), para.end()).read())
    return _outermost(quotes)


def token_voices(text: str, tokens: Sequence[Token]) -> list[Voice]:
    """The voice of each token of ``harness.text.tokenize(text)``, in order."""
    return quote_voices(tokens, find_quotes(text))


def quote_voices(tokens: Sequence[Token], quotes: Sequence[Quote]) -> list[Voice]:
    """``token_voices`` given the text's ``find_quotes`` (callers that need both)."""
    if not quotes:
        return [Voice.NARRATOR] * len(tokens)  # most headlines, many bodies
    return _voices_by_scan(tokens, quotes)


def _voices_by_scan(tokens: Sequence[Token], quotes: Sequence[Quote]) -> list[Voice]:
    """A token is quoted when it starts inside the last quotation starting at or before it.

    Tokens come in text order and quotations sorted by start, so one pointer walks
    the quotations as the tokens advance (the same answer as a bisect per token).
    """
    voices: list[Voice] = []
    quoted, narrator = Voice.QUOTED, Voice.NARRATOR
    index, n_quotes = -1, len(quotes)
    for token in tokens:
        start = token.start
        while index + 1 < n_quotes and quotes[index + 1].start <= start:
            index += 1
        voices.append(quoted if index >= 0 and start < quotes[index].end else narrator)
    return voices

"""Word tokens with character offsets into the original text.

One tokeniser serves the whole harness (profile counts, the wire-copy diff, the
loaded-term matcher), so that a "word" means the same thing everywhere and every
number can be traced back to ``text[start:end]``.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import repeat

import numpy as np
import regex
from typing import NamedTuple


class TokenKind(StrEnum):
    WORD = "word"
    NUMBER = "number"
    PUNCT = "punct"


class Token(NamedTuple):
    """One token; ``text == source[start:end]`` (before ``offset``).

    A named tuple rather than a frozen dataclass: every text of a corpus is cut into
    tokens, and a tuple is built about three times faster (same fields, immutable,
    compared and hashed by value).
    """

    text: str
    start: int
    end: int
    kind: TokenKind

    @property
    def is_word(self) -> bool:
        """Words and numbers: what a reader counts as a word."""
        return self.kind is not TokenKind.PUNCT


# Order matters: dotted abbreviations (U.S., e.g.) before plain words, numbers
# (1,200 / 3.5) before words, and a number glued to letters (2nd, 5G) is a word.
# Hyphens and dashes are separate punctuation tokens, so "24-48" is three tokens
# and "Putin-Zelenskyy" keeps both names as words. An apostrophe between letters
# (don't, Ukraine's, O'Brien) stays inside the word: it is not a quotation mark.
# `regex` (not `re`) because a word may carry combining marks (Unicode category
# M): Devanagari vowel signs, decomposed accents ("cafe\u0301") stay in the word.
# \x1c-\x1f are whitespace to Python's str.isspace but not to regex's \s.
_TOKEN_RE = regex.compile(
    r"""
    (?P<abbr>(?:[^\W\d_]\p{M}*\.){2,})                 # U.S.  e.g.  U.N.
  | (?P<number>\d+(?:[.,]\d+)*(?![\w\p{M}]))          # 1,200  3.5  2016
  | (?P<word>[\w\p{M}]+(?:['\u2019][\w\p{M}]+)*)      # words, 2nd, Ukraine's
  | (?P<punct>[^\w\s\p{M}\x1c-\x1f])                 # any other visible char
    """,
    regex.VERBOSE,
)

_KIND = {
    "abbr": TokenKind.WORD,
    "number": TokenKind.NUMBER,
    "word": TokenKind.WORD,
    "punct": TokenKind.PUNCT,
}
# The kind by group number (``Match.lastindex``): a tuple index costs less than the
# group's name, which ``lastgroup`` builds as a new string for every token.
_KIND_BY_GROUP: tuple[TokenKind, ...] = (
    TokenKind.PUNCT,  # no group 0 alternative; never read
    *(_KIND[name] for name, _ in sorted(_TOKEN_RE.groupindex.items(), key=lambda item: item[1])),
)


# Every token of a text in one match: the token pattern repeated, each time after the
# characters no alternative matches (whitespace and \x1c-\x1f: every other character
# starts a word, a number or a punctuation token). `regex` keeps every capture of a
# repeated group, with its offsets, so the tokens come out as lists built in C
# instead of one match object and four method calls per token.
_GAP = r"[\s\x1c-\x1f]"
_ALL_TOKENS_RE = regex.compile(
    rf"(?:{_GAP}*(?P<token>{_TOKEN_RE.pattern}))*{_GAP}*", regex.VERBOSE
)
# Kind codes: 0 a word (also an abbreviation), 1 a number, 2 punctuation.
_KIND_BY_CODE: tuple[TokenKind, ...] = (TokenKind.WORD, TokenKind.NUMBER, TokenKind.PUNCT)
_CODED_GROUPS: tuple[tuple[str, int], ...] = (("number", 1), ("punct", 2))


# The one match keeps about 350 bytes per token until it is read: texts longer than this
# (a news article is a few thousand characters) are read match by match, in bounded memory.
ONE_MATCH_CHARS = 1 << 16


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """All tokens of ``text``; ``offset`` is added to every start and end."""
    return tokenize_coded(text, offset)[0]


# The kind code of each TokenKind (tokenize_coded's second array).
KIND_CODES: dict[TokenKind, int] = {kind: code for code, kind in enumerate(_KIND_BY_CODE)}
PUNCT_CODE = KIND_CODES[TokenKind.PUNCT]


def tokenize_coded(text: str, offset: int = 0) -> tuple[list[Token], np.ndarray, np.ndarray]:
    """``tokenize(text, offset)``, with each token's start (int64) and kind code (int8:
    0 a word, 1 a number, 2 punctuation) as arrays, for callers that work on whole
    columns of tokens (``harness.scoring.units``): made on the way, not read back."""
    if len(text) > ONE_MATCH_CHARS:
        return _with_arrays(tokenize_by_matches(text, offset))
    found = _ALL_TOKENS_RE.fullmatch(text)
    if found is None:  # cannot happen (every character is a token's or a gap's); kept safe
        return _with_arrays(tokenize_by_matches(text, offset))
    starts: list[int] = found.starts("token")
    if not starts:
        return [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int8)
    ends: list[int] = found.ends("token")
    codes = np.zeros(len(starts), dtype=np.int8)
    positions = np.array(starts, dtype=np.int64)
    for group, code in _CODED_GROUPS:
        group_starts = found.starts(group)
        if group_starts:
            codes[np.searchsorted(positions, group_starts)] = code
    kinds = list(map(_KIND_BY_CODE.__getitem__, codes.tolist()))
    if offset:
        starts = [start + offset for start in starts]
        ends = [end + offset for end in ends]
        positions += offset
    # tuple.__new__(Token, row) builds each named tuple in C (no Python call per token).
    tokens = list(map(tuple.__new__, repeat(Token), zip(found.captures("token"), starts, ends, kinds)))
    return tokens, positions, codes


def _with_arrays(tokens: list[Token]) -> tuple[list[Token], np.ndarray, np.ndarray]:
    starts = np.array([t.start for t in tokens], dtype=np.int64)
    codes = np.array([KIND_CODES[t.kind] for t in tokens], dtype=np.int8)
    return tokens, starts, codes


def tokenize_by_matches(text: str, offset: int = 0) -> list[Token]:
    """``tokenize`` one match at a time (the reference the one-match reading is tested against)."""
    # Every alternative is a group with no group inside, so lastindex is the
    # alternative's number. tuple.__new__ skips the named tuple's own __new__.
    kinds, new = _KIND_BY_GROUP, tuple.__new__
    return [
        new(Token, (m.group(), m.start() + offset, m.end() + offset, kinds[m.lastindex]))
        for m in _TOKEN_RE.finditer(text)
    ]


def words(text: str) -> list[Token]:
    """Word and number tokens only (no punctuation)."""
    return [t for t in tokenize(text) if t.is_word]


def word_count(text: str) -> int:
    return sum(1 for t in tokenize(text) if t.is_word)

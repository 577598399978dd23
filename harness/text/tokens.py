"""Word tokens with character offsets into the original text.

One tokeniser serves the whole harness (profile counts, the wire-copy diff, the
loaded-term matcher), so that a "word" means the same thing everywhere and every
number can be traced back to ``text[start:end]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from functools import cache
from itertools import accumulate, repeat
from typing import TYPE_CHECKING, NamedTuple, overload

import regex

if TYPE_CHECKING:
    import numpy as np


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

_new_tuple = tuple.__new__


class TokenView(Sequence[Token]):
    """One text's tokens kept as columns; a ``Token`` is made only when one is read.

    The scorecard cuts every text of a corpus into tokens but reads a token's fields at
    few places (lexicon starts, sentence edges, quotations): building a named tuple for
    every token, and freeing it, cost about 40% of the tokeniser's time. The columns are
    what the tokeniser has anyway; hot readers take them directly (``texts[i]``,
    ``starts[i]``, ``is_word(i)``), any other reader sees a sequence of ``Token`` equal
    to ``tokenize``'s list. Read-only: the columns are never changed after the view is made.
    """

    __slots__ = ("codes", "ends", "starts", "texts")

    def __init__(self, texts: list[str], starts: list[int], ends: list[int], codes: bytes) -> None:
        self.texts = texts
        self.starts = starts
        self.ends = ends
        self.codes = codes  # one kind code per token (0 a word, 1 a number, 2 punctuation)

    @classmethod
    def of(cls, tokens: Sequence[Token]) -> TokenView:
        """The view of a sequence of tokens (itself when it already is one)."""
        if isinstance(tokens, TokenView):
            return tokens
        return cls(
            [t.text for t in tokens],
            [t.start for t in tokens],
            [t.end for t in tokens],
            bytes([KIND_CODES[t.kind] for t in tokens]),
        )

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> Token: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Token, ...]: ...

    def __getitem__(self, index: int | slice) -> Token | tuple[Token, ...]:
        if isinstance(index, slice):
            # Only the slice's tokens: a quotation's few words, not the whole text's.
            kinds = map(_KIND_BY_CODE.__getitem__, self.codes[index])
            columns = zip(self.texts[index], self.starts[index], self.ends[index], kinds)
            return tuple(map(_new_tuple, repeat(Token), columns))
        token: Token = _new_tuple(
            Token, (self.texts[index], self.starts[index], self.ends[index], _KIND_BY_CODE[self.codes[index]])
        )
        return token

    def __iter__(self) -> Iterator[Token]:
        kinds = map(_KIND_BY_CODE.__getitem__, self.codes)
        return map(_new_tuple, repeat(Token), zip(self.texts, self.starts, self.ends, kinds))

    def is_word(self, index: int) -> bool:
        """``self[index].is_word`` without making the token."""
        return self.codes[index] != PUNCT_CODE

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TokenView):
            return (self.texts, self.starts, self.ends, self.codes) == (
                other.texts, other.starts, other.ends, other.codes
            )
        if isinstance(other, (tuple, list)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"TokenView({list(self)!r})"


def tokenize_coded(text: str, offset: int = 0) -> tuple[list[Token], np.ndarray, np.ndarray]:
    """``tokenize(text, offset)``, with each token's start (int64) and kind code (int8:
    0 a word, 1 a number, 2 punctuation) as arrays, for callers that work on whole
    columns of tokens (``harness.scoring.units``): made on the way, not read back."""
    tokens, starts, codes, _ = tokenize_columns(text, offset)
    return list(tokens), starts, codes


class TokenColumns(NamedTuple):
    """``tokenize_coded``'s three values, the tokens as a view over their columns (no
    ``Token`` made until one is read), and the tokens' texts as a list of their own."""

    tokens: TokenView
    starts: np.ndarray  # int64
    codes: np.ndarray  # int8
    texts: list[str]


def tokenize_columns(text: str, offset: int = 0) -> TokenColumns:
    """``tokenize_coded`` and the token texts, which both readings have as a list before
    they build the tokens (a caller gathering the texts of many tokens reads them here,
    not back out of every token)."""
    if plain_path_applies(text):
        return _tokenize_plain(text, offset)
    tokens, starts, codes = tokenize_coded_by_regex(text, offset)
    view = TokenView.of(tokens)
    return TokenColumns(view, starts, codes, view.texts)


def tokenize_coded_by_regex(text: str, offset: int = 0) -> tuple[list[Token], np.ndarray, np.ndarray]:
    """``tokenize_coded`` on the ``regex`` engine, for any text (the reference of the
    ``re`` reading, and the reading of texts holding characters the engines class apart)."""
    import numpy as np  # here: the diff imports this module and never needs numpy

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
    import numpy as np  # here: the diff imports this module and never needs numpy

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


# -- the same tokens with ``re`` ----------------------------------------------------------
#
# ``re`` scans these simple classes faster than ``regex``, and ``split`` on a pattern
# with one group hands back the gaps and the tokens themselves, alternately, as strings
# built in C (no match object, no capture lists): the offsets are the running sum of
# their lengths. The pattern is ``_TOKEN_RE`` with every ``\p{M}`` dropped (the
# alternatives in the same order); what lies between two tokens is a gap, as there,
# since every character that is not ``\s`` starts a token. Same answer, by
# construction, on a text whose every character gets the same classes in both engines
# (``same_classes``: checked once per distinct character and remembered; every ASCII
# character does, ``re``'s ``\s`` holding \x1c-\x1f); any other text (a combining
# mark, some digits and spaces of other scripts) is read by ``regex``.
#
# A token's kind is read from its first character: punctuation is a lone non-word
# character; a token starting with a digit is a number when it is made only of digits
# with inner "." or "," (a word-alternative token starting with a digit, "2nd", "5_",
# always holds a letter or "_", or the number alternative would have matched first).
# A letter starts either an abbreviation or a word: the two alternatives share that
# first test (same order, same matches: ``(?:L\.){2,}`` is ``L\.(?:L\.)+``, and
# ``\w+`` after a letter is the letter and ``\w*``). The repeats inside a word can
# never give back a character to what follows them (no apostrophe is ``\w``, and
# nothing follows a word), so they are possessive: no backtracking bookkeeping.
_PLAIN_SPLIT_RE = re.compile(
    r"([^\W\d_](?:\.(?:[^\W\d_]\.)+|\w*+(?:['\u2019]\w++)*+)"
    r"|\d+(?:[.,]\d+)*(?!\w)"
    r"|\w++(?:['\u2019]\w++)*+"
    r"|[^\w\s])"
)
# The same with ASCII classes (a bitmap test per character instead of Unicode category
# look-ups, about a third less time per token); ``re``'s Unicode ``\s`` holds \x1c-\x1f,
# ASCII's not. Same answer on a text whose every non-ASCII character is neither
# ``\w`` nor ``\s`` (``ascii_classes_apply``: "£", curly quotes, dashes): on such a text
# each class above holds exactly the ASCII characters this one names, and such a
# character is a punctuation token in both (U+2019 also joins words in both).
_ASCII_SPLIT_RE = re.compile(
    r"([A-Za-z](?:\.(?:[A-Za-z]\.)+|[A-Za-z0-9_]*+(?:['\u2019][A-Za-z0-9_]++)*+)"
    r"|[0-9]+(?:[.,][0-9]+)*(?![A-Za-z0-9_])"
    r"|[A-Za-z0-9_]++(?:['\u2019][A-Za-z0-9_]++)*+"
    r"|[^A-Za-z0-9_\s\x1c-\x1f])",
    re.ASCII,
)
_PLAIN_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")

# Each character class the token pattern uses, in each engine (same order).
_REGEX_CLASSES = tuple(
    regex.compile(p)
    for p in (r"[^\W\d_]", r"\d", r"[\w\p{M}]", r"[^\w\s\p{M}\x1c-\x1f]", r"\p{M}", r"[\s\x1c-\x1f]")
)
_RE_CLASSES = tuple(re.compile(p) for p in (r"[^\W\d_]", r"\d", r"\w", r"[^\w\s]", r"(?!)", r"\s"))


@cache
def same_classes(char: str) -> bool:
    """Do ``re`` and ``regex`` put ``char`` in the same classes of the token pattern?"""
    return all(
        (ref.fullmatch(char) is None) == (fast.fullmatch(char) is None)
        for ref, fast in zip(_REGEX_CLASSES, _RE_CLASSES, strict=True)
    )


def plain_path_applies(text: str) -> bool:
    """Can ``text`` be tokenised with ``re`` (every character classed alike by both engines)?"""
    return text.isascii() or all(map(same_classes, set(_NON_ASCII_RE.findall(text))))


@cache
def _neither_word_nor_gap(char: str) -> bool:
    """Is ``char`` neither a word character nor a gap to ``re`` (a punctuation token of its own)?"""
    return _WORD_OR_GAP_RE.match(char) is None


_WORD_OR_GAP_RE = re.compile(r"[\w\s]")


def ascii_classes_apply(text: str) -> bool:
    """Does ``_ASCII_SPLIT_RE`` read ``text`` as ``_PLAIN_SPLIT_RE`` does (see there)?"""
    return text.isascii() or all(map(_neither_word_nor_gap, set(_NON_ASCII_RE.findall(text))))


_DIGIT_FIRST = 1  # the first character is a digit: a number or a word ("2nd")
_UNKNOWN_FIRST = 3  # not ASCII: looked up in _first_char_code
_ODD_FIRST = 1  # the bit both of those have


def _first_char_code(char: str) -> int:
    """0 a word character, ``_DIGIT_FIRST`` a digit, 2 punctuation (``re``'s classes)."""
    return 2 if re.match(r"\w", char) is None else _DIGIT_FIRST if re.match(r"\d", char) else 0


@cache
def _ascii_first_codes() -> np.ndarray:
    """The code of each ASCII first character; any other is _UNKNOWN_FIRST until looked up."""
    import numpy as np

    return np.array([*(_first_char_code(chr(c)) for c in range(128)), _UNKNOWN_FIRST], dtype=np.int8)


def _tokenize_plain(text: str, offset: int) -> TokenColumns:
    """``tokenize_columns`` for a text ``plain_path_applies`` accepts: one C loop where the
    wire diff's core runs compiled (``units.c``, ``token_columns``), else ``re``."""
    native = _native_token_columns()
    if native is None:
        return tokenize_plain_in_python(text, offset)
    import numpy as np  # here: the diff imports this module and never needs numpy

    texts, starts, ends, codes = native(text, offset)
    positions = np.array(starts, dtype=np.int64)
    return TokenColumns(TokenView(texts, starts, ends, codes), positions, np.frombuffer(codes, np.int8).copy(), texts)


@cache
def _native_token_columns() -> Callable[[str, int], tuple[list[str], list[int], list[int], bytes]] | None:
    """``units.c``'s ``token_columns`` where the diff's core runs compiled, else None.

    The same tokens and codes as :func:`tokenize_plain_in_python` (tested), read by the
    scanner of the diff's units (``_PLAIN_SPLIT_RE``'s alternatives in the same order):
    no gap strings, no running sums, no numpy look-ups. The scorecard cuts every text
    it scores into tokens; the split was the largest single cost of a worker.
    """
    from harness.wirediff.compiled import native_function

    return native_function("_units", "token_columns")


def tokenize_plain_in_python(text: str, offset: int) -> TokenColumns:
    """:func:`_tokenize_plain` with ``re``: the definition the C loop follows."""
    import numpy as np  # here: the diff imports this module and never needs numpy

    ascii = text.isascii()
    # gap, token, gap, ..., token, gap
    parts: list[str] = (_ASCII_SPLIT_RE if ascii or ascii_classes_apply(text) else _PLAIN_SPLIT_RE).split(text)
    if len(parts) == 1:
        return TokenColumns(TokenView([], [], [], b""), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int8), [])
    # Running sums as Python ints (the view's columns): each token's start and end.
    bounds = list(accumulate(map(len, parts), initial=offset))
    starts, ends = bounds[1:-1:2], bounds[2:-1:2]
    positions = np.array(starts, dtype=np.int64)
    at = positions - offset if offset else positions
    texts = parts[1::2]
    first_codes = _ascii_first_codes()
    if ascii:
        codes = first_codes[np.frombuffer(text.encode("ascii"), dtype=np.uint8)[at]]
    else:
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)[at]
        codes = first_codes[np.minimum(points, 128)]
    odd = np.flatnonzero(codes & _ODD_FIRST).tolist()  # digits and non-ASCII first characters
    if odd:
        codes[odd] = [_settled_code(texts[i], int(codes[i])) for i in odd]
    return TokenColumns(TokenView(texts, starts, ends, codes.tobytes()), positions, codes, texts)


def _settled_code(token: str, code: int) -> int:
    """The kind code of a token whose first character is a digit or not ASCII."""
    if code == _UNKNOWN_FIRST:
        code = _first_char_code(token[0])
    if code == _DIGIT_FIRST:
        return KIND_CODES[TokenKind.NUMBER] if _PLAIN_NUMBER_RE.fullmatch(token) else KIND_CODES[TokenKind.WORD]
    return code

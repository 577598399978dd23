"""The diff's tokeniser: ``harness.text.tokenize`` of ``join_apostrophes(text)``, faster.

Preparing a text is most of a comparison's cost, and tokenising is most of
preparing: ``harness.text.tokenize`` runs a ``regex`` pattern (needed for ``\\p{M}``,
combining marks) and builds a named tuple per token. Here the same pattern is
written for ``re`` and run with ``findall`` in one pass that also takes the
whitespace before each token, so offsets come from the lengths alone (C-level
``accumulate``), with no Python call per token.

Same answer, by construction: the two patterns are made of the same character
classes (letter, digit, word character, punctuation, skipped whitespace) in the same
order, and ``re`` and ``regex`` disagree on a class only for some characters
(combining marks, ``²``, a few spaces). A text is tokenised here only when every
character in it is one on which both engines agree on every class (checked once
per distinct character, then remembered); any other text goes to the reference.
``join_apostrophes`` is folded into the word pattern (a mark between two letters
joins the word, with the same lookarounds), except for U+02BC, itself a letter:
a text holding it is joined first. ``tests/test_wirediff_speed.py`` checks
equality with the reference on hypothesis-generated text.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from operator import itemgetter

import regex

from harness.text import tokenize
from harness.text.tokens import TokenKind
from harness.wirediff.frozen import Frozen
from harness.wirediff.typography import join_apostrophes

# ``harness.text.tokens._TOKEN_RE`` for ``re``, on characters that carry no
# combining mark, each token with the whitespace before it: an abbreviation, a
# number or a word (in that order, as there), or one punctuation character. The
# word pattern also takes what ``join_apostrophes`` would make an apostrophe (a
# mark between two letters), with the same lookarounds.
_JOINED_MARKS = "\u00b4`\u2032\u02bc\u2018"
_WORD = (
    r"(?:[^\W\d_]\.){2,}"
    r"|\d+(?:[.,]\d+)*(?!\w)"
    rf"|\w+(?:(?:['\u2019]|(?<=[^\W\d_])[{_JOINED_MARKS}](?=[^\W\d_]))\w+)*"
)
# The same without the joined marks' alternative, for a text holding none of them
# (most copy): that alternative cannot match there, and trying it at every word
# takes about a quarter of the matching time.
_PLAIN_WORD = r"(?:[^\W\d_]\.){2,}|\d+(?:[.,]\d+)*(?!\w)|\w+(?:['\u2019]\w+)*"
# One match per unit, no groups: ``findall`` then returns the matched strings
# themselves rather than a tuple per token. Word or punctuation is
# read from the token's first character: the word alternatives start with a word
# character (``\w``: ``str.isalnum()`` or "_", in ``re`` as in ``str``), the
# punctuation one never does.
_FAST_TOKEN = re.compile(rf"\s*(?:{_WORD}|[^\w\s])")
_PLAIN_TOKEN = re.compile(rf"\s*(?:{_PLAIN_WORD}|[^\w\s])")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MODIFIER_APOSTROPHE = "\u02bc"

# Each character class of the two patterns, in each engine.
_REFERENCE_CLASSES = tuple(
    regex.compile(p) for p in (r"[^\W\d_]", r"\d", r"[\w\p{M}]", r"[^\w\s\p{M}\x1c-\x1f]", r"\p{M}")
)
_FAST_CLASSES = tuple(re.compile(p) for p in (r"[^\W\d_]", r"\d", r"\w", r"[^\w\s]", r"(?!)"))


@cache
def same_classes(char: str) -> bool:
    """Do ``re`` and ``regex`` put ``char`` in the same classes of the token pattern?"""
    return all(
        (ref.fullmatch(char) is None) == (fast.fullmatch(char) is None)
        for ref, fast in zip(_REFERENCE_CLASSES, _FAST_CLASSES, strict=True)
    )


def fast_path_applies(text: str) -> bool:
    """Does every character of ``text`` get the same classes in both engines?"""
    return text.isascii() or all(map(same_classes, set(_NON_ASCII.findall(text))))


@dataclass(frozen=True, slots=True)
class TokenArrays(Frozen):
    """Tokens as parallel lists; ``units[i]`` is the whitespace before token i plus the token."""

    texts: list[str]
    starts: list[int]
    ends: list[int]
    is_word: list[bool]
    units: list[str]


def _reference(text: str) -> TokenArrays:
    tokens = tokenize(join_apostrophes(text))
    texts = [text[t.start : t.end] for t in tokens]
    starts = [t.start for t in tokens]
    ends = [t.end for t in tokens]
    units = [text[(ends[i - 1] if i else 0) : ends[i]] for i in range(len(tokens))]
    return TokenArrays(texts, starts, ends, [t.kind is not TokenKind.PUNCT for t in tokens], units)


def joined_marks_in(text: str) -> bool | None:
    """Whether ``text`` holds a mark the word pattern joins (``_FAST_TOKEN``'s case), or
    None when :func:`token_units` does not take it (U+02BC, or a character on which
    ``re`` and ``regex`` disagree): the pattern :func:`token_units` and
    ``harness/wirediff/units.c`` match."""
    if _MODIFIER_APOSTROPHE in text or not fast_path_applies(text):
        return None
    return any(mark in text for mark in _JOINED_MARKS)


def token_units(text: str) -> list[str] | None:
    """``token_arrays(text).units`` when each token is its unit less the leading
    whitespace (no mark to join first), else None (use :func:`token_arrays`).

    The same ``findall`` as :func:`token_arrays` on a text it tokenises as written:
    a caller that memoises per unit gets every column from one lookup.
    """
    joined = joined_marks_in(text)
    if joined is None:
        return None
    units: list[str] = (_FAST_TOKEN if joined else _PLAIN_TOKEN).findall(text)
    return units


def token_arrays(text: str) -> TokenArrays:
    """The tokens of ``tokenize(join_apostrophes(text))``, sliced from ``text``."""
    if not fast_path_applies(text):
        return _reference(text)
    # U+02BC is a letter itself, so "Aʼʼ" chains replacements the pattern's
    # lookarounds would not see: such a text is joined first.
    joined = join_apostrophes(text) if _MODIFIER_APOSTROPHE in text else text
    plain = not any(mark in joined for mark in _JOINED_MARKS)
    units: list[str] = (_PLAIN_TOKEN if plain else _FAST_TOKEN).findall(joined)
    texts = list(map(str.lstrip, units))  # a token never starts with whitespace
    ends = list(accumulate(map(len, units)))
    starts = list(map(operator.sub, ends, map(len, texts)))
    is_word = list(map(str.isalnum, map(itemgetter(0), texts)))
    if "_" in joined:  # "_" is a word character that is not alphanumeric
        is_word = [word or token[0] == "_" for word, token in zip(is_word, texts, strict=True)]
    if joined is not text:  # the tokens keep the marks as written
        texts = [text[s:e] for s, e in zip(starts, ends, strict=True)]
        units = [text[s:e] for s, e in zip([0, *ends], ends, strict=False)]
    return TokenArrays(texts, starts, ends, is_word, units)

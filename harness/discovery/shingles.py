"""Word 5-gram shingles, hashed to stable 64-bit integers.

A shingle is ``size`` consecutive word keys: word tokens (harness.text: the
tokeniser every other analysis uses, so "word" means the same thing here) of the
text with its typography folded (:func:`fold_typography`), case-folded.
Punctuation is skipped, and every apostrophe, quote and dash is one form before
the text is tokenised, so restyled quotes, apostrophes or dashes do not break a
shingle: ``Putin’s`` and ``Putin's`` are one key, ``Kyiv—Moscow`` and
``Kyiv-Moscow`` the same two. :func:`word_keys` is the one place keys are made,
for candidates (local or Ray), verification and the exact all-pairs reference alike.

Hashes must be the same on every machine and every library version, because a
stored result is verified by re-running it: each distinct word is hashed once
with BLAKE2b (standard library, fixed forever), and the words of a shingle are
combined with fixed 64-bit arithmetic in numpy (``mix64``). polars' ``hash`` is
not used because its values change between polars versions.

A text with fewer words than ``size`` has one shingle (all its words), so a
short item still matches its exact copy; a text without words has none.
"""

from __future__ import annotations

import hashlib
import unicodedata

import numpy as np
import numpy.typing as npt

from harness.text import TokenKind, tokenize

SHINGLE_SIZE = 5
Hashes = npt.NDArray[np.uint64]

# splitmix64's finaliser constants (Steele et al. 2014): a bijective 64-bit mixer.
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))


def mix64(values: Hashes) -> Hashes:
    """splitmix64 finaliser, element-wise; uint64 arrays wrap on overflow by design."""
    return mix64_inplace(values.copy())


def mix64_inplace(x: Hashes) -> Hashes:
    """``mix64`` overwriting its argument: no temporaries the size of a large matrix."""
    x ^= x >> _SHIFTS[0]
    x *= _MIX_1
    x ^= x >> _SHIFTS[1]
    x *= _MIX_2
    x ^= x >> _SHIFTS[2]
    return x


def combine64(state: Hashes, values: Hashes) -> Hashes:
    """Order-sensitive combination: combine(combine(a, b), c) != combine(combine(a, c), b)."""
    return mix64(state * _GOLDEN + values)


# Words seen so far -> hash; a corpus's vocabulary is small next to its tokens.
# Cleared when full, so a long-running process cannot grow it without bound.
_WORD_HASHES: dict[str, int] = {}
_WORD_HASHES_MAX = 1 << 21


def word_hash(word: str) -> int:
    """A stable 64-bit hash of one (case-folded) word."""
    known = _WORD_HASHES.get(word)
    if known is None:
        if len(_WORD_HASHES) >= _WORD_HASHES_MAX:
            _WORD_HASHES.clear()
        known = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")
        _WORD_HASHES[word] = known
    return known


# Typographic variants of one character, folded to the plain form. Applied after
# NFKC, which already maps compatibility forms (ligatures, full-width letters,
# non-breaking spaces, "…") but keeps curly quotes and dashes apart.
_APOSTROPHES = "\u2019\u2018\u201a\u201b\u02bc\u02bb\u02b9\u2032\u0060\u00b4\uff07\u2035\u275b\u275c"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2036\u301d\u301e\u301f\uff02\u275d\u275e\u2e42"
_SINGLE_GUILLEMETS = "\u2039\u203a"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
# Invisible characters inside a word (soft hyphen, joiners, BOM) would split it.
_INVISIBLE = "\u00ad\u200c\u200d\u2060\ufeff\u180e"
_FOLD = str.maketrans(
    {
        **dict.fromkeys(_APOSTROPHES, "'"),
        **dict.fromkeys(_DOUBLE_QUOTES, '"'),
        **dict.fromkeys(_SINGLE_GUILLEMETS, "'"),
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_INVISIBLE, ""),
        "\u200b": " ",  # zero-width space: a word break
    }
)


def fold_typography(text: str) -> str:
    """``text`` with typography folded: NFKC, then one apostrophe, one quote, one dash.

    Only keys are made from the folded text (offsets are never taken from it),
    so it may change the text's length.
    """
    if text.isascii():  # NFKC leaves ASCII alone; of the variants only ` is ASCII
        return text.replace("`", "'")
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def word_keys(text: str) -> list[str]:
    """The word keys of ``text``: what shingles are made of.

    Word tokens of the typography-folded text, case-folded (and NFKC again:
    case folding can leave a compatibility form, as ``ﬅ`` -> ``st`` does not).
    """
    keys = []
    for token in tokenize(fold_typography(text)):
        if token.kind is not TokenKind.PUNCT:
            key = token.text.casefold()
            keys.append(key if key.isascii() else unicodedata.normalize("NFKC", key))
    return keys


def shingle_hashes(text: str, *, size: int = SHINGLE_SIZE) -> Hashes:
    """The sorted, distinct hashes of the word ``size``-grams of ``text``."""
    keys = word_keys(text)
    if not keys:
        return np.empty(0, dtype=np.uint64)
    known = _WORD_HASHES
    words = np.array([known[k] if k in known else word_hash(k) for k in keys], dtype=np.uint64)
    width = min(size, len(keys))
    count = len(keys) - width + 1
    state = words[:count].copy()
    for step in range(1, width):
        state = combine64(state, words[step : step + count])
    # Seal with the width so a 3-word text never equals the first 3-gram of a longer one.
    sealed = combine64(state, np.full(count, width, dtype=np.uint64))
    return np.unique(sealed)

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

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import chain

import numpy as np
import numpy.typing as npt
import regex

# The folding and the word hash, numpy-free (harness.discovery.wordhash), under the
# names this module and its tests have always used.
from harness.discovery.wordhash import FOLD_TABLE as _FOLD
from harness.discovery.wordhash import blake64 as _blake64
from harness.discovery.wordhash import fold_typography as fold_typography
from harness.discovery.wordhash import plain_word_hashes as _plain_word_hashes
from harness.discovery.wordhash import separators_beyond_ascii as _separators_beyond_ascii


SHINGLE_SIZE = 5
Hashes = npt.NDArray[np.uint64]
Offsets = npt.NDArray[np.int64]

# The word and number alternatives of harness.text.tokens._TOKEN_RE, in the same
# order, without the punctuation one. Where that alternative would match one
# character, this pattern matches nothing there and the scan moves on by one
# character: the same next position. So ``findall`` gives exactly the texts of
# tokenize()'s non-punctuation tokens (tested against tokenize), as strings, with
# no Token object per word: word keys are most of discovery's time.
_WORD_RE = regex.compile(
    r"""
    (?:[^\W\d_]\p{M}*\.){2,}                 # U.S.  e.g.  U.N.
  | \d+(?:[.,]\d+)*(?![\w\p{M}])          # 1,200  3.5  2016
  | [\w\p{M}]+(?:['\u2019][\w\p{M}]+)*      # words, 2nd, Ukraine's
    """,
    regex.VERBOSE,
)
# The same on an ASCII text, for the standard library's faster engine: no ASCII
# character is a combining mark (\p{M}), and \w and \d mean the same on ASCII in
# both engines (tested against tokenize).
_ASCII_WORD_RE = re.compile(
    r"""
    (?:[^\W\d_]\.){2,}
  | \d+(?:[.,]\d+)*(?!\w)
  | \w+(?:'\w+)*
    """,
    re.VERBOSE,
)
# Joins the words of a batch for one casefold and one NFKC call. A line feed is
# never inside a word, no character folds or normalises to one, and as a starter
# it stops NFKC from composing across two words.
_JOIN = "\n"

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
        known = _blake64(word)
        _WORD_HASHES[word] = known
    return known


def word_keys(text: str) -> list[str]:
    """The word keys of ``text``: what shingles are made of.

    Word tokens of the typography-folded text, case-folded (and NFKC again:
    case folding can leave a compatibility form, as ``ﬅ`` -> ``st`` does not).
    """
    return _text_keys(fold_typography(text))


def _text_keys(folded: str) -> list[str]:
    """:func:`word_keys` of a folded text: by one C loop when the diff's compiled
    modules run and every character beyond ASCII in the text is a separator
    (``plain_word_keys``: its tokens found and lowercased in one pass, tested against
    the pattern), else by the pattern and ``_fold_keys``."""
    native = _plain_word_keys()
    if native is not None and (folded.isascii() or _separators_beyond_ascii(folded)):
        keys: list[str] = native(folded)
        return keys
    return _fold_keys(_words(folded))


@cache
def _plain_word_keys() -> Callable[[str], list[str]] | None:
    """The C loop of ``harness/wirediff/units.c`` (built with the diff's compiled
    modules, so used exactly when they are), or None: the pattern reads the text."""
    from harness.wirediff.compiled import native_function

    return native_function("_units", "plain_word_keys")


def _words(folded: str) -> list[str]:
    """The word and number tokens' texts of a folded text."""
    return (_ASCII_WORD_RE if folded.isascii() else _WORD_RE).findall(folded)


def _fold_keys(words: list[str]) -> list[str]:
    """Case-fold (then NFKC) every word at once; the same as word by word."""
    if not words:
        return words
    joined = _JOIN.join(words).casefold()
    if not joined.isascii():
        joined = unicodedata.normalize("NFKC", joined)
    keys = joined.split(_JOIN)
    if len(keys) != len(words):  # cannot happen (see _JOIN); word by word if it ever did
        keys = [_fold_key(w) for w in words]
    return keys


def _fold_key(word: str) -> str:
    key = word.casefold()
    return key if key.isascii() else unicodedata.normalize("NFKC", key)


def shingle_hashes(text: str, *, size: int = SHINGLE_SIZE) -> Hashes:
    """The sorted, distinct hashes of the word ``size``-grams of ``text``."""
    return shingle_batch([text], size=size).of(0)


@dataclass(frozen=True, slots=True)
class ShingleBatch:
    """The shingle sets of a batch of texts, end to end: text i's sorted, distinct
    hashes are ``hashes[offsets[i]:offsets[i + 1]]`` (one array, not one per text)."""

    hashes: Hashes
    offsets: Offsets  # len(texts) + 1 positions into ``hashes``

    def __len__(self) -> int:
        return int(self.offsets.size) - 1

    @property
    def sizes(self) -> Offsets:
        return np.diff(self.offsets)

    def of(self, index: int) -> Hashes:
        return self.hashes[self.offsets[index] : self.offsets[index + 1]]


def shingle_batch(texts: Sequence[str], *, size: int = SHINGLE_SIZE, distinct: bool = True) -> ShingleBatch:
    """``shingle_hashes`` of every text, computed over the whole batch at once.

    Python touches each text once (fold, find words and case-fold them); word hashes,
    shingles and per-text deduplication are array operations over the batch.
    With ``distinct=False`` each text's hashes are left in text order, repeats
    included (enough for MinHash, and a sort cheaper).
    """
    if size < 1:
        raise ValueError(f"shingle size must be at least 1, got {size}")
    known = _KNOWN_WORD_HASHES
    hashed = [
        np.frombuffer(given, dtype=np.uint64) if (given := known.get(text)) is not None
        else _text_word_hashes(fold_typography(text))
        for text in texts
    ]
    counts = np.fromiter(map(len, hashed), dtype=np.int64, count=len(hashed))
    words = np.concatenate(hashed) if hashed else np.zeros(0, dtype=np.uint64)
    width = np.minimum(counts, size)
    shingles = np.where(counts > 0, counts - width + 1, 0)  # a short text: one shingle of all its words
    doc = np.repeat(np.arange(counts.size, dtype=np.int64), shingles)
    native = _shingle_states()
    if native is not None:  # the same values, by one C loop (no column-at-a-time temporaries)
        sealed = np.frombuffer(native(words, counts, size), dtype=np.uint64)
    else:
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64) if counts.size else counts
        first = np.repeat(starts - np.concatenate(([0], np.cumsum(shingles)[:-1])), shingles) if doc.size else doc
        first = first + np.arange(doc.size, dtype=np.int64)  # each shingle's first word
        state = words[first]
        span = width[doc]
        for step in range(1, size):
            longer = span > step
            if longer.all():
                state = combine64(state, words[first + step])
            elif longer.any():
                state[longer] = combine64(state[longer], words[first[longer] + step])
        # Seal with the width so a 3-word text never equals the first 3-gram of a longer one.
        sealed = combine64(state, span.astype(np.uint64))
    if not distinct:
        offsets = np.zeros(counts.size + 1, dtype=np.int64)
        np.cumsum(shingles, out=offsets[1:])
        return ShingleBatch(hashes=sealed, offsets=offsets)
    return _distinct_per_text(doc, sealed, counts.size)


@cache
def _shingle_states() -> Callable[[Hashes, Offsets, int], bytearray] | None:
    """``shingle_states`` of ``harness/wirediff/units.c``, or None (see ``_plain_word_keys``)."""
    from harness.wirediff.compiled import native_function

    return native_function("_units", "shingle_states")


# Word hashes another process of this code made, by text (``word_hashes_known``).
_KNOWN_WORD_HASHES: dict[str, bytes] = {}


@contextmanager
def word_hashes_known(known: Mapping[str, bytes] | None) -> Iterator[None]:
    """Within the block, ``shingle_batch`` takes the word hashes of a text of ``known``
    from there instead of reading the text: each value must be the text's
    ``wordhash.text_word_hash_bytes``, made by this code in another process (`harness
    run` hands a JSON Lines corpus's bodies to the diff's early workers, which hash them
    while this process imports: ``harness.steps.discovery``). Any other text is read as
    usual, so the shingles, and the pairs, are the same either way (tested). Keyed by
    the whole text, compared in full on a hit. One block at a time (discovery's step)."""
    if not known:
        yield
        return
    _KNOWN_WORD_HASHES.update(known)
    try:
        yield
    finally:
        _KNOWN_WORD_HASHES.clear()


def _text_word_hashes(folded: str) -> Hashes:
    """``word_hash`` of every key of a folded text (``_text_keys``), in order: by one C
    loop that makes no str per word when the diff's compiled modules run and the text
    is one ``plain_word_keys`` reads (``plain_word_hashes``: each distinct key's hash is
    ``_blake64``'s, asked once and kept in the loop's own bounded cache), else from the
    keys through ``_word_hashes_of``. Making a str per word and looking each up in a dict
    took 119-123 ms of discovery on the diff bench's 500 articles in a fresh process; the
    loop takes 52-60 ms, the hashes it asks for included."""
    native = _plain_word_hashes()
    if native is not None and (folded.isascii() or _separators_beyond_ascii(folded)):
        return np.frombuffer(native(folded, _blake64), dtype=np.uint64)
    return _word_hashes_of([_text_keys(folded)])


def _word_hashes_of(found: list[list[str]]) -> Hashes:
    """``word_hash`` of every key of every list, in order, through the cache: by one C
    loop when the diff's compiled modules run (``known_hashes``), else by
    ``_word_hash_array``. The same values either way: a word's hash is ``_blake64``'s."""
    native = _known_hashes()
    if native is None:
        return _word_hash_array(list(chain.from_iterable(found)))
    hashed = native(found, _WORD_HASHES, _blake64)
    if len(_WORD_HASHES) > _WORD_HASHES_MAX:
        _WORD_HASHES.clear()  # bounded: at most one batch's words beyond the limit
    return np.frombuffer(hashed, dtype=np.uint64)


@cache
def _known_hashes() -> Callable[[list[list[str]], dict[str, int], Callable[[str], int]], bytes] | None:
    """The C loop of ``harness/wirediff/units.c``, or None (see ``_plain_word_keys``)."""
    from harness.wirediff.compiled import native_function

    return native_function("_units", "known_hashes")


def _word_hash_array(keys: list[str]) -> Hashes:
    """``word_hash`` of every key, through the cache, with one dictionary lookup per key in C."""
    known = _WORD_HASHES
    missing = set(keys).difference(known)
    if len(known) + len(missing) > _WORD_HASHES_MAX:
        known.clear()
        missing = set(keys)
    for word in missing:  # only values depend on the word: the order of a set is harmless here
        known[word] = _blake64(word)
    return np.fromiter(map(known.__getitem__, keys), dtype=np.uint64, count=len(keys))


def _distinct_per_text(doc: Offsets, hashes: Hashes, texts: int) -> ShingleBatch:
    """Sort each text's hashes and drop repeats; texts stay in order.

    ``doc`` (each hash's text) is ascending, so each text's hashes are one slice, sorted
    where it lies: a lexsort of the whole batch by (text, hash) took seven times as
    long (50 ms for 500 news articles, 400,000 hashes) and grows as n log n.
    """
    starts = np.zeros(texts + 1, dtype=np.int64)
    np.cumsum(np.bincount(doc, minlength=texts), out=starts[1:])
    hashes = hashes.copy()
    bounds = starts.tolist()
    for first, end in zip(bounds, bounds[1:]):
        if end - first > 1:
            hashes[first:end].sort()
    keep = np.ones(hashes.size, dtype=np.bool_)
    keep[1:] = (hashes[1:] != hashes[:-1]) | (doc[1:] != doc[:-1])
    offsets = np.zeros(texts + 1, dtype=np.int64)
    np.cumsum(np.bincount(doc[keep], minlength=texts), out=offsets[1:])
    return ShingleBatch(hashes=hashes[keep], offsets=offsets)


KEPT_SHINGLES_LIMIT = 1 << 23  # hashes (64 MB): the first pass of some 8,000 news articles


class KeptShingles:
    """The first pass's shingle hashes (``distinct=False``), kept for verification.

    Discovery shingles every body twice: for MinHash, then for the exact check of
    the candidates' articles. On a corpus small enough to hold them, the first
    pass's hashes answer the second (sorted and made distinct per text, which is
    what ``shingle_batch`` does), so no body is read, folded and tokenised again.
    Kept only while the batches come in order and total at most ``limit`` hashes:
    past that they are dropped at once and verification shingles the bodies as
    before, so a large corpus's memory stays what it was.
    """

    def __init__(self, limit: int | None = None) -> None:
        self._limit = KEPT_SHINGLES_LIMIT if limit is None else limit
        self._hashes: list[Hashes] = []
        self._sizes: list[Offsets] = []
        self._held = 0
        self._texts = 0  # texts kept so far: the position the next batch must start at
        self.kept = True

    def add(self, first: int, batch: ShingleBatch) -> None:
        """Keep the batch of texts starting at position ``first`` (or drop everything)."""
        if not self.kept:
            return
        if first != self._texts or self._held + batch.hashes.size > self._limit:
            self.drop()
            return
        self._hashes.append(batch.hashes)
        self._sizes.append(batch.sizes)
        self._held += int(batch.hashes.size)
        self._texts += len(batch)

    def drop(self) -> None:
        self._hashes, self._sizes, self.kept = [], [], False

    def sets(self, positions: Offsets) -> ShingleBatch | None:
        """``shingle_batch`` of the texts at ``positions`` (ascending), or None when not kept."""
        if not self.kept or (positions.size and int(positions[-1]) >= self._texts):
            return None
        sizes = np.concatenate(self._sizes) if self._sizes else np.zeros(0, dtype=np.int64)
        flat = np.concatenate(self._hashes) if self._hashes else np.zeros(0, dtype=np.uint64)
        starts = np.cumsum(sizes) - sizes  # where each text's hashes begin in ``flat``
        counts = sizes[positions]
        doc = np.repeat(np.arange(positions.size, dtype=np.int64), counts)
        # Each hash's index in ``flat``: its text's start plus its rank within the text.
        rank = np.arange(doc.size, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        return _distinct_per_text(doc, flat[np.repeat(starts[positions], counts) + rank], positions.size)

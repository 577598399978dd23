"""Similarity of two texts and a METER-style derivation class.

The METER corpus (Clough, Gaizauskas, Piao and Wilks, 2002) labels a newspaper
story against the Press Association copy it may come from as *wholly derived*
(the wire is the only source: copied verbatim or rewritten), *partially derived*
(the wire is one source among others) or *non-derived* (written independently).
The derivation here applies that three-way reading to two measured numbers; the
thresholds are ours, not fitted on METER, and are settings so that a study can
state and vary them:

* ``wholly``: at least ``wholly_copied`` (0.75) of B's words are aligned to A's
  words (verbatim or in another house style);
* ``partially``: at least ``partially_copied`` (0.2) copied, or at least
  ``partially_containment`` (0.1) of B's word 5-grams occur in A;
* ``non``: otherwise (and when B has no words).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from harness.wirediff.compiled import native_function
from harness.wirediff.frozen import Frozen
from harness.wirediff.model import Derivation, Similarity
from harness.wirediff.prepare import SHINGLE_SIZE, PreparedText


@dataclass(frozen=True, slots=True, kw_only=True)
class DerivationThresholds(Frozen):
    wholly_copied: float = 0.75
    partially_copied: float = 0.2
    partially_containment: float = 0.1


DEFAULT_THRESHOLDS = DerivationThresholds()  # frozen: one object for every call given none


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _shingle_set(words: Sequence[str], size: int) -> set[tuple[str, ...]]:
    """The distinct word ``size``-grams of ``words``, as tuples (built and hashed in C by ``zip``)."""
    return set(zip(*(words[k:] for k in range(size)), strict=False))


# The same counts by a C loop where the core runs compiled (units.c): no tuple is made
# per 5-gram, equal hashes are compared word by word.
_SHINGLE_COUNTS = native_function("_units", "shingle_counts")


def shingle_counts(a_words: Sequence[str], b_words: Sequence[str]) -> tuple[int, int, int]:
    """Distinct word 5-grams of A, of B, and shared: ``len(a.shingles)``, ``len(b.shingles)``,
    ``len(a.shingles & b.shingles)``.

    Counted on tuples of words rather than on space-joined strings: a token holds
    no whitespace, so joining is one-to-one and the counts are the same; the
    tuples are made by ``zip`` with no string built (cheaper than numbering the
    words and packing 5-grams into integer codes, which this replaced).
    """
    return _gram_counts(a_words, b_words, SHINGLE_SIZE)


def type_counts(a_words: Sequence[str], b_words: Sequence[str]) -> tuple[int, int, int]:
    """Distinct words of A, of B, and shared: ``len(a.word_types)``, ``len(b.word_types)``,
    ``len(a.word_types & b.word_types)``, counted as 1-grams (no set built per text)."""
    return _gram_counts(a_words, b_words, 1)


def _gram_counts(a_words: Sequence[str], b_words: Sequence[str], size: int) -> tuple[int, int, int]:
    if _SHINGLE_COUNTS is not None:
        counts: tuple[int, int, int] = _SHINGLE_COUNTS(a_words, b_words, size)
        return counts
    a_set, b_set = _shingle_set(a_words, size), _shingle_set(b_words, size)
    return len(a_set), len(b_set), len(a_set & b_set)


# The band the word edit distance is first computed in, as a share of the longer text:
# copies of one story (what the diff mostly compares) differ in far fewer words.
DISTANCE_BAND_SHARE = 6
_MIN_BAND = 32


def word_distance(a_words: Sequence[str], b_words: Sequence[str]) -> int:
    """The Levenshtein distance of two word sequences, exactly.

    rapidfuzz's full computation costs about 80 us for two texts of 900 words. With
    a ``score_cutoff`` it runs a banded computation instead, a fraction of that, and
    says only whether the distance is within the band (``score_cutoff + 1`` when not).
    So the band is tried first: wide enough for copies that differ in up to a sixth
    of their words (and never narrower than the length difference, which the
    distance always reaches); a pair farther apart then pays for the full
    computation as before, after the banded one.
    """
    longest = max(len(a_words), len(b_words))
    band = max(abs(len(a_words) - len(b_words)), longest // DISTANCE_BAND_SHARE, _MIN_BAND)
    if band < longest:
        within: int = Levenshtein.distance(a_words, b_words, score_cutoff=band)
        if within <= band:
            return within
    distance: int = Levenshtein.distance(a_words, b_words)
    return distance


# The counts and the words as code points in one C pass where the core runs compiled
# (units.c, word_counts): each word read once, and the edit distance on two strings.
_WORD_COUNTS = native_function("_units", "word_counts")

# The same with each text's part done once, not once per pair (units.c, word_codes and
# shared_counts): a corpus run compares an article with several others. word_codes
# numbers a text's words in this process's table (a word met first gets the next number)
# and gives its codes and the sets of its distinct 5-grams and words; a pair then looks
# one text's entries up in the other's sets. The table starts afresh between two pairs
# once it holds CODE_TABLE_LIMIT words (a corpus's vocabulary: tens of thousands).
_WORD_CODES = native_function("_units", "word_codes")
_COMMON_COUNTS = native_function("_units", "shared_counts")
_CODE_TABLE: dict[str, int] = {}
CODE_TABLE_LIMIT = 1 << 18
Coded = tuple[str, bytes, bytes, int, int]  # codes, 5-gram set, word set, distinct 5-grams, distinct words
# Each text's Coded by its words' tuple (held here, so that no other tuple takes its id
# while its entry stays): some 40 KiB for a 1,000-word article. Oldest out first when
# full, as the pairs of an article come close together (as boilerplate's sides).
_CODES: dict[int, tuple[Sequence[str], Coded]] = {}
CODES_LIMIT = 512


def _coded(words: Sequence[str]) -> Coded | None:
    """The words' codes and the sets of their 5-grams and words, in this process's numbering
    (None: no code point left)."""
    found = _CODES.get(id(words))
    if found is not None and found[0] is words:
        return found[1]
    assert _WORD_CODES is not None
    coded: Coded | None = _WORD_CODES(words, _CODE_TABLE, SHINGLE_SIZE)
    if coded is not None:
        if len(_CODES) >= CODES_LIMIT:
            del _CODES[next(iter(_CODES))]
        _CODES[id(words)] = (words, coded)
    return coded


# Words met in an earlier pair, by their tuple's id (held, as _CODES holds its texts).
# Coding a text in the process's table and keeping its sets pays back in its later pairs
# only: a pair with a text met for the first time is numbered on its own (word_counts:
# the same counts, tested), and its texts are coded from their next pair on. A diff of
# texts met once (``harness diff A B``) thus does not pay for the table: about a tenth of
# the diff of two news articles (0.120 -> 0.109 s of CPU for 100 cold BBC pairs).
_MET: dict[int, Sequence[str]] = {}
MET_LIMIT = 512


def _met_before(words: Sequence[str]) -> bool:
    """Did an earlier pair have these words (the same tuple)? Noted now if not."""
    key = id(words)
    if _MET.get(key) is words:
        return True
    if len(_MET) >= MET_LIMIT:
        del _MET[next(iter(_MET))]
    _MET[key] = words
    return False


def _pair_coded(a_words: Sequence[str], b_words: Sequence[str]) -> tuple[Coded, Coded] | None:
    """Both texts coded in one numbering, or None (then word_counts numbers the pair): None
    too when either text is met for the first time (_met_before notes both)."""
    if len(_CODE_TABLE) >= CODE_TABLE_LIMIT:  # started afresh between pairs: never inside one
        _CODE_TABLE.clear()
        _CODES.clear()
    a_met, b_met = _met_before(a_words), _met_before(b_words)
    if not (a_met and b_met):
        return None
    a_coded = _coded(a_words)
    b_coded = _coded(b_words) if a_coded is not None else None
    return None if a_coded is None or b_coded is None else (a_coded, b_coded)


def similarity(a: PreparedText, b: PreparedText, aligned_b_words: int) -> Similarity:
    """All similarity numbers of one pair (see :class:`Similarity`).

    ``aligned_b_words`` comes from the alignment: B words aligned to A words with
    the same key.
    """
    a_words, b_words = a.folded_words, b.folded_words
    a_seq: Sequence[str] = a_words
    b_seq: Sequence[str] = b_words
    coded = _pair_coded(a_words, b_words) if _WORD_CODES is not None else None
    if coded is not None:
        # One code point per word, equal words equal: the same edit distance, read
        # by rapidfuzz from two strings rather than by hashing every word again.
        (a_seq, a_grams, a_kinds, a_shingles, a_types), (b_seq, b_grams, b_kinds, b_shingles, b_types) = coded
        assert _COMMON_COUNTS is not None  # units.c has both functions or neither
        shared_counts: tuple[int, int] = _COMMON_COUNTS(a_grams, b_grams, a_kinds, b_kinds)
        shared, shared_types = shared_counts
    elif _WORD_COUNTS is not None:
        counts: tuple[int, int, int, int, int, int, str | None, str | None] = _WORD_COUNTS(
            a_words, b_words, SHINGLE_SIZE
        )
        a_shingles, b_shingles, shared, a_types, b_types, shared_types, a_codes, b_codes = counts
        if a_codes is not None and b_codes is not None:
            a_seq, b_seq = a_codes, b_codes
    else:
        a_shingles, b_shingles, shared = shingle_counts(a_words, b_words)
        a_types, b_types, shared_types = type_counts(a_words, b_words)
    longest = max(len(a_words), len(b_words))
    return Similarity(
        token_jaccard=_ratio(shared_types, a_types + b_types - shared_types),
        shingle_jaccard=_ratio(shared, a_shingles + b_shingles - shared),
        shingle_containment=_ratio(shared, b_shingles),
        edit_distance=word_distance(a_seq, b_seq) / longest if longest else None,
        copied_share=_ratio(aligned_b_words, len(b_words)),
    )


def derivation(sim: Similarity, thresholds: DerivationThresholds | None = None) -> Derivation:
    """METER-style class of B with respect to A (see the module docstring)."""
    limits = thresholds or DEFAULT_THRESHOLDS
    copied = sim.copied_share or 0.0
    containment = sim.shingle_containment or 0.0
    if copied >= limits.wholly_copied:
        return Derivation.WHOLLY
    if copied >= limits.partially_copied or containment >= limits.partially_containment:
        return Derivation.PARTIALLY
    return Derivation.NON

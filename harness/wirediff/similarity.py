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
from itertools import chain

import numpy as np
from rapidfuzz.distance import Levenshtein

from harness.wirediff.model import Derivation, Similarity
from harness.wirediff.prepare import SHINGLE_SIZE, PreparedText

_CODE_BITS = 63  # a 5-gram of word numbers packed into one int64



@dataclass(frozen=True, slots=True, kw_only=True)
class DerivationThresholds:
    wholly_copied: float = 0.75
    partially_copied: float = 0.2
    partially_containment: float = 0.1


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _codes(words: Sequence[str], numbers: dict[str, int], bits: int) -> np.ndarray:
    """The distinct 5-grams of ``words``, each packed into one integer from its words' numbers."""
    ids = np.fromiter(map(numbers.__getitem__, words), dtype=np.int64, count=len(words))
    count = len(words) - SHINGLE_SIZE + 1
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    packed = ids[:count].copy()
    for k in range(1, SHINGLE_SIZE):
        packed = (packed << bits) | ids[k : k + count]
    return np.unique(packed)


def shingle_counts(a_words: Sequence[str], b_words: Sequence[str]) -> tuple[int, int, int]:
    """Distinct word 5-grams of A, of B, and shared: ``len(a.shingles)``, ``len(b.shingles)``,
    ``len(a.shingles & b.shingles)``.

    Counted without building the 5-gram strings: each distinct word of the pair
    gets a number, and a 5-gram is its five numbers packed into one int64, which
    is exact (one code per 5-gram) while five numbers fit in 63 bits, i.e. below
    4,096 distinct words in the pair. Larger pairs count the strings.
    """
    numbers = {word: number for number, word in enumerate(dict.fromkeys(chain(a_words, b_words)))}
    bits = max(len(numbers) - 1, 1).bit_length()
    if bits * SHINGLE_SIZE > _CODE_BITS:
        a_set, b_set = (
            frozenset(map(" ".join, zip(*(w[k:] for k in range(SHINGLE_SIZE)), strict=False))) for w in (a_words, b_words)
        )
        return len(a_set), len(b_set), len(a_set & b_set)
    a_codes, b_codes = _codes(a_words, numbers, bits), _codes(b_words, numbers, bits)
    shared = np.intersect1d(a_codes, b_codes, assume_unique=True).size
    return len(a_codes), len(b_codes), int(shared)


def similarity(a: PreparedText, b: PreparedText, aligned_b_words: int) -> Similarity:
    """All similarity numbers of one pair (see :class:`Similarity`).

    ``aligned_b_words`` comes from the alignment: B words aligned to A words with
    the same key.
    """
    a_words, b_words = a.folded_words, b.folded_words
    a_shingles, b_shingles, shared = shingle_counts(a_words, b_words)
    shared_types = len(a.word_types & b.word_types)
    longest = max(len(a_words), len(b_words))
    return Similarity(
        token_jaccard=_ratio(shared_types, len(a.word_types) + len(b.word_types) - shared_types),
        shingle_jaccard=_ratio(shared, a_shingles + b_shingles - shared),
        shingle_containment=_ratio(shared, b_shingles),
        edit_distance=Levenshtein.distance(a_words, b_words) / longest if longest else None,
        copied_share=_ratio(aligned_b_words, len(b_words)),
    )


def derivation(sim: Similarity, thresholds: DerivationThresholds | None = None) -> Derivation:
    """METER-style class of B with respect to A (see the module docstring)."""
    limits = thresholds or DerivationThresholds()
    copied = sim.copied_share or 0.0
    containment = sim.shingle_containment or 0.0
    if copied >= limits.wholly_copied:
        return Derivation.WHOLLY
    if copied >= limits.partially_copied or containment >= limits.partially_containment:
        return Derivation.PARTIALLY
    return Derivation.NON

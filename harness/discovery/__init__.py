"""Wire-copy discovery at scale: MinHash LSH candidates, verified exactly.

``find_pairs`` turns an articles table into a table of copy pairs (``PAIRS_SCHEMA``)
that the wire-copy diff consumes; ``exact_pairs`` is the all-pairs reference it is
measured against; ``synthetic_corpus`` makes a seeded corpus with planted copies.
"""

from harness.discovery.bands import DEFAULT_TARGET_RECALL, Bands, choose_bands
from harness.discovery.exact import INDEX_PAIR_SCHEMA, Overlap, exact_pairs, overlap
from harness.discovery.minhash import DEFAULT_NUM_PERM, DEFAULT_SEED, MinHasher, band_keys, permutation_keys
from harness.discovery.pairs import (
    DEFAULT_THRESHOLD,
    PAIRS_SCHEMA,
    DiscoverySettings,
    IndexPairs,
    candidate_pairs,
    find_pairs,
    published_time,
    verify_pairs,
)
from harness.discovery.shingles import SHINGLE_SIZE, fold_typography, shingle_hashes, word_keys
from harness.discovery.synthetic import SyntheticCorpus, synthetic_corpus

__all__ = [
    "DEFAULT_NUM_PERM",
    "DEFAULT_SEED",
    "DEFAULT_TARGET_RECALL",
    "DEFAULT_THRESHOLD",
    "INDEX_PAIR_SCHEMA",
    "PAIRS_SCHEMA",
    "SHINGLE_SIZE",
    "Bands",
    "DiscoverySettings",
    "IndexPairs",
    "MinHasher",
    "Overlap",
    "SyntheticCorpus",
    "band_keys",
    "candidate_pairs",
    "choose_bands",
    "exact_pairs",
    "find_pairs",
    "fold_typography",
    "overlap",
    "permutation_keys",
    "published_time",
    "shingle_hashes",
    "synthetic_corpus",
    "verify_pairs",
    "word_keys",
]

"""Wire-copy discovery at scale: MinHash LSH candidates, verified exactly.

``find_pairs`` turns an articles table into a table of copy pairs (``PAIRS_SCHEMA``)
that the wire-copy diff consumes; ``exact_pairs`` is the all-pairs reference it is
measured against; ``synthetic_corpus`` makes a seeded corpus with planted copies.

The names below are imported on first use (PEP 562): `harness.discovery.defaults`
(read by `harness pairs --help`) must not load numpy and scipy with this package.
"""

from __future__ import annotations

from harness.lazy import lazy_exports

TYPE_CHECKING = False  # as in harness/__init__.py: mypy reads this constant as typing's
if TYPE_CHECKING:
    from harness.discovery.bands import DEFAULT_TARGET_RECALL, Bands, choose_bands
    from harness.discovery.exact import INDEX_PAIR_SCHEMA, Overlap, exact_pairs, overlap
    from harness.discovery.defaults import DEFAULT_NUM_PERM, DEFAULT_SEED, DEFAULT_THRESHOLD
    from harness.discovery.minhash import MinHasher, band_keys, permutation_keys
    from harness.discovery.pairs import (
        PAIRS_SCHEMA,
        DiscoverySettings,
        IndexPairs,
        candidate_pairs,
        find_pairs,
        published_time,
        verify_pairs,
    )
    from harness.discovery.shingles import SHINGLE_SIZE, shingle_hashes, word_keys
    from harness.discovery.wordhash import fold_typography
    from harness.discovery.synthetic import SyntheticCorpus, synthetic_corpus

_HOME = {
    "Bands": "harness.discovery.bands",
    "DEFAULT_NUM_PERM": "harness.discovery.defaults",
    "DEFAULT_SEED": "harness.discovery.defaults",
    "DEFAULT_TARGET_RECALL": "harness.discovery.bands",
    "DEFAULT_THRESHOLD": "harness.discovery.defaults",
    "DiscoverySettings": "harness.discovery.pairs",
    "INDEX_PAIR_SCHEMA": "harness.discovery.exact",
    "IndexPairs": "harness.discovery.pairs",
    "MinHasher": "harness.discovery.minhash",
    "Overlap": "harness.discovery.exact",
    "PAIRS_SCHEMA": "harness.discovery.pairs",
    "SHINGLE_SIZE": "harness.discovery.shingles",
    "SyntheticCorpus": "harness.discovery.synthetic",
    "band_keys": "harness.discovery.minhash",
    "candidate_pairs": "harness.discovery.pairs",
    "choose_bands": "harness.discovery.bands",
    "exact_pairs": "harness.discovery.exact",
    "find_pairs": "harness.discovery.pairs",
    "fold_typography": "harness.discovery.wordhash",
    "overlap": "harness.discovery.exact",
    "permutation_keys": "harness.discovery.minhash",
    "published_time": "harness.discovery.pairs",
    "shingle_hashes": "harness.discovery.shingles",
    "synthetic_corpus": "harness.discovery.synthetic",
    "verify_pairs": "harness.discovery.pairs",
    "word_keys": "harness.discovery.shingles",
}

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

__getattr__, __dir__ = lazy_exports(__name__, _HOME, globals())

"""MinHash signatures and LSH band keys, vectorised with numpy and seeded.

Permutation i is simulated by ``mix64(shingle ^ key_i)``: the splitmix64 mixer
is a bijection of 64-bit integers, and each key is derived from (seed, i) with
BLAKE2b, so a signature depends on nothing but the shingles, the seed and the
number of permutations (no global random state, no library version).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from harness.discovery.bands import Bands
from harness.discovery.shingles import Hashes, combine64, mix64

DEFAULT_SEED = 20250723
DEFAULT_NUM_PERM = 128
# Shingles hashed at once: bounds the (shingles x permutations) work matrix to ~32 MB.
CHUNK_SHINGLES = 32_768
EMPTY = np.iinfo(np.uint64).max  # signature of a text without words: never banded
Signatures = npt.NDArray[np.uint64]


def permutation_keys(seed: int, num_perm: int) -> Hashes:
    """One 64-bit key per simulated permutation, from the seed alone."""
    digests = (hashlib.blake2b(f"minhash:{seed}:{i}".encode(), digest_size=8).digest() for i in range(num_perm))
    return np.fromiter((int.from_bytes(d, "little") for d in digests), dtype=np.uint64, count=num_perm)


@dataclass(frozen=True, slots=True, kw_only=True)
class MinHasher:
    seed: int = DEFAULT_SEED
    num_perm: int = DEFAULT_NUM_PERM
    keys: Hashes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", permutation_keys(self.seed, self.num_perm))

    def signatures(self, shingle_sets: Sequence[Hashes]) -> Signatures:
        """One row of ``num_perm`` minimum hashes per shingle set (all EMPTY for an empty set)."""
        out = np.full((len(shingle_sets), self.num_perm), EMPTY, dtype=np.uint64)
        for first, last in _chunks([len(s) for s in shingle_sets]):
            self._fill(out, shingle_sets, first, last)
        return out

    def _fill(self, out: Signatures, shingle_sets: Sequence[Hashes], first: int, last: int) -> None:
        sizes = np.array([len(s) for s in shingle_sets[first:last]], dtype=np.int64)
        present = np.flatnonzero(sizes)
        if not present.size:
            return
        flat = np.concatenate([shingle_sets[first + i] for i in present])
        hashed = mix64(flat[:, None] ^ self.keys[None, :])
        starts = np.concatenate(([0], np.cumsum(sizes[present])[:-1]))
        out[first + present] = np.minimum.reduceat(hashed, starts, axis=0)


def _chunks(sizes: list[int]) -> list[tuple[int, int]]:
    """Consecutive [first, last) ranges of sets with about CHUNK_SHINGLES shingles in all."""
    ranges: list[tuple[int, int]] = []
    first, total = 0, 0
    for index, size in enumerate(sizes):
        if total and total + size > CHUNK_SHINGLES:
            ranges.append((first, index))
            first, total = index, 0
        total += size
    if first < len(sizes):
        ranges.append((first, len(sizes)))
    return ranges


def band_keys(signatures: Signatures, bands: Bands) -> Hashes:
    """(documents x bands) bucket keys: the rows of each band hashed into one value.

    The band number is mixed in, so equal rows in different bands never share a bucket.
    """
    n_docs = signatures.shape[0]
    keys = np.empty((n_docs, bands.bands), dtype=np.uint64)
    for band in range(bands.bands):
        state = np.full(n_docs, band, dtype=np.uint64)
        for row in range(band * bands.rows, (band + 1) * bands.rows):
            state = combine64(state, signatures[:, row])
        keys[:, band] = state
    return keys

"""MinHash signatures and LSH band keys, vectorised with numpy and seeded.

Permutation i is simulated by the affine map ``a_i * shingle + b_i (mod 2**64)``
with odd ``a_i``: a bijection of 64-bit integers, applied to shingle hashes that
are already well mixed (harness.discovery.shingles), like the ``(a*x + b) mod p``
family of Broder's MinHash. Two array passes per permutation instead of the nine
of a full mixer: MinHash is most of discovery's arithmetic. ``a_i`` and ``b_i`` come
from (seed, i) through BLAKE2b, so a signature depends on nothing but the shingles,
the seed and the number of permutations (no global random state, no library version).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from harness.discovery.bands import Bands
from harness.discovery.defaults import DEFAULT_NUM_PERM, DEFAULT_SEED
from harness.discovery.shingles import Hashes, combine64

# Shingles hashed at once: bounds the (shingles x permutations) work matrix to ~32 MB.
CHUNK_SHINGLES = 32_768
EMPTY = np.iinfo(np.uint64).max  # signature of a text without words: never banded
Signatures = npt.NDArray[np.uint64]


def permutation_keys(seed: int, num_perm: int, *, part: str = "minhash") -> Hashes:
    """One 64-bit key per simulated permutation, from the seed (and which part of the map) alone."""
    digests = (hashlib.blake2b(f"{part}:{seed}:{i}".encode(), digest_size=8).digest() for i in range(num_perm))
    return np.fromiter((int.from_bytes(d, "little") for d in digests), dtype=np.uint64, count=num_perm)


@dataclass(frozen=True, slots=True, kw_only=True)
class MinHasher:
    seed: int = DEFAULT_SEED
    num_perm: int = DEFAULT_NUM_PERM
    multipliers: Hashes = field(init=False, repr=False, compare=False)
    offsets: Hashes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        odd = permutation_keys(self.seed, self.num_perm) | np.uint64(1)  # odd: the map is a bijection
        object.__setattr__(self, "multipliers", odd)
        object.__setattr__(self, "offsets", permutation_keys(self.seed, self.num_perm, part="offset"))

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
        flat = np.concatenate([shingle_sets[first + i] for i in present.tolist()])
        hashed = flat[:, None] * self.multipliers[None, :]  # uint64 arithmetic wraps: mod 2**64
        hashed += self.offsets[None, :]
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

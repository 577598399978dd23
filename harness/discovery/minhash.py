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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import numpy.typing as npt

from harness.discovery.bands import Bands
from harness.discovery.defaults import DEFAULT_NUM_PERM, DEFAULT_SEED
from harness.discovery.shingles import Hashes, combine64

# Shingles hashed at once: a (permutations x shingles) work matrix of ~8 MB at 128
# permutations, small enough to stay in cache (measured fastest between 4k and 16k).
CHUNK_SHINGLES = 8_192
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
        sizes = np.fromiter(map(len, shingle_sets), dtype=np.int64, count=len(shingle_sets))
        offsets = np.zeros(sizes.size + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        flat = np.concatenate(list(shingle_sets)) if sizes.sum() else np.empty(0, dtype=np.uint64)
        return self.batch_signatures(flat.astype(np.uint64, copy=False), offsets)

    def batch_signatures(self, hashes: Hashes, offsets: npt.NDArray[np.int64]) -> Signatures:
        """``signatures`` of sets laid end to end: set i is ``hashes[offsets[i]:offsets[i + 1]]``.

        Repeated hashes within a set are harmless (a minimum is a minimum), so the
        sets need not be sorted or distinct.
        """
        out = np.full((offsets.size - 1, self.num_perm), EMPTY, dtype=np.uint64)
        native = _minhash_fill()
        if native is not None:
            native(hashes, offsets, self.multipliers, self.offsets, out)
            return out
        for first, last in _chunks(offsets):
            self._fill(out, hashes, offsets, first, last)
        return out

    def _fill(self, out: Signatures, hashes: Hashes, offsets: npt.NDArray[np.int64], first: int, last: int) -> None:
        if last - first > 1 and offsets[last] - offsets[last - 1] > CHUNK_SHINGLES:
            self._fill(out, hashes, offsets, first, last - 1)  # the last set is a long one:
            first = last - 1  # alone, in slices, so the work matrix stays small
        if last - first == 1 and offsets[last] - offsets[first] > CHUNK_SHINGLES:
            out[first] = self._long_signature(hashes[offsets[first] : offsets[last]])
            return
        starts = offsets[first:last]
        present = np.flatnonzero(offsets[first + 1 : last + 1] > starts)
        if not present.size:
            return
        flat = hashes[offsets[first] : offsets[last]]
        # permutations x shingles, reduced along the shingles: the layout that keeps
        # each permutation's row contiguous (several times faster than the transpose).
        hashed = self.multipliers[:, None] * flat[None, :]  # uint64 arithmetic wraps: mod 2**64
        hashed += self.offsets[:, None]
        out[first + present] = np.minimum.reduceat(hashed, starts[present] - offsets[first], axis=1).T

    def _long_signature(self, flat: Hashes) -> Signatures:
        best = np.full(self.num_perm, EMPTY, dtype=np.uint64)
        for start in range(0, flat.size, CHUNK_SHINGLES):
            part = self.multipliers[:, None] * flat[None, start : start + CHUNK_SHINGLES]
            part += self.offsets[:, None]
            np.minimum(best, part.min(axis=1), out=best)
        return best


@cache
def _minhash_fill() -> Callable[..., None] | None:
    """The C loop of ``harness/wirediff/units.c`` (``minhash_fill``: the same minima,
    each product kept in a register instead of a work matrix), built with the diff's
    compiled modules and used exactly when they are; None: numpy (``_fill``)."""
    from harness.wirediff.compiled import native_function

    return native_function("_units", "minhash_fill")


def _chunks(offsets: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    """Consecutive [first, last) ranges of sets with about CHUNK_SHINGLES shingles in all
    (a set larger than that is a range of its own)."""
    if offsets.size < 2:
        return []
    chunk = offsets[:-1] // CHUNK_SHINGLES  # each set goes with the chunk its first shingle falls in
    bounds = np.flatnonzero(np.diff(chunk)) + 1
    edges = [0, *bounds.tolist(), offsets.size - 1]
    return list(zip(edges[:-1], edges[1:], strict=True))


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

"""LSH buckets to candidate pairs with array operations: sort, find runs, emit pairs.

A pair of documents is a ``PairKeys`` value ``a << 32 | b`` (positions, a < b), so a
set of pairs is a sorted, distinct uint64 array: ``sorted_distinct`` deduplicates pairs
found in several bands, and sorting the keys sorts the pairs by (a, b).

Per band, the documents are sorted by (bucket key, order key); a run of equal bucket
keys is a bucket. Each member is paired with the members after it in the run, at most
``max_bucket - 1`` of them: a bucket of up to ``max_bucket`` members gives all its
pairs, a larger one (a huge bucket: boilerplate, not a copy family) gives at most
``max_bucket - 1`` pairs per member instead of a number quadratic in its size. The
order key (a digest of the document's whole signature) depends on content only, so
which pairs a huge bucket gives does not depend on the order of the corpus. A pair
that is a real copy agrees in several bands (5 of 42 on average at the threshold of
0.5), so it is found in a smaller bucket too.

Documents whose band keys agree in every band (verbatim copies, often many of one
stub or template) form a group: only its first member is banded, and the group's
pairs are listed when representatives are expanded back to their members.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from harness.arrays import sorted_distinct
from harness.discovery.shingles import Hashes, combine64

IntArray = npt.NDArray[np.int64]
PairKeys = npt.NDArray[np.uint64]
# Members of one bucket paired with every other one; past this, each with the next
# MAX_BUCKET - 1 (see the module docstring). 1,000 members: ~500k pairs at most.
MAX_BUCKET = 1_000
# Pair keys held before they are deduplicated: bounds memory when bands repeat pairs.
_DEDUPE_EVERY = 1 << 24
_SHIFT = np.uint64(32)
_LOW = np.uint64(0xFFFFFFFF)
MAX_DOCUMENTS = 1 << 32  # positions must fit in 32 bits of a pair key


def pair_keys(a: IntArray, b: IntArray) -> PairKeys:
    """``a << 32 | b`` for pairs with a < b (both below ``MAX_DOCUMENTS``)."""
    return (a.astype(np.uint64) << _SHIFT) | b.astype(np.uint64)


def split_pair_keys(keys: PairKeys) -> tuple[IntArray, IntArray]:
    return (keys >> _SHIFT).astype(np.int64), (keys & _LOW).astype(np.int64)


def digests(keys: Hashes) -> Hashes:
    """One 64-bit digest of each row of a (documents x bands) key matrix."""
    digest = np.zeros(keys.shape[0], dtype=np.uint64)
    for band in range(keys.shape[1]):
        digest = combine64(digest, keys[:, band])
    return digest


def runs_pairs(members: IntArray, run_ids: IntArray, *, window: int | None = None) -> PairKeys:
    """Pairs within runs: ``members`` laid out run after run (``run_ids`` non-decreasing).

    Each member is paired with the next ``window`` members of its run (all of them
    when ``window`` is None); a pair is keyed with its lower position first.
    Work and output are proportional to the pairs emitted: one array pass per step.
    """
    if members.size < 2:
        return np.empty(0, dtype=np.uint64)
    last = np.flatnonzero(np.append(run_ids[1:] != run_ids[:-1], True))  # each run's last index
    sizes = np.diff(np.concatenate(([-1], last)))
    end = np.repeat(last, sizes)
    position = np.arange(members.size, dtype=np.int64)
    later = end - position  # members after this one in its run
    if window is not None:
        later = np.minimum(later, window)
    found = []
    step = 1
    active = np.flatnonzero(later >= 1)
    while active.size:
        x, y = members[active], members[active + step]
        found.append(pair_keys(np.minimum(x, y), np.maximum(x, y)))
        active = active[later[active] > step]
        step += 1
    return np.concatenate(found) if found else np.empty(0, dtype=np.uint64)


def bucket_pairs(bucket: Hashes, docs: IntArray, order: Hashes, *, max_bucket: int = MAX_BUCKET) -> PairKeys:
    """Distinct pairs of ``docs`` that share a ``bucket`` value (one band).

    Members of a bucket are taken in ``order`` (ties by position); each is paired with
    the next ``max_bucket - 1`` of them, which in a bucket of at most ``max_bucket`` is all.
    """
    sorted_by = np.lexsort((docs, order, bucket))
    keys = bucket[sorted_by]
    shared = np.zeros(keys.size, dtype=np.bool_)  # in a bucket of two or more
    if keys.size > 1:
        same = keys[1:] == keys[:-1]
        shared[1:] |= same
        shared[:-1] |= same
    runs = keys[shared].view(np.int64)  # equal keys: one run (only equality matters)
    return sorted_distinct(runs_pairs(docs[sorted_by[shared]], runs, window=max_bucket - 1))


@dataclass(frozen=True, slots=True)
class Groups:
    """Documents with equal band keys in every band, as runs of positions.

    ``members[offsets[g]:offsets[g + 1]]`` are group g's positions, ascending; groups
    are numbered in the order of their first (lowest) position, the representative.
    """

    members: IntArray
    offsets: IntArray

    @property
    def representatives(self) -> IntArray:
        return self.members[self.offsets[:-1]]

    @property
    def sizes(self) -> IntArray:
        return np.diff(self.offsets)


def group_documents(docs: IntArray, digest: Hashes) -> Groups:
    """Group ``docs`` (ascending positions) by equal ``digest``."""
    _, first, inverse = np.unique(digest, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)  # groups by first position
    group = rank[inverse.reshape(-1)]
    order = np.argsort(group, kind="stable")  # positions stay ascending within a group
    offsets = np.zeros(first.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(group, minlength=first.size), out=offsets[1:])
    return Groups(members=docs[order], offsets=offsets)


def banded_pairs(
    keys: Hashes, rows: IntArray, docs: IntArray, order: Hashes, *, max_bucket: int = MAX_BUCKET
) -> PairKeys:
    """Distinct pairs of ``docs`` sharing a bucket in at least one band.

    Document ``docs[i]``'s bucket in band j is ``keys[rows[i], j]`` (rows select the
    representatives without copying the whole matrix); ``order`` orders huge buckets.
    """
    held: list[PairKeys] = []
    count = 0
    for band in range(keys.shape[1]):
        found = bucket_pairs(keys[rows, band], docs, order, max_bucket=max_bucket)
        held.append(found)
        count += found.size
        if count > _DEDUPE_EVERY:
            held = [sorted_distinct(np.concatenate(held))]
            count = held[0].size
    return sorted_distinct(np.concatenate(held)) if held else np.empty(0, dtype=np.uint64)


def expand_groups(rep_pairs: PairKeys, groups: Groups) -> PairKeys:
    """Pairs of documents from pairs of representatives, plus every pair within a group."""
    reps = groups.representatives
    a, b = split_pair_keys(rep_pairs)
    ga, gb = np.searchsorted(reps, a), np.searchsorted(reps, b)
    sizes = groups.sizes
    single = (sizes[ga] == 1) & (sizes[gb] == 1)
    parts = [rep_pairs[single], _cartesian(ga[~single], gb[~single], groups)]
    grouped = np.flatnonzero(sizes > 1)
    if grouped.size:
        runs = np.repeat(grouped, sizes[grouped])
        index = ranges(groups.offsets[grouped], sizes[grouped])
        parts.append(runs_pairs(groups.members[index], runs))
    return sorted_distinct(np.concatenate(parts))


def ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """Concatenated ``arange(start, start + length)`` for each range, without a loop."""
    total = int(lengths.sum())
    if not total:
        return np.empty(0, dtype=np.int64)
    shifts = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return shifts + np.arange(total, dtype=np.int64)


def _cartesian(ga: IntArray, gb: IntArray, groups: Groups) -> PairKeys:
    """Every (member of group ga[k], member of group gb[k]) pair, keyed lower first."""
    if not ga.size:
        return np.empty(0, dtype=np.uint64)
    sa, sb = groups.sizes[ga], groups.sizes[gb]
    counts = sa * sb
    pair = np.repeat(np.arange(ga.size, dtype=np.int64), counts)
    t = ranges(np.zeros(ga.size, dtype=np.int64), counts)
    x = groups.members[groups.offsets[ga][pair] + t // sb[pair]]
    y = groups.members[groups.offsets[gb][pair] + t % sb[pair]]
    return pair_keys(np.minimum(x, y), np.maximum(x, y))

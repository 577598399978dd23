"""Exact shingle overlap: verification of candidates and the all-pairs reference.

"Exact" means exact over the 64-bit shingle hashes: two different 5-grams share
a hash with probability about 2**-64, far below any count a study reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse

from harness.discovery.bands import check_threshold
from harness.discovery.shingles import Hashes

INDEX_PAIR_SCHEMA: dict[str, pl.DataType] = {
    "a_index": pl.Int64(),
    "b_index": pl.Int64(),
    "shared_shingles": pl.Int64(),
    "a_shingles": pl.Int64(),
    "b_shingles": pl.Int64(),
    "jaccard": pl.Float64(),
}


@dataclass(frozen=True, slots=True)
class Overlap:
    shared: int
    a_size: int
    b_size: int

    @property
    def jaccard(self) -> float:
        union = self.a_size + self.b_size - self.shared
        return self.shared / union if union else 0.0


def overlap(a: Hashes, b: Hashes) -> Overlap:
    """Shared shingles of two sorted, distinct hash arrays."""
    shared = np.intersect1d(a, b, assume_unique=True).size
    return Overlap(shared=int(shared), a_size=int(a.size), b_size=int(b.size))


def exact_pairs(shingle_sets: Sequence[Hashes], *, threshold: float) -> pl.DataFrame:
    """Every pair of sets (by position, a_index < b_index) with Jaccard >= threshold.

    The all-pairs reference: intersections of every pair at once as the sparse
    product X @ X.T of the document-by-shingle incidence matrix. Memory grows
    with the number of pairs that share any shingle, so use it where that is feasible.
    """
    check_threshold(threshold)
    sizes = np.array([s.size for s in shingle_sets], dtype=np.int64)
    if not sizes.sum():
        return pl.DataFrame(schema=INDEX_PAIR_SCHEMA)
    _, columns = np.unique(np.concatenate(list(shingle_sets)), return_inverse=True)
    rows = np.repeat(np.arange(len(shingle_sets), dtype=np.int64), sizes)
    incidence = sparse.csr_array(
        (np.ones(columns.size, dtype=np.int32), (rows, columns)), shape=(len(shingle_sets), int(columns.max()) + 1)
    )
    shared = sparse.triu(incidence @ incidence.T, k=1).tocoo()
    frame = pl.DataFrame(
        {"a_index": shared.row.astype(np.int64), "b_index": shared.col.astype(np.int64),
         "shared_shingles": shared.data.astype(np.int64)}
    ).with_columns(
        a_shingles=pl.Series(sizes[shared.row]),
        b_shingles=pl.Series(sizes[shared.col]),
    )
    return (
        frame.with_columns(
            jaccard=pl.col("shared_shingles") / (pl.col("a_shingles") + pl.col("b_shingles") - pl.col("shared_shingles"))
        )
        .filter(pl.col("jaccard") >= threshold)
        .select(list(INDEX_PAIR_SCHEMA))
        .sort("a_index", "b_index")
    )

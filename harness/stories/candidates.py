"""Candidate pairs without comparing all pairs: an inverted index over top terms, in time windows.

Two reports of one event share their most distinctive terms (names, places, numbers).
So each document posts only its ``top_k`` heaviest terms to an inverted index, and two
documents are candidates when they share a posting. Terms held by more than ``max_df``
documents are not posted (they are common words of the corpus and would make every
pair a candidate); terms held by one document cannot pair anything. When both
documents have a publication day, they must be at most ``window_days`` apart: the
index is keyed by (term, day), and each posting looks up the days of its window, so
the work grows with the documents of a window, not with the corpus. A document
without a usable date is paired with every document sharing a posted term.

Cosine similarity is then computed on the candidates only (rows are L2-normalised).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from harness.stories.features import Vectors

TYPE_CHECKING = False  # as in harness/__init__.py
if TYPE_CHECKING:
    import scipy.sparse as sp  # imported where a matrix is made: scipy.sparse takes 0.17 s to load

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
UNDATED = np.iinfo(np.int64).min  # a day value meaning "no usable date"
TERM_SHARES = 16  # candidate joins are run on this many disjoint shares of the terms
_CHUNK = 50_000  # pairs per cosine batch: bounds the gathered rows held at once


@dataclass(frozen=True, slots=True)
class Candidates:
    """Pairs of document positions (a < b) and their cosine similarity."""

    a: IntArray
    b: IntArray
    similarity: FloatArray

    def __len__(self) -> int:
        return int(self.a.size)


def postings(vectors: Vectors, *, top_k: int, max_df: int) -> pl.DataFrame:
    """(doc, term) rows: each document's ``top_k`` heaviest terms that 2..max_df documents hold."""
    matrix = vectors.matrix
    doc = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))
    col = matrix.indices.astype(np.int64)
    frame = pl.DataFrame({"doc": doc, "term": col, "w": matrix.data})
    df = vectors.df[col] if col.size else np.zeros(0, dtype=np.int64)
    frame = frame.filter(pl.Series((df >= 2) & (df <= max_df)))
    return (
        frame.sort(["doc", "w", "term"], descending=[False, True, False])
        .filter(pl.int_range(pl.len()).over("doc") < top_k)
        .select("doc", "term")
    )


def candidate_pairs(posted: pl.DataFrame, days: IntArray, *, window_days: int) -> pl.DataFrame:
    """(doc, doc_b, len) with doc < doc_b sharing ``len`` posted terms, within the time window when dated.

    Terms are joined a share at a time (by term id), so the rows of one join, not of
    all, are held at once; the counts of the shares add up.
    """
    posted = posted.with_columns(day=pl.Series(days)[posted["doc"]] if posted.height else pl.lit(0, pl.Int64))
    parts = [
        _pairs_of_terms(posted.filter(pl.col("term") % TERM_SHARES == share), window_days)
        for share in range(TERM_SHARES)
    ]
    return (
        pl.concat(parts)
        .group_by("doc", "doc_b")
        .agg(pl.col("len").sum())
        .sort("doc", "doc_b")
    )


def _pairs_of_terms(posted: pl.DataFrame, window_days: int) -> pl.DataFrame:
    dated = posted.filter(pl.col("day") != UNDATED)
    undated = posted.filter(pl.col("day") == UNDATED)
    offsets = pl.DataFrame({"offset": np.arange(-window_days, window_days + 1, dtype=np.int64)})
    shifted = dated.join(offsets, how="cross").with_columns(day=pl.col("day") + pl.col("offset")).drop("offset")
    # Each pair once per shared term: the lower doc's side for two dated or two undated
    # documents, the undated side for a dated one with an undated one.
    in_window = shifted.join(dated, on=["term", "day"], suffix="_b").filter(pl.col("doc") < pl.col("doc_b"))
    with_undated = undated.join(posted, on="term", suffix="_b").filter(
        (pl.col("day_b") != UNDATED) | (pl.col("doc") < pl.col("doc_b"))
    )
    pairs = pl.concat([in_window.select("doc", "doc_b"), with_undated.select("doc", "doc_b")])
    return (
        pairs.select(doc=pl.min_horizontal("doc", "doc_b"), doc_b=pl.max_horizontal("doc", "doc_b"))
        .group_by("doc", "doc_b")
        .len()
        .with_columns(pl.col("len").cast(pl.Int64))
    )


def cosine(matrix: sp.csr_matrix, a: IntArray, b: IntArray) -> FloatArray:
    """Row-wise dot products of L2-normalised rows: the cosine of every pair."""
    out = np.empty(a.size, dtype=np.float64)
    for first in range(0, a.size, _CHUNK):
        rows_a = matrix[a[first : first + _CHUNK]]
        rows_b = matrix[b[first : first + _CHUNK]]
        out[first : first + _CHUNK] = np.asarray(rows_a.multiply(rows_b).sum(axis=1)).ravel()
    return np.clip(out, 0.0, 1.0)


def find_candidates(
    vectors: Vectors, days: IntArray, *, top_k: int, max_df: int, window_days: int, min_shared: int = 1
) -> Candidates:
    """Candidate pairs from the inverted index (sharing ``min_shared`` posted terms), with their cosine."""
    pairs = candidate_pairs(postings(vectors, top_k=top_k, max_df=max_df), days, window_days=window_days)
    pairs = pairs.filter(pl.col("len") >= min_shared)
    a = pairs["doc"].to_numpy().astype(np.int64)
    b = pairs["doc_b"].to_numpy().astype(np.int64)
    return Candidates(a, b, cosine(vectors.matrix, a, b))

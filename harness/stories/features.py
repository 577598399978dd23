"""What an article is about, as weighted terms: headline, lead and name-like tokens.

Reports of one event written independently share few word sequences but the same
*names* (people, places, bodies), numbers and topic words, mostly in the headline and
the first paragraph. So an article's terms are:

* the words of its headline, each counted ``headline_weight`` times;
* the words of its lead (the first ``lead_words`` words of the body);
* name-like tokens of the lead: runs of capitalised words that do not merely start a
  sentence ("Vladimir Medinsky", "Istanbul"; a sentence's first word counts only as
  part of a run of two or more), as one term ``e:vladimir medinsky``;
* numbers of two or more digits, as ``n:1200`` (thousands separators removed).

Words are case-folded, typography-folded (curly and straight apostrophes alike), a
possessive ``'s`` and a plural ``s``/``ies`` are stripped, and stopwords (the
Glasgow IR list, ``data/stopwords_en.txt``) and one-letter words are dropped.

``term_counts`` works on any slice of the articles (one row per article in, rows of
that article out), so an engine may spread it over partitions; ``weigh`` needs the
whole corpus (document frequencies) and runs on the driver over compact arrays.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import regex
import numpy.typing as npt
import polars as pl

from harness.discovery.wordhash import fold_typography
from harness.resources import Resource, project_resource

TYPE_CHECKING = False  # as in harness/__init__.py
if TYPE_CHECKING:
    import scipy.sparse as sp  # imported where a matrix is made: scipy.sparse takes 0.17 s to load

Weighting = Literal["tfidf", "bm25"]
DEFAULT_LEAD_WORDS = 90
DEFAULT_HEADLINE_WEIGHT = 2.0
BM25_K1 = 1.2  # the usual Okapi BM25 constants (Robertson and Zaragoza 2009)
BM25_B = 0.75
_STOPWORDS = Path(__file__).parent / "data" / "stopwords_en.txt"

TERM_SCHEMA: dict[str, pl.DataType] = {"doc": pl.Int64(), "term": pl.String(), "tf": pl.Float64()}
# Letters (an apostrophe may join two runs: don't, O'Brien), or a number (1,200 / 3.5).
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.!?:;\n\"]")
# A run of capitalised words separated by single spaces (a word not preceded by a letter).
_CAPITAL_RUN = regex.compile(r"(?<![\p{L}\p{N}'])\p{Lu}\p{L}*(?:'\p{L}+)*(?: \p{Lu}\p{L}*(?:'\p{L}+)*)*")


def stopwords_resource() -> Resource:
    return project_resource(_STOPWORDS, "stories/stopwords_en.txt")


@cache
def stopwords() -> frozenset[str]:
    return frozenset(stopwords_resource().lines())


@cache
def _word_term(word: str) -> str | None:
    """A word's term: folded, possessive and plural stripped; None for stopwords.

    Cached: a corpus repeats its words, and this runs once per word of every article."""
    stop = stopwords()
    w = word.casefold()
    if w.endswith("'s"):
        w = w[:-2]
    w = w.replace("'", "")
    if len(w) < 2 or w in stop:
        return None
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return w


def _number_term(token: str) -> str | None:
    digits = token.replace(",", "")
    return f"n:{digits}" if len(digits.replace(".", "")) >= 2 else None


def _lead(body: str, lead_words: int) -> str:
    """The body up to its ``lead_words``-th word (whole words, original spacing kept)."""
    for index, match in enumerate(_TOKEN.finditer(body)):
        if index == lead_words:
            return body[: match.start()]
    return body


def _names(text: str, stop: frozenset[str]) -> list[str]:
    """Runs of capitalised words that are not just a sentence's first word."""
    names: list[str] = []
    for match in _CAPITAL_RUN.finditer(text):
        before = text[: match.start()].rstrip(" \t")
        starts_sentence = not before or _SENTENCE_END.fullmatch(before[-1]) is not None
        _close_run(match.group().split(), starts_sentence, stop, names)
    return names


def _close_run(run: list[str], starts_sentence: bool, stop: frozenset[str], names: list[str]) -> None:
    words = [w.casefold() for w in run]
    while words and words[0] in stop:  # "The Kremlin", "In Istanbul"
        words = words[1:]
        starts_sentence = False
    if not words or (starts_sentence and len(words) < 2):
        return
    if len(words) == 1 and (words[0] in stop or len(words[0]) < 2):
        return
    names.append("e:" + " ".join(w.replace("'s", "") for w in words))


@cache
def _term(token: str) -> str | None:
    return _number_term(token) if token[0].isdigit() else _word_term(token)


def article_terms(headline: str, body: str, *, lead_words: int, headline_weight: float) -> dict[str, float]:
    """Term -> weighted count for one article (empty when it has no usable words)."""
    stop = stopwords()
    head = Counter(map(_term, _TOKEN.findall(fold_typography(headline))))
    lead_text = fold_typography(_lead(body, lead_words))
    lead = Counter(map(_term, _TOKEN.findall(lead_text)))
    lead.update(_names(lead_text, stop))  # names are terms of their own, beside their words
    counts = {term: float(n) for term, n in lead.items() if term is not None}
    for term, n in head.items():
        if term is not None:
            counts[term] = counts.get(term, 0.0) + n * headline_weight
    return counts


def term_counts(
    articles: pl.DataFrame, *, lead_words: int = DEFAULT_LEAD_WORDS, headline_weight: float = DEFAULT_HEADLINE_WEIGHT
) -> dict[str, pl.DataFrame]:
    """``terms`` (doc, term, tf) of a slice of (position, headline, body) rows."""
    docs: list[int] = []
    terms: list[str] = []
    tfs: list[float] = []
    for position, headline, body in articles.select("position", "headline", "body").iter_rows():
        counted = article_terms(headline or "", body or "", lead_words=lead_words, headline_weight=headline_weight)
        for term in sorted(counted):
            docs.append(position)
            terms.append(term)
            tfs.append(counted[term])
    return {"terms": pl.DataFrame({"doc": docs, "term": terms, "tf": tfs}, schema=TERM_SCHEMA)}


@dataclass(frozen=True, slots=True)
class Vectors:
    """L2-normalised term weights: row i is document i; ``vocabulary[j]`` is column j's term."""

    matrix: sp.csr_matrix
    vocabulary: list[str]
    df: npt.NDArray[np.int64]  # documents holding each term

    @property
    def empty(self) -> npt.NDArray[np.bool_]:
        """Documents without a single term."""
        return np.asarray(np.diff(self.matrix.indptr) == 0)


def weigh(terms: pl.DataFrame, n_docs: int, *, weighting: Weighting = "tfidf") -> Vectors:
    """TF-IDF (sublinear tf, smoothed idf) or BM25 weights over the whole corpus, L2-normalised.

    Term ids are the terms' sorted order, so the matrix does not depend on the order
    the rows arrive in (any engine, any partitioning).
    """
    import scipy.sparse as sp

    vocab = terms.select(pl.col("term").unique().sort())
    vocab = vocab.with_columns(col=pl.int_range(0, pl.len(), dtype=pl.Int64))
    rows = terms.join(vocab, on="term").sort("doc", "col")
    df = rows.group_by("col").agg(pl.len().alias("df")).sort("col")["df"].to_numpy().astype(np.int64)
    doc = rows["doc"].to_numpy()
    col = rows["col"].to_numpy()
    tf = rows["tf"].to_numpy().astype(np.float64)
    if weighting == "bm25":
        lengths = np.bincount(doc, weights=tf, minlength=n_docs) if doc.size else np.zeros(n_docs)
        average = float(lengths[lengths > 0].mean()) if (lengths > 0).any() else 1.0
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[doc] / average)
        tf_part = tf * (BM25_K1 + 1) / (tf + norm)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    else:
        tf_part = 1.0 + np.log(tf)  # sublinear: a word said five times is not five times the evidence
        idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0  # smoothed: as if one document held every term
    weights = tf_part * idf[col]
    matrix = sp.csr_matrix((weights, (doc, col)), shape=(n_docs, len(df)), dtype=np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    matrix = sp.csr_matrix(sp.diags(scale) @ matrix)
    matrix.sort_indices()
    return Vectors(matrix, vocab["term"].to_list(), df)


def group_top_terms(vectors: Vectors, labels: npt.NDArray[np.int64], k: int) -> dict[int, list[str]]:
    """``top_terms`` of every group of rows sharing a label, from one sparse product."""
    import scipy.sparse as sp

    n = labels.size
    groups, inverse = np.unique(labels, return_inverse=True)
    indicator = sp.csr_matrix((np.ones(n), (inverse, np.arange(n))), shape=(groups.size, n))
    centroids = sp.csr_matrix(indicator @ vectors.matrix)
    out: dict[int, list[str]] = {}
    for g, label in enumerate(groups.tolist()):
        start, end = centroids.indptr[g], centroids.indptr[g + 1]
        out[label] = _heaviest(centroids.data[start:end], centroids.indices[start:end], vectors.vocabulary, k)
    return out


def top_terms(vectors: Vectors, rows: npt.NDArray[np.int64], k: int) -> list[str]:
    """The ``k`` heaviest terms of the summed (centroid) vector of ``rows``, ties by term."""
    if rows.size == 0 or k <= 0:
        return []
    centroid = np.asarray(vectors.matrix[rows].sum(axis=0)).ravel()
    nonzero = np.flatnonzero(centroid)
    return _heaviest(centroid[nonzero], nonzero, vectors.vocabulary, k)


def _heaviest(weights: npt.NDArray[np.float64], columns: npt.NDArray[np.int64] | npt.NDArray[np.int32], vocabulary: list[str], k: int) -> list[str]:
    if k <= 0:
        return []
    ranked = sorted(zip(weights.tolist(), columns.tolist(), strict=True), key=lambda wc: (-round(wc[0], 12), vocabulary[wc[1]]))
    order = [c for _, c in ranked]
    shown: list[str] = []
    for j in order:  # a name and its word ("e:ukraine", "ukraine") are shown once
        word = _readable(vocabulary[j])
        if word not in shown:
            shown.append(word)
        if len(shown) == k:
            break
    return shown


def _readable(term: str) -> str:
    return term[2:] if term.startswith(("e:", "n:")) else term


def sublinear(value: float) -> float:
    """The sublinear tf of one count (exposed for tests)."""
    return 1.0 + math.log(value)

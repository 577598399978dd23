"""Which articles report the same event: story ids with their evidence.

``match_stories`` runs the whole method (see the README, "Stories"):

1. terms of headline, lead and name-like tokens per article (``features.term_counts``,
   spread over partitions by the engine), weighted over the whole corpus (TF-IDF or
   BM25) into L2-normalised sparse vectors on the driver;
2. candidate pairs from an inverted index over each article's top terms, in a
   publication-time window (``candidates``), and their cosine similarity;
3. copies (near-duplicate bodies, or pairs given by wire-copy discovery) merged first;
4. average-linkage clustering with a threshold (``cluster``).

Articles are processed in doc_id order and a story's id is a hash of its smallest
doc_id, so the same corpus gives the same ids in any input order and on any engine.
Articles with no words, no date or a date after ``as_of`` are kept and counted: one
without words is a story of its own; an undated or future-dated one is compared
with every article sharing a posted term (no time window).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from harness.discovery.pairs import published_time
from harness.discovery.wordhash import fold_typography
from harness.engines import BatchCall, Engine
from harness.errors import InputError
from harness.stories.candidates import UNDATED, Candidates, find_candidates
from harness.stories.cluster import average_linkage
from harness.stories.features import (
    DEFAULT_HEADLINE_WEIGHT,
    DEFAULT_LEAD_WORDS,
    TERM_SCHEMA,
    Vectors,
    Weighting,
    term_counts,
    group_top_terms,
    weigh,
)

IntArray = npt.NDArray[np.int64]
DEFAULT_THRESHOLD = 0.15
DEFAULT_WINDOW_DAYS = 2
DEFAULT_TOP_K = 30
DEFAULT_MAX_DF = 1000
DEFAULT_MIN_SHARED = 2
DEFAULT_NEIGHBOURS = 3
DEFAULT_COPY_CONTAINMENT = 0.5
COPY_MIN_COSINE = 0.6  # only pairs this similar are checked for copied bodies (cheap pre-filter)
TOP_TERMS = 8
_DAY_US = 86_400_000_000
SHINGLE = 5  # words per shingle, as wire-copy discovery
_WORD = re.compile(r"\w+")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

ASSIGNMENT_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "story_id": pl.String(),
    "story_size": pl.Int64(),
    "neighbours": pl.List(pl.String()),  # nearest candidates, most similar first
    "similarities": pl.List(pl.Float64()),  # their cosine similarities, same order
    "copies": pl.List(pl.String()),  # articles joined to this one as copies
    "status": pl.String(),  # ok, no_text, undated, future_date
}
STORIES_SCHEMA: dict[str, pl.DataType] = {
    "story_id": pl.String(),
    "size": pl.Int64(),
    "outlets": pl.Int64(),
    "outlet_names": pl.String(),
    "first_published": pl.String(),
    "last_published": pl.String(),
    "top_terms": pl.String(),
    "doc_ids": pl.List(pl.String()),
}
STATUSES = ("ok", "no_text", "undated", "future_date")


@dataclass(frozen=True, slots=True, kw_only=True)
class StorySettings:
    threshold: float = DEFAULT_THRESHOLD  # mean cosine two clusters need to merge
    window_days: int = DEFAULT_WINDOW_DAYS  # dated articles at most this many days apart
    top_k: int = DEFAULT_TOP_K  # terms each article posts to the inverted index
    max_df: int = DEFAULT_MAX_DF  # terms in more articles are not posted
    min_shared: int = DEFAULT_MIN_SHARED  # posted terms a candidate pair shares
    lead_words: int = DEFAULT_LEAD_WORDS
    headline_weight: float = DEFAULT_HEADLINE_WEIGHT
    weighting: Weighting = "tfidf"
    neighbours: int = DEFAULT_NEIGHBOURS  # evidence kept per article
    copy_containment: float = DEFAULT_COPY_CONTAINMENT  # body 5-gram containment making a copy
    as_of: datetime | None = None  # a `published` after this is a future date


@dataclass(frozen=True, slots=True)
class StoryMatch:
    assignments: pl.DataFrame  # ASSIGNMENT_SCHEMA, one row per article, by doc_id
    stories: pl.DataFrame  # STORIES_SCHEMA, largest first
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return dict(self.counts)

    def summary_line(self) -> str:
        c = self.counts
        return (
            f"stories: {c['articles']} articles in {c['stories']} stories "
            f"({c['multi_article_stories']} with two or more articles); {c['candidate_pairs']} candidate pairs, "
            f"{c['copy_edges']} copy edges; no text {c['no_text']}, no date {c['undated']}, "
            f"future date {c['future_date']}"
        )


def story_id(smallest_doc_id: str) -> str:
    """A story's id: a short hash of its smallest member doc_id (not an order counter)."""
    return "s" + hashlib.blake2b(smallest_doc_id.encode("utf-8"), digest_size=6).hexdigest()


def _check(articles: pl.DataFrame) -> None:
    missing = [c for c in ("doc_id", "headline", "body") if c not in articles.columns]
    if missing:
        raise InputError(
            f"articles table lacks column(s) {', '.join(missing)}",
            where="articles",
            hint="read the corpus with harness.corpus.read_corpus",
        )
    if articles["doc_id"].null_count():
        raise InputError("an article has no doc_id", where="articles", hint="give every article a doc_id")
    duplicated = articles.filter(pl.col("doc_id").is_duplicated())["doc_id"].unique().sort()
    if duplicated.len():
        raise InputError(
            f"doc_id {duplicated[0]!r} is used by more than one article",
            where="articles",
            hint="give every article its own doc_id",
        )


def _terms(table: pl.DataFrame, settings: StorySettings, engine: Engine | None) -> pl.DataFrame:
    options: dict[str, Any] = {"lead_words": settings.lead_words, "headline_weight": settings.headline_weight}
    if engine is None or engine.name == "local" or table.height == 0:
        return term_counts(table, **options)["terms"]
    call = BatchCall(term_counts, "articles", {"articles": table}, ("articles",), options, ("terms",))
    return engine.run(call)["terms"].cast(TERM_SCHEMA)  # type: ignore[arg-type]


def _days(published: list[str | None], as_of: datetime | None) -> tuple[IntArray, list[str]]:
    """Each article's UTC day number (or UNDATED) and its date status."""
    days = np.full(len(published), UNDATED, dtype=np.int64)
    status: list[str] = []
    for i, value in enumerate(published):
        moment = published_time(value)
        if moment is None:
            status.append("undated")
        elif as_of is not None and moment > as_of:
            status.append("future_date")
        else:
            days[i] = ((moment - _EPOCH) // timedelta(microseconds=1)) // _DAY_US
            status.append("ok")
    return days, status


def _copy_edges(
    bodies: list[str], candidates: Candidates, settings: StorySettings, ids: list[str], given: pl.DataFrame | None
) -> tuple[IntArray, IntArray]:
    """Copies: candidates whose bodies share most word 5-grams, plus pairs given by discovery."""
    near = np.flatnonzero(candidates.similarity >= COPY_MIN_COSINE)
    shingles: dict[int, frozenset[tuple[str, ...]]] = {}
    xs: list[int] = []
    ys: list[int] = []
    for index in near.tolist():
        x, y = int(candidates.a[index]), int(candidates.b[index])
        for p in (x, y):
            if p not in shingles:
                shingles[p] = _opening_shingles(bodies[p], settings.lead_words)
        if _containment(shingles[x], shingles[y]) >= settings.copy_containment:
            xs.append(x)
            ys.append(y)
    if given is not None and given.height:
        position = {doc: i for i, doc in enumerate(ids)}
        for a_id, b_id in given.select("a_doc_id", "b_doc_id").iter_rows():
            if a_id in position and b_id in position:
                xs.append(position[a_id])
                ys.append(position[b_id])
    unique = sorted({(min(x, y), max(x, y)) for x, y in zip(xs, ys, strict=True) if x != y})  # found and given
    return np.array([x for x, _ in unique], dtype=np.int64), np.array([y for _, y in unique], dtype=np.int64)


def _opening_shingles(body: str, n: int) -> frozenset[tuple[str, ...]]:
    """Word 5-grams of the first ``n`` words (typography and case folded): copies share
    their opening, and shingling whole bodies would be most of the cost."""
    words = _WORD.findall(fold_typography(" ".join(body.split(maxsplit=n)[:n])).casefold())
    return frozenset(zip(*(words[i:] for i in range(SHINGLE))))


def _containment(x: frozenset[tuple[str, ...]], y: frozenset[tuple[str, ...]]) -> float:
    """Shared 5-grams over the smaller set's: how much of the shorter opening the other holds."""
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


def match_stories(
    articles: pl.DataFrame,
    *,
    settings: StorySettings | None = None,
    engine: Engine | None = None,
    copies: pl.DataFrame | None = None,
) -> StoryMatch:
    """Story ids for every article, with the evidence (see the module docs).

    ``copies`` is an optional table of copy pairs (``a_doc_id``, ``b_doc_id``, as
    ``harness pairs`` writes): each pair lands in one story.
    """
    settings = settings or StorySettings()
    _check(articles)
    ordered = articles.sort("doc_id")
    n = ordered.height
    ids = ordered["doc_id"].to_list()
    table = pl.DataFrame(
        {
            "position": np.arange(n, dtype=np.int64),
            "headline": ordered["headline"].fill_null(""),
            "body": ordered["body"].fill_null(""),
        }
    )
    vectors = weigh(_terms(table, settings, engine), n, weighting=settings.weighting)
    published = ordered["published"].to_list() if "published" in ordered.columns else [None] * n
    days, status = _days(published, settings.as_of)
    no_text = vectors.empty
    status = ["no_text" if no_text[i] else s for i, s in enumerate(status)]
    candidates = find_candidates(
        vectors, days, top_k=settings.top_k, max_df=settings.max_df, window_days=settings.window_days,
        min_shared=settings.min_shared,
    )
    copy_a, copy_b = _copy_edges(table["body"].to_list(), candidates, settings, ids, copies)
    labels = average_linkage(
        n, candidates.a, candidates.b, candidates.similarity, threshold=settings.threshold, copy_a=copy_a, copy_b=copy_b
    )
    assignments = _assignments(ids, labels, candidates, copy_a, copy_b, status, settings.neighbours)
    stories = _stories(ordered, labels, vectors, ids)
    counts = {
        "articles": n,
        "stories": stories.height,
        "multi_article_stories": int((stories["size"] > 1).sum()),
        "candidate_pairs": len(candidates),
        "copy_edges": int(copy_a.size),
        **{name: status.count(name) for name in STATUSES[1:]},
    }
    return StoryMatch(assignments, stories, counts)


def _neighbours(ids: list[str], candidates: Candidates, k: int) -> pl.DataFrame:
    both = pl.DataFrame(
        {
            "doc": np.concatenate([candidates.a, candidates.b]),
            "other": np.concatenate([candidates.b, candidates.a]),
            "sim": np.concatenate([candidates.similarity, candidates.similarity]),
        },
        schema={"doc": pl.Int64(), "other": pl.Int64(), "sim": pl.Float64()},
    )
    names = pl.DataFrame({"other": np.arange(len(ids), dtype=np.int64), "name": ids}, schema={"other": pl.Int64(), "name": pl.String()})
    return (
        both.with_columns(sim=pl.col("sim").round(6))
        .sort(["doc", "sim", "other"], descending=[False, True, False])
        .filter(pl.int_range(pl.len()).over("doc") < k)
        .join(names, on="other", how="left", maintain_order="left")
        .group_by("doc", maintain_order=True)
        .agg(neighbours=pl.col("name"), similarities=pl.col("sim"))
    )


def _assignments(
    ids: list[str],
    labels: IntArray,
    candidates: Candidates,
    copy_a: IntArray,
    copy_b: IntArray,
    status: list[str],
    k: int,
) -> pl.DataFrame:
    sizes = np.bincount(labels, minlength=len(ids)) if len(ids) else np.zeros(0, dtype=np.int64)
    copies: list[list[str]] = [[] for _ in ids]
    for x, y in zip(copy_a.tolist(), copy_b.tolist(), strict=True):
        copies[x].append(ids[y])
        copies[y].append(ids[x])
    base = pl.DataFrame(
        {
            "doc": np.arange(len(ids), dtype=np.int64),
            "doc_id": ids,
            "story_id": [story_id(ids[label]) for label in labels.tolist()],
            "story_size": sizes[labels].astype(np.int64),
            "copies": [sorted(set(c)) for c in copies],
            "status": status,
        },
        schema={"doc": pl.Int64(), "doc_id": pl.String(), "story_id": pl.String(), "story_size": pl.Int64(),
                "copies": pl.List(pl.String()), "status": pl.String()},
    )
    evidence = _neighbours(ids, candidates, k)
    joined = base.join(evidence, on="doc", how="left", maintain_order="left").with_columns(
        neighbours=pl.col("neighbours").fill_null(pl.lit([], dtype=pl.List(pl.String()))),
        similarities=pl.col("similarities").fill_null(pl.lit([], dtype=pl.List(pl.Float64()))),
    )
    return joined.select(list(ASSIGNMENT_SCHEMA)).cast(ASSIGNMENT_SCHEMA)  # type: ignore[arg-type]


def _stories(ordered: pl.DataFrame, labels: IntArray, vectors: Vectors, ids: list[str]) -> pl.DataFrame:
    outlets = ordered["outlet"].fill_null("").to_list() if "outlet" in ordered.columns else [""] * len(ids)
    published = ordered["published"].to_list() if "published" in ordered.columns else [None] * len(ids)
    terms = group_top_terms(vectors, labels, TOP_TERMS) if len(ids) else {}
    members: dict[int, list[int]] = {}
    for position, label in enumerate(labels.tolist()):
        members.setdefault(label, []).append(position)
    rows = []
    for label, positions in members.items():
        names = sorted({outlets[p] for p in positions if outlets[p]})
        dates = sorted(str(published_time(published[p]).date()) for p in positions if published_time(published[p]))  # type: ignore[union-attr]
        rows.append(
            {
                "story_id": story_id(ids[label]),
                "size": len(positions),
                "outlets": len(names),
                "outlet_names": ", ".join(names),
                "first_published": dates[0] if dates else None,
                "last_published": dates[-1] if dates else None,
                "top_terms": ", ".join(terms[label]),
                "doc_ids": [ids[p] for p in positions],
            }
        )
    frame = pl.DataFrame(rows, schema=STORIES_SCHEMA)
    return frame.sort(["size", "story_id"], descending=[True, False])

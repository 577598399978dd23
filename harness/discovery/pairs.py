"""Wire-copy discovery: which articles are copies of one another, at corpus scale.

1. Shingle every body (word 5-grams) and MinHash it, in batches of articles, keeping
   only the LSH band keys (documents x bands), so memory stays flat as the corpus grows.
2. Candidate pairs are the documents that share a bucket in any band (polars group-by
   and self-join on band and bucket).
3. Every candidate is verified exactly (shared shingles, Jaccard, containment) and
   kept when its Jaccard is at least the threshold; bands are chosen so that a pair
   above the threshold is a candidate with probability >= ``target_recall``
   (see harness.discovery.bands).

Orientation: A is the article published first when both ``published`` values are
known, parse as ISO 8601 and differ (a time without a zone is read as UTC, a date
alone as its midnight); otherwise, when exactly one of the two outlets is a news
agency (the versioned list ``data/wire_services.txt``), the agency's article;
otherwise the lower ``doc_id``. A is the presumed source, B the presumed copy, as
``wire_diff`` expects.

Only bodies are compared: outlets rewrite headlines, while a copy shares its body.
With ``cross_outlet``, pairs of one outlet are dropped; an article whose outlet is
not named ("unknown") may come from any outlet, so its pairs are kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from harness.corpus.schema import UNKNOWN_OUTLET
from harness.discovery.bands import DEFAULT_TARGET_RECALL, Bands, check_threshold, choose_bands
from harness.discovery.defaults import DEFAULT_NUM_PERM, DEFAULT_SEED, DEFAULT_THRESHOLD
from harness.discovery.exact import overlap
from harness.discovery.minhash import MinHasher, band_keys
from harness.discovery.shingles import Hashes, combine64, shingle_hashes
from harness.engines import BatchCall, Engine
from harness.errors import ConfigError, InputError
from harness.resources import Resource, project_resource

REQUIRED_COLUMNS = ("doc_id", "outlet", "body")
_WIRE_SERVICES = Path(__file__).parent / "data" / "wire_services.txt"
DEFAULT_BATCH = 2_000

PAIRS_SCHEMA: dict[str, pl.DataType] = {
    "a_doc_id": pl.String(),
    "b_doc_id": pl.String(),
    "a_outlet": pl.String(),
    "b_outlet": pl.String(),
    "jaccard": pl.Float64(),  # shared / union of the two shingle sets
    "a_containment": pl.Float64(),  # shared / A's shingles: how much of A reappears in B
    "b_containment": pl.Float64(),  # shared / B's shingles: how much of B comes from A
    "containment": pl.Float64(),  # the larger of the two
    "shared_shingles": pl.Int64(),
    "a_shingles": pl.Int64(),
    "b_shingles": pl.Int64(),
}
_CANDIDATE_SCHEMA: dict[str, pl.DataType] = {"doc": pl.Int64(), "band": pl.Int32(), "bucket": pl.UInt64()}
_DIGEST_SCHEMA: dict[str, pl.DataType] = {"doc": pl.Int64(), "digest": pl.UInt64()}
IntArray = npt.NDArray[np.int64]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscoverySettings:
    threshold: float = DEFAULT_THRESHOLD  # minimum exact Jaccard of word 5-gram sets
    cross_outlet: bool = False  # only pairs of two different outlets
    seed: int = DEFAULT_SEED
    num_perm: int = DEFAULT_NUM_PERM
    target_recall: float = DEFAULT_TARGET_RECALL  # S-curve height required at the threshold
    batch_size: int = DEFAULT_BATCH  # articles shingled at once

    def bands(self) -> Bands:
        return choose_bands(self.threshold, num_perm=self.num_perm, target_recall=self.target_recall)

    def check(self) -> None:
        check_threshold(self.threshold)
        if self.num_perm < 1 or self.batch_size < 1:
            raise ConfigError(
                f"num_perm and batch_size must be at least 1, got {self.num_perm} and {self.batch_size}",
                where="discovery settings",
                hint="the defaults are 128 and 2000",
            )
        if not 0.0 < self.target_recall < 1.0:
            raise ConfigError(
                f"target_recall must be in (0, 1), got {self.target_recall}",
                where="discovery settings",
                hint="e.g. 0.99",
            )


@dataclass(frozen=True, slots=True)
class IndexPairs:
    """Candidate pairs as positions into the articles table (a < b)."""

    a: IntArray
    b: IntArray

    def __len__(self) -> int:
        return int(self.a.size)


def find_pairs(
    articles: pl.DataFrame, *, settings: DiscoverySettings | None = None, engine: Engine | None = None
) -> pl.DataFrame:
    """Pairs of articles whose bodies share word 5-grams with Jaccard >= threshold (``PAIRS_SCHEMA``).

    With a distributed ``engine`` (Ray), MinHash banding runs as batch tasks and the
    bucket grouping as a group-by on the cluster; the pairs are the same.
    """
    settings = settings or DiscoverySettings()
    settings.check()
    _check_articles(articles)
    candidates = candidate_pairs(articles["body"], settings=settings, engine=engine)
    if settings.cross_outlet:
        candidates = _cross_outlet(candidates, articles["outlet"].fill_null("").to_list())
    return verify_pairs(articles, candidates, threshold=settings.threshold, batch_size=settings.batch_size)


def candidate_pairs(
    bodies: pl.Series, *, settings: DiscoverySettings, engine: Engine | None = None
) -> IndexPairs:
    """Positions of every pair sharing an LSH bucket in at least one band.

    Bodies are turned into Python strings one batch at a time, and a batch keeps
    only its band keys: memory grows with articles x bands, not with the text.
    Articles with identical band keys in every band (verbatim copies, often many
    of one stub or template) are banded once, through one representative, and
    their pairs are listed once at the end.
    """
    bands = settings.bands()
    distributed = engine is not None and engine.name != "local"
    if distributed:
        assert engine is not None
        rows, docs = _bucket_rows_on(engine, bodies, settings, bands)
    else:
        hasher = MinHasher(seed=settings.seed, num_perm=bands.bands * bands.rows)
        batches = [
            _bucket_rows(hasher, bands, bodies.slice(first, settings.batch_size).fill_null("").to_list(), first)
            for first in range(0, bodies.len(), settings.batch_size)
        ]
        rows = pl.concat([b[0] for b in batches]) if batches else pl.DataFrame(schema=_CANDIDATE_SCHEMA)
        docs = pl.concat([b[1] for b in batches]) if batches else pl.DataFrame(schema=_DIGEST_SCHEMA)
    groups = docs.group_by("digest").agg(rep=pl.col("doc").min(), members=pl.col("doc"))
    rep_rows = rows.join(groups.select(doc="rep"), on="doc", how="semi")
    if distributed:
        assert engine is not None
        rep_pairs = engine.map_groups(rep_rows, ("band", "bucket"), pairs_in_bucket).unique()
    else:
        rep_pairs = _pairs_sharing_a_bucket(rep_rows)
    members = groups.select("rep", "members")
    across = (
        rep_pairs.join(members, left_on="doc", right_on="rep")
        .join(members, left_on="doc_b", right_on="rep", suffix="_b")
        .select(pl.col("members").alias("x"), pl.col("members_b").alias("y"))
        .explode("x")
        .explode("y")
    )
    within = (
        groups.filter(pl.col("members").list.len() > 1)
        .select(x=pl.col("members"), y=pl.col("members"))
        .explode("x")
        .explode("y")
    )
    pairs = (
        pl.concat([across, within])
        .select(doc=pl.min_horizontal("x", "y"), doc_b=pl.max_horizontal("x", "y"))
        .filter(pl.col("doc") < pl.col("doc_b"))
        .unique()
        .sort("doc", "doc_b")
    )
    return IndexPairs(pairs["doc"].to_numpy().astype(np.int64), pairs["doc_b"].to_numpy().astype(np.int64))


def pairs_in_bucket(rows: pl.DataFrame) -> pl.DataFrame:
    """(doc, doc_b) with doc < doc_b among the rows of one (band, bucket) group."""
    docs = rows.select("doc").unique()
    return (
        docs.join(docs.rename({"doc": "doc_b"}), how="cross")
        .filter(pl.col("doc") < pl.col("doc_b"))
        .select(pl.col("doc").cast(pl.Int64), pl.col("doc_b").cast(pl.Int64))
    )


def band_rows_of_slice(articles: pl.DataFrame, *, seed: int, bands: int, rows: int) -> dict[str, pl.DataFrame]:
    """Band keys of one slice of (position, body) rows: the map part of distributed banding."""
    plan = Bands(bands, rows)
    hasher = MinHasher(seed=seed, num_perm=bands * rows)
    positions = articles["position"].to_list()
    first = positions[0] if positions else 0
    band_rows, digests = _bucket_rows(hasher, plan, articles["body"].to_list(), first)
    return {"rows": band_rows, "digests": digests}


def _bucket_rows_on(
    engine: Engine, bodies: pl.Series, settings: DiscoverySettings, bands: Bands
) -> tuple[pl.DataFrame, pl.DataFrame]:
    # Slices are consecutive (engines keep order), so a slice's first position
    # places every article of it.
    table = pl.DataFrame({"position": pl.int_range(0, bodies.len(), eager=True, dtype=pl.Int64), "body": bodies.fill_null("")})
    call = BatchCall(
        band_rows_of_slice,
        "articles",
        {"articles": table},
        ("articles",),
        {"seed": settings.seed, "bands": bands.bands, "rows": bands.rows},
        ("rows", "digests"),
    )
    out = engine.run(call)
    return out["rows"], out["digests"]


def _pairs_sharing_a_bucket(rows: pl.DataFrame) -> pl.DataFrame:
    """(doc, doc_b) with doc < doc_b that share a bucket in some band.

    One band at a time, deduplicated as we go: a pair that agrees in many bands is held once.
    """
    shared = rows.filter(pl.len().over("band", "bucket") > 1)
    pairs = pl.DataFrame(schema={"doc": pl.Int64(), "doc_b": pl.Int64()})
    for in_band in shared.partition_by("band", maintain_order=True):
        found = (
            in_band.join(in_band, on="bucket", suffix="_b")
            .filter(pl.col("doc") < pl.col("doc_b"))
            .select("doc", "doc_b")
        )
        pairs = pl.concat([pairs, found]).unique()
    return pairs


def _bucket_rows(
    hasher: MinHasher, bands: Bands, batch: Sequence[str], first: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(doc, band, bucket) rows of one batch starting at position ``first``, and each
    doc's digest of all its band keys; texts without words have neither."""
    sets = [shingle_hashes(body) for body in batch]
    keys = band_keys(hasher.signatures(sets), bands)
    present = np.flatnonzero([s.size > 0 for s in sets]) if sets else np.empty(0, dtype=np.int64)
    doc = present.astype(np.int64) + first
    digest = np.zeros(present.size, dtype=np.uint64)
    for band in range(bands.bands):
        digest = combine64(digest, keys[present, band])
    rows = pl.DataFrame(
        {
            "doc": np.repeat(doc, bands.bands),
            "band": np.tile(np.arange(bands.bands, dtype=np.int32), present.size),
            "bucket": keys[present].ravel(),
        },
        schema=_CANDIDATE_SCHEMA,
    )
    return rows, pl.DataFrame({"doc": doc, "digest": digest}, schema=_DIGEST_SCHEMA)


def _cross_outlet(candidates: IndexPairs, outlets: Sequence[str]) -> IndexPairs:
    """Drop pairs of one named outlet. An unnamed outlet ("unknown", empty) may be any
    outlet, so its pairs are kept: the researcher sees them rather than losing them."""
    names = np.array(outlets, dtype=object)
    _, codes = np.unique(names, return_inverse=True)
    unnamed = np.isin(names, [UNKNOWN_OUTLET, ""])
    keep = (codes[candidates.a] != codes[candidates.b]) | unnamed[candidates.a] | unnamed[candidates.b]
    return IndexPairs(candidates.a[keep], candidates.b[keep])


def verify_pairs(
    articles: pl.DataFrame, candidates: IndexPairs, *, threshold: float, batch_size: int = DEFAULT_BATCH
) -> pl.DataFrame:
    """Exact overlap of every candidate; those with Jaccard >= threshold, oriented and sorted."""
    involved = np.unique(np.concatenate([candidates.a, candidates.b]))
    shingles = dict(_shingle_sets(articles["body"].fill_null(""), involved, batch_size))
    sizes = np.zeros(articles.height, dtype=np.int64)
    for position, hashes in shingles.items():
        sizes[position] = hashes.size
    shared = _shared_counts(candidates, shingles)
    x_size, y_size = sizes[candidates.a], sizes[candidates.b]
    union = x_size + y_size - shared
    jaccard = np.divide(shared, union, out=np.zeros(shared.size, dtype=np.float64), where=union > 0)
    keep = jaccard >= threshold  # the same division as the reference (exact_pairs): same boundary
    x, y, shared = candidates.a[keep], candidates.b[keep], shared[keep]
    swap = _later_first(articles, x, y)
    a, b = np.where(swap, y, x), np.where(swap, x, y)
    a_size, b_size = sizes[a], sizes[b]
    ids, outlets = articles["doc_id"], articles["outlet"]
    frame = pl.DataFrame(
        {
            "a_doc_id": ids.gather(a), "b_doc_id": ids.gather(b),
            "a_outlet": outlets.gather(a), "b_outlet": outlets.gather(b),
            "jaccard": shared / (a_size + b_size - shared),
            "a_containment": shared / a_size,
            "b_containment": shared / b_size,
            "containment": shared / np.minimum(a_size, b_size),
            "shared_shingles": shared, "a_shingles": a_size, "b_shingles": b_size,
        },
        schema=PAIRS_SCHEMA,
    )
    return frame.sort("a_doc_id", "b_doc_id")


def _shared_counts(candidates: IndexPairs, shingles: dict[int, Hashes]) -> IntArray:
    """Shared shingles of every candidate pair."""
    # Verbatim copies (often many of one stub or template) need no intersection.
    digests = {p: hashlib.blake2b(h.tobytes(), digest_size=16).digest() for p, h in shingles.items()}
    shared = np.empty(len(candidates), dtype=np.int64)
    for index, (a, b) in enumerate(zip(candidates.a.tolist(), candidates.b.tolist(), strict=True)):
        same = digests[a] == digests[b]
        shared[index] = shingles[a].size if same else overlap(shingles[a], shingles[b]).shared
    return shared


def _later_first(articles: pl.DataFrame, x: IntArray, y: IntArray) -> npt.NDArray[np.bool_]:
    """Which pairs to swap so that A is the earlier article (or, failing that, the lower doc_id)."""
    id_rank = np.empty(articles.height, dtype=np.int64)
    id_rank[articles["doc_id"].arg_sort().to_numpy()] = np.arange(articles.height)
    by_id = id_rank[x] > id_rank[y]
    agency = _is_wire_service(articles["outlet"])
    one_agency = agency[x] != agency[y]
    by_id = np.where(one_agency, agency[y], by_id)  # swap when only B is the agency
    if "published" not in articles.columns or not x.size:
        return by_id
    involved = np.unique(np.concatenate([x, y]))
    times = np.zeros(articles.height, dtype=np.int64)
    known = np.zeros(articles.height, dtype=np.bool_)
    for position, value in zip(involved.tolist(), articles["published"].gather(involved).to_list(), strict=True):
        parsed = published_time(value)
        if parsed is not None:
            times[position] = _microseconds(parsed)
            known[position] = True
    dated = known[x] & known[y] & (times[x] != times[y])
    return np.where(dated, times[x] > times[y], by_id)


def wire_services_resource() -> Resource:
    return project_resource(_WIRE_SERVICES, "discovery/wire_services.txt")


def _agency_key(outlet: str) -> str:
    return re.sub(r"^the\s+", "", outlet.strip().casefold())


def _is_wire_service(outlets: pl.Series) -> npt.NDArray[np.bool_]:
    names = {_agency_key(name) for name in wire_services_resource().lines()}
    keys = [_agency_key(o) if o else "" for o in outlets.to_list()]
    return np.array([k in names for k in keys], dtype=np.bool_)


def _microseconds(moment: datetime) -> int:
    """Microseconds since the Unix epoch: exact, unlike a float timestamp."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _shingle_sets(bodies: pl.Series, positions: IntArray, batch_size: int) -> Iterator[tuple[int, Hashes]]:
    for first in range(0, positions.size, batch_size):
        batch = positions[first : first + batch_size]
        for position, body in zip(batch.tolist(), bodies.gather(batch).to_list(), strict=True):
            yield position, shingle_hashes(body)


def published_time(value: str | None) -> datetime | None:
    """``published`` as an aware datetime (no zone: UTC), or None when absent or not ISO 8601."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _check_articles(articles: pl.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in articles.columns]
    if missing:
        raise InputError(
            f"articles table lacks column(s) {', '.join(missing)}",
            where="articles",
            hint="read the corpus with harness.corpus.read_corpus",
        )
    duplicated = articles.filter(pl.col("doc_id").is_duplicated())["doc_id"].unique().sort()
    if duplicated.len():
        raise InputError(
            f"doc_id {duplicated[0]!r} is used by more than one article",
            where="articles",
            hint="give every article its own doc_id (or leave it out: a content hash is used)",
        )
    if articles["doc_id"].null_count():
        raise InputError("an article has no doc_id", where="articles", hint="give every article a doc_id")

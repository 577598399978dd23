"""Wire-copy discovery: which articles are copies of one another, at corpus scale.

1. Shingle every body (word 5-grams) and MinHash it, in batches of articles (on every
   core for a large corpus), keeping only the LSH band keys (documents x bands) and,
   for a corpus small enough, the shingles themselves (for step 3).
2. Candidate pairs are the documents that share a bucket in any band, found by sorting
   each band's keys (harness.discovery.buckets).
3. Every candidate is verified exactly (shared shingles, Jaccard, containment) and
   kept when its Jaccard is at least the threshold (from the first pass's shingles
   when the corpus is small enough to keep them, ``KeptShingles``; else from the
   candidates' bodies, shingled again); bands are chosen so that a pair
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

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from harness.arrays import sorted_distinct
from harness.corpus.schema import UNKNOWN_OUTLET
from harness.discovery.bands import DEFAULT_TARGET_RECALL, Bands, check_threshold, choose_bands
from harness.discovery.defaults import DEFAULT_NUM_PERM, DEFAULT_SEED, DEFAULT_THRESHOLD
from harness.discovery.buckets import (
    MAX_DOCUMENTS,
    banded_pairs,
    digests,
    expand_groups,
    group_documents,
    ranges,
    split_pair_keys,
)
from harness.discovery.minhash import MinHasher, band_keys
from harness.discovery.shingles import Hashes, KeptShingles, ShingleBatch, shingle_batch
from harness.discovery.workers import band_keys_of_texts, map_band_keys, worker_count
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
    workers: int | None = None  # processes for shingles and MinHash; None: every core for a large corpus

    def bands(self) -> Bands:
        return choose_bands(self.threshold, num_perm=self.num_perm, target_recall=self.target_recall)

    def check(self) -> None:
        check_threshold(self.threshold)
        if self.num_perm < 1 or self.batch_size < 1 or (self.workers is not None and self.workers < 1):
            raise ConfigError(
                f"num_perm, batch_size and workers must be at least 1, got {self.num_perm}, "
                f"{self.batch_size} and {self.workers}",
                where="discovery settings",
                hint="the defaults are 128, 2000 and one process per core for a large corpus",
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


_READ_ROWS = 20_000  # bodies read from a lazy table at once (some 30 MB of news text)


class _Bodies:
    """The bodies of an articles table, read one batch at a time.

    An eager table is sliced; a lazy one (``pl.scan_parquet``) is streamed, so the
    bodies of a corpus larger than memory are never held at once.
    """

    def __init__(self, articles: pl.DataFrame | pl.LazyFrame, height: int, batch_size: int) -> None:
        self._articles = articles
        self.height = height
        self._batch_size = batch_size

    def batches(self) -> Iterator[tuple[int, pl.Series]]:
        """(position of the first article, its batch of bodies, nulls as ""), in order."""
        if isinstance(self._articles, pl.DataFrame):
            bodies = self._articles["body"]
            for first in range(0, self.height, self._batch_size):
                yield first, bodies.slice(first, self._batch_size).fill_null("")
            return
        # Slices of the scan, each read whole (Parquet reads only the row groups a slice
        # needs): a streamed collect reads ahead of a slow consumer, up to the whole file.
        frame = self._articles.select(pl.col("body").fill_null(""))
        step = max(self._batch_size, _READ_ROWS)
        for start in range(0, self.height, step):
            bodies = frame.slice(start, step).collect()["body"]
            for first in range(0, bodies.len(), self._batch_size):
                yield start + first, bodies.slice(first, self._batch_size)

    def texts(self) -> Iterator[tuple[int, list[str]]]:
        for first, bodies in self.batches():
            yield first, bodies.to_list()

    def gather(self, positions: IntArray) -> Iterator[list[str]]:
        """The bodies at ``positions`` (ascending), a batch at a time, in that order."""
        if isinstance(self._articles, pl.DataFrame):
            bodies = self._articles["body"].fill_null("")
            for first in range(0, positions.size, self._batch_size):
                yield bodies.gather(positions[first : first + self._batch_size]).to_list()
            return
        for first, bodies in self.batches():
            lo, hi = np.searchsorted(positions, [first, first + bodies.len()])
            if hi > lo:
                yield bodies.gather(positions[lo:hi] - first).to_list()


def find_pairs(
    articles: pl.DataFrame | pl.LazyFrame,
    *,
    settings: DiscoverySettings | None = None,
    engine: Engine | None = None,
) -> pl.DataFrame:
    """Pairs of articles whose bodies share word 5-grams with Jaccard >= threshold (``PAIRS_SCHEMA``).

    ``articles`` may be lazy (``pl.scan_parquet(path)``): bodies are then read in
    batches and never held all at once; the pairs are the same. A corpus whose
    shingles exceed ``KEPT_SHINGLES_LIMIT`` (or that is banded on several
    processes) has its candidates' bodies read and shingled a second time for
    verification; a smaller one is verified from the first pass's shingles. With a distributed ``engine``
    (Ray), shingles and MinHash run as batch tasks and buckets are found here;
    the pairs are the same.
    """
    settings = settings or DiscoverySettings()
    settings.check()
    distributed = engine is not None and engine.name != "local"
    if isinstance(articles, pl.LazyFrame) and distributed:
        articles = articles.collect()  # Ray takes its slices from a table in memory
    if isinstance(articles, pl.LazyFrame):
        _check_columns(articles.collect_schema().names())
        present = [c for c in ("doc_id", "outlet", "published") if c in articles.collect_schema().names()]
        table = articles.select(present).collect()
    else:
        _check_columns(articles.columns)
        table = articles
    _check_ids(table)
    bodies = _Bodies(articles, table.height, settings.batch_size)
    kept = None
    if distributed:
        assert isinstance(articles, pl.DataFrame)
        candidates = candidate_pairs(articles["body"], settings=settings, engine=engine)
    else:
        kept = KeptShingles()
        candidates = _local_candidates(bodies, settings, kept)
    if settings.cross_outlet:
        candidates = _cross_outlet(candidates, table["outlet"])
    return _verify(table, bodies, candidates, threshold=settings.threshold, kept=kept)


def candidate_pairs(
    bodies: pl.Series, *, settings: DiscoverySettings, engine: Engine | None = None
) -> IndexPairs:
    """Positions of every pair sharing an LSH bucket in at least one band.

    Bodies are turned into Python strings one batch at a time, and a batch keeps
    only its band keys: memory grows with articles x bands, not with the text.
    Buckets are found by sorting each band's keys (harness.discovery.buckets);
    articles with identical band keys in every band (verbatim copies, often many
    of one stub or template) are banded once, through one representative, and
    their pairs are listed once at the end.
    """
    if engine is not None and engine.name != "local":
        _check_size(bodies.len())
        keys, docs = _band_keys_on(engine, bodies, settings, settings.bands())
        return _candidates(keys, docs)
    frame = pl.DataFrame({"body": bodies})
    return _local_candidates(_Bodies(frame, frame.height, settings.batch_size), settings)


def _local_candidates(bodies: _Bodies, settings: DiscoverySettings, kept: KeptShingles | None = None) -> IndexPairs:
    _check_size(bodies.height)
    bands = settings.bands()
    keys = np.empty((bodies.height, bands.bands), dtype=np.uint64)
    docs = np.empty(bodies.height, dtype=np.int64)
    workers = worker_count(bodies.height, settings.workers)
    held = 0  # rows of keys filled: articles with words so far
    for first, batch_keys, present in map_band_keys(
        bodies.texts(), seed=settings.seed, bands=bands, workers=workers, kept=kept
    ):
        keys[held : held + present.size] = batch_keys
        docs[held : held + present.size] = present + first
        held += present.size
    return _candidates(keys[:held], docs[:held])


def _check_size(articles: int) -> None:
    if articles >= MAX_DOCUMENTS:
        raise InputError(
            f"{articles} articles: discovery handles fewer than {MAX_DOCUMENTS}",
            where="articles",
            hint="split the corpus",
        )


def _candidates(keys: Hashes, docs: IntArray) -> IndexPairs:
    """Candidate pairs from the band keys (row i: the article at position ``docs[i]``)."""
    digest = digests(keys)
    groups = group_documents(docs, digest)
    rows = np.searchsorted(docs, groups.representatives)
    rep_pairs = banded_pairs(keys, rows, groups.representatives, digest[rows])
    a, b = split_pair_keys(expand_groups(rep_pairs, groups))
    return IndexPairs(a, b)


def band_keys_of_slice(articles: pl.DataFrame, *, seed: int, bands: int, rows: int) -> dict[str, pl.DataFrame]:
    """Band keys of one slice of (position, body) rows: the map part of distributed banding."""
    plan = Bands(bands, rows)
    hasher = MinHasher(seed=seed, num_perm=bands * rows)
    keys, present = band_keys_of_texts(hasher, plan, articles["body"].to_list())
    positions = articles["position"].to_numpy()[present] if present.size else np.empty(0, dtype=np.int64)
    columns = {f"band_{band}": keys[:, band] for band in range(bands)}
    return {"band_keys": pl.DataFrame({"doc": positions.astype(np.int64), **columns})}


def _band_keys_on(
    engine: Engine, bodies: pl.Series, settings: DiscoverySettings, bands: Bands
) -> tuple[Hashes, IntArray]:
    """Band keys computed as batch tasks on ``engine``; buckets are then found here."""
    table = pl.DataFrame({"position": pl.int_range(0, bodies.len(), eager=True, dtype=pl.Int64), "body": bodies.fill_null("")})
    call = BatchCall(
        band_keys_of_slice,
        "articles",
        {"articles": table},
        ("articles",),
        {"seed": settings.seed, "bands": bands.bands, "rows": bands.rows},
        ("band_keys",),
    )
    out = engine.run(call)["band_keys"].sort("doc")
    keys = out.select(f"band_{band}" for band in range(bands.bands)).to_numpy().astype(np.uint64, copy=False)
    return keys.reshape(out.height, bands.bands), out["doc"].to_numpy().astype(np.int64)


def _cross_outlet(candidates: IndexPairs, outlets: pl.Series) -> IndexPairs:
    """Drop pairs of one named outlet. An unnamed outlet ("unknown", empty) may be any
    outlet, so its pairs are kept: the researcher sees them rather than losing them."""
    names = outlets.fill_null("")
    codes = names.rank("dense").to_numpy()
    unnamed = names.is_in([UNKNOWN_OUTLET, ""]).to_numpy()
    keep = (codes[candidates.a] != codes[candidates.b]) | unnamed[candidates.a] | unnamed[candidates.b]
    return IndexPairs(candidates.a[keep], candidates.b[keep])


def verify_pairs(
    articles: pl.DataFrame, candidates: IndexPairs, *, threshold: float, batch_size: int = DEFAULT_BATCH
) -> pl.DataFrame:
    """Exact overlap of every candidate; those with Jaccard >= threshold, oriented and sorted."""
    return _verify(articles, _Bodies(articles, articles.height, batch_size), candidates, threshold=threshold)


def _verify(
    articles: pl.DataFrame, bodies: _Bodies, candidates: IndexPairs, *, threshold: float,
    kept: KeptShingles | None = None,
) -> pl.DataFrame:
    """``verify_pairs`` with the bodies read from ``bodies`` (``articles`` needs none),
    or the shingles ``kept`` from the first pass when it holds them."""
    involved = sorted_distinct(np.concatenate([candidates.a, candidates.b]))
    shingles = kept.sets(involved) if kept is not None else None
    if shingles is None:
        shingles = _shingle_sets(bodies, involved)
    x_row, y_row = np.searchsorted(involved, candidates.a), np.searchsorted(involved, candidates.b)
    shared = shared_counts(shingles, x_row, y_row)
    sizes = np.zeros(articles.height, dtype=np.int64)
    sizes[involved] = shingles.sizes
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


# Shingles (of both sides of a chunk of pairs) compared at once when counting shared
# shingles: bounds the work arrays to some 100 MB.
_SHARED_CHUNK = 1 << 22


def shared_counts(sets: ShingleBatch, x: IntArray, y: IntArray) -> IntArray:
    """Shared shingles of sets x[k] and y[k] of ``sets`` (sorted, distinct hashes each), for every k.

    Each hash is replaced by its rank among all the sets' hashes (fewer than 2**32),
    so (pair number << 32 | rank) is one exact integer key per shingle of a pair.
    Laid out pair after pair, each side's keys are sorted already: a sorted search
    of one side's keys in the other's finds the shared shingles of every pair at once.
    """
    native = _sorted_shared_counts()
    if native is None or not x.size:
        return shared_counts_by_arrays(sets, x, y)
    # A merge per pair in C, linear in its two sets (the arrays rank every hash: a sort).
    counts = native(*(np.ascontiguousarray(a, dtype=t) for a, t in zip((sets.hashes, sets.offsets, x, y), _TYPES)))
    return np.frombuffer(counts, dtype=np.int64).copy()


_TYPES = (np.uint64, np.int64, np.int64, np.int64)


def shared_counts_by_arrays(sets: ShingleBatch, x: IntArray, y: IntArray) -> IntArray:
    """:func:`shared_counts` by array operations (the sources' way, and the reference)."""
    shared = np.zeros(x.size, dtype=np.int64)
    if not x.size:
        return shared
    _, inverse = np.unique(sets.hashes, return_inverse=True)
    ranks: Hashes = inverse.reshape(-1).astype(np.uint64)
    sizes = sets.sizes
    work = np.cumsum(sizes[x] + sizes[y])
    first = 0
    while first < x.size:
        start = work[first - 1] if first else 0
        last = max(first + 1, int(np.searchsorted(work, start + _SHARED_CHUNK, side="right")))
        shared[first:last] = _shared_in_chunk(sets, ranks, x[first:last], y[first:last])
        first = last
    return shared


@cache
def _sorted_shared_counts() -> Callable[..., bytes] | None:
    """``sorted_shared_counts`` of ``harness/wirediff/units.c`` (built with the diff's
    compiled modules, so used exactly when they are), or None: the arrays count."""
    from harness.wirediff.compiled import native_function

    return native_function("_units", "sorted_shared_counts")


def _shared_in_chunk(sets: ShingleBatch, ranks: Hashes, x: IntArray, y: IntArray) -> IntArray:
    sizes = sets.sizes
    pair = np.arange(x.size, dtype=np.uint64) << np.uint64(32)
    x_keys = np.repeat(pair, sizes[x]) | ranks[ranges(sets.offsets[x], sizes[x])]
    y_pair = np.repeat(np.arange(y.size, dtype=np.int64), sizes[y])
    y_keys = (np.repeat(pair, sizes[y]) | ranks[ranges(sets.offsets[y], sizes[y])])
    if not x_keys.size:
        return np.zeros(x.size, dtype=np.int64)
    at = np.minimum(np.searchsorted(x_keys, y_keys), x_keys.size - 1)
    found = x_keys[at] == y_keys
    return np.bincount(y_pair[found], minlength=x.size).astype(np.int64)


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
    involved = sorted_distinct(np.concatenate([x, y]))
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
    distinct = outlets.fill_null("").unique()  # each outlet's name is read once, not once per article
    agencies = [name for name in distinct.to_list() if name and _agency_key(name) in names]
    return outlets.is_in(agencies).fill_null(False).to_numpy()


def _microseconds(moment: datetime) -> int:
    """Microseconds since the Unix epoch: exact, unlike a float timestamp."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _shingle_sets(bodies: _Bodies, positions: IntArray) -> ShingleBatch:
    """Shingle sets of the articles at ``positions`` (ascending), in that order."""
    hashes: list[Hashes] = []
    sizes: list[IntArray] = []
    for texts in bodies.gather(positions):
        batch = shingle_batch(texts)
        hashes.append(batch.hashes)
        sizes.append(batch.sizes)
    offsets = np.zeros(positions.size + 1, dtype=np.int64)
    if sizes:
        np.cumsum(np.concatenate(sizes), out=offsets[1:])
    flat = np.concatenate(hashes) if hashes else np.empty(0, dtype=np.uint64)
    return ShingleBatch(hashes=flat, offsets=offsets)


def published_time(value: str | None) -> datetime | None:
    """``published`` as an aware datetime (no zone: UTC), or None when absent or not ISO 8601."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _check_columns(columns: Sequence[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputError(
            f"articles table lacks column(s) {', '.join(missing)}",
            where="articles",
            hint="read the corpus with harness.corpus.read_corpus",
        )


def _check_ids(articles: pl.DataFrame) -> None:
    duplicated = articles.filter(pl.col("doc_id").is_duplicated())["doc_id"].unique().sort()
    if duplicated.len():
        raise InputError(
            f"doc_id {duplicated[0]!r} is used by more than one article",
            where="articles",
            hint="give every article its own doc_id (or leave it out: a content hash is used)",
        )
    if articles["doc_id"].null_count():
        raise InputError("an article has no doc_id", where="articles", hint="give every article a doc_id")

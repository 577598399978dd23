"""Band keys of a large corpus on every core: batches of bodies in worker processes.

Shingling and MinHash are per article and most of discovery's time, so batches go
to a pool of ``spawn``ed processes (a clean interpreter, never a fork of a process
whose polars threads may hold locks) and their band keys come back in order. At
most two batches per worker are in flight, so memory holds a few batches of text,
not the corpus twice. The keys are the same whatever the number of workers.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import numpy as np
import numpy.typing as npt

from harness.discovery.bands import Bands
from harness.discovery.minhash import MinHasher, band_keys
from harness.discovery.shingles import Hashes, KeptShingles, ShingleBatch, shingle_batch
from harness.engines import in_parallel_task
from harness.engines.processes import kill_pool, main_is_importable, worker_died, workers_ignore_sigint

# Below this many articles one process is faster: starting workers costs about a second.
MIN_PARALLEL_ARTICLES = 20_000
IntArray = npt.NDArray[np.int64]
BandKeys = tuple[Hashes, IntArray]  # (texts with words x bands) keys, and which texts


def band_keys_of_texts(hasher: MinHasher, bands: Bands, texts: list[str]) -> BandKeys:
    """Band keys (texts x bands) of the texts with words, and which texts those are."""
    return band_keys_of_batch(hasher, bands, shingle_batch(texts, distinct=False))  # a minimum needs no distinct values


def band_keys_of_batch(hasher: MinHasher, bands: Bands, batch: ShingleBatch) -> BandKeys:
    """:func:`band_keys_of_texts` of the texts' shingles (``distinct=False``)."""
    present = np.flatnonzero(batch.sizes > 0)
    keys = band_keys(hasher.batch_signatures(batch.hashes, batch.offsets)[present], bands)
    return keys, present.astype(np.int64)


def worker_count(articles: int, requested: int | None) -> int:
    """``requested``, else every core this process may use for a large corpus, else 1."""
    if requested is not None:
        return requested
    if articles < MIN_PARALLEL_ARTICLES or in_parallel_task() or not main_is_importable():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores)


def map_band_keys(
    batches: Iterable[tuple[int, list[str]]], *, seed: int, bands: Bands, workers: int,
    kept: KeptShingles | None = None,
) -> Iterator[tuple[int, Hashes, IntArray]]:
    """(first, keys, texts with words) of each (first, texts) batch, in order, on
    ``workers`` processes (1: in this one). In one process the shingles are offered
    to ``kept`` (for verification); workers' shingles are not sent back."""
    if workers <= 1:
        hasher = MinHasher(seed=seed, num_perm=bands.bands * bands.rows)
        for first, texts in batches:
            batch = shingle_batch(texts, distinct=False)
            if kept is not None:
                kept.add(first, batch)
            yield first, *band_keys_of_batch(hasher, bands, batch)
        return
    if kept is not None:
        kept.drop()
    try:
        with _pool(workers) as pool:
            pending: deque[tuple[int, concurrent.futures.Future[BandKeys]]] = deque()
            for first, texts in batches:
                with workers_ignore_sigint():  # workers start on submit
                    pending.append((first, pool.submit(_task, seed, bands.bands, bands.rows, texts)))
                if len(pending) >= 2 * workers:
                    done_first, done = pending.popleft()
                    yield done_first, *done.result()
            while pending:
                done_first, done = pending.popleft()
                yield done_first, *done.result()
    except concurrent.futures.process.BrokenProcessPool as error:
        raise worker_died("discovery", where="find_pairs", alone="pass DiscoverySettings(workers=1)") from error


_HASHERS: dict[tuple[int, int], MinHasher] = {}  # one per worker and settings


def _task(seed: int, bands: int, rows: int, texts: list[str]) -> BandKeys:
    key = (seed, bands * rows)
    if key not in _HASHERS:
        _HASHERS[key] = MinHasher(seed=seed, num_perm=bands * rows)
    return band_keys_of_texts(_HASHERS[key], Bands(bands, rows), texts)


@contextmanager
def _pool(workers: int) -> Iterator[concurrent.futures.ProcessPoolExecutor]:
    """A pool for one discovery run; on Ctrl-C its workers are stopped, not waited for."""
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    except BaseException:
        kill_pool(pool)
        raise
    pool.shutdown(wait=True)

"""Page furniture learned from a corpus too large to hold: two passes over its batches.

:func:`harness.wirediff.boilerplate.learn_furniture` holds every article's short
segments at once: for 1M articles, some 14M strings twice over. Here the articles
(a lazy table: a large corpus read in batches, ``harness.run.spill``) are read a
batch at a time, twice, and memory holds a 64-bit hash per (article, segment):

1. every article's segments are hashed, and the articles of each outlet that have
   each hash are counted. A segment is furniture of an outlet only if at least
   ``min_articles`` of its articles have it; each of them has the segment's hash, so
   the hashes counted that often name every such segment (a collision only adds to a
   count, and so to what the second pass reads);
2. the articles with one of those hashes, whatever their outlet, are read again,
   keeping only the segments that have one, and :func:`furniture_rows` runs on them
   in doc_id order.

Every article that has a repeated segment is in the second pass with that segment,
so each outlet's count of it, its set of stories, the outlets that have the segment
at all and its first text (the lowest doc_id's) are those :func:`furniture_rows`
finds in every article (a segment no outlet repeats changes no row): the rows are
the same (``tests/test_furniture_batches.py`` checks it, every hash colliding too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import polars as pl

from harness.arrays import sorted_distinct
from harness.wirediff.boilerplate import ArticleSegments, FurnitureRow, article_segments, furniture_rows
from harness.wirediff.pairwork import FurnitureInput, HashedArticles, hashed_segments_task, segment_key_hash

READ_ROWS = 20_000  # articles read from the lazy table at once (some 30 MB of news text)
TASK_ARTICLES = 2_000  # articles a task of pass 1 hashes (on a worker or here)
_COLUMNS = ("doc_id", "outlet", "headline", "body")
# Mixes an outlet's number into a segment's hash (the 64-bit golden ratio, odd: a bijection).
_OUTLET_MIX = np.uint64(0x9E3779B97F4A7C15)

# Maps a task over argument tuples, results in order: in this process, or on the diff's
# workers and this process (``harness.wirediff.pairwork.compare_all``).
Spread = Callable[[Callable[..., Any], Iterable[tuple[Any, ...]]], Iterable[Any]]


def _here(task: Callable[..., Any], arguments: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
    return (task(*args) for args in arguments)


def furniture_in_batches(articles: pl.LazyFrame, spread: Spread = _here, *, min_articles: int) -> list[FurnitureRow]:
    """:func:`harness.wirediff.boilerplate.learn_furniture` of every article of ``articles``
    (columns doc_id, outlet, headline, body): the same rows, holding a batch at a time.
    Pass 1's tasks are handed to ``spread``."""
    rows, hashes, mixed = _hashed_segments(articles, spread)
    repeated = _repeated_hashes(hashes, mixed, min_articles)
    if not repeated.size:
        return []
    again = set(rows[_is_in(hashes, repeated)].tolist())
    del rows, hashes, mixed
    kept = sorted(_repeated_segments(articles, again, set(repeated.tolist())), key=itemgetter(0))
    return furniture_rows((segments for _, segments in kept), min_articles=min_articles)


def _repeated_hashes(
    hashes: npt.NDArray[np.uint64], mixed: npt.NDArray[np.uint64], least: int
) -> npt.NDArray[np.uint64]:
    """The segment hashes that one outlet has in at least ``least`` of its articles (an
    article has a segment once), by sorting ``mixed`` (each segment's hash with its
    outlet mixed in): where a polars group-by took 2 GB for 14M. Two (outlet, segment)
    that mix to one value count together: a count can only grow, and the second pass
    only read more.

    Sorted, a value is there ``least`` times or more exactly when it equals the value
    ``least - 1`` places on: one comparison of two views of the sorted copy, where
    counting every run's length took three more arrays as long as the runs (at 1M
    articles, some 340 MB at the run's peak)."""
    span = max(least, 1) - 1
    if mixed.size <= span:
        return np.zeros(0, np.uint64)
    ordered = np.sort(mixed)
    head = ordered[: ordered.size - span]
    often = sorted_distinct(head[head == ordered[span:]])
    del ordered, head
    return sorted_distinct(hashes[_is_in(mixed, often)])


def _is_in(values: npt.NDArray[np.uint64], wanted: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """``np.isin(values, wanted)`` by hashing ``wanted``: numpy sorts both arrays
    together past a hundred wanted values (some 400 MB more for 14M values)."""
    return pl.Series(values).is_in(pl.Series(wanted).implode()).to_numpy()


def _batches(articles: pl.LazyFrame) -> Iterator[tuple[int, pl.DataFrame]]:
    """(position of the first row, the batch), in order; a slice of the scan read whole
    at a time (a streamed collect reads ahead of a slow consumer)."""
    frame = articles.select(_COLUMNS)
    height = frame.select(pl.len()).collect().item()
    for first in range(0, height, READ_ROWS):
        yield first, frame.slice(first, READ_ROWS).collect()


def _tasks(articles: pl.LazyFrame) -> Iterator[tuple[list[FurnitureInput]]]:
    """Pass 1's tasks: (outlet, headline, body) of ``TASK_ARTICLES`` articles each, in order."""
    for _, batch in _batches(articles):
        rows = list(batch.select("outlet", "headline", "body").iter_rows())
        for first in range(0, len(rows), TASK_ARTICLES):
            yield (rows[first : first + TASK_ARTICLES],)


def _hashed_segments(
    articles: pl.LazyFrame, spread: Spread
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """Pass 1: the row and the hash of each segment of each article, and the hash with
    the article's outlet mixed in."""
    numbers: dict[str | None, int] = {}  # outlet -> its number, for this pass
    rows: list[npt.NDArray[np.uint32]] = [np.zeros(0, np.uint32)]
    hashes: list[npt.NDArray[np.uint64]] = [np.zeros(0, np.uint64)]
    mixed: list[npt.NDArray[np.uint64]] = [np.zeros(0, np.uint64)]
    first = 0
    for hashed in spread(hashed_segments_task, _tasks(articles)):
        task: HashedArticles = hashed
        outlets, counts, flat = task
        sizes = np.array(counts, dtype=np.int64)
        numbered = np.array([numbers.setdefault(outlet, len(numbers)) for outlet in outlets], dtype=np.uint64)
        rows.append(np.repeat(np.arange(first, first + len(counts), dtype=np.uint32), sizes))
        hashes.append(np.frombuffer(flat, dtype=np.uint64))
        mixed.append(hashes[-1] ^ (np.repeat(numbered, sizes) * _OUTLET_MIX))
        first += len(counts)
    return _joined(rows), _joined(hashes), _joined(mixed)


_Array = TypeVar("_Array", npt.NDArray[np.uint32], npt.NDArray[np.uint64])


def _joined(parts: list[_Array]) -> _Array:
    """One array of ``parts``, emptying the list as it goes: at 1M articles, the three
    lists and their joined arrays are some 280 MB each."""
    joined = np.concatenate(parts)
    parts.clear()
    return joined


def _repeated_segments(
    articles: pl.LazyFrame, rows: set[int], repeated: set[int]
) -> Iterator[tuple[str, ArticleSegments]]:
    """Pass 2: (doc_id, its segments whose hash is repeated) of each article at ``rows``."""
    for first, batch in _batches(articles):
        for row, (doc_id, outlet, headline, body) in enumerate(batch.iter_rows(), start=first):
            segments = article_segments(outlet, headline, body) if row in rows else None
            if segments is not None:
                kept = {key: text for key, text in segments.keys.items() if segment_key_hash(key) in repeated}
                yield str(doc_id), segments._replace(keys=kept)

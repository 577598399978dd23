"""wire-copy-discovery: find the copies in a corpus, so that `wire_diff` can compare them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import polars as pl

from harness.engines import Engine

from harness.discovery.defaults import DEFAULT_NUM_PERM, DEFAULT_SEED, DEFAULT_THRESHOLD, NumPerm, Threshold
from harness.experiments.registry import Tables, step
from harness.experiments.settings import Help, Range, Seed
from harness.reports.blocks import Block, Heading, Paragraph, Table

REPORT_ROWS = 200

# Discovery (numpy, its C loops) is imported where it is used: reading an experiment
# registers this step, and a run reads its corpus and starts the steps' early work
# (the diff's workers) before it loads discovery for itself.
TYPE_CHECKING = False  # as in harness/__init__.py
if TYPE_CHECKING:
    from harness.resources import Resource


def _wire_services(settings: Mapping[str, Any]) -> list[Resource]:
    from harness.discovery.pairs import wire_services_resource

    return [wire_services_resource()]


def discovery_report(tables: Tables, settings: Mapping[str, Any]) -> Sequence[Block]:
    from harness.discovery import DiscoverySettings

    pairs = tables["candidate_pairs"]
    threshold = settings.get("threshold", DEFAULT_THRESHOLD)
    bands = DiscoverySettings(
        threshold=threshold, num_perm=settings.get("num_perm", DEFAULT_NUM_PERM)
    ).bands()
    scope = "pairs of different outlets" if settings.get("cross_outlet", False) else "all pairs"
    return [
        Heading("Discovered copies"),
        Paragraph(
            f"{pairs.height} pairs ({scope}) whose bodies share word 5-grams with exact Jaccard >= "
            f"{threshold}. Candidates came from MinHash LSH ({bands.bands} bands of {bands.rows} rows, "
            f"seed {settings.get('seed', DEFAULT_SEED)}): a pair at the threshold becomes a candidate with "
            f"probability {bands.candidate_probability(threshold):.4f}; every candidate was then verified "
            "exactly. A is the earlier `published` article when known, else the news agency's, "
            "else the lower doc_id. "
            "Source: table `candidate_pairs`."
        ),
        Table(pairs, "Discovered pairs (table `candidate_pairs`)", max_rows=REPORT_ROWS),
    ]


@step(
    outputs=("candidate_pairs",),
    resources=_wire_services,
    report=discovery_report,
    lazy_articles=True,  # a large corpus is read in batches, not held (harness.run.spill)
)
def discover_pairs(
    articles: pl.DataFrame | pl.LazyFrame,
    *,
    threshold: Annotated[
        Threshold, Help("Smallest exact Jaccard similarity of two bodies' word 5-gram sets that makes them a pair.")
    ] = DEFAULT_THRESHOLD,
    cross_outlet: Annotated[bool, Help("Only pairs of articles from two different outlets.")] = False,
    seed: Annotated[Seed, Help("Seed of the MinHash permutations: the same seed finds the same candidates.")] = DEFAULT_SEED,
    num_perm: Annotated[
        NumPerm, Help("MinHash permutations per article: more give fewer chance candidates and use more memory.")
    ] = DEFAULT_NUM_PERM,
    engine: Engine | None = None,
) -> Tables:
    """Pairs of articles that copy one another (MinHash LSH candidates, verified by exact 5-gram Jaccard).

    On Ray, shingles and MinHash run as batch tasks; buckets are found on the driver.
    """
    from harness.discovery import DiscoverySettings, find_pairs
    from harness.discovery.shingles import word_hashes_known

    settings = DiscoverySettings(threshold=threshold, cross_outlet=cross_outlet, seed=seed, num_perm=num_perm)
    with word_hashes_known(_early_word_hashes()):
        return {"candidate_pairs": find_pairs(articles, settings=settings, engine=engine)}


def _early_word_hashes() -> dict[str, bytes] | None:
    """The word hashes of the corpus file's bodies that the diff's early workers made
    while this process imported (`harness run`: ``harness.cli.run_start``), waited for
    if a worker has them in hand (the rest of its 35-40 ms, or their way here); None
    when there are none (not handed out, not started yet: then cancelled, or failed):
    the bodies are then read here, to the same shingles."""
    from harness.engines.worker_start import DIFF_EARLY, DIFF_WORD_HASHES

    for future in DIFF_EARLY.take_handed(DIFF_WORD_HASHES[1]).get(DIFF_WORD_HASHES[1], []):  # one, as handed out
        if future.cancel():
            continue  # not started yet: the worker goes on to the diff's work
        try:
            hashes: dict[str, bytes] = future.result()
        except Exception:  # a worker that died: the step that takes the pool says so
            return None
        return hashes
    return None

"""Discovery's default settings and their allowed ranges, without numpy or scipy.

`harness pairs --help` shows these defaults and checks its options against these
ranges; they live here so that help and usage errors do not load the science stack.
"""

from __future__ import annotations

from typing import Annotated

from harness.experiments.settings import Range

DEFAULT_SEED = 20250723
DEFAULT_NUM_PERM = 128
DEFAULT_THRESHOLD = 0.5

# The articles columns discovery reads (``published`` when there is one): what a
# corpus read in batches for it needs to keep (`harness pairs` on a large corpus).
DISCOVERY_COLUMNS = ("doc_id", "outlet", "published", "body")

# The settings' allowed values; `harness pairs` checks its options against the same.
Threshold = Annotated[float, Range(0, 1, exclusive_minimum=True)]  # a Jaccard similarity
# Each permutation costs a (shingles x permutations) uint64 matrix per chunk: past
# a thousand, memory grows by hundreds of MB for no measurable gain in recall.
NumPerm = Annotated[int, Range(1, 1024)]

"""Outlet comparison statistics for the framing scorecard.

    comparisons = compare_outlets(tables["documents"], tables["sentences"], tables["hits"])

Sentence-level sentiment: Mann-Whitney U with Cliff's delta and a seeded bootstrap
CI; loaded-term rates: rate ratio with an exact conditional binomial test and CI;
Benjamini-Hochberg across the whole table. Every row reports n and flags n too small
for a claim.
"""

from harness.stats.compare import (
    COMPARISON_SCHEMA,
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    benjamini_hochberg,
    compare_outlets,
)
from harness.stats.effects import LocationTest, cliffs_delta, cliffs_delta_ci, mann_whitney
from harness.stats.rates import RateRatio, rate_ratio_test

__all__ = [
    "COMPARISON_SCHEMA",
    "DEFAULT_N_BOOT",
    "DEFAULT_SEED",
    "LocationTest",
    "RateRatio",
    "benjamini_hochberg",
    "cliffs_delta",
    "cliffs_delta_ci",
    "compare_outlets",
    "mann_whitney",
    "rate_ratio_test",
]

"""Comparing two event rates (hits per word): rate ratio with an exact conditional test.

Given ``x_a`` events over exposure ``t_a`` and ``x_b`` over ``t_b`` (Poisson counts),
conditioning on the total ``n = x_a + x_b`` makes ``x_a`` binomial with
``p = t_a R / (t_a R + t_b)`` where ``R`` is the rate ratio. So the exact
(Clopper-Pearson) interval for ``p`` from ``scipy.stats.binomtest`` maps to an exact
interval for ``R = p / (1 - p) * t_b / t_a``, and the test of ``R = 1`` is the
binomial test of ``p = t_a / (t_a + t_b)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from harness.stats._scipy import stats


@dataclass(frozen=True, slots=True)
class RateRatio:
    """Rate a over rate b; None where undefined (see ``note``)."""

    count_a: int
    exposure_a: int
    count_b: int
    exposure_b: int
    ratio: float | None
    p_value: float | None
    ci_low: float | None
    ci_high: float | None
    note: str | None


def _odds_to_ratio(p: float, exposure_a: int, exposure_b: int) -> float | None:
    """Rate ratio from the conditional binomial proportion; None for an unbounded end."""
    if p >= 1.0:
        return None
    return p / (1.0 - p) * exposure_b / exposure_a


def rate_ratio_test(
    count_a: int, exposure_a: int, count_b: int, exposure_b: int, *, confidence: float = 0.95
) -> RateRatio:
    """Exact conditional binomial test and CI of (count_a / exposure_a) / (count_b / exposure_b).

    A ratio or bound that would be infinite (no events in b) is None, with a note.
    """
    if exposure_a <= 0 or exposure_b <= 0:
        return RateRatio(
            count_a,
            exposure_a,
            count_b,
            exposure_b,
            None,
            None,
            None,
            None,
            "no words in one group: rate undefined",
        )
    total = count_a + count_b
    if total == 0:
        return RateRatio(
            count_a,
            exposure_a,
            count_b,
            exposure_b,
            None,
            None,
            None,
            None,
            "no events in either group: nothing to compare",
        )
    result = stats.binomtest(count_a, total, p=exposure_a / (exposure_a + exposure_b))
    interval = result.proportion_ci(confidence_level=confidence, method="exact")
    ratio = None if count_b == 0 else (count_a / exposure_a) / (count_b / exposure_b)
    high = _odds_to_ratio(float(interval.high), exposure_a, exposure_b)
    low = _odds_to_ratio(float(interval.low), exposure_a, exposure_b)
    notes = []
    if count_b == 0:
        notes.append("no events in group b: ratio and upper bound unbounded")
    elif high is None:
        notes.append("upper bound unbounded")
    return RateRatio(
        count_a,
        exposure_a,
        count_b,
        exposure_b,
        ratio,
        float(result.pvalue),
        low,
        high if high is None or math.isfinite(high) else None,
        "; ".join(notes) or None,
    )

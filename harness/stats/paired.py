"""Same-story comparisons: per-story differences, Wilcoxon signed-rank and a story bootstrap.

When a corpus says which articles report the same event (``harness.stats.stories``),
two outlets are compared *within* the stories both covered: each shared story gives
one difference ``d_s = value_a(s) - value_b(s)`` (an outlet's value in a story is the
mean over its articles there, or its pooled rate for hits per word). The differences
are independent across stories, so the unit is the story:

* test: two-sided Wilcoxon signed-rank over the differences (``scipy.stats.wilcoxon``,
  zero differences dropped as scipy's default ``zero_method="wilcox"`` does);
* effect: the mean difference, with a percentile bootstrap CI resampling stories
  (numpy Generator from the caller's seed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from harness.stats._scipy import stats


@dataclass(frozen=True, slots=True)
class PairedTest:
    """Wilcoxon signed-rank over story differences, and their mean with a bootstrap CI."""

    n: int  # stories
    statistic: float | None
    p_value: float | None
    mean_difference: float | None
    ci_low: float | None
    ci_high: float | None
    note: str | None


def bootstrap_mean_ci(
    values: npt.ArrayLike,
    *,
    seed: int | np.random.SeedSequence,
    n_boot: int,
    confidence: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap CI of the mean (resampling the values); None below two values."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return None
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(means, [tail, 100.0 - tail])
    return float(low), float(high)


def paired_test(
    differences: npt.ArrayLike, *, seed: int | np.random.SeedSequence, n_boot: int
) -> PairedTest:
    """Wilcoxon signed-rank of ``differences`` against 0, and their mean with a CI."""
    d = np.asarray(differences, dtype=float)
    if d.size == 0:
        return PairedTest(0, None, None, None, None, None, "no story with a value for both outlets: no test")
    ci = bootstrap_mean_ci(d, seed=seed, n_boot=n_boot)
    low, high = (None, None) if ci is None else ci
    mean = float(d.mean())
    if not np.any(d != 0):
        return PairedTest(d.size, None, None, mean, low, high, "every story difference is zero: no test")
    test = stats.wilcoxon(d, alternative="two-sided")
    return PairedTest(d.size, float(test.statistic), float(test.pvalue), mean, low, high, None)

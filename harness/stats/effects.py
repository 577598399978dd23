"""Two-sample location tests: Mann-Whitney U with Cliff's delta and a bootstrap CI."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from harness.stats._scipy import stats

FloatArray = npt.NDArray[np.float64]

# scipy.stats.bootstrap evaluates the statistic on this many resamples at a time:
# memory stays at batch x (n_a + n_b) floats however large n_boot is.
_BOOTSTRAP_BATCH = 256


@dataclass(frozen=True, slots=True)
class LocationTest:
    """Mann-Whitney U of ``a`` against ``b`` (two-sided) and Cliff's delta."""

    n_a: int
    n_b: int
    u: float  # U statistic of sample a
    p_value: float
    delta: float  # P(a > b) - P(a < b), in [-1, 1]
    ci_low: float | None  # percentile bootstrap CI of delta; None when not computable
    ci_high: float | None


def cliffs_delta(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Cliff's delta: P(a > b) - P(a < b) over all pairs (ties count zero)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size == 0 or y.size == 0:
        raise ValueError("Cliff's delta needs two non-empty samples")
    return float(_delta_from_ranks(x, y, axis=-1))


def _delta_from_ranks(a: FloatArray, b: FloatArray, axis: int = -1) -> FloatArray:
    """Vectorised Cliff's delta via ranks: delta = 2 U_a / (n_a n_b) - 1."""
    a = np.moveaxis(np.asarray(a, dtype=float), axis, -1)
    b = np.moveaxis(np.asarray(b, dtype=float), axis, -1)
    n_a, n_b = a.shape[-1], b.shape[-1]
    shape = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    both = np.concatenate(
        [np.broadcast_to(a, (*shape, n_a)), np.broadcast_to(b, (*shape, n_b))], axis=-1
    )
    ranks = stats.rankdata(both, axis=-1)  # ties get average ranks
    u_a = ranks[..., :n_a].sum(axis=-1) - n_a * (n_a + 1) / 2.0
    result: FloatArray = 2.0 * u_a / (n_a * n_b) - 1.0
    return result


def cliffs_delta_ci(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    seed: int | np.random.SeedSequence,
    n_boot: int,
    confidence: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap CI of Cliff's delta (resampling each sample independently).

    Percentile rather than BCa: BCa needs a jackknife over every observation, which is
    quadratic in the number of sentences. None when either sample has fewer than two
    values (nothing to resample).
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size < 2 or y.size < 2:
        return None
    if np.unique(np.concatenate([x, y])).size == 1:
        return 0.0, 0.0  # every resample is all ties: delta is exactly 0
    result = stats.bootstrap(
        (x, y),
        _delta_from_ranks,
        n_resamples=n_boot,
        batch=_BOOTSTRAP_BATCH,
        vectorized=True,
        paired=False,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def mann_whitney(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    seed: int | np.random.SeedSequence,
    n_boot: int,
) -> LocationTest:
    """Two-sided Mann-Whitney U (scipy chooses exact or asymptotic), delta and its CI."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    test = stats.mannwhitneyu(x, y, alternative="two-sided")
    delta = 2.0 * float(test.statistic) / (x.size * y.size) - 1.0
    ci = cliffs_delta_ci(x, y, seed=seed, n_boot=n_boot)
    return LocationTest(
        n_a=int(x.size),
        n_b=int(y.size),
        u=float(test.statistic),
        p_value=float(test.pvalue),
        delta=delta,
        ci_low=None if ci is None else ci[0],
        ci_high=None if ci is None else ci[1],
    )

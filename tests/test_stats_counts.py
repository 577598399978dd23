"""The article-level count model: rate ratio, HC3 interval, permutation p-value."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from harness.stats import article_rate_ratio, article_rate_ratios

COUNTS_A, WORDS_A = [3, 0, 12, 5], [400, 350, 900, 600]
COUNTS_B, WORDS_B = [1, 2, 0, 1, 4], [500, 800, 300, 450, 700]


def _glm_hc3(y: np.ndarray, t: np.ndarray, in_a: np.ndarray) -> tuple[float, float]:
    """Poisson GLM with log(t) offset fitted by IRLS, and its HC3 sandwich SE of b1."""
    x = np.column_stack([np.ones(y.size), in_a.astype(float)])
    beta = np.zeros(2)
    for _ in range(50):
        mu = t * np.exp(x @ beta)
        beta = beta + np.linalg.solve(x.T @ (mu[:, None] * x), x.T @ (y - mu))
    mu = t * np.exp(x @ beta)
    bread = np.linalg.inv(x.T @ (mu[:, None] * x))
    leverage = mu * np.einsum("ij,jk,ik->i", x, bread, x)
    meat = (x * (((y - mu) / (1 - leverage)) ** 2)[:, None]).T @ x
    return float(beta[1]), float(math.sqrt((bread @ meat @ bread)[1, 1]))


def test_ratio_and_interval_equal_a_poisson_glm_with_hc3_errors() -> None:
    result = article_rate_ratio(COUNTS_A, WORDS_A, COUNTS_B, WORDS_B, seed=1, n_perm=999)
    y = np.array(COUNTS_A + COUNTS_B, dtype=float)
    t = np.array(WORDS_A + WORDS_B, dtype=float)
    in_a = np.array([True] * 4 + [False] * 5)
    b1, se = _glm_hc3(y, t, in_a)
    assert result.ratio == pytest.approx((20 / 2250) / (8 / 2750))
    assert math.log(result.ratio) == pytest.approx(b1, rel=1e-9)  # type: ignore[arg-type]
    q = stats.t.ppf(0.975, 9 - 2)
    assert result.ci_low == pytest.approx(math.exp(b1 - q * se), rel=1e-9)
    assert result.ci_high == pytest.approx(math.exp(b1 + q * se), rel=1e-9)
    assert (result.n_a, result.n_b, result.count_a, result.count_b) == (4, 5, 20, 8)


def _hc1_t(y: np.ndarray, t: np.ndarray, in_a: np.ndarray) -> float:
    parts = []
    for mask in (in_a, ~in_a):
        yy, tt = y[mask], t[mask]
        rate = yy.sum() / tt.sum()
        variance = ((yy - tt * rate) ** 2).sum() * mask.sum() / (mask.sum() - 1) / yy.sum() ** 2
        parts.append((math.log(rate), variance))
    return abs(parts[0][0] - parts[1][0]) / math.sqrt(parts[0][1] + parts[1][1])


def test_p_value_enumerates_every_relabeling_when_there_are_few() -> None:
    # C(9, 4) = 126 relabelings <= n_perm: the exact permutation p-value.
    result = article_rate_ratio(COUNTS_A, WORDS_A, COUNTS_B, WORDS_B, seed=1, n_perm=999)
    y = np.array(COUNTS_A + COUNTS_B, dtype=float)
    t = np.array(WORDS_A + WORDS_B, dtype=float)
    observed = _hc1_t(y, t, np.array([True] * 4 + [False] * 5))
    extreme = 0
    for chosen in itertools.combinations(range(9), 4):
        mask = np.isin(np.arange(9), chosen)
        permuted = math.inf if y[mask].sum() == 0 or y[~mask].sum() == 0 else _hc1_t(y, t, mask)
        extreme += permuted >= observed * (1 - 1e-9)
    assert result.p_value == pytest.approx(extreme / 126, abs=1e-12)
    assert result.statistic == pytest.approx(observed)  # signed: a's rate is higher


def test_random_relabelings_are_seeded_and_bounded_below() -> None:
    rng = np.random.default_rng(3)
    words = rng.integers(200, 1500, 60)
    counts = rng.poisson(words * 0.01)
    in_a = np.arange(60) < 30
    first = article_rate_ratios(counts, words, in_a, seed=9, n_perm=499)[0]
    assert article_rate_ratios(counts, words, in_a, seed=9, n_perm=499)[0] == first
    assert article_rate_ratios(counts, words, in_a, seed=10, n_perm=499)[0].p_value != first.p_value
    assert first.p_value is not None and 1 / 500 <= first.p_value <= 1
    assert (first.p_value * 500) % 1 == pytest.approx(0, abs=1e-9)  # (1 + hits) / (1 + n_perm)


def test_a_strong_difference_is_found() -> None:
    rng = np.random.default_rng(4)
    words = rng.integers(300, 900, 40)
    counts = rng.poisson(words * np.where(np.arange(40) < 20, 0.02, 0.005))
    result = article_rate_ratios(counts, words, np.arange(40) < 20, seed=1, n_perm=999)[0]
    assert result.p_value == pytest.approx(1 / 1000)
    assert result.ci_low is not None and result.ci_low > 1


def test_an_outlet_without_hits_gets_a_p_value_but_no_interval() -> None:
    result = article_rate_ratio([4, 6, 5], [500, 600, 550], [0, 0, 0], [500, 520, 610], seed=1, n_perm=999)
    assert result.ratio is None and result.ci_low is None and result.ci_high is None
    assert result.statistic is None
    assert result.p_value == pytest.approx(2 / 20)  # 2 of C(6,3) = 20 splits put every hit on one side
    assert "no events in group b" in str(result.note)
    zero_a = article_rate_ratio([0, 0, 0], [500, 520, 610], [4, 6, 5], [500, 600, 550], seed=1, n_perm=999)
    assert zero_a.ratio == 0.0 and zero_a.p_value == result.p_value


def test_no_test_without_two_articles_with_words_or_without_hits() -> None:
    one = article_rate_ratio([3, 1], [400, 0], [1, 2], [500, 300], seed=1)
    assert one.p_value is None and one.n_a == 1 and "fewer than two articles" in str(one.note)
    none = article_rate_ratio([0, 0], [400, 300], [0, 0], [500, 300], seed=1)
    assert none.p_value is None and "no events in either group" in str(none.note)


def test_series_share_relabelings_but_not_results() -> None:
    rng = np.random.default_rng(5)
    words = rng.integers(200, 1500, (30, 2))
    counts = rng.poisson(words * 0.01)
    in_a = np.arange(30) < 12
    both = article_rate_ratios(counts, words, in_a, seed=2, n_perm=299)
    alone = [article_rate_ratios(counts[:, [s]], words[:, [s]], in_a, seed=2, n_perm=299)[0] for s in (0, 1)]
    assert both == alone

"""Cliff's delta, its bootstrap CI and Mann-Whitney U on data with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from harness.stats import cliffs_delta, cliffs_delta_ci, mann_whitney


def brute_force_delta(a: list[float], b: list[float]) -> float:
    greater = sum(1 for x in a for y in b if x > y)
    less = sum(1 for x in a for y in b if x < y)
    return (greater - less) / (len(a) * len(b))


def test_fully_separated_samples_have_delta_one() -> None:
    assert cliffs_delta([5, 6, 7], [1, 2, 3, 4]) == 1.0
    assert cliffs_delta([1, 2, 3, 4], [5, 6, 7]) == -1.0


def test_identical_samples_have_delta_zero() -> None:
    assert cliffs_delta([1, 2, 3], [1, 2, 3]) == 0.0
    assert cliffs_delta([2, 2], [2, 2, 2]) == 0.0


def test_known_delta_with_ties() -> None:
    # pairs: (1,1) tie, (1,2) <, (3,1) >, (3,2) >  ->  (2 - 1) / 4
    assert cliffs_delta([1, 3], [1, 2]) == pytest.approx(0.25)


def test_empty_sample_is_rejected() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        cliffs_delta([], [1.0])


finite = st.floats(min_value=-1, max_value=1, allow_nan=False).map(lambda x: round(x, 2))


@settings(max_examples=200, deadline=None)
@given(st.lists(finite, min_size=1, max_size=25), st.lists(finite, min_size=1, max_size=25))
def test_delta_equals_pair_counting_and_is_antisymmetric(a: list[float], b: list[float]) -> None:
    delta = cliffs_delta(a, b)
    assert delta == pytest.approx(brute_force_delta(a, b), abs=1e-12)
    assert cliffs_delta(b, a) == pytest.approx(-delta, abs=1e-12)
    assert -1.0 <= delta <= 1.0


def test_mann_whitney_matches_scipy_and_reports_n() -> None:
    a = [0.1, 0.4, -0.3, 0.8, 0.5, 0.0, 0.2]
    b = [-0.5, -0.2, 0.0, -0.7, 0.1]
    test = mann_whitney(a, b, seed=1, n_boot=500)
    reference = stats.mannwhitneyu(a, b, alternative="two-sided")
    assert (test.n_a, test.n_b) == (7, 5)
    assert test.u == reference.statistic
    assert test.p_value == pytest.approx(reference.pvalue)
    assert test.delta == pytest.approx(brute_force_delta(a, b))
    assert test.ci_low is not None and test.ci_high is not None
    assert test.ci_low <= test.delta <= test.ci_high


def test_bootstrap_ci_is_reproducible_and_seed_dependent() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(0.3, 1, 40), rng.normal(0, 1, 50)
    first = cliffs_delta_ci(a, b, seed=20240101, n_boot=999)
    again = cliffs_delta_ci(a, b, seed=20240101, n_boot=999)
    other = cliffs_delta_ci(a, b, seed=1, n_boot=999)
    assert first == again
    assert first != other
    assert first is not None
    low, high = first
    assert -1 <= low < cliffs_delta(a, b) < high <= 1


def test_bootstrap_ci_on_separated_samples_is_one() -> None:
    assert cliffs_delta_ci([5.0, 6.0, 7.0], [1.0, 2.0], seed=3, n_boot=200) == (1.0, 1.0)


def test_bootstrap_ci_degenerate_cases() -> None:
    assert cliffs_delta_ci([1.0], [1.0, 2.0], seed=0, n_boot=100) is None
    assert cliffs_delta_ci([2.0, 2.0], [2.0, 2.0, 2.0], seed=0, n_boot=100) == (0.0, 0.0)

"""Rate ratios: exact conditional binomial test and CI against known answers."""

from __future__ import annotations

import pytest
from scipy import stats

from harness.stats import rate_ratio_test


def test_equal_rates_have_ratio_one_and_p_one() -> None:
    result = rate_ratio_test(10, 1000, 10, 1000)
    assert result.ratio == pytest.approx(1.0)
    assert result.p_value == pytest.approx(1.0)
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < 1.0 < result.ci_high
    assert result.note is None


def test_ratio_and_ci_equal_the_clopper_pearson_mapping() -> None:
    # x_a = 30 of n = 32 events; exposures 1026 and 555 words.
    result = rate_ratio_test(30, 1026, 2, 555)
    assert result.ratio == pytest.approx((30 / 1026) / (2 / 555))
    p0 = 1026 / (1026 + 555)
    assert result.p_value == pytest.approx(stats.binomtest(30, 32, p0).pvalue)
    # Clopper-Pearson bounds from beta quantiles, mapped p -> p/(1-p) * t_b/t_a.
    low_p = stats.beta.ppf(0.025, 30, 3)
    high_p = stats.beta.ppf(0.975, 31, 2)
    assert result.ci_low == pytest.approx(low_p / (1 - low_p) * 555 / 1026, rel=1e-9)
    assert result.ci_high == pytest.approx(high_p / (1 - high_p) * 555 / 1026, rel=1e-9)


def test_symmetry_swapping_groups_inverts_the_ratio() -> None:
    ab = rate_ratio_test(12, 800, 4, 900)
    ba = rate_ratio_test(4, 900, 12, 800)
    assert ab.ratio == pytest.approx(1 / ba.ratio)  # type: ignore[operator]
    assert ab.p_value == pytest.approx(ba.p_value)
    assert ab.ci_low == pytest.approx(1 / ba.ci_high)  # type: ignore[operator]
    assert ab.ci_high == pytest.approx(1 / ba.ci_low)  # type: ignore[operator]


def test_no_events_in_b_gives_unbounded_ratio_as_null() -> None:
    result = rate_ratio_test(20, 691, 0, 478)
    assert result.ratio is None
    assert result.ci_high is None
    assert result.ci_low is not None and result.ci_low > 1
    assert result.p_value is not None and result.p_value < 0.001
    assert result.note == "no events in group b: ratio and upper bound unbounded"


def test_no_events_in_a_gives_zero_ratio() -> None:
    result = rate_ratio_test(0, 500, 6, 500)
    assert result.ratio == 0.0
    assert result.ci_low == 0.0
    assert result.ci_high is not None and result.ci_high < 1


def test_nothing_to_compare() -> None:
    none = rate_ratio_test(0, 100, 0, 100)
    assert (none.ratio, none.p_value, none.ci_low, none.ci_high) == (None, None, None, None)
    assert none.note == "no events in either group: nothing to compare"
    empty = rate_ratio_test(3, 0, 1, 100)
    assert empty.p_value is None
    assert empty.note == "no words in one group: rate undefined"

"""The A/B statistics against a worked example written out by hand, and cross-checked with
scipy (relative risk with Katz's log interval; chi-square without continuity correction is
the pooled two-proportion z test squared)."""

from decimal import Decimal

import pytest
from scipy.stats import chi2_contingency
from scipy.stats.contingency import relative_risk

from enablement import stats

# A: 40 of 200 converted (20 %), B: 60 of 200 (30 %).
#   uplift = 0.30 / 0.20 − 1 = +50 %
#   se(ln ratio) = sqrt(1/60 − 1/200 + 1/40 − 1/200) = sqrt(0.0316667) = 0.177951
#   95 %: exp(ln 1.5 ± 1.959964 × 0.177951) − 1 = exp(0.405465 ± 0.348778) − 1
#         = exp(0.056687) − 1 … exp(0.754243) − 1 = +5.8324 % … +112.6002 %
#   pooled p = 100 / 400 = 0.25; z = 0.10 / sqrt(0.25 × 0.75 × (1/200 + 1/200)) = 2.309401
#   p = 2 × (1 − Φ(2.309401)) = 0.020921
EXAMPLE = {"n_a": 200, "x_a": 40, "n_b": 200, "x_b": 60}


def test_the_worked_example_by_hand():
    result = stats.compare(**EXAMPLE)
    assert result.uplift == pytest.approx(0.50)
    assert result.ci_low == pytest.approx(0.058324, abs=1e-6)
    assert result.ci_high == pytest.approx(1.126002, abs=1e-6)
    assert result.p_value == pytest.approx(0.020921, abs=1e-6)


def test_the_worked_example_agrees_with_scipy():
    result = stats.compare(**EXAMPLE)
    rr = relative_risk(60, 200, 40, 200)
    interval = rr.confidence_interval(confidence_level=0.95)
    assert result.uplift == pytest.approx(rr.relative_risk - 1)
    assert result.ci_low == pytest.approx(interval.low - 1)
    assert result.ci_high == pytest.approx(interval.high - 1)
    _chi2, p_value, _dof, _expected = chi2_contingency([[40, 160], [60, 140]], correction=False)
    assert result.p_value == pytest.approx(p_value)


@pytest.mark.parametrize(
    ("n_a", "x_a", "n_b", "x_b", "alpha"),
    [(120, 30, 150, 31, 0.05), (1000, 80, 900, 97, 0.01), (35, 7, 41, 19, 0.1)],
)
def test_other_samples_agree_with_scipy(n_a, x_a, n_b, x_b, alpha):
    result = stats.compare(n_a, x_a, n_b, x_b, alpha=alpha)
    interval = relative_risk(x_b, n_b, x_a, n_a).confidence_interval(1 - alpha)
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low - 1, interval.high - 1))
    table = [[x_a, n_a - x_a], [x_b, n_b - x_b]]
    assert result.p_value == pytest.approx(chi2_contingency(table, correction=False)[1])


def test_verdict_passes_at_exactly_the_minimum_uplift_when_significant():
    # uplift exactly +50 %, p = 0.0209
    result = stats.compare(**EXAMPLE)
    assert stats.verdict(result, min_uplift=0.50, alpha=0.05) == stats.PASS
    assert stats.verdict(result, min_uplift=Decimal("0.5001"), alpha=0.05) == stats.NOT_PROVEN


def test_verdict_needs_significance():
    result = stats.compare(**EXAMPLE)  # p = 0.020921
    assert stats.verdict(result, min_uplift=0.15, alpha=0.021) == stats.PASS
    assert stats.verdict(result, min_uplift=0.15, alpha=0.02) == stats.NOT_PROVEN


def test_a_significantly_lower_new_script_is_worse():
    result = stats.compare(200, 60, 200, 40)  # B converts 20 % against A's 30 %
    assert result.uplift == pytest.approx(-1 / 3)
    assert stats.verdict(result, min_uplift=0.15, alpha=0.05) == stats.WORSE


def test_a_small_uplift_is_not_proven_even_when_significant():
    result = stats.compare(10000, 2000, 10000, 2200)  # +10 %, p < 0.001
    assert result.p_value < 0.001
    assert stats.verdict(result, min_uplift=0.15, alpha=0.05) == stats.NOT_PROVEN


def test_empty_arms_have_no_figures():
    result = stats.compare(0, 0, 10, 3)
    assert (result.uplift, result.ci_low, result.p_value) == (None, None, None)
    assert stats.verdict(result, min_uplift=0.15, alpha=0.05) == stats.PENDING
    no_conversion_in_a = stats.compare(10, 0, 10, 3)
    assert no_conversion_in_a.uplift is None
    assert no_conversion_in_a.p_value == pytest.approx(0.0603, abs=1e-4)


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        stats.compare(10, 11, 10, 3)

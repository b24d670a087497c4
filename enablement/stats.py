"""The statistics of a script A/B test, written out (normal approximation), so that a reader
can check each step against a textbook; ``tests/enablement/test_stats.py`` cross-checks them
with scipy.

Arm A (old script) converted ``x_a`` of ``n_a`` leads, arm B (new script) ``x_b`` of ``n_b``.

- rates: p_a = x_a / n_a, p_b = x_b / n_b
- relative uplift: p_b / p_a − 1
- its confidence interval: the log of the ratio of two proportions is close to normal with
  standard error sqrt(1/x_b − 1/n_b + 1/x_a − 1/n_a) (Katz et al. 1978), so the interval
  is exp(ln(p_b / p_a) ± z · se) − 1, with z the two-sided normal quantile of the level
- p-value: the two-proportion z test with the pooled rate p = (x_a + x_b) / (n_a + n_b):
  z = (p_b − p_a) / sqrt(p (1 − p) (1/n_a + 1/n_b)), two-sided p = 2 (1 − Φ(|z|))

Worked example (the test's): A 40 of 200 (20 %), B 60 of 200 (30 %): uplift +50 %;
se(ln ratio) = sqrt(1/60 − 1/200 + 1/40 − 1/200) = 0.17795, the 95 % interval
exp(ln 1.5 ± 1.95996 · 0.17795) − 1 = +5.83 % … +112.60 %; pooled p = 0.25,
z = 0.1 / sqrt(0.25 · 0.75 · 0.01) = 2.3094, p-value 0.02092.

The verdict: *pass* only when the uplift is at least the admin-set minimum (15 %) and
significant (p < α); *worse* when B is significantly below A; otherwise *not proven*.
"""

import math
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist

PASS, NOT_PROVEN, WORSE, PENDING = "pass", "not_proven", "worse", "pending"


@dataclass(frozen=True)
class TwoProportions:
    n_a: int
    x_a: int
    n_b: int
    x_b: int
    uplift: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


def normal_cdf(z: float) -> float:
    return NormalDist().cdf(z)


def two_sided_quantile(alpha: float) -> float:
    return NormalDist().inv_cdf(1 - alpha / 2)


def compare(n_a: int, x_a: int, n_b: int, x_b: int, *, alpha: float = 0.05) -> TwoProportions:
    """Uplift of B over A with its (1 − α) interval and the z test's p-value. A figure that
    cannot be computed (an empty arm, no conversion in A, every lead converted in both) is
    None."""
    if not (0 <= x_a <= n_a and 0 <= x_b <= n_b):
        raise ValueError("conversions must lie between 0 and the arm's leads")
    uplift = ci_low = ci_high = p_value = None
    if n_a and n_b:
        p_a, p_b = x_a / n_a, x_b / n_b
        pooled = (x_a + x_b) / (n_a + n_b)
        spread = pooled * (1 - pooled) * (1 / n_a + 1 / n_b)
        if spread > 0:
            z = (p_b - p_a) / math.sqrt(spread)
            p_value = 2 * (1 - normal_cdf(abs(z)))
        if x_a:
            uplift = p_b / p_a - 1
            if x_b:
                se = math.sqrt(1 / x_b - 1 / n_b + 1 / x_a - 1 / n_a)
                q = two_sided_quantile(alpha)
                log_ratio = math.log(p_b / p_a)
                ci_low = math.exp(log_ratio - q * se) - 1
                ci_high = math.exp(log_ratio + q * se) - 1
    return TwoProportions(n_a, x_a, n_b, x_b, uplift, ci_low, ci_high, p_value)


def verdict(result: TwoProportions, *, min_uplift, alpha: float) -> str:
    """`min_uplift` as a fraction (0.15 for 15 %; a Decimal or a float). The comparison with
    it is exact (in fractions of the counts), so an uplift of exactly 15 % passes, which a
    float (0.15 read as 0.1499999…) would not promise."""
    if result.uplift is None or result.p_value is None:
        return PENDING if not (result.n_a and result.n_b) else NOT_PROVEN
    significant = result.p_value < alpha
    exact_uplift = Fraction(result.x_b * result.n_a, result.x_a * result.n_b) - 1
    if significant and exact_uplift >= Fraction(str(min_uplift)):
        return PASS
    if significant and result.uplift < 0:
        return WORSE
    return NOT_PROVEN

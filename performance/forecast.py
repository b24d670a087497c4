"""Next quarter's forecast from the monthly history (seed 000: 使用回归分析等统计方法预测季度招生规模).

The model is an ordinary least-squares regression on the monthly totals,

    y_m = a + b·t_m + c_Q2·[m in Q2] + c_Q3·[m in Q3] + c_Q4·[m in Q4] + e_m

with t_m the month's index in the history (0, 1, 2, …): a linear trend plus one level shift
per quarter of the year (the season of a training institution is the quarter: spring
enrolment, summer courses, autumn term, the year-end rush). Quarter dummies rather than month
dummies, because the history of a young institution holds one or two years: twelve month
dummies would leave nothing to estimate the noise with.

- The quarter's projection is the sum of the three months' fitted values.
- Its interval is the prediction interval of that sum at ``LEVEL`` (80 %): point ± z·s·√(3 +
  1ᵀ·X_f·(XᵀX)⁻¹·X_fᵀ·1), with s the residual standard error, X_f the three future rows and z the
  normal quantile (no t-quantile: numpy alone; with few residual degrees of freedom the interval
  is a little too narrow). The lower bound never goes below 0.
- With fewer than ``MIN_SEASONAL`` months (or a quarter of the year missing from the history)
  the seasonal terms are left out (trend only); with fewer than ``MIN_TREND`` months there is
  no forecast. A series without noise gives an interval of zero width.
- The back-test re-fits the model on the history before each of the last complete quarters
  and compares its projection with what happened: the mean absolute percentage error (MAPE).

Floats are used for the statistics; projections are rounded to whole units and returned as
Decimal, so money shown beside the targets stays Decimal.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from statistics import NormalDist

import numpy as np

from salescrm.money import round_places
from salescrm.timeutil import add_months, quarter_of

LEVEL = 0.80
MIN_SEASONAL = 8
MIN_TREND = 3
BACKTEST_QUARTERS = 4


@dataclass(frozen=True)
class Projection:
    point: Decimal
    low: Decimal
    high: Decimal
    seasonal: bool  # whether the quarter terms were used


@dataclass(frozen=True)
class BacktestRow:
    quarter_start: dt.date
    projected: Decimal
    actual: Decimal


def _design(months: list[dt.date], offset: int, seasonal: bool) -> np.ndarray:
    columns = [np.ones(len(months)), np.arange(offset, offset + len(months), dtype=float)]
    if seasonal:
        quarters = np.array([quarter_of(m) for m in months])
        columns += [(quarters == q).astype(float) for q in (2, 3, 4)]
    return np.column_stack(columns)


def _round(value: float) -> Decimal:
    return Decimal(round(value))


def project_quarter(
    history: list[tuple[dt.date, Decimal | int]], ahead: int = 0
) -> Projection | None:
    """Project the total of three consecutive months starting `ahead` months after the month
    that follows `history` (consecutive months, oldest first, each the first of its month;
    months without activity given as 0). ``ahead=0``: the three months right after it."""
    if len(history) < MIN_TREND:
        return None
    months = [month for month, _value in history]
    y = np.array([float(value) for _month, value in history])
    seasonal = len(history) >= MIN_SEASONAL and {quarter_of(m) for m in months} == {1, 2, 3, 4}
    x = _design(months, 0, seasonal)
    coef, *_rest = np.linalg.lstsq(x, y, rcond=None)
    residual_dof = len(y) - x.shape[1]
    residuals = y - x @ coef
    s = float(np.sqrt(residuals @ residuals / residual_dof)) if residual_dof > 0 else 0.0
    future_months = [add_months(months[-1], ahead + k) for k in (1, 2, 3)]
    x_future = _design(future_months, len(months) + ahead, seasonal)
    point = float((x_future @ coef).sum())
    ones = x_future.sum(axis=0)
    spread = float(np.sqrt(3 + ones @ np.linalg.pinv(x.T @ x) @ ones))
    z = NormalDist().inv_cdf(0.5 + LEVEL / 2)
    half = z * s * spread
    return Projection(
        point=_round(max(point, 0.0)),
        low=_round(max(point - half, 0.0)),
        high=_round(max(point + half, 0.0)),
        seasonal=seasonal,
    )


def backtest(
    history: list[tuple[dt.date, Decimal | int]], quarters: int = BACKTEST_QUARTERS
) -> tuple[list[BacktestRow], Decimal | None]:
    """Re-fit on the months before each of the last `quarters` complete calendar quarters of
    `history` and project that quarter. Returns the rows and the MAPE in % (None when no
    quarter could be tested, or all tested quarters had 0 actual)."""
    rows: list[BacktestRow] = []
    starts = [i for i, (month, _v) in enumerate(history) if month.month in (1, 4, 7, 10)]
    for index in starts:
        if index + 3 > len(history):
            continue
        projection = project_quarter(history[:index])
        if projection is None:
            continue
        actual = sum((Decimal(v) for _m, v in history[index : index + 3]), Decimal(0))
        rows.append(BacktestRow(history[index][0], projection.point, actual))
    rows = rows[-quarters:]
    errors = [abs(r.projected - r.actual) / r.actual for r in rows if r.actual]
    mape = round_places(sum(errors, Decimal(0)) * 100 / len(errors), 1) if errors else None
    return rows, mape


def monthly_series(values: dict[dt.date, Decimal | int], first: dt.date, last: dt.date):
    """Consecutive months first..last (firsts of months) with 0 where `values` has none."""
    series = []
    month = first
    while month <= last:
        series.append((month, values.get(month, 0)))
        month = add_months(month, 1)
    return series

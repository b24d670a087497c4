"""The seasonal regression of performance.forecast on synthetic monthly series."""

import datetime as dt
import random
from decimal import Decimal as D

from performance import forecast

SEASON = {1: 0, 2: 30, 3: -20, 4: 10}  # level shift per quarter of the year


def series(months: int, noise: float = 0.0, seed: int = 7):
    """100 + 2·t + the quarter's shift (+ noise), from January 2024."""
    rng = random.Random(seed)
    rows = []
    for t in range(months):
        month = dt.date(2024 + t // 12, t % 12 + 1, 1)
        value = 100 + 2 * t + SEASON[(month.month - 1) // 3 + 1] + rng.gauss(0, noise)
        rows.append((month, D(str(round(value, 2)))))
    return rows


def test_noiseless_seasonal_series_is_projected_exactly_with_a_zero_width_interval():
    # 24 months (t = 0..23); next quarter Q1 2026: t = 24, 25, 26, shift 0
    # (100 + 48) + (100 + 50) + (100 + 52) = 450
    projection = forecast.project_quarter(series(24))
    assert projection == forecast.Projection(D(450), D(450), D(450), seasonal=True)


def test_a_later_quarter_is_projected_with_its_own_season():
    # from the end of 2025, one month skipped: February to April 2026 (t = 25, 26, 27)
    # (150 + 0) + (152 + 0) + (154 + 30) = 486
    assert forecast.project_quarter(series(24), ahead=1).point == D(486)


def test_interval_contains_the_point_and_widens_with_the_noise():
    quiet = forecast.project_quarter(series(24, noise=2))
    loud = forecast.project_quarter(series(24, noise=20))
    assert quiet.low < quiet.point < quiet.high
    assert loud.low < loud.point < loud.high
    assert loud.high - loud.low > 3 * (quiet.high - quiet.low)
    # the projection stays near the true 450 when the noise is small
    assert abs(quiet.point - 450) < 15


def test_short_history_drops_the_season_and_too_short_gives_no_forecast():
    # 6 months (fewer than 8): trend only; the least-squares line through 100, 102, 104, 136,
    # 138, 140 (t = 0..5) is 95.714 + 9.714·t: July-September 3·95.714 + 9.714·(6+7+8) = 491.1
    projection = forecast.project_quarter(series(6))
    assert projection.seasonal is False
    assert projection.point == D(491)
    assert forecast.project_quarter(series(2)) is None


def test_projection_never_goes_below_zero():
    falling = [(dt.date(2025, m, 1), D(1200 - 100 * m)) for m in range(1, 13)]
    projection = forecast.project_quarter(falling)
    assert projection.point == D(0)
    assert projection.low == D(0)


def test_backtest_of_a_noiseless_series_has_no_error():
    rows, mape = forecast.backtest(series(24))
    # quarters of 2025 (each fitted on at least 12 months before it) and Q3 2024 onwards:
    # the last four complete quarters are tested
    assert [row.quarter_start for row in rows] == [
        dt.date(2025, 1, 1),
        dt.date(2025, 4, 1),
        dt.date(2025, 7, 1),
        dt.date(2025, 10, 1),
    ]
    assert mape == D("0.0")
    assert all(row.projected == row.actual for row in rows)


def test_backtest_error_grows_with_the_noise():
    _rows, quiet = forecast.backtest(series(36, noise=2))
    _rows, loud = forecast.backtest(series(36, noise=25))
    assert quiet < D(5) < loud

"""Scoring a KPI against its target (performance/kpis.py: score, weighted_total)."""

from decimal import Decimal as D

import pytest

from performance.kpis import HIGHER, LOWER, parse_steps, score, weighted_total


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        ("50", "100", HIGHER, "50.00"),
        ("100", "100", HIGHER, "100.00"),
        ("115", "100", HIGHER, "115.00"),
        ("150", "100", HIGHER, "120.00"),  # capped
        ("0", "100", HIGHER, "0.00"),
        ("40", "30", LOWER, "75.00"),  # 40 days against a 30-day goal: 30 / 40
        ("20", "30", LOWER, "120.00"),  # 30 / 20 = 150 %, capped
        ("0", "5", LOWER, "120.00"),  # no refunds at all: the cap
    ],
)
def test_linear_rule_scores_to_a_cap(actual, target, direction, expected):
    assert score(D(actual), D(target), direction, "linear", D("120")) == D(expected)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [("79.99", "0.00"), ("80", "60.00"), ("99.99", "60.00"), ("100", "100.00"), ("130", "120.00")],
)
def test_steps_rule_gives_the_points_of_the_highest_step_reached(actual, expected):
    assert score(D(actual), D("100"), HIGHER, "steps", D("120"), "80=60, 100=100; 120=120") == D(
        expected
    )


def test_no_data_gives_no_score():
    assert score(None, D("100"), HIGHER, "linear", D("120")) is None


def test_steps_are_parsed_and_checked():
    assert parse_steps("100=100, 80=60") == [(D("80"), D("60")), (D("100"), D("100"))]
    with pytest.raises(ValueError):
        parse_steps("eighty")


def test_total_is_weighted_over_the_kpis_with_data():
    # 90 × 50 % + 120 × 30 % = 81; the 20 % KPI has no data: 81 ÷ 80 % = 101.25
    assert weighted_total([(D("90"), D("50")), (D("120"), D("30")), (None, D("20"))]) == D("101.25")
    assert weighted_total([(D("90"), D("50")), (D("110"), D("50"))]) == D("100.00")
    assert weighted_total([(None, D("100"))]) == D("0")

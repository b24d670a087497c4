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


def test_a_kpi_without_a_value_gives_its_weight_to_the_others_and_the_lines_add_up():
    from performance.kpis import weigh

    lines, total = weigh([(D("120"), D("40")), (D("90"), D("30")), (None, D("30"))])
    # 40 and 30 of the 70 that count: 57.142…% and 42.857…%, rounded to add up to 100.00;
    # 120 × 4/7 = 68.571…, 90 × 3/7 = 38.571…: 107.14
    assert [(line.effective_weight, line.weighted_score) for line in lines] == [
        (D("57.14"), D("68.57")),
        (D("42.86"), D("38.57")),
        (None, None),
    ]
    assert total == D("107.14")


def test_a_scorecards_weighted_scores_add_up_to_its_total_when_a_kpi_has_no_value():
    from performance.services import ItemRule, score_lines

    items = [
        ItemRule("lead_conversion", D("60"), D("60"), "linear", D("120")),
        ItemRule("complaint_response_24h", D("40"), D("90"), "linear", D("120")),
    ]
    rows, total = score_lines(items, {"lead_conversion": D("50"), "complaint_response_24h": None})
    # 50 % of a 60 % target scores 83.33; no complaints: lead conversion counts 100 %
    assert [(item.kpi, value, weighted) for item, _actual, value, weighted in rows] == [
        ("lead_conversion", D("83.33"), D("83.33")),
        ("complaint_response_24h", None, None),
    ]
    assert total == D("83.33")

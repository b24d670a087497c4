"""Annual scorecards (seed 002: 年度考核) from the frozen quarters and months: the average of the
four quarterly totals; a missing quarter leaves no total, a missing month is named. Hand-worked."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.annual import annual_rows
from performance.models import KpiScheme, ScoreCard

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 10)  # November 2026 is open: 2025 is all closed


def card(person, kind, start, total):
    scheme, _ = KpiScheme.objects.get_or_create(
        role="rep", effective_from=dt.date(2025, 1, 1), defaults={"name": "课程顾问"}
    )
    months = 3 if kind == "quarter" else 1
    end_next = dt.date(
        start.year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1, 1
    )
    ScoreCard.objects.create(
        person=person,
        period_kind=kind,
        period_start=start,
        period_end=end_next - dt.timedelta(days=1),
        scheme=scheme,
        total_score=D(total),
        computed_at=timezone.now(),
    )


@pytest.fixture
def year_2025(rep, teammate, outsider):
    # rep: Q1 80.00, Q2 90.50, Q3 70.25, Q4 100.00 → 340.75 ÷ 4 = 85.1875 → 85.19
    for q, total in enumerate(["80.00", "90.50", "70.25", "100.00"]):
        card(rep, "quarter", dt.date(2025, 3 * q + 1, 1), total)
    for month in range(1, 13):
        if month != 3:  # March has no monthly scorecard
            card(rep, "month", dt.date(2025, month, 1), "85.00")
    # teammate: no Q4 → no total
    for q, total in enumerate(["60.00", "70.00", "80.00"]):
        card(teammate, "quarter", dt.date(2025, 3 * q + 1, 1), total)
    card(outsider, "quarter", dt.date(2025, 1, 1), "99.00")


def test_the_annual_total_is_the_average_of_the_quarters(year_2025, manager, rep, teammate):
    rows = annual_rows(manager, 2025, TODAY)
    assert [(r.person, r.quarters, r.total) for r in rows] == [
        (rep, [D("80.00"), D("90.50"), D("70.25"), D("100.00")], D("85.19")),
        (teammate, [D("60.00"), D("70.00"), D("80.00"), None], None),
    ]
    assert rows[0].missing_months == ["2025-03"]
    assert rows[1].missing_months == [f"2025-{m:02d}" for m in range(1, 13)]


def test_the_open_quarter_and_months_do_not_count(rep, manager):
    card(rep, "quarter", dt.date(2026, 10, 1), "90.00")  # Q4 2026 still open on 11-10
    card(rep, "month", dt.date(2026, 11, 1), "90.00")  # the open month
    card(rep, "month", dt.date(2026, 10, 1), "70.00")  # closed
    (row,) = annual_rows(manager, 2026, TODAY)
    assert (row.quarters, row.total) == ([None] * 4, None)
    # ten closed months, January–October; only October has a scorecard
    assert row.missing_months == [f"2026-{m:02d}" for m in range(1, 10)]


def test_the_page_is_scoped_and_bounded(
    year_2025, rep, manager, outsider, client, clock, django_assert_max_num_queries
):
    clock.set(TODAY)
    client.force_login(manager)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("analytics:annual_scorecards"), {"year": 2025})
    assert [row.person.username for row in response.context["page"]] == ["rep_a1", "rep_a2"]
    assert b"85.19" in response.content
    client.force_login(rep)
    page = client.get(reverse("analytics:annual_scorecards"), {"year": 2025}).context["page"]
    assert [row.person for row in page] == [rep]
    client.force_login(outsider)
    page = client.get(reverse("analytics:annual_scorecards"), {"year": "abc"}).context["page"]
    assert list(page) == []  # a bad year falls back to this year: nothing closed yet for them

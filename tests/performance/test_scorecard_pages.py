"""Who sees which scorecard (SPEC §1 scoping) and the list's query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import KpiScheme, ScoreCard, ScoreLine
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme():
    return KpiScheme.objects.create(role="rep", name="Reps", effective_from=dt.date(2026, 1, 1))


def _card(person, scheme, month=dt.date(2026, 10, 1), total="88.50"):
    card = ScoreCard.objects.create(
        person=person,
        period_kind="month",
        period_start=month,
        period_end=month.replace(day=28),
        scheme=scheme,
        total_score=Decimal(total),
        computed_at=timezone.now(),
    )
    ScoreLine.objects.create(
        scorecard=card,
        kpi="effective_visits",
        actual=Decimal("17"),
        target=Decimal("20"),
        score=Decimal("85.00"),
        weight=Decimal("100"),
        weighted_score=Decimal("85.00"),
    )
    return card


def test_a_rep_sees_only_their_own_scorecard(login, rep, teammate, scheme):
    own, other = _card(rep, scheme), _card(teammate, scheme, total="91.00")
    client = login(rep)
    page = client.get(reverse("performance:scorecards")).content.decode()
    assert own.get_absolute_url() in page and other.get_absolute_url() not in page
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404


def test_a_manager_sees_the_teams_scorecards_but_not_another_teams(
    login, manager, rep, teammate, outsider, scheme
):
    mine = [_card(rep, scheme), _card(teammate, scheme)]
    foreign = _card(outsider, scheme)
    client = login(manager)
    page = client.get(reverse("performance:scorecards")).content.decode()
    assert all(card.get_absolute_url() in page for card in mine)
    assert foreign.get_absolute_url() not in page
    assert client.get(foreign.get_absolute_url()).status_code == 404
    detail = client.get(mine[0].get_absolute_url()).content.decode()
    assert "85.00" in detail and "88.50" in detail


def test_the_scorecard_list_filters_by_month(login, rep, scheme):
    october, september = _card(rep, scheme), _card(rep, scheme, month=dt.date(2026, 9, 1))
    page = login(rep).get(reverse("performance:scorecards"), {"month": "2026-09"}).content.decode()
    assert september.get_absolute_url() in page and october.get_absolute_url() not in page


def test_the_scorecard_list_has_a_fixed_number_of_queries(
    login, director, scheme, team, django_assert_max_num_queries
):
    for index in range(60):
        _card(UserFactory(username=f"r{index}", team=team), scheme)
    client = login(director)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("performance:scorecards"))
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("performance:scorecards"), {"page": 2}).status_code == 200


def test_the_scorecard_detail_has_a_fixed_number_of_queries(
    login, director, rep, scheme, django_assert_max_num_queries
):
    card = _card(rep, scheme)
    for kpi in ["signed_amount", "collected_amount", "nps", "satisfaction"]:
        ScoreLine.objects.create(
            scorecard=card, kpi=kpi, actual=1, target=1, score=1, weight=0, weighted_score=0
        )
    client = login(director)
    with django_assert_max_num_queries(6):
        assert client.get(card.get_absolute_url()).status_code == 200


def test_the_scorecard_shows_effective_weights_that_add_up_and_why_a_kpi_has_no_value(
    login, rep, scheme
):
    card = ScoreCard.objects.create(
        person=rep,
        period_kind="month",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        scheme=scheme,
        total_score=Decimal("103.33"),
        computed_at=timezone.now(),
    )
    for kpi, actual, score, weight in [
        ("lead_conversion", Decimal("50"), Decimal("110.00"), Decimal("50")),
        ("effective_visits", Decimal("18"), Decimal("90.00"), Decimal("25")),
        ("complaint_response_24h", None, Decimal("0"), Decimal("25")),
    ]:
        ScoreLine.objects.create(
            scorecard=card,
            kpi=kpi,
            actual=actual,
            target=Decimal("1"),
            score=score,
            weight=weight,
            weighted_score=Decimal("0"),
        )
    response = login(rep).get(card.get_absolute_url())
    lines = response.context["lines"]
    # 50 and 25 of the 75 that count: 66.67 % and 33.33 %; 110 × 2/3 = 73.333…, 90 × 1/3 = 30
    assert [(line.effective_weight, line.counted_score) for line in lines] == [
        (Decimal("66.67"), Decimal("73.33")),
        (Decimal("33.33"), Decimal("30.00")),
        (None, None),
    ]
    assert sum(line.counted_score for line in lines[:2]) == card.total_score
    reason = lines[2].no_value_reason
    assert reason and lines[0].no_value_reason == ""
    assert reason in response.content.decode()

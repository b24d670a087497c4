"""Promotion eligibility (连续2个季度达标可竞聘组长): reps on target in both of the last two
closed quarters, from the frozen quarterly scorecards; the director opens the application
and records the decision and its reason."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from enablement import services
from enablement.models import PromotionCase
from enablement.promotion import eligible_reps, last_closed_quarters
from performance.models import KpiScheme, ScoreCard, ScoreLine
from salescrm.errors import BusinessRuleError

pytestmark = pytest.mark.django_db

Q4_2025, Q1, Q2, Q3 = (
    dt.date(2025, 10, 1),
    dt.date(2026, 1, 1),
    dt.date(2026, 4, 1),
    dt.date(2026, 7, 1),
)
END = {
    Q4_2025: dt.date(2025, 12, 31),
    Q1: dt.date(2026, 3, 31),
    Q2: dt.date(2026, 6, 30),
    Q3: dt.date(2026, 9, 30),
}


def quarter_card(person, start, achievement: str | None, kpi="target_achievement"):
    scheme, _ = KpiScheme.objects.get_or_create(
        role="rep", effective_from=dt.date(2025, 1, 1), defaults={"name": "销售代表"}
    )
    card = ScoreCard.objects.create(
        person=person,
        period_kind="quarter",
        period_start=start,
        period_end=END[start],
        scheme=scheme,
        total_score=Decimal(80),
        computed_at=timezone.now(),
    )
    ScoreLine.objects.create(
        scorecard=card,
        kpi=kpi,
        actual=None if achievement is None else Decimal(achievement),
        target=Decimal(100),
        score=Decimal(80),
        weight=Decimal(100),
        weighted_score=Decimal(80),
    )
    return card


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 7, 1), (Q1, Q2)),  # Q2 closed the day July opened
        (dt.date(2026, 6, 30), (Q4_2025, Q1)),  # Q2 still open on its last day
        (dt.date(2026, 9, 30), (Q1, Q2)),
        (dt.date(2026, 10, 1), (Q2, Q3)),
    ],
)
def test_the_last_two_closed_quarters(today, expected):
    assert last_closed_quarters(today) == expected


def test_exactly_100_percent_in_both_quarters_is_on_target(rep, teammate, outsider):
    quarter_card(rep, Q1, "100.00")
    quarter_card(rep, Q2, "100.00")
    quarter_card(teammate, Q1, "130.00")
    quarter_card(teammate, Q2, "99.99")  # one cent short in one quarter
    quarter_card(outsider, Q1, "99.99")
    quarter_card(outsider, Q2, "150.00")
    rows = eligible_reps(today=dt.date(2026, 7, 15))
    assert [(row.rep, row.lowest_achievement) for row in rows] == [(rep, Decimal("100.00"))]


def test_the_quarters_must_be_consecutive_and_the_latest(rep, teammate):
    quarter_card(rep, Q4_2025, "120")  # Q4 and Q2 on target, Q1 not: no
    quarter_card(rep, Q1, "90")
    quarter_card(rep, Q2, "120")
    quarter_card(teammate, Q4_2025, "120")  # Q4 and Q1 on target: eligible in June, not July
    quarter_card(teammate, Q1, "120")
    quarter_card(teammate, Q2, "80")
    assert eligible_reps(today=dt.date(2026, 7, 15)) == []
    assert [row.rep for row in eligible_reps(today=dt.date(2026, 6, 30))] == [teammate]


def test_the_running_quarter_never_counts(rep):
    quarter_card(rep, Q2, "120")
    quarter_card(rep, Q3, "120")  # Q3 is running on 2026-09-30
    assert eligible_reps(today=dt.date(2026, 9, 30)) == []
    assert [row.rep for row in eligible_reps(today=dt.date(2026, 10, 1))] == [rep]


def test_other_kpis_and_missing_values_do_not_count(rep):
    quarter_card(rep, Q1, "150", kpi="signed_amount")
    quarter_card(rep, Q2, None)
    assert eligible_reps(today=dt.date(2026, 7, 15)) == []


def test_a_manager_sees_only_their_teams_reps(rep, outsider, manager):
    for person in (rep, outsider):
        quarter_card(person, Q1, "110")
        quarter_card(person, Q2, "110")
    rows = eligible_reps(today=dt.date(2026, 7, 15), visible_to=manager)
    assert [row.rep for row in rows] == [rep]


@pytest.fixture
def eligible(rep):
    quarter_card(rep, Q1, "110")
    quarter_card(rep, Q2, "105")
    return rep


def test_the_director_opens_an_application_and_decides_with_a_reason(eligible, director):
    today = dt.date(2026, 7, 15)
    case = services.promotion_open(actor=director, rep=eligible, today=today)
    assert (case.first_quarter, case.second_quarter) == (Q1, Q2)
    with pytest.raises(BusinessRuleError, match="already open"):
        services.promotion_open(actor=director, rep=eligible, today=today)
    with pytest.raises(BusinessRuleError, match="reason"):
        services.promotion_decide(actor=director, case=case, approve=True, reason=" ")
    services.promotion_decide(actor=director, case=case, approve=True, reason="带教能力强")
    case.refresh_from_db()
    assert (case.decision, case.reason, case.decided_by) == ("approved", "带教能力强", director)
    with pytest.raises(BusinessRuleError, match="already decided"):
        services.promotion_decide(actor=director, case=case, approve=False, reason="x")


def test_an_ineligible_rep_cannot_get_an_application(teammate, director):
    quarter_card(teammate, Q1, "110")
    quarter_card(teammate, Q2, "99.99")
    with pytest.raises(BusinessRuleError, match="two closed quarters"):
        services.promotion_open(actor=director, rep=teammate, today=dt.date(2026, 7, 15))
    assert PromotionCase.objects.count() == 0


def test_only_the_director_opens_and_decides(eligible, manager, rep):
    for someone in (manager, rep):
        with pytest.raises(PermissionDenied):
            services.promotion_open(actor=someone, rep=eligible, today=dt.date(2026, 7, 15))
    assert PromotionCase.objects.count() == 0


def test_the_page_lists_and_opens(login, eligible, director, manager, clock):
    clock.set(dt.date(2026, 7, 15))
    client = login(director)
    page = client.get(reverse("enablement:promotion")).content.decode()
    assert f'id="eligible-{eligible.pk}"' in page and "105.00 %" in page
    assert client.post(reverse("enablement:promotion"), {"rep": eligible.pk}).status_code == 302
    case = PromotionCase.objects.get()
    assert client.post(reverse("enablement:promotion"), {"rep": "abc"}).status_code == 302
    assert PromotionCase.objects.count() == 1
    decide = reverse("enablement:promotion_decide", args=[case.pk])
    client.post(decide, {"approve": "1", "reason": ""})
    case.refresh_from_db()
    assert case.decision == "open"  # no reason: nothing recorded
    client.post(decide, {"approve": "0", "reason": "需再带一个季度新人"})
    case.refresh_from_db()
    assert (case.decision, case.reason) == ("declined", "需再带一个季度新人")
    # a manager sees the list but cannot open
    manager_client = login(manager)
    assert manager_client.get(reverse("enablement:promotion")).status_code == 200
    assert (
        manager_client.post(reverse("enablement:promotion"), {"rep": eligible.pk}).status_code
        == 403
    )


def test_reps_do_not_see_the_page(login, rep):
    assert login(rep).get(reverse("enablement:promotion")).status_code == 403

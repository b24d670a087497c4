"""Improvement plans (绩效改进计划, seed 002/004: 连续多次绩效考核不合格): a rep whose monthly
scorecard is below the pass mark N closed months in a row (admin-set, default 2 and 60) gets one
plan; the manager or the director sets goals, review date and outcome; the rep reads it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics import services
from analytics.models import AnalyticsSettings, ImprovementPlan
from analytics.tasks import improvement_plans
from performance.models import KpiScheme, ScoreCard
from salescrm.errors import BusinessRuleError
from salescrm.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NIGHT = dt.date(2026, 11, 9)  # the last closed month is October


def card(person, month: int, total: str):
    scheme, _ = KpiScheme.objects.get_or_create(
        role="rep", effective_from=dt.date(2026, 1, 1), defaults={"name": "课程顾问"}
    )
    start = dt.date(2026, month, 1)
    ScoreCard.objects.create(
        person=person,
        period_kind="month",
        period_start=start,
        period_end=(start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1),
        scheme=scheme,
        total_score=Decimal(total),
        computed_at=timezone.now(),
    )


def test_one_failed_month_opens_nothing_two_open_one_plan_and_a_rerun_keeps_one(rep, manager):
    card(rep, 9, "75.00")  # passed
    card(rep, 10, "59.99")  # failed: one month (N − 1)
    assert improvement_plans(NIGHT) == {"plans_opened": 0, "plan_alerts": 0}
    ScoreCard.objects.filter(person=rep, period_start=dt.date(2026, 9, 1)).update(
        total_score=Decimal("42.50")
    )  # now September failed too: N = 2 in a row
    assert improvement_plans(NIGHT) == {"plans_opened": 1, "plan_alerts": 2}
    assert improvement_plans(NIGHT) == {"plans_opened": 0, "plan_alerts": 0}
    plan = ImprovementPlan.objects.get()
    assert (plan.person, plan.last_failed_month, plan.opened_on) == (
        rep,
        dt.date(2026, 10, 1),
        NIGHT,
    )
    assert plan.failed_scores == [["2026-09", "42.50"], ["2026-10", "59.99"]]
    assert set(
        Notification.objects.filter(kind="improvement_plan").values_list("recipient", flat=True)
    ) == {rep.pk, manager.pk}


def test_exactly_the_pass_mark_passes_and_a_missing_month_breaks_the_run(rep, teammate):
    card(rep, 9, "60.00")
    card(rep, 10, "10.00")
    card(teammate, 10, "10.00")  # no September scorecard
    assert improvement_plans(NIGHT)["plans_opened"] == 0


def test_the_admin_sets_the_run_and_the_mark(rep):
    AnalyticsSettings.objects.create(pk=1, improvement_after=3, pass_score=Decimal("80"))
    card(rep, 8, "79.00")
    card(rep, 9, "70.00")
    assert improvement_plans(NIGHT)["plans_opened"] == 0  # October missing
    card(rep, 10, "79.99")
    assert improvement_plans(NIGHT)["plans_opened"] == 1


def test_a_plan_in_progress_blocks_a_second_one_a_closed_one_does_not(rep):
    card(rep, 9, "50.00")
    card(rep, 10, "50.00")
    improvement_plans(NIGHT)
    card(rep, 11, "50.00")
    december = dt.date(2026, 12, 3)
    assert improvement_plans(december)["plans_opened"] == 0  # still in progress
    ImprovementPlan.objects.update(outcome="not_improved")
    assert improvement_plans(december)["plans_opened"] == 1
    assert ImprovementPlan.objects.count() == 2


def test_the_night_reads_as_many_queries_for_one_rep_as_for_many(rep, manager):
    card(rep, 9, "50.00")
    card(rep, 10, "50.00")
    with CaptureQueriesContext(connection) as one:
        improvement_plans(NIGHT)
    ImprovementPlan.objects.all().delete()
    Notification.objects.all().delete()
    for k in range(6):
        other = UserFactory(username=f"rep_p{k}", role="rep", team=rep.team)
        card(other, 9, "30.00")
        card(other, 10, "30.00")
    with CaptureQueriesContext(connection) as many:
        assert improvement_plans(NIGHT)["plans_opened"] == 7
    assert len(many) == len(one)


@pytest.fixture
def plan(rep):
    card(rep, 9, "50.00")
    card(rep, 10, "50.00")
    improvement_plans(NIGHT)
    return ImprovementPlan.objects.get()


FORM = {
    "goals": "每周有效拜访 20 次，月底签约 2 单",
    "review_on": "2026-12-10",
    "outcome": "pending",
    "outcome_note": "",
}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 302),  # the rep's manager
        ("director", 302),
        ("rep", 403),  # the rep reads it, does not edit it
        ("teammate", 404),  # never sees it
        ("other_manager", 404),  # another team's manager
        ("outsider", 404),
        ("finance", 403),
    ],
)
def test_only_the_reps_manager_or_the_director_edits(plan, who, status, client, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(plan.get_absolute_url(), FORM)
    assert response.status_code == status
    plan.refresh_from_db()
    assert (plan.review_on == dt.date(2026, 12, 10)) is (status == 302)


@pytest.mark.parametrize(("who", "status"), [("rep", 200), ("manager", 200), ("director", 200)])
def test_the_rep_their_manager_and_the_director_read_it(plan, who, status, client, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(plan.get_absolute_url())
    assert response.status_code == status
    assert (response.context["form"] is not None) is (who != "rep")


def test_a_review_date_before_the_plan_is_refused_and_nothing_changes(plan, manager, client):
    client.force_login(manager)
    response = client.post(plan.get_absolute_url(), {**FORM, "review_on": "2026-11-01"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    plan.refresh_from_db()
    assert (plan.goals, plan.review_on) == ("", None)


def test_the_service_refuses_another_teams_manager(plan, other_manager):
    with pytest.raises(BusinessRuleError):
        services.improvement_plan_update(
            actor=other_manager,
            plan=plan,
            goals="x",
            review_on=None,
            outcome="pending",
            outcome_note="",
        )


def test_the_list_shows_a_reps_own_and_a_managers_team_in_bounded_queries(
    plan, rep, manager, outsider, client, django_assert_max_num_queries
):
    for k in range(8):
        other = UserFactory(username=f"rep_l{k}", role="rep", team=rep.team)
        card(other, 9, "30.00")
        card(other, 10, "30.00")
    improvement_plans(NIGHT)
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("analytics:plans"))
    assert len(response.context["page"]) == 9
    client.force_login(rep)
    assert [p.person for p in client.get(reverse("analytics:plans")).context["page"]] == [rep]
    client.force_login(outsider)
    assert list(client.get(reverse("analytics:plans")).context["page"]) == []

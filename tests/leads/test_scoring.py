import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from leads.models import Lead, LeadSettings, ScoringRule
from leads.scoring import leads_rescore
from leads.services import activity_log, lead_create, lead_update
from leads.tasks import refresh_scores
from tests.factories import UserFactory

from .factories import LeadFactory, channel

pytestmark = pytest.mark.django_db


def only_budget_rule(points):
    ScoringRule.objects.exclude(criterion="budget_confirmed").update(is_active=False)
    ScoringRule.objects.filter(criterion="budget_confirmed").update(points=points, is_active=True)


@pytest.mark.parametrize(
    "points,grade",
    [(14, "C"), (15, "B"), (19, "B"), (20, "A")],
)
def test_grade_thresholds_at_the_edges(rep, points, grade):
    only_budget_rule(points)
    lead = lead_create(
        actor=rep, name="A", phone="13800138000", channel=channel(), budget=Decimal("8000.00")
    )
    assert (lead.score, lead.grade) == (points, grade)
    assert lead.score_reasons == [{"criterion": "budget_confirmed", "points": points}]


def test_default_rules_add_up_and_say_why(rep):
    # budget 5 + decision maker 5 + urgent 4 + referral channel 5 = 19 -> B
    lead = lead_create(
        actor=rep,
        name="A",
        phone="13800138000",
        channel=channel("referral"),
        budget=Decimal("12000"),
        decision_maker_reached=True,
        is_urgent=True,
    )
    assert (lead.score, lead.grade) == (19, "B")
    assert {reason["criterion"] for reason in lead.score_reasons} == {
        "budget_confirmed",
        "decision_maker_reached",
        "urgent",
        "channel_quality",
    }
    # a trial lesson (+6) and recent engagement (+3) make it hot
    activity_log(lead=lead, actor=rep, kind="trial_lesson")
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (28, "A")


def test_editing_a_lead_re_scores_it(rep):
    lead = lead_create(
        actor=rep, name="A", phone="13800138000", channel=channel("ground_promotion")
    )
    assert lead.score == 1
    lead_update(lead=lead, actor=rep, budget=Decimal("5000"), decision_maker_reached=True)
    assert lead.score == 11


def test_changing_a_rule_in_admin_re_grades_the_leads(
    client, rep, django_capture_on_commit_callbacks
):
    admin_user = UserFactory(username="root", role="admin", is_superuser=True, is_staff=True)
    only_budget_rule(15)
    lead = lead_create(
        actor=rep, name="A", phone="13800138000", channel=channel(), budget=Decimal("1")
    )
    assert lead.grade == "B"
    rule = ScoringRule.objects.get(criterion="budget_confirmed")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            f"/admin/leads/scoringrule/{rule.pk}/change/",
            {"criterion": "budget_confirmed", "points": "20", "is_active": "on"},
        )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (15, "B")  # not in the request
    assert len(queued) == 1
    queued[0]()  # the task, run in-process as the tests' Celery does
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (20, "A")


def test_changing_thresholds_re_grades(rep):
    only_budget_rule(12)
    lead = lead_create(
        actor=rep, name="A", phone="13800138000", channel=channel(), budget=Decimal("1")
    )
    assert lead.grade == "C"
    LeadSettings.objects.filter(pk=1).update(grade_a_min=18, grade_b_min=10)
    leads_rescore()
    lead.refresh_from_db()
    assert lead.grade == "B"


def test_nightly_refresh_cools_a_lead_nobody_followed_and_is_repeatable(rep):
    ScoringRule.objects.exclude(criterion="engaged_14_days").update(is_active=False)
    touched = timezone.now() - dt.timedelta(days=10)
    lead = LeadFactory(
        owner=rep,
        last_activity_at=touched,
        score=3,
        grade="C",
        score_reasons=[{"criterion": "engaged_14_days", "points": 3}],
    )
    later = (touched + dt.timedelta(days=20)).date()
    assert refresh_scores(later) == {"changed": 1}
    assert refresh_scores(later) == {"changed": 0}
    lead.refresh_from_db()
    assert (lead.score, lead.score_reasons) == (0, [])


def test_won_and_lost_leads_are_left_alone_by_the_nightly_refresh(rep):
    LeadFactory(owner=rep, stage="won", won_at=timezone.now(), score=99, grade="A")
    assert refresh_scores(timezone.localdate()) == {"changed": 0}
    assert Lead.objects.get().score == 99


def test_nightly_refresh_reads_only_leads_whose_engagement_changed(rep):
    """A lead touched 3 days ago becomes engaged; one touched 20 days ago loses it; a lead
    whose stored score is stale for another reason is not the nightly job's business (edits
    re-score at once), so it is left as stored."""
    ScoringRule.objects.exclude(criterion="engaged_14_days").update(is_active=False)
    ScoringRule.objects.filter(criterion="engaged_14_days").update(points=4)
    now = timezone.now()
    warming = LeadFactory(owner=rep, last_activity_at=now - dt.timedelta(days=3), score=0)
    cooling = LeadFactory(
        owner=rep,
        last_activity_at=now - dt.timedelta(days=20),
        score=4,
        score_reasons=[{"criterion": "engaged_14_days", "points": 4}],
    )
    untouched = LeadFactory(owner=rep, last_activity_at=None, score=7, grade="C")
    assert refresh_scores(timezone.localdate()) == {"changed": 2}
    warming.refresh_from_db()
    cooling.refresh_from_db()
    untouched.refresh_from_db()
    assert (warming.score, cooling.score, untouched.score) == (4, 0, 7)

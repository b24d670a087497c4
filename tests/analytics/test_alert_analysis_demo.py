"""The demo's alert analyses: every state on the manager's list, and a second seed adds none."""

import datetime as dt
import random

import pytest

from analytics.demo import seed_alert_analyses, seed_improvement_plan
from analytics.models import AlertAnalysis, ImprovementPlan
from analytics.selectors import counts_for
from salescrm.demo import DemoContext
from salescrm.models import User
from salescrm.org_demo import seed_organisation

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)  # a Sunday


def test_the_demo_has_open_late_and_answered_analyses_once():
    ctx = DemoContext(today=TODAY, rng=random.Random(1), log=lambda s: None)
    seed_organisation(ctx)
    seed_alert_analyses(ctx)
    seed_alert_analyses(ctx)
    assert AlertAnalysis.objects.count() == 6
    director = User.objects.get(username="director")
    # open: raised Saturday 11-21, due Tuesday 11-24 (two of them); late: due 11-12 and 11-17;
    # answered: on its due date 11-04, and two days after its due date 11-10
    assert counts_for(director, TODAY) == {"open": 2, "late": 2, "answered": 2}
    answered = AlertAnalysis.objects.filter(answered_at__isnull=False).order_by("raised_on")
    assert [a.answered_late for a in answered] == [False, True]
    manager1 = User.objects.get(username="manager1")
    assert counts_for(manager1, TODAY) == {"open": 1, "late": 1, "answered": 2}


def test_the_demo_has_one_improvement_plan_in_progress_once():
    ctx = DemoContext(today=TODAY, rng=random.Random(1), log=lambda s: None)
    seed_organisation(ctx)
    seed_improvement_plan(ctx)
    seed_improvement_plan(ctx)
    plan = ImprovementPlan.objects.get()
    assert (plan.person.username, plan.last_failed_month, plan.review_on) == (
        "rep8",
        dt.date(2026, 10, 1),
        dt.date(2026, 11, 28),
    )

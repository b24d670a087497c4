import datetime as dt

import pytest

from leads.models import Activity, ActivityPlan, CoachingComment
from leads.selectors import plan_actuals
from salescrm.timeutil import SHANGHAI
from tests.factories import UserFactory

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


def at(day, hour=10):
    return dt.datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def week_of_work(rep):
    lead = LeadFactory(owner=rep, created_by=rep, created_at=at(3))
    LeadFactory(owner=rep, created_by=rep, created_at=at(8, 23))  # Sunday night: same week
    LeadFactory(owner=rep, created_by=rep, created_at=at(9, 0))  # next Monday
    kinds = ["phone", "phone", "phone", "visit", "campus_tour", "trial_lesson", "wechat", "note"]
    Activity.objects.bulk_create(
        [Activity(lead=lead, actor=rep, kind=kind, occurred_at=at(4)) for kind in kinds]
        + [Activity(lead=lead, actor=rep, kind="phone", occurred_at=at(1, 23))]  # the Sunday before
    )
    return lead


def test_actuals_count_calls_visits_new_leads_and_trials_per_week(rep, week_of_work):
    actual = plan_actuals([rep.pk], MONDAY, MONDAY)[(rep.pk, MONDAY)]
    assert actual == {"calls": 3, "visits": 3, "new_leads": 2, "trial_lessons": 1}


def test_rep_plans_a_week_starting_on_monday(login, rep):
    client = login(rep)
    bad = client.post(
        "/leads/plans/new/",
        {"week_start": "2026-03-03", "calls": 30, "visits": 5, "new_leads": 10, "trial_lessons": 2},
    )
    assert bad.status_code == 200
    assert "week_start" in bad.context["form"].errors
    good = client.post(
        "/leads/plans/new/",
        {"week_start": "2026-03-02", "calls": 30, "visits": 5, "new_leads": 10, "trial_lessons": 2},
    )
    plan = ActivityPlan.objects.get()
    assert good["Location"] == f"/leads/plans/{plan.pk}/"
    assert (plan.rep, plan.calls) == (rep, 30)
    again = client.post(
        "/leads/plans/new/",
        {"week_start": "2026-03-02", "calls": 1, "visits": 1, "new_leads": 1, "trial_lessons": 1},
    )
    assert again.status_code == 200
    assert ActivityPlan.objects.count() == 1


def test_manager_sees_plan_vs_actual_and_coaches(login, manager, rep, week_of_work):
    plan = ActivityPlan.objects.create(
        rep=rep, week_start=MONDAY, calls=20, visits=4, new_leads=5, trial_lessons=2
    )
    client = login(manager)
    page = client.get("/leads/plans/?week=2026-03-04")
    row = next(r for r in page.context["rows"] if r["rep"] == rep)
    assert (row["plan"], row["actual"]["calls"], row["actual"]["visits"]) == (plan, 3, 3)
    response = client.post(
        f"/leads/plans/{plan.pk}/", {"action": "comment", "body": "电话量偏低，多打老客户"}
    )
    assert response.status_code == 302
    assert CoachingComment.objects.get().author == manager


def test_rep_cannot_leave_coaching_comments(login, rep):
    plan = ActivityPlan.objects.create(rep=rep, week_start=MONDAY)
    response = login(rep).post(
        f"/leads/plans/{plan.pk}/", {"action": "comment", "body": "我自己表扬自己"}
    )
    assert response.status_code == 403
    assert CoachingComment.objects.count() == 0


def test_other_teams_manager_cannot_open_the_plan(login, rep, other_manager):
    plan = ActivityPlan.objects.create(rep=rep, week_start=MONDAY)
    assert login(other_manager).get(f"/leads/plans/{plan.pk}/").status_code == 404


def test_team_view_query_count_is_bounded(login, manager, team, django_assert_max_num_queries):
    reps = [UserFactory(username=f"planrep{i}", role="rep", team=team) for i in range(25)]
    for rep in reps:
        plan = ActivityPlan.objects.create(rep=rep, week_start=MONDAY, calls=10)
        CoachingComment.objects.create(plan=plan, author=manager, body="加油")
    client = login(manager)
    with django_assert_max_num_queries(12):
        response = client.get("/leads/plans/?week=2026-03-02")
    assert len(response.context["rows"]) == 25


def test_rep_sees_own_weeks(login, rep, week_of_work):
    ActivityPlan.objects.create(rep=rep, week_start=MONDAY, calls=20)
    rows = login(rep).get("/leads/plans/").context["rows"]
    assert [(row["plan"].week_start, row["actual"]["calls"]) for row in rows] == [(MONDAY, 3)]


def test_the_plan_is_written_by_its_service_only_for_its_own_rep(rep, teammate, director):
    from django.core.exceptions import PermissionDenied
    from django.utils import translation

    from leads.services import LeadError, activity_plan_save

    plan = activity_plan_save(actor=rep, week_start=MONDAY, calls=20, visits=5)
    assert (plan.rep_id, plan.calls, plan.visits) == (rep.pk, 20, 5)
    activity_plan_save(actor=rep, plan=plan, calls=25)
    plan.refresh_from_db()
    assert plan.calls == 25
    with translation.override("en"):
        # a teammate (a rep, allowed to plan) may not change someone else's plan
        with pytest.raises(LeadError, match="Only the rep writes their own weekly plan."):
            activity_plan_save(actor=teammate, plan=plan, calls=0)
        # the same week twice is refused by the table's constraint, with the form's message
        with pytest.raises(LeadError, match="You already have a plan for this week."):
            activity_plan_save(actor=rep, week_start=MONDAY, calls=1)
    # the director's role plans no week (the matrix: reps and managers)
    with pytest.raises(PermissionDenied):
        activity_plan_save(actor=director, week_start=MONDAY, calls=1)
    plan.refresh_from_db()
    assert plan.calls == 25 and ActivityPlan.objects.count() == 1

"""Onboarding (items due from the hire date, mentor sign-off, ramp, probation decision) and
training (sessions, attendance and scores, personal plans), services and pages."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from enablement import selectors, services
from enablement.models import (
    Attendance,
    Course,
    EnablementSettings,
    OnboardingPlan,
    OnboardingTemplate,
    TrainingPlanItem,
    TrainingSession,
)
from leads.models import Activity
from salescrm.errors import BusinessRuleError
from salescrm.roles import Role
from tests.factories import UserFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template():
    template = OnboardingTemplate.objects.create(name="新人三周")
    template.items.create(title="产品知识", order=1, due_days=7)
    template.items.create(title="话术通关", order=2)  # the settings' default: 21 days
    template.items.create(title="陪同拜访", order=3, due_days=0)
    return template


@pytest.fixture
def newcomer(team, manager):
    return UserFactory(username="newbie", role=Role.REP, team=team, hire_date=dt.date(2026, 3, 10))


def test_a_plan_gets_its_items_due_from_the_hire_date(manager, newcomer, rep, template):
    plan = services.onboarding_plan_start(
        actor=manager, rep=newcomer, template=template, mentor=rep
    )
    assert [(i.title, i.due_on) for i in plan.items.all()] == [
        ("产品知识", dt.date(2026, 3, 17)),
        ("话术通关", dt.date(2026, 3, 31)),
        ("陪同拜访", dt.date(2026, 3, 10)),
    ]
    assert plan.probation_due_on == dt.date(2026, 6, 10)


def test_the_default_due_days_are_admin_set(manager, newcomer, template):
    EnablementSettings.objects.create(onboarding_due_days=14)
    plan = services.onboarding_plan_start(actor=manager, rep=newcomer, template=template)
    assert plan.items.get(title="话术通关").due_on == dt.date(2026, 3, 24)


def test_plans_only_for_reps_of_ones_teams(other_manager, newcomer, template, manager):
    with pytest.raises(BusinessRuleError):
        services.onboarding_plan_start(actor=other_manager, rep=newcomer, template=template)
    with pytest.raises(BusinessRuleError, match="another"):
        services.onboarding_plan_start(
            actor=manager, rep=newcomer, template=template, mentor=newcomer
        )
    assert OnboardingPlan.objects.count() == 0


def test_the_mentor_or_the_manager_signs_off_never_the_newcomer(
    manager, newcomer, rep, teammate, outsider, template
):
    plan = services.onboarding_plan_start(
        actor=manager, rep=newcomer, template=template, mentor=rep
    )
    first, second, third = plan.items.all()
    for someone in (newcomer, teammate, outsider):
        with pytest.raises(BusinessRuleError):
            services.onboarding_sign_off(actor=someone, item=first)
    services.onboarding_sign_off(actor=rep, item=first, today=dt.date(2026, 3, 15))
    services.onboarding_sign_off(actor=manager, item=second, today=dt.date(2026, 3, 20))
    with pytest.raises(BusinessRuleError, match="already"):
        services.onboarding_sign_off(actor=manager, item=first)
    first.refresh_from_db()
    assert (first.signed_off_by, first.signed_off_on) == (rep, dt.date(2026, 3, 15))


def test_probation_is_decided_in_its_third_month_at_the_earliest(manager, newcomer, template):
    plan = services.onboarding_plan_start(actor=manager, rep=newcomer, template=template)
    # due 2026-06-10: the earliest day is 30 days before, 2026-05-11
    with pytest.raises(BusinessRuleError, match="third month"):
        services.probation_decide(
            actor=manager, plan=plan, decision="pass", reason="达标", today=dt.date(2026, 5, 10)
        )
    with pytest.raises(BusinessRuleError, match="reason"):
        services.probation_decide(
            actor=manager, plan=plan, decision="pass", reason="", today=dt.date(2026, 5, 11)
        )
    with pytest.raises(BusinessRuleError):
        services.probation_decide(
            actor=manager, plan=plan, decision="maybe", reason="x", today=dt.date(2026, 5, 11)
        )
    services.probation_decide(
        actor=manager, plan=plan, decision="extend", reason="需再观察", today=dt.date(2026, 5, 11)
    )
    services.probation_decide(
        actor=manager, plan=plan, decision="pass", reason="达标", today=dt.date(2026, 7, 1)
    )
    with pytest.raises(BusinessRuleError, match="already"):
        services.probation_decide(
            actor=manager, plan=plan, decision="fail", reason="x", today=dt.date(2026, 7, 2)
        )
    plan.refresh_from_db()
    assert (plan.decision, plan.decided_on) == ("pass", dt.date(2026, 7, 1))


def test_a_rep_cannot_decide_probation(rep, manager, newcomer, template):
    plan = services.onboarding_plan_start(
        actor=manager, rep=newcomer, template=template, mentor=rep
    )
    with pytest.raises(PermissionDenied):
        services.probation_decide(
            actor=rep, plan=plan, decision="pass", reason="x", today=dt.date(2026, 7, 1)
        )


def test_ramp_progress_counts_follow_ups_per_month_of_tenure(manager, newcomer, template):
    plan = services.onboarding_plan_start(
        actor=manager, rep=newcomer, template=template, ramp_activities_per_month=4
    )
    lead = LeadFactory(owner=newcomer)
    for day, kind in [
        (dt.date(2026, 3, 12), "phone"),
        (dt.date(2026, 3, 31), "visit"),
        (dt.date(2026, 3, 31), "note"),  # not a follow-up
        (dt.date(2026, 4, 1), "wechat"),
        (dt.date(2026, 9, 1), "phone"),  # month 7: outside the ramp
    ]:
        Activity.objects.create(
            lead=lead,
            actor=newcomer,
            kind=kind,
            occurred_at=timezone.make_aware(dt.datetime.combine(day, dt.time(23, 30))),
        )
    months = selectors.ramp_progress(plan)
    assert [(m.number, m.start, m.activities, str(m.rate)) for m in months[:3]] == [
        (1, dt.date(2026, 3, 1), 2, "50.00"),
        (2, dt.date(2026, 4, 1), 1, "25.00"),
        (3, dt.date(2026, 5, 1), 0, "0.00"),
    ]
    assert len(months) == 6 and months[-1].start == dt.date(2026, 8, 1)


def test_who_sees_an_onboarding_plan(
    client, manager, newcomer, rep, teammate, outsider, other_manager, director, template
):
    plan = services.onboarding_plan_start(
        actor=manager, rep=newcomer, template=template, mentor=rep
    )
    url = plan.get_absolute_url()
    for user in (manager, newcomer, rep, director):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    for user in (teammate, outsider, other_manager):
        client.force_login(user)
        assert client.get(url).status_code == 404, user


def test_the_onboarding_form_refuses_bad_input(login, manager, newcomer, template, outsider):
    client = login(manager)
    base = {"rep": newcomer.pk, "template": template.pk, "ramp_activities_per_month": "40"}
    for change in (
        {"rep": outsider.pk},  # not in the manager's team
        {"ramp_activities_per_month": "-1"},
        {"hire_date": "2026-02-30"},
        {"template": "x"},
    ):
        assert client.post(reverse("enablement:onboarding"), {**base, **change}).status_code == 200
    assert OnboardingPlan.objects.count() == 0
    assert client.post(reverse("enablement:onboarding"), base).status_code == 302
    plan = OnboardingPlan.objects.get()
    response = client.post(
        reverse("enablement:probation_decide", args=[plan.pk]), {"decision": "pass", "reason": ""}
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.decision == ""


# --- training ---------------------------------------------------------------------------------


@pytest.fixture
def session():
    return TrainingSession.objects.create(
        course=Course.objects.create(title="谈判技巧", pass_score=70), held_on=dt.date(2026, 6, 1)
    )


def test_attendance_and_scores(manager, rep, session, outsider):
    services.attendance_record(actor=manager, session=session, rep=rep, attended=True, score=88)
    services.attendance_record(actor=manager, session=session, rep=rep, attended=True, score=90)
    assert Attendance.objects.get().score == 90  # corrected, not doubled
    with pytest.raises(BusinessRuleError):
        services.attendance_record(
            actor=manager, session=session, rep=rep, attended=True, score=101
        )
    with pytest.raises(BusinessRuleError):
        services.attendance_record(
            actor=manager, session=session, rep=rep, attended=False, score=50
        )
    with pytest.raises(BusinessRuleError):
        services.attendance_record(
            actor=manager, session=session, rep=outsider, attended=True, score=50
        )
    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=rep, session=session, rep=rep, attended=True, score=100)


def test_a_course_is_planned_once_per_rep(manager, rep, session):
    services.training_plan_add(
        actor=manager, rep=rep, course=session.course, due_on=dt.date(2026, 7, 1)
    )
    with pytest.raises(BusinessRuleError, match="already"):
        services.training_plan_add(
            actor=manager, rep=rep, course=session.course, due_on=dt.date(2026, 8, 1)
        )
    assert TrainingPlanItem.objects.count() == 1


def test_completion_by_team(manager, director, rep, teammate, outsider, session):
    for person in (rep, teammate, outsider):
        TrainingPlanItem.objects.create(
            rep=person, course=session.course, due_on=dt.date(2026, 6, 30)
        )
    Attendance.objects.create(session=session, rep=rep, score=70)  # exactly the pass score
    Attendance.objects.create(session=session, rep=teammate, score=69)
    Attendance.objects.create(session=session, rep=outsider, score=95)
    rows = selectors.training_completion_by_team(
        director, dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    )
    assert [(r.team, r.due, r.completed, str(r.rate)) for r in rows] == [
        ("Team A", 2, 1, "50.00"),
        ("Team B", 1, 1, "100.00"),
    ]
    own = selectors.training_completion_by_team(manager, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert [r.team for r in own] == ["Team A"]


def test_the_session_page_records_attendance_and_refuses_bad_scores(login, manager, rep, session):
    client = login(manager)
    url = reverse("enablement:session_detail", args=[session.pk])
    for score in ("101", "-1", "abc", "1e400"):
        assert (
            client.post(url, {"rep": rep.pk, "attended": "on", "score": score}).status_code == 200
        )
    assert Attendance.objects.count() == 0
    assert client.post(url, {"rep": rep.pk, "attended": "on", "score": "75"}).status_code == 302
    assert Attendance.objects.get().score == 75
    rep_client = login(rep)
    assert rep_client.get(url).status_code == 200
    assert rep_client.post(url, {"rep": rep.pk, "score": "100"}).status_code == 403


def test_the_training_page_bounds_its_queries(
    login, manager, rep, session, django_assert_max_num_queries
):
    for index in range(10):
        TrainingSession.objects.create(course=session.course, held_on=dt.date(2026, 6, 2 + index))
        TrainingPlanItem.objects.create(
            rep=UserFactory(username=f"t{index}", role=Role.REP, team=rep.team),
            course=session.course,
            due_on=dt.date(2026, 6, 30),
        )
    client = login(manager)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("enablement:training")).status_code == 200


def test_ramp_progress_sets_signing_against_the_reps_published_target(
    manager, newcomer, template, director
):
    """Month 1 (March): ¥3,000.00 + ¥1,500.50 signed against ¥6,000.00 → 75.01 %; month 2:
    nothing signed against ¥5,000.00 → 0.00 %; month 3: ¥2,000.00 signed, no rep target →
    none. A team target, a draft plan, a contract in approval and the manager's count not."""
    from tests.performance.factories import contract, targets

    plan = services.onboarding_plan_start(actor=manager, rep=newcomer, template=template)
    contract(newcomer, "3000.00", "2026-03-02")
    contract(newcomer, "1500.50", "2026-03-31")
    contract(newcomer, "2000.00", "2026-05-20")
    contract(newcomer, "9999.00", "2026-03-10", status="approved")  # not signed
    contract(manager, "7000.00", "2026-03-10")  # not the newcomer's
    published = targets(
        "signed_amount",
        [
            ("rep", newcomer.team, newcomer, "2026-03", "6000.00"),
            ("rep", newcomer.team, newcomer, "2026-04", "5000"),
            ("team", newcomer.team, None, "2026-05", "1"),  # the team's, not the rep's
        ],
        created_by=director,
    )
    months = selectors.ramp_progress(plan)
    assert [(str(m.signed), str(m.signed_target), str(m.achievement)) for m in months[:3]] == [
        ("4500.50", "6000.00", "75.01"),
        ("0", "5000.00", "0.00"),
        ("2000.00", "None", "None"),
    ]
    published.status = "draft"  # a draft plan sets no target
    published.save()
    assert [m.signed_target for m in selectors.ramp_progress(plan)] == [None] * 6

"""The people KPIs a manager's scheme can weigh, over a year of joiners and leavers worked
out by hand, computed through the performance machinery (person_values: the manager's
figure is their team's reps summed)."""

import datetime as dt
from decimal import Decimal

import pytest

from enablement import kpis as people
from enablement.models import (
    Attendance,
    Course,
    Departure,
    OnboardingPlan,
    PromotionCase,
    TrainingPlanItem,
    TrainingSession,
)
from performance import kpis
from performance.models import KpiSchemeItem
from performance.services import person_values
from salescrm.models import User
from salescrm.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def test_the_people_kpis_are_in_the_catalogue_the_admin_chooses_from():
    codes = {code for code, _label in KpiSchemeItem._meta.get_field("kpi").choices}
    assert {
        "probation_pass_rate",
        "core_attrition",
        "leaders_grown",
        "training_plan_completion",
    } <= codes
    assert kpis.KPI_BY_CODE["core_attrition"].direction == kpis.LOWER
    assert kpis.KPI_BY_CODE["leaders_grown"].plain


def _rep(name, team, hired, left=None):
    user = UserFactory(username=name, role=Role.REP, team=team, hire_date=hired)
    if left:
        Departure.objects.create(person=user, left_on=left)
        user.is_active = False
        user.save()
    return user


def test_core_attrition_over_a_year_of_joiners_and_leavers(team, manager, other_team):
    # The twelve month ends of 2026 (the window of Q4 2026). A core member is past the
    # three months' probation on the day counted.
    _rep("a", team, dt.date(2024, 1, 1))  # core all year: 12 month ends
    _rep("b", team, dt.date(2024, 6, 1), left=dt.date(2026, 5, 15))  # Jan–Apr: 4; core leaver
    _rep("c", team, dt.date(2026, 3, 10))  # core from 06-10: Jun–Dec: 7
    _rep("d", team, dt.date(2026, 8, 1), left=dt.date(2026, 9, 15))  # left in probation: 0
    _rep("e", team, dt.date(2025, 1, 1), left=dt.date(2025, 12, 20))  # left before: 0
    _rep("f", team, dt.date(2025, 3, 1), left=dt.date(2026, 12, 31))  # Jan–Nov: 11; leaver
    _rep("x", other_team, dt.date(2020, 1, 1), left=dt.date(2026, 2, 1))  # another team
    # average headcount = (12 + 4 + 7 + 11) / 12 = 34 / 12 = 2.8333; leavers b and f = 2
    # attrition = 2 ÷ 2.8333 × 100 = 70.59 %
    value = person_values(Role.MANAGER, [manager], *Q4, {"core_attrition"})[manager.pk]
    assert value["core_attrition"] == pytest.approx(Decimal("70.5882353"), abs=Decimal("1e-6"))
    ratios = people.core_attrition(*Q4)
    ids = dict(User.objects.values_list("username", "id"))
    assert ratios[ids["b"]] == kpis.Ratio(Decimal(1), Decimal(4) / 12)
    assert ratios[ids["c"]] == kpis.Ratio(Decimal(0), Decimal(7) / 12)
    assert ids["d"] not in ratios and ids["e"] not in ratios


def test_a_leaver_on_the_window_s_first_day_counts_and_the_day_before_does_not(team, manager):
    _rep("a", team, dt.date(2024, 1, 1))
    _rep("in", team, dt.date(2024, 1, 1), left=dt.date(2026, 1, 1))
    _rep("out", team, dt.date(2024, 1, 1), left=dt.date(2025, 12, 31))
    # headcount 12 (a) + 0 + 0 = 12 → 1.0 on average; one leaver: 100 %
    value = person_values(Role.MANAGER, [manager], *Q4, {"core_attrition"})[manager.pk]
    assert value["core_attrition"] == Decimal(100)


def _plan(rep, decision, decided_on):
    return OnboardingPlan.objects.create(
        rep=rep, hire_date=dt.date(2026, 7, 1), decision=decision, decided_on=decided_on
    )


def test_probation_pass_rate_of_the_decisions_in_the_period(team, manager):
    reps = [_rep(f"n{i}", team, dt.date(2026, 7, 1)) for i in range(7)]
    _plan(reps[0], "pass", dt.date(2026, 10, 1))
    _plan(reps[1], "pass", dt.date(2026, 12, 31))
    _plan(reps[2], "fail", dt.date(2026, 10, 2))
    _plan(reps[3], "extend", dt.date(2026, 11, 1))
    _plan(reps[4], "pass", dt.date(2026, 9, 30))  # Q3
    _plan(reps[5], "", None)  # undecided
    # 2 passed of 4 decided = 50 %
    value = person_values(Role.MANAGER, [manager], *Q4, {"probation_pass_rate"})[manager.pk]
    assert value["probation_pass_rate"] == Decimal(50)


def test_leaders_grown_counts_approved_applications_of_the_period(team, manager, director):
    reps = [_rep(f"l{i}", team, dt.date(2024, 1, 1)) for i in range(3)]
    for rep, decision, day in [
        (reps[0], "approved", dt.date(2026, 11, 5)),
        (reps[1], "declined", dt.date(2026, 11, 5)),
        (reps[2], "approved", dt.date(2026, 9, 30)),
    ]:
        PromotionCase.objects.create(
            rep=rep,
            first_quarter=dt.date(2026, 4, 1),
            second_quarter=dt.date(2026, 7, 1),
            opened_by=director,
            opened_on=dt.date(2026, 10, 8),
            decision=decision,
            decided_on=day,
            decided_by=director,
        )
    value = person_values(Role.MANAGER, [manager], *Q4, {"leaders_grown"})[manager.pk]
    assert value["leaders_grown"] == Decimal(1)


def test_training_plan_completion(team, manager):
    course = Course.objects.create(title="谈判技巧", pass_score=60)
    other = Course.objects.create(title="产品知识", pass_score=60)
    before = TrainingSession.objects.create(course=course, held_on=dt.date(2026, 10, 10))
    after = TrainingSession.objects.create(course=course, held_on=dt.date(2026, 12, 20))
    product = TrainingSession.objects.create(course=other, held_on=dt.date(2026, 10, 10))
    reps = [_rep(f"t{i}", team, dt.date(2024, 1, 1)) for i in range(5)]
    due = dt.date(2026, 11, 30)
    for rep in reps:
        TrainingPlanItem.objects.create(rep=rep, course=course, due_on=due)
    Attendance.objects.create(session=before, rep=reps[0], score=60)  # exactly the pass score
    Attendance.objects.create(session=after, rep=reps[1], score=90)  # after the due day
    Attendance.objects.create(session=before, rep=reps[2], score=59)  # below
    Attendance.objects.create(session=before, rep=reps[3], score=None)  # unscored session
    Attendance.objects.create(session=product, rep=reps[4], score=100)  # another course
    # completed: reps 0 and 3 → 2 of 5 = 40 %
    value = person_values(Role.MANAGER, [manager], *Q4, {"training_plan_completion"})
    assert value[manager.pk]["training_plan_completion"] == Decimal(40)


def test_the_people_kpis_cost_one_query_each(team, manager, django_assert_max_num_queries):
    for i in range(6):
        _rep(f"q{i}", team, dt.date(2024, 1, 1), left=dt.date(2026, 3, 1) if i % 2 else None)
    for compute in (
        people.core_attrition,
        people.probation_pass_rate,
        people.leaders_grown,
        people.training_plan_completion,
    ):
        with django_assert_max_num_queries(1):
            compute(*Q4)

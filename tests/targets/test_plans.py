"""Creating and publishing a plan: the breakdown is exact at every level."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from salescrm.models import User
from targets import services
from targets.models import PlanMember, SeniorityWeight, Target, TeamShare

D = Decimal
pytestmark = pytest.mark.django_db


def values(plan, level, **owner):
    return list(
        Target.objects.filter(plan=plan, level=level, **owner)
        .order_by("month")
        .values_list("value", flat=True)
    )


def test_published_plan_splits_year_to_teams_and_reps_to_the_cent(
    plan, team, other_team, rep, teammate, outsider
):
    assert values(plan, "company") == [D("100000.00")] * 12
    assert values(plan, "team", team=team) == [D("66666.67")] * 12
    assert values(plan, "team", team=other_team) == [D("33333.33")] * 12
    assert values(plan, "rep", rep=rep) == [D("33333.34")] * 12
    assert values(plan, "rep", rep=teammate) == [D("33333.33")] * 12
    assert values(plan, "rep", rep=outsider) == [D("33333.33")] * 12
    assert Target.objects.filter(plan=plan, level="rep").total() == D("1200000.00")


def test_one_million_and_a_cent_over_seven_reps_of_unequal_seniority(
    make_plan, team, manager, next_year
):
    hired = [
        None,
        None,
        dt.date(next_year - 1, 6, 1),
        dt.date(next_year - 1, 3, 1),
        dt.date(next_year, 1, 1),
        None,
        dt.date(next_year - 1, 12, 1),
    ]
    for i, hire_date in enumerate(hired):
        User.objects.create(username=f"r{i}", role="rep", team=team, hire_date=hire_date)
    plan = make_plan(year=next_year, value="1000000.01", publish=False)
    # seniority on 1 January: 1.0, 1.0, 0.8 (7 months), 0.8 (10 months), 0.5 (new), 1.0, 0.5 (1 month)
    weights = list(
        PlanMember.objects.filter(plan=plan)
        .order_by("rep__username")
        .values_list("weight", flat=True)
    )
    assert weights == [D("1.0"), D("1.0"), D("0.8"), D("0.8"), D("0.5"), D("1.0"), D("0.5")]
    plan = services.plan_publish(plan=plan, actor=plan.created_by)
    # January: 1000000.01 -> quarter 250000.01 -> 83333.34 = 8333334 cents; weights sum 5.6.
    # quotas: 1.0 -> 1488095.357, 0.8 -> 1190476.286, 0.5 -> 744047.679; floors leave 3 cents,
    # to the two .679 and the first .357.
    january = list(
        Target.objects.filter(plan=plan, level="rep", month=dt.date(next_year, 1, 1))
        .order_by("rep__username")
        .values_list("value", flat=True)
    )
    assert january == [
        D("14880.96"),
        D("14880.95"),
        D("11904.76"),
        D("11904.76"),
        D("7440.48"),
        D("14880.95"),
        D("7440.48"),
    ]
    assert sum(january) == D("83333.34")
    assert Target.objects.filter(plan=plan, level="rep").total() == D("1000000.01")
    for level in ("company", "team"):
        assert Target.objects.filter(plan=plan, level=level).total() == D("1000000.01")


def test_count_metric_splits_to_whole_units(make_plan, rep, teammate, outsider, team, next_year):
    plan = make_plan(year=next_year, metric="new_customers", value="100")
    # 100 over 12 months: quarters 25 each -> 9, 8, 8
    assert values(plan, "company")[:3] == [D("9"), D("8"), D("8")]
    assert Target.objects.filter(plan=plan, level="rep").total() == D("100")
    assert all(
        v == v.to_integral_value()
        for v in Target.objects.filter(plan=plan).values_list("value", flat=True)
    )


def test_activity_focused_rep_gets_no_amount(make_plan, rep, teammate, outsider, team, next_year):
    plan = make_plan(year=next_year, publish=False)
    PlanMember.objects.filter(plan=plan, rep=teammate).update(activity_focus=True)
    TeamShare.objects.filter(plan=plan, team=team).update(weight=2)
    plan = services.plan_publish(plan=plan, actor=plan.created_by)
    assert values(plan, "rep", rep=teammate) == [D("0.00")] * 12
    assert values(plan, "rep", rep=rep) == [D("66666.67")] * 12


def test_weights_all_zero_are_refused_with_the_team_named(make_plan, rep, team, next_year):
    plan = make_plan(year=next_year, publish=False)
    PlanMember.objects.filter(plan=plan).update(weight=0)
    with pytest.raises(ValidationError, match="Team A"):
        services.plan_publish(plan=plan, actor=plan.created_by)
    assert not Target.objects.filter(plan=plan).exists()


def test_a_second_plan_for_the_same_year_and_metric_is_refused(make_plan, director, next_year, rep):
    make_plan(year=next_year, publish=False)
    with pytest.raises(ValidationError):
        services.plan_create(
            actor=director, year=next_year, metric="signed_amount", annual_value=D("1")
        )


def test_seniority_band_follows_the_admin_table(next_year):
    bands = list(SeniorityWeight.objects.all())
    on = dt.date(next_year, 1, 1)
    band = services.seniority_band
    assert band(hire_date=dt.date(next_year - 1, 11, 1), on=on, bands=bands).weight == D("0.5")
    assert band(hire_date=dt.date(next_year - 1, 10, 1), on=on, bands=bands).weight == D("0.8")
    assert band(hire_date=dt.date(next_year - 1, 1, 1), on=on, bands=bands).weight == D("1.0")
    assert band(hire_date=None, on=on, bands=bands).weight == D("1.0")


def test_optional_product_line_split_adds_up_to_the_company_each_month(
    make_plan, rep, teammate, outsider, next_year
):
    from targets.models import ProductLineShare, ProductLineTarget

    plan = make_plan(year=next_year, value="1000000.01", publish=False)
    assert set(ProductLineShare.objects.filter(plan=plan).values_list("weight", flat=True)) == {
        D("0")
    }
    ProductLineShare.objects.filter(plan=plan, product_line__code="courses").update(weight=5)
    ProductLineShare.objects.filter(plan=plan, product_line__code="corporate").update(weight=3)
    ProductLineShare.objects.filter(plan=plan, product_line__code="online").update(weight=2)
    plan = services.plan_publish(plan=plan, actor=plan.created_by)
    january = dict(
        ProductLineTarget.objects.filter(plan=plan, month=dt.date(next_year, 1, 1)).values_list(
            "product_line__code", "value"
        )
    )
    # January 83,333.34 split 3 : 5 : 2 (corporate, courses, online by code): 25000.002,
    # 41666.67, 16666.668 -> the leftover cent to online (.8 > .7 > .2)
    assert january == {
        "corporate": D("25000.00"),
        "courses": D("41666.67"),
        "online": D("16666.67"),
    }
    assert ProductLineTarget.objects.filter(plan=plan).aggregate(t=Sum("value"))["t"] == D(
        "1000000.01"
    )


def test_no_product_line_split_by_default(plan):
    from targets.models import ProductLineTarget

    assert not ProductLineTarget.objects.filter(plan=plan).exists()


def test_a_rep_hired_during_the_year_gets_targets_from_the_hire_month(
    make_plan, team, rep, outsider, next_year
):
    joiner = User.objects.create(
        username="joiner", role="rep", team=team, hire_date=dt.date(next_year, 9, 15)
    )
    User.objects.create(
        username="next_years_hire", role="rep", team=team, hire_date=dt.date(next_year + 1, 1, 5)
    )
    plan = make_plan(year=next_year)
    # team A: rep 1.0 + the joiner 0.5 (new on 1 September) = 1.5; team B (outsider) 1.0;
    # 100,000.00 a month: team A 60,000.00, team B 40,000.00. January–August team A's
    # 60,000.00 all go to rep; from September rep 1.0 : joiner 0.5 = 40,000.00 : 20,000.00
    assert values(plan, "rep", rep=joiner) == [D("0.00")] * 8 + [D("20000.00")] * 4
    assert values(plan, "rep", rep=rep) == [D("60000.00")] * 8 + [D("40000.00")] * 4
    assert values(plan, "rep", rep=outsider) == [D("40000.00")] * 12
    assert PlanMember.objects.get(plan=plan, rep=joiner).first_month == 9
    # hired after the plan's year: not in it
    assert set(PlanMember.objects.filter(plan=plan).values_list("rep__username", flat=True)) == {
        rep.username,
        joiner.username,
        outsider.username,
    }

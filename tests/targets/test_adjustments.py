"""Adjusting a published plan: totals stay, ended months are locked, other teams are off
limits, every change is kept with who, when, old and new value and why."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from salescrm.models import User
from targets import services
from targets.models import Adjustment, AdjustmentLine, PlanMember, Target

D = Decimal
pytestmark = pytest.mark.django_db


def value(plan, level, m, **owner):
    return Target.objects.get(plan=plan, level=level, month=dt.date(plan.year, m, 1), **owner).value


def test_manager_moves_target_between_two_reps_and_the_team_total_stays(
    plan, team, manager, rep, teammate
):
    march = dt.date(plan.year, 3, 1)
    services.targets_adjust_reps(
        plan=plan,
        team=team,
        actor=manager,
        reason="rep_a1 takes the Fudan account",
        changes={(rep.pk, march): D("43333.34"), (teammate.pk, march): D("23333.33")},
        today=dt.date(plan.year, 1, 15),
    )
    assert value(plan, "rep", 3, rep=rep) == D("43333.34")
    assert value(plan, "rep", 3, rep=teammate) == D("23333.33")
    assert value(plan, "team", 3, team=team) == D("66666.67")
    adjustment = Adjustment.objects.get(plan=plan)
    assert (adjustment.actor, adjustment.kind, adjustment.reason) == (
        manager,
        "rep_split",
        "rep_a1 takes the Fudan account",
    )
    lines = sorted(
        (line.target.rep.username, line.old_value, line.new_value)
        for line in adjustment.lines.all()
    )
    assert lines == [
        ("rep_a1", D("33333.34"), D("43333.34")),
        ("rep_a2", D("33333.33"), D("23333.33")),
    ]


def test_values_that_do_not_add_up_are_refused_with_the_month_and_difference(
    plan, team, manager, rep
):
    with pytest.raises(ValidationError) as error:
        services.targets_adjust_reps(
            plan=plan,
            team=team,
            actor=manager,
            reason="more for rep",
            changes={(rep.pk, dt.date(plan.year, 4, 1)): D("40000.00")},
            today=dt.date(plan.year, 1, 15),
        )
    assert "team target is 66,666.67 (difference 6,666.66)" in error.value.messages[0]
    assert value(plan, "rep", 4, rep=rep) == D("33333.34")
    assert not Adjustment.objects.exists()


def test_spreading_gives_the_difference_to_the_other_reps(plan, team, manager, rep, teammate):
    services.targets_adjust_reps(
        plan=plan,
        team=team,
        actor=manager,
        reason="rebalance",
        spread=True,
        changes={(rep.pk, dt.date(plan.year, 5, 1)): D("40000.00")},
        today=dt.date(plan.year, 1, 15),
    )
    assert value(plan, "rep", 5, rep=rep) == D("40000.00")
    assert value(plan, "rep", 5, rep=teammate) == D("26666.67")


def test_ended_months_are_locked(plan, team, manager, rep, teammate):
    with pytest.raises(ValidationError, match="locked"):
        services.targets_adjust_reps(
            plan=plan,
            team=team,
            actor=manager,
            reason="late change",
            changes={
                (rep.pk, dt.date(plan.year, 2, 1)): D("0.00"),
                (teammate.pk, dt.date(plan.year, 2, 1)): D("66666.67"),
            },
            today=dt.date(plan.year, 3, 1),
        )
    assert value(plan, "rep", 2, rep=rep) == D("33333.34")


def test_the_current_month_is_still_open(plan, team, manager, rep, teammate):
    services.targets_adjust_reps(
        plan=plan,
        team=team,
        actor=manager,
        reason="this month",
        changes={
            (rep.pk, dt.date(plan.year, 3, 1)): D("33333.33"),
            (teammate.pk, dt.date(plan.year, 3, 1)): D("33333.34"),
        },
        today=dt.date(plan.year, 3, 31),
    )
    assert value(plan, "rep", 3, rep=teammate) == D("33333.34")


def test_manager_cannot_adjust_another_team(plan, other_team, manager, outsider):
    with pytest.raises(PermissionDenied):
        services.targets_adjust_reps(
            plan=plan,
            team=other_team,
            actor=manager,
            reason="not mine",
            changes={(outsider.pk, dt.date(plan.year, 6, 1)): D("0.00")},
            today=dt.date(plan.year, 1, 1),
        )


def test_rep_cannot_adjust(plan, team, rep, teammate):
    with pytest.raises(PermissionDenied):
        services.targets_adjust_reps(
            plan=plan,
            team=team,
            actor=rep,
            reason="more for me",
            changes={(rep.pk, dt.date(plan.year, 6, 1)): D("0.00")},
            today=dt.date(plan.year, 1, 1),
        )


def test_a_reason_is_required(plan, team, manager, rep, teammate):
    with pytest.raises(ValidationError, match="reason"):
        services.targets_adjust_reps(
            plan=plan,
            team=team,
            actor=manager,
            reason="  ",
            spread=True,
            changes={(rep.pk, dt.date(plan.year, 6, 1)): D("0.00")},
            today=dt.date(plan.year, 1, 1),
        )


def test_director_moves_target_between_teams_and_reps_follow(
    plan, director, team, other_team, rep, teammate, outsider
):
    june = dt.date(plan.year, 6, 1)
    services.targets_adjust_teams(
        plan=plan,
        actor=director,
        reason="team B opens a new campus",
        changes={(team.pk, june): D("56666.67"), (other_team.pk, june): D("43333.33")},
        today=dt.date(plan.year, 1, 1),
    )
    assert value(plan, "company", 6) == D("100000.00")
    assert value(plan, "team", 6, team=team) == D("56666.67")
    # team A gives 10,000.00 in proportion 33333.34 : 33333.33 -> 5000.00 each
    assert value(plan, "rep", 6, rep=rep) == D("28333.34")
    assert value(plan, "rep", 6, rep=teammate) == D("28333.33")
    assert value(plan, "rep", 6, rep=outsider) == D("43333.33")
    assert AdjustmentLine.objects.filter(adjustment__kind="team_split").count() == 5


def test_director_spreads_a_team_change_over_the_other_teams(
    plan, director, team, other_team, rep, teammate, outsider
):
    june = dt.date(plan.year, 6, 1)
    services.targets_adjust_teams(
        plan=plan,
        actor=director,
        reason="team B opens a new campus",
        spread=True,
        changes={(team.pk, june): D("56666.67")},
        today=dt.date(plan.year, 1, 1),
    )
    assert value(plan, "company", 6) == D("100000.00")
    assert value(plan, "team", 6, team=other_team) == D("43333.33")


def test_team_changes_that_break_the_company_total_are_refused(plan, director, team, other_team):
    june = dt.date(plan.year, 6, 1)
    with pytest.raises(ValidationError, match="the other teams cannot absorb"):
        services.targets_adjust_teams(
            plan=plan,
            actor=director,
            reason="both up",
            spread=True,
            changes={(team.pk, june): D("70000.00"), (other_team.pk, june): D("40000.00")},
            today=dt.date(plan.year, 1, 1),
        )
    with pytest.raises(ValidationError, match="the teams add up to 110,000.00"):
        services.targets_adjust_teams(
            plan=plan,
            actor=director,
            reason="both up",
            changes={(team.pk, june): D("70000.00"), (other_team.pk, june): D("40000.00")},
            today=dt.date(plan.year, 1, 1),
        )
    assert value(plan, "team", 6, team=team) == D("66666.67")


def test_manager_cannot_change_team_totals(plan, manager, team):
    with pytest.raises(PermissionDenied):
        services.targets_adjust_teams(
            plan=plan,
            actor=manager,
            reason="x",
            changes={(team.pk, dt.date(plan.year, 6, 1)): D("1.00")},
            today=dt.date(plan.year, 1, 1),
        )


def test_leaver_targets_move_to_the_team(plan, manager, team, rep, teammate):
    User.objects.create(username="rep_a3", role="rep", team=team)
    # rep_a3 is not in the plan; the moves go to the plan's other member, teammate
    services.plan_member_leave(
        year=plan.year,
        rep=rep,
        actor=manager,
        last_month=9,
        reason="resigned",
        today=dt.date(plan.year, 9, 10),
    )
    assert value(plan, "rep", 9, rep=rep) == D("33333.34")
    assert [value(plan, "rep", m, rep=rep) for m in (10, 11, 12)] == [D("0.00")] * 3
    assert [value(plan, "rep", m, rep=teammate) for m in (10, 11, 12)] == [D("66666.67")] * 3
    assert value(plan, "team", 10, team=team) == D("66666.67")
    assert PlanMember.objects.get(plan=plan, rep=rep).left_after_month == 9
    assert Adjustment.objects.get(kind="leaver").lines.count() == 6


def test_leaver_targets_move_to_named_reps_only_of_the_same_team(
    plan, manager, team, rep, teammate, outsider
):
    with pytest.raises(ValidationError, match="team"):
        services.plan_member_leave(
            year=plan.year,
            rep=rep,
            actor=manager,
            last_month=10,
            reason="resigned",
            to_reps=[outsider],
            today=dt.date(plan.year, 10, 1),
        )
    services.plan_member_leave(
        year=plan.year,
        rep=rep,
        actor=manager,
        last_month=10,
        reason="resigned",
        to_reps=[teammate],
        today=dt.date(plan.year, 10, 1),
    )
    assert value(plan, "rep", 12, rep=teammate) == D("66666.67")


def test_leaver_cannot_rewrite_ended_months(plan, manager, rep):
    with pytest.raises(ValidationError, match="locked"):
        services.plan_member_leave(
            year=plan.year,
            rep=rep,
            actor=manager,
            last_month=3,
            reason="left in spring",
            today=dt.date(plan.year, 6, 1),
        )


def test_joiner_gets_targets_from_next_month(plan, manager, team, rep, teammate):
    newcomer = User.objects.create(
        username="rep_a9", role="rep", team=team, hire_date=dt.date(plan.year, 8, 20)
    )
    services.plan_member_join(
        year=plan.year,
        rep=newcomer,
        actor=manager,
        reason="new hire",
        today=dt.date(plan.year, 8, 25),
    )
    # from September: weight 0.5 against 2.0 -> 66666.67 * 0.5 / 2.5 = 13333.334 -> 13333.33,
    # taken from rep and teammate in proportion to their 33333.34 : 33333.33 (6666.67 + 6666.66)
    assert value(plan, "rep", 8, rep=newcomer) == D("0.00")
    assert value(plan, "rep", 9, rep=newcomer) == D("13333.33")
    assert value(plan, "rep", 9, rep=rep) == D("26666.67")
    assert value(plan, "rep", 9, rep=teammate) == D("26666.67")
    assert value(plan, "team", 9, team=team) == D("66666.67")
    assert Target.objects.filter(plan=plan, level="rep", team=team).total() == D("66666.67") * 12
    member = PlanMember.objects.get(plan=plan, rep=newcomer)
    assert (member.first_month, member.weight) == (9, D("0.5"))


def test_a_leaver_without_targets_is_refused(plan, manager, team):
    stranger = User.objects.create(username="rep_a7", role="rep", team=team)
    with pytest.raises(ValidationError, match="no target"):
        services.plan_member_leave(
            year=plan.year,
            rep=stranger,
            actor=manager,
            last_month=10,
            reason="left",
            today=dt.date(plan.year, 10, 1),
        )

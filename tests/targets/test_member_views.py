"""Director's team split, leaver and joiner pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from salescrm.models import User
from targets.models import Target

D = Decimal
pytestmark = pytest.mark.django_db


def test_director_moves_target_between_teams_through_the_page(
    login, plan, director, team, other_team
):
    targets = {t.team_id: t for t in Target.objects.filter(plan=plan, level="team", month__month=7)}
    response = login(director).post(
        reverse("targets:plan_adjust_company", args=[plan.pk]),
        {
            f"cell_{targets[team.pk].pk}": "60000.00",
            f"cell_{targets[other_team.pk].pk}": "40000.00",
            "reason": "new campus",
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(plan=plan, level="team", team=other_team, month__month=7).value == D(
        "40000.00"
    )
    assert Target.objects.get(plan=plan, level="company", month__month=7).value == D("100000.00")


def test_director_team_split_that_does_not_add_up_says_so(login, plan, director, team):
    target = Target.objects.get(plan=plan, level="team", team=team, month__month=7)
    response = login(director).post(
        reverse("targets:plan_adjust_company", args=[plan.pk]),
        {f"cell_{target.pk}": "60000.00", "reason": "x"},
    )
    assert (
        "the teams add up to 93,333.33 but the company target is 100,000.00 (difference -6,666.67)"
        in response.content.decode()
    )


def test_manager_cannot_open_the_team_split(login, plan, manager):
    assert (
        login(manager).get(reverse("targets:plan_adjust_company", args=[plan.pk])).status_code
        == 403
    )


def test_manager_records_a_leaver_through_the_page(login, plan, manager, rep, teammate, clock):
    clock.set(dt.date(plan.year, 6, 15))
    client = login(manager)
    url = reverse("targets:member_leave", args=[plan.pk])
    response = client.get(url)
    assert {u.username for u in response.context["form"].fields["rep"].queryset} == {
        "rep_a1",
        "rep_a2",
    }
    response = client.post(
        url, {"rep": rep.pk, "last_month": 6, "to_reps": [teammate.pk], "reason": "resigned"}
    )
    assert response.status_code == 302
    assert Target.objects.get(plan=plan, rep=teammate, month__month=7).value == D("66666.67")
    assert Target.objects.get(plan=plan, rep=rep, month__month=6).value == D("33333.34")


def test_leaver_of_ended_months_is_refused_on_the_page(login, plan, manager, rep, clock):
    clock.set(dt.date(plan.year, 6, 15))
    response = login(manager).post(
        reverse("targets:member_leave", args=[plan.pk]),
        {"rep": rep.pk, "last_month": 2, "reason": "resigned"},
    )
    assert response.status_code == 200
    assert "is locked" in response.content.decode()
    assert Target.objects.get(plan=plan, rep=rep, month__month=5).value == D("33333.34")


def test_manager_adds_a_joiner_through_the_page(login, plan, manager, team, clock):
    clock.set(dt.date(plan.year, 10, 3))
    newcomer = User.objects.create(
        username="rep_a5", role="rep", team=team, hire_date=dt.date(plan.year, 10, 1)
    )
    client = login(manager)
    url = reverse("targets:member_join", args=[plan.pk])
    assert [u.username for u in client.get(url).context["form"].fields["rep"].queryset] == [
        "rep_a5"
    ]
    response = client.post(url, {"rep": newcomer.pk, "weight": "1", "reason": "new hire"})
    assert response.status_code == 302
    # weight 1 against 2: 66666.67 / 3 = 22222.223 -> 22222.22 from November
    assert Target.objects.get(plan=plan, rep=newcomer, month__month=10).value == D("0.00")
    assert Target.objects.get(plan=plan, rep=newcomer, month__month=11).value == D("22222.22")
    assert Target.objects.get(plan=plan, level="team", team=team, month__month=11).value == D(
        "66666.67"
    )


def test_manager_cannot_add_a_joiner_of_another_team(login, plan, manager, other_team, clock):
    clock.set(dt.date(plan.year, 10, 3))
    stranger = User.objects.create(username="rep_b5", role="rep", team=other_team)
    response = login(manager).post(
        reverse("targets:member_join", args=[plan.pk]), {"rep": stranger.pk, "reason": "x"}
    )
    assert response.status_code == 200  # not offered: the form refuses the choice
    assert not Target.objects.filter(rep=stranger).exists()


def test_rep_cannot_open_leaver_or_joiner_pages(login, plan, rep):
    client = login(rep)
    assert client.get(reverse("targets:member_leave", args=[plan.pk])).status_code == 403
    assert client.get(reverse("targets:member_join", args=[plan.pk])).status_code == 403


def test_manager_history_shows_the_directors_change_of_their_team_but_not_other_teams(
    login,
    make_plan,
    next_year,
    director,
    manager,
    other_manager,
    rep,
    teammate,
    team,
    other_team,
    outsider,
):
    User.objects.create(username="rep_b2", role="rep", team=other_team)
    plan = make_plan(year=next_year)
    targets = {t.team_id: t for t in Target.objects.filter(plan=plan, level="team", month__month=8)}
    login(director).post(
        reverse("targets:plan_adjust_company", args=[plan.pk]),
        {
            f"cell_{targets[team.pk].pk}": "60000.00",
            f"cell_{targets[other_team.pk].pk}": "40000.00",
            "reason": "new campus",
        },
    )
    b_rows = {
        t.rep.username: t
        for t in Target.objects.filter(plan=plan, team=other_team, level="rep", month__month=9)
    }
    response = login(other_manager).post(
        reverse("targets:plan_adjust_team", args=[plan.pk, other_team.pk]),
        {f"cell_{b_rows['rep_b1'].pk}": "10000.00", "reason": "team B only", "spread": "on"},
    )
    assert response.status_code == 302
    page = login(manager).get(reverse("targets:plan_history", args=[plan.pk])).context["page"]
    assert [a.reason for a in page] == ["new campus"]
    page = login(other_manager).get(reverse("targets:plan_history", args=[plan.pk])).context["page"]
    assert sorted(a.reason for a in page) == ["new campus", "team B only"]

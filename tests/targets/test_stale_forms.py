"""Two sessions on one split: a form rendered before another session's change is refused
("changed meanwhile, reload") and writes nothing, instead of putting its stale values back."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from targets import services
from targets.models import Adjustment, Target

D = Decimal
pytestmark = pytest.mark.django_db

CHANGED_MEANWHILE = (
    "These targets were changed meanwhile by someone else; nothing was saved. "
    "Reload the page and make your change again."
)


def session(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def rendered(client, url) -> dict:
    """What the browser posts back: every field of the adjustment form as it was drawn."""
    html = client.get(url).content.decode()
    form = html[html.index('id="adjust-form"') :]
    data = dict(re.findall(r'<input[^>]*name="((?:cell_|version)\w*)"[^>]*value="([^"]*)"', form))
    assert "version" in data
    return data


def cell(plan, month, **where) -> Target:
    return Target.objects.get(plan=plan, month__month=month, **where)


def test_stale_rep_split_form_is_refused_after_another_managers_session_changed_it(
    plan, manager, team
):
    url = reverse("targets:plan_adjust_team", args=[plan.pk, team.pk])
    first_tab, second_tab = session(manager), session(manager)
    stale = rendered(first_tab, url)
    fresh = rendered(second_tab, url)
    rep_may = cell(plan, 5, rep__username="rep_a1")
    mate_may = cell(plan, 5, rep__username="rep_a2")
    fresh.update({f"cell_{rep_may.pk}": "40000.00", f"cell_{mate_may.pk}": "26666.67"})
    assert second_tab.post(url, {**fresh, "reason": "Fudan account"}).status_code == 302

    rep_june = cell(plan, 6, rep__username="rep_a1")
    mate_june = cell(plan, 6, rep__username="rep_a2")
    stale.update({f"cell_{rep_june.pk}": "30000.00", f"cell_{mate_june.pk}": "36666.67"})
    response = first_tab.post(url, {**stale, "reason": "June campaign"})

    assert response.status_code == 200
    assert CHANGED_MEANWHILE in response.content.decode()
    assert cell(plan, 5, rep__username="rep_a1").value == D("40000.00")
    assert cell(plan, 5, rep__username="rep_a2").value == D("26666.67")
    assert cell(plan, 6, rep__username="rep_a1").value == D("33333.34")
    assert Adjustment.objects.count() == 1


def test_rep_split_form_rendered_after_the_change_saves(plan, manager, team):
    url = reverse("targets:plan_adjust_team", args=[plan.pk, team.pk])
    client = session(manager)
    data = rendered(client, url)
    rep_may = cell(plan, 5, rep__username="rep_a1")
    mate_may = cell(plan, 5, rep__username="rep_a2")
    data.update({f"cell_{rep_may.pk}": "40000.00", f"cell_{mate_may.pk}": "26666.67"})
    assert client.post(url, {**data, "reason": "Fudan"}).status_code == 302
    again = rendered(client, url)
    rep_june = cell(plan, 6, rep__username="rep_a1")
    mate_june = cell(plan, 6, rep__username="rep_a2")
    again.update({f"cell_{rep_june.pk}": "30000.00", f"cell_{mate_june.pk}": "36666.67"})
    assert client.post(url, {**again, "reason": "June"}).status_code == 302
    assert cell(plan, 5, rep__username="rep_a1").value == D("40000.00")
    assert cell(plan, 6, rep__username="rep_a1").value == D("30000.00")


def test_managers_stale_form_is_refused_after_the_director_changed_the_team_total(
    plan, manager, director, team, other_team
):
    team_url = reverse("targets:plan_adjust_team", args=[plan.pk, team.pk])
    managers_tab = session(manager)
    stale = rendered(managers_tab, team_url)

    company_url = reverse("targets:plan_adjust_company", args=[plan.pk])
    directors_tab = session(director)
    data = rendered(directors_tab, company_url)
    data.update(
        {
            f"cell_{cell(plan, 7, level='team', team=team).pk}": "60000.00",
            f"cell_{cell(plan, 7, level='team', team=other_team).pk}": "40000.00",
        }
    )
    assert directors_tab.post(company_url, {**data, "reason": "new campus"}).status_code == 302

    response = managers_tab.post(team_url, {**stale, "reason": "nothing changed by me"})
    assert CHANGED_MEANWHILE in response.content.decode()
    assert cell(plan, 7, level="team", team=team).value == D("60000.00")
    assert Adjustment.objects.count() == 1


def test_directors_stale_team_form_is_refused_after_another_directors_session(
    plan, director, team, other_team
):
    url = reverse("targets:plan_adjust_company", args=[plan.pk])
    first_tab, second_tab = session(director), session(director)
    stale = rendered(first_tab, url)
    fresh = rendered(second_tab, url)
    fresh.update(
        {
            f"cell_{cell(plan, 7, level='team', team=team).pk}": "60000.00",
            f"cell_{cell(plan, 7, level='team', team=other_team).pk}": "40000.00",
        }
    )
    assert second_tab.post(url, {**fresh, "reason": "new campus"}).status_code == 302
    stale.update(
        {
            f"cell_{cell(plan, 8, level='team', team=team).pk}": "70000.00",
            f"cell_{cell(plan, 8, level='team', team=other_team).pk}": "30000.00",
        }
    )
    response = first_tab.post(url, {**stale, "reason": "August"})
    assert CHANGED_MEANWHILE in response.content.decode()
    assert cell(plan, 7, level="team", team=other_team).value == D("40000.00")
    assert cell(plan, 8, level="team", team=team).value == D("66666.67")
    assert Adjustment.objects.count() == 1


def test_directors_team_form_still_saves_after_a_manager_moved_targets_between_reps(
    plan, manager, director, team, other_team
):
    """The reps' rows are not on the director's form: a change inside a team loses nothing
    when the director then moves a total (the reps are re-split from their current values)."""
    company_url = reverse("targets:plan_adjust_company", args=[plan.pk])
    directors_tab = session(director)
    data = rendered(directors_tab, company_url)

    services.targets_adjust_reps(
        plan=plan,
        team=team,
        actor=manager,
        changes={
            (cell(plan, 7, rep__username="rep_a1").rep_id, cell(plan, 7, level="company").month): D(
                "40000.00"
            ),
            (cell(plan, 7, rep__username="rep_a2").rep_id, cell(plan, 7, level="company").month): D(
                "26666.67"
            ),
        },
        reason="Fudan",
    )
    data.update(
        {
            f"cell_{cell(plan, 7, level='team', team=team).pk}": "60000.00",
            f"cell_{cell(plan, 7, level='team', team=other_team).pk}": "40000.00",
        }
    )
    assert directors_tab.post(company_url, {**data, "reason": "new campus"}).status_code == 302
    assert cell(plan, 7, level="team", team=team).value == D("60000.00")
    # 40,000.00 : 26,666.67 re-split to 60,000.00 -> 36,000.00 and 24,000.00
    assert cell(plan, 7, rep__username="rep_a1").value == D("36000.00")
    assert cell(plan, 7, rep__username="rep_a2").value == D("24000.00")


def test_service_refuses_a_version_that_is_not_the_current_one(plan, manager, team):
    rep_may = cell(plan, 5, rep__username="rep_a1")
    mate_may = cell(plan, 5, rep__username="rep_a2")
    with pytest.raises(ValidationError) as refused:
        services.targets_adjust_reps(
            plan=plan,
            team=team,
            actor=manager,
            changes={
                (rep_may.rep_id, rep_may.month): D("40000.00"),
                (mate_may.rep_id, mate_may.month): D("26666.67"),
            },
            reason="Fudan",
            version="0" * 32,
        )
    assert refused.value.messages == [CHANGED_MEANWHILE]
    assert cell(plan, 5, rep__username="rep_a1").value == D("33333.34")

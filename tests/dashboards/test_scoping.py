"""A rep never sees another rep's numbers through the filters, the exports or crafted query
strings; a manager only their team."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.performance.factories import contract, nightly_facts, targets

pytestmark = pytest.mark.django_db


@pytest.fixture
def october(rep, teammate, outsider, manager, team, other_team):
    contract(rep, "30000", "2026-10-05")
    contract(teammate, "40000", "2026-10-12")
    contract(outsider, "99000", "2026-10-08")
    targets(
        "signed_amount",
        [
            ("rep", team, rep, "2026-10", "60000"),
            ("rep", team, teammate, "2026-10", "50000"),
            ("rep", other_team, outsider, "2026-10", "90000"),
        ],
        created_by=manager,
    )
    nightly_facts()


def export_rows(client, key, query):
    response = client.get(f"/performance/dashboard/export/{key}/?{query}")
    assert response.status_code == 200
    return response.content.decode("utf-8-sig").strip().splitlines()[1:]


@pytest.mark.parametrize(
    "query",
    [
        "month=2026-10",
        "month=2026-10&rep={teammate}",
        "month=2026-10&rep={outsider}",
        "month=2026-10&team={other_team}",
        "month=2026-10&team={other_team}&rep={outsider}",
        "month=2026-10&rep=abc&team=-1&period=decade",
    ],
)
def test_rep_gets_their_own_numbers_whatever_the_query_string(
    october, rep, teammate, outsider, other_team, login, query
):
    client = login(rep)
    query = query.format(teammate=teammate.pk, outsider=outsider.pk, other_team=other_team.pk)
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 200
    assert response.context["scope"].rep_ids == [rep.pk]
    # month 30000 of 60000: 50 %
    assert export_rows(client, "target_progress", query)[0] == "月份,2026-10,60000.00,30000.00,50.0"


def test_rep_cannot_export_a_chart_of_another_dashboard(october, rep, login):
    client = login(rep)
    for key in ["leaderboard", "target_by_rep", "by_team", "diagnosis", "receivables", "nope"]:
        assert client.get(f"/performance/dashboard/export/{key}/?month=2026-10").status_code == 404


def test_manager_sees_only_their_team_and_cannot_widen_it(
    october, manager, other_team, outsider, login
):
    client = login(manager)
    rows = export_rows(client, "target_by_rep", "month=2026-10")
    assert rows == ["rep_a1,Team A,60000.00,30000.00,50.0", "rep_a2,Team A,50000.00,40000.00,80.0"]
    for query in [f"team={other_team.pk}", f"rep={outsider.pk}"]:
        response = client.get(f"/dashboard/?month=2026-10&{query}")
        assert {r.username for r in response.context["scope"].reps} == {"rep_a1", "rep_a2"}
        assert export_rows(client, "target_by_rep", f"month=2026-10&{query}") == rows


def test_manager_narrows_to_one_rep_of_the_team(october, manager, teammate, login):
    rows = export_rows(login(manager), "target_by_rep", f"month=2026-10&rep={teammate.pk}")
    assert rows == ["rep_a2,Team A,50000.00,40000.00,80.0"]


def test_director_filters_by_team_and_exports_xlsx(october, director, other_team, login):
    client = login(director)
    response = client.get(
        f"/performance/dashboard/export/by_team/?month=2026-10&team={other_team.pk}&format=xlsx"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)][1:] == [
        ["Team B", 90000, 99000, 110, 0]
    ]


def test_filter_form_offers_only_the_visible_teams_and_reps(october, manager, login):
    form = login(manager).get("/dashboard/").context["form"]
    assert [str(t) for t in form.fields["team"].queryset] == ["Team A"]
    assert [r.username for r in form.fields["rep"].queryset] == ["rep_a1", "rep_a2"]
    rep_form = login(manager).get("/dashboard/").context["form"]
    assert "rep" in rep_form.fields


def test_rep_has_no_team_or_rep_filter(rep, login):
    form = login(rep).get("/dashboard/").context["form"]
    # the territory filter is everyone's (issue 20): a rep's scope stays themselves
    assert set(form.fields) == {"period", "month", "territory"}


def test_period_filter_changes_the_scope(october, rep, login):
    scope = login(rep).get("/dashboard/?period=quarter&month=2026-11").context["scope"]
    assert (scope.start, scope.end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))

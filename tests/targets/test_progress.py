"""Progress on the fixed history of tests/targets/actuals.py against a 2026 plan of
1,200,000.00 (every month: company 100,000.00, team A 66,666.67, team B 33,333.33, rep_a1
33,333.34, rep_a2 33,333.33, rep_b1 33,333.33), as of 10 April 2026. Numbers by hand."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from salescrm.models import User
from targets.progress import build_progress, monthly_series

from .actuals import build_history

D = Decimal
pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 4, 10)


@pytest.fixture
def plan2026(make_plan, rep, teammate, outsider, manager):
    build_history(rep, teammate, outsider)
    return make_plan(year=2026)


def rows_of(plan, user, kind, month=4):
    progress = build_progress(plan=plan, user=user, kind=kind, month=month, as_of=AS_OF)
    return {row.label: row for row in progress.rows}


def test_april_progress_of_rep_team_and_company(plan2026, director):
    rows = rows_of(plan2026, director, "month")
    teammate = rows["rep_a2"]  # 8,000.00 signed on 1 April
    assert (teammate.target, teammate.actual) == (D("33333.33"), D("8000.00"))
    assert teammate.target_to_date == D("11111.11")  # 10 of 30 days
    assert teammate.gap_to_date == D("-3111.11")
    assert teammate.achievement_rate == D("0.2400")
    assert teammate.projection == D("24000.00")  # 8,000 / 10 days x 30
    team = rows["Team A"]
    assert (team.target, team.actual, team.target_to_date) == (
        D("66666.67"),
        D("8000.00"),
        D("22222.22"),
    )
    assert (team.gap_to_date, team.achievement_rate) == (D("-14222.22"), D("0.1200"))
    company = rows["Company"]
    assert (company.target, company.actual, company.target_to_date) == (
        D("100000.00"),
        D("8000.00"),
        D("33333.33"),
    )
    assert (company.gap_to_date, company.achievement_rate, company.projection) == (
        D("-25333.33"),
        D("0.0800"),
        D("24000.00"),
    )
    assert rows["rep_a1"].actual == D("0") and rows["rep_a1"].achievement_rate == D("0.0000")


def test_quarter_progress_projects_over_91_days(plan2026, director):
    teammate = rows_of(plan2026, director, "quarter")["rep_a2"]
    assert (teammate.target, teammate.target_to_date) == (D("99999.99"), D("11111.11"))
    assert teammate.projection == D("72800.00")  # 8,000 / 10 x 91


def test_year_to_date_progress(plan2026, director):
    rows = rows_of(plan2026, director, "year")
    company = rows["Company"]
    # signed 1 Jan - 10 Apr: 15,000.50 + 10,000.00 + 3,000.00
    assert (company.target, company.actual) == (D("1200000.00"), D("28000.50"))
    assert company.target_to_date == D("333333.33")  # Jan-Mar 300,000 + 10/30 of April
    assert company.gap_to_date == D("-305332.83")
    assert company.achievement_rate == D("0.0233")
    assert company.projection == D("102201.83")  # 28,000.50 / 100 days x 365 = 102,201.825
    rep = rows["rep_a1"]
    assert (rep.target, rep.actual, rep.target_to_date) == (
        D("400000.08"),
        D("15000.50"),
        D("111111.13"),
    )
    assert (rep.gap_to_date, rep.projection) == (D("-96110.63"), D("54751.83"))
    assert rows["Team A"].actual == D("25000.50") and rows["Team B"].actual == D("3000.00")


def test_a_month_not_begun_has_nothing_to_date(plan2026, director):
    rows = rows_of(plan2026, director, "month", month=6)
    assert (rows["Company"].actual, rows["Company"].target_to_date, rows["Company"].projection) == (
        D("0"),
        D("0.00"),
        D("0.00"),
    )
    assert rows["Company"].target == D("100000.00")


def test_progress_is_scoped_like_the_targets(plan2026, rep, manager, director):
    assert set(rows_of(plan2026, rep, "month")) == {"rep_a1"}
    assert set(rows_of(plan2026, manager, "month")) == {"Team A", "rep_a1", "rep_a2"}
    assert set(rows_of(plan2026, director, "month")) == {
        "Company",
        "Team A",
        "Team B",
        "rep_a1",
        "rep_a2",
        "rep_b1",
    }


def test_monthly_series_of_a_team_and_the_company(plan2026, director):
    rows = rows_of(plan2026, director, "year")
    team = monthly_series(plan2026, rows["Team A"])
    assert [s["actual"] for s in team[:5]] == [
        D("0"),
        D("2000.00"),
        D("15000.50"),
        D("8000.00"),
        D("0"),
    ]
    assert team[0]["target"] == D("66666.67")
    company = monthly_series(plan2026, rows["Company"])
    assert [s["actual"] for s in company[1:4]] == [D("2000.00"), D("18000.50"), D("8000.00")]


def test_progress_page_shows_rows_chart_and_exports(login, plan2026, director, clock):
    clock.set(AS_OF)
    client = login(director)
    response = client.get(reverse("targets:progress"), {"plan": plan2026.pk, "period": "year"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "28,000.50" in html and "2.3%" in html and "plotly-finance.min.js" in html
    assert response.context["chart"]["actual"][2] == "18000.50"
    response = client.get(
        reverse("targets:progress"), {"plan": plan2026.pk, "period": "year", "export": "csv"}
    )
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Level,Team,Name,Target,Target to date,Actual,Achievement rate")
    assert lines[1] == "Company,,Company,1200000.00,333333.33,28000.50,0.0233,-305332.83,102201.83"


def test_rep_progress_page_shows_only_their_row(login, plan2026, rep, clock):
    clock.set(AS_OF)
    response = login(rep).get(reverse("targets:progress"), {"plan": plan2026.pk})
    assert [row.label for row in response.context["rows"]] == ["rep_a1"]
    assert "rep_a2" not in response.content.decode()


def test_progress_page_queries_are_bounded_for_a_team_of_30(
    login, make_plan, team, manager, director, next_year, django_assert_max_num_queries
):
    User.objects.bulk_create(
        User(username=f"bulk{i:02d}", role="rep", team=team) for i in range(30)
    )
    plan = make_plan(year=next_year)
    for user in (director, manager):
        client = login(user)
        with django_assert_max_num_queries(12):
            response = client.get(
                reverse("targets:progress"), {"plan": plan.pk, "period": "quarter"}
            )
        assert response.status_code == 200
    assert len(response.context["rows"]) == 31


def test_activity_focused_rep_is_measured_on_effective_visits(
    make_plan, rep, teammate, outsider, manager, director
):
    from leads.models import Activity
    from salescrm.timeutil import SHANGHAI
    from targets import services
    from targets.models import PlanMember
    from tests.leads.factories import LeadFactory

    plan = make_plan(year=2026, publish=False)
    PlanMember.objects.filter(plan=plan, rep=teammate).update(
        activity_focus=True, monthly_visits=20
    )
    plan = services.plan_publish(plan=plan, actor=director)
    lead = LeadFactory(owner=teammate)
    for day, kind in ((1, "visit"), (3, "trial_lesson"), (5, "phone"), (9, "campus_tour")):
        Activity.objects.create(
            lead=lead,
            actor=teammate,
            kind=kind,
            occurred_at=dt.datetime(2026, 4, day, 10, tzinfo=SHANGHAI),
        )
    progress = build_progress(plan=plan, user=manager, kind="quarter", month=4, as_of=AS_OF)
    # three of the four are effective visits; the quarter's activity target is 3 x 20
    assert [(r.label, r.target, r.actual) for r in progress.activity_rows] == [("rep_a2", 60, 3)]
    assert (
        build_progress(plan=plan, user=rep, kind="quarter", month=4, as_of=AS_OF).activity_rows
        == []
    )


@pytest.mark.parametrize(
    "who,rows",
    [
        # Level, name and the April month target of each row the reader may see.
        ("rep", [["Rep", "rep_a1", 33333.34]]),
        (
            "manager",
            [
                ["Team", "Team A", 66666.67],
                ["Rep", "rep_a1", 33333.34],
                ["Rep", "rep_a2", 33333.33],
            ],
        ),
        (
            "director",
            [
                ["Company", "Company", 100000],
                ["Team", "Team A", 66666.67],
                ["Team", "Team B", 33333.33],
                ["Rep", "rep_a1", 33333.34],
                ["Rep", "rep_a2", 33333.33],
                ["Rep", "rep_b1", 33333.33],
            ],
        ),
    ],
)
def test_progress_xlsx_export_for_each_sales_role(login, plan2026, who, rows, request, clock):
    clock.set(AS_OF)
    response = login(request.getfixturevalue(who)).get(
        reverse("targets:progress"), {"plan": plan2026.pk, "month": 4, "export": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    got = [[row[0], row[2], row[3]] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(got) == sorted(rows)


@pytest.mark.parametrize("who", ["legal", "finance", "service_user"])
def test_progress_xlsx_export_is_refused_to_other_roles(login, plan2026, who, request):
    response = login(request.getfixturevalue(who)).get(
        reverse("targets:progress"), {"plan": plan2026.pk, "export": "xlsx"}
    )
    assert response.status_code == 403


def test_monthly_totals_sum_in_the_database_per_metric_and_owners(
    plan2026, rep, teammate, django_assert_num_queries
):
    """Worked from tests/targets/actuals.py: team A is rep + teammate."""
    from targets.selectors import monthly_totals

    jan, dec = dt.date(2026, 1, 1), dt.date(2026, 12, 1)
    feb, mar, apr = dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1)
    team_a = [rep.pk, teammate.pk]
    with django_assert_num_queries(1):
        signed = monthly_totals("signed_amount", jan, dec, team_a)
    assert signed == {feb: D("2000.00"), mar: D("15000.50"), apr: D("8000.00")}
    with django_assert_num_queries(1):
        company = monthly_totals("signed_amount", jan, dec)
    assert company == {feb: D("2000.00"), mar: D("18000.50"), apr: D("8000.00")}
    assert monthly_totals("renewals", jan, dec, [rep.pk]) == {mar: 1}
    # receipts less confirmed refunds; the requested refund of 500.00 is not counted
    assert monthly_totals("collected_amount", jan, dec, team_a) == {
        mar: D("4000.00"),
        apr: D("12500.00"),
    }
    # customers by the month of their first signed contract: Z Feb; X, W Mar; Y Apr
    assert monthly_totals("new_customers", jan, dec) == {feb: 1, mar: 2, apr: 1}
    assert monthly_totals("signed_amount", jan, dec, []) == {}


def test_the_company_chart_is_one_query_whatever_the_number_of_reps(
    plan2026, director, django_assert_num_queries
):
    company = rows_of(plan2026, director, "year")["Company"]
    with django_assert_num_queries(1):
        series = monthly_series(plan2026, company)
    assert [s["actual"] for s in series[1:4]] == [D("2000.00"), D("18000.50"), D("8000.00")]

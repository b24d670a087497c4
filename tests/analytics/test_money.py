"""Money over time (issue 20, seed 003): reps at target, output per head and old customers'
new signings, month by month of 2026 to March, against figures worked out by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest

from analytics.money import chart_months, draw_months
from performance import dashboards
from performance.dashboards.data import Data
from tests.performance.factories import contract, nightly_facts, targets

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 4, 10)


@pytest.fixture
def year(rep, teammate, outsider, manager, team, other_team):
    # targets: rep_a1 10000 a month, rep_a2 20000 a month (January to March)
    rows = [("rep", team, rep, f"2026-{m:02d}", "10000") for m in (1, 2, 3)]
    rows += [("rep", team, teammate, f"2026-{m:02d}", "20000") for m in (1, 2, 3)]
    rows += [("rep", other_team, outsider, f"2026-{m:02d}", "5000") for m in (1, 2, 3)]
    targets("signed_amount", rows, created_by=manager)
    # January: rep_a1 12000 (at target), rep_a2 20000 (exactly at target): both new customers
    first = contract(rep, "12000", "2026-01-10")
    y = contract(teammate, "20000", "2026-01-20")
    # February: rep_a1 5000 from the same customer (an old customer's new purchase), below
    # target; rep_a2 25000 from a new customer, at target
    contract(rep, "5000", "2026-02-03", customer=first.customer)
    contract(teammate, "25000", "2026-02-14")
    # March: rep_a2 signs two contracts of one new customer the same day (3000 then 4000):
    # the second is an old customer's; a draft is never counted
    w = contract(teammate, "3000", "2026-03-05")
    contract(teammate, "4000", "2026-03-05", customer=w.customer)
    contract(teammate, "9999", "2026-03-06", customer=y.customer, status="draft")
    # another team: not the manager's
    contract(outsider, "99000", "2026-02-10")


def rows_for(user):
    nightly_facts(day=dt.date(2026, 4, 9))
    scope = dashboards.scope_for(user, month=MARCH, today=TODAY)
    return chart_months(Data(scope))


def test_the_managers_months_and_year_to_date(year, manager):
    chart = rows_for(manager)
    assert chart.rows == [
        # 2 of 2 at target; 32000 ÷ 2 = 16000; no old customer
        ["2026-01", D(2), 2, D("100.0"), D("32000.00"), D("16000.00"), D("0.00"), D("0.0")],
        # 1 of 2; 30000 ÷ 2 = 15000; old 5000 ÷ 30000 = 16.7 %
        ["2026-02", D(2), 1, D("50.0"), D("30000.00"), D("15000.00"), D("5000.00"), D("16.7")],
        # 0 of 2; 7000 ÷ 2 = 3500; old 4000 ÷ 7000 = 57.1 %
        ["2026-03", D(2), 0, D("0.0"), D("7000.00"), D("3500.00"), D("4000.00"), D("57.1")],
        # average headcount 2; 3 of 6 person-months = 50 %; 69000 ÷ 2 = 34500;
        # old 9000 ÷ 69000 = 13.0 %
        [
            "年初至今",
            D("2.00"),
            3,
            D("50.0"),
            D("69000.00"),
            D("34500.00"),
            D("9000.00"),
            D("13.0"),
        ],
    ]
    assert chart.period == "2026-01 – 2026-03"


def test_the_chart_plots_the_two_shares_of_the_table(year, manager):
    chart = rows_for(manager)
    figure = chart.draw()
    at_target, old = figure.data
    assert at_target["x"] == ["2026-01", "2026-02", "2026-03"]
    assert at_target["y"] == [float(row[3]) for row in chart.rows[:-1]]
    assert old["y"] == [float(row[7]) for row in chart.rows[:-1]]
    assert figure.axis_titles() == {"xaxis": "月份", "yaxis": "占比（%）"}


def test_the_director_counts_every_team(year, director):
    jan, feb, mar, total = rows_for(director).rows
    # three reps with a target; February: outsider 99000 ≥ 5000 and rep_a2: 2 of 3
    assert feb[1:4] == [D(3), 2, D("66.7")]
    assert feb[4] == D("129000.00")
    assert feb[5] == D("43000.00")


def test_a_month_without_targets_has_no_rate_and_no_output_per_head(rep, director):
    nightly_facts(day=dt.date(2026, 4, 9))
    rows = chart_months(Data(dashboards.scope_for(director, month=MARCH, today=TODAY))).rows
    assert rows[0] == ["2026-01", D(0), 0, None, D("0.00"), None, D("0.00"), None]
    assert draw_months([]).is_empty()


def test_the_page_and_its_export(year, login, manager, django_assert_max_num_queries):
    client = login(manager)
    nightly_facts(day=dt.date(2026, 4, 9))
    with django_assert_max_num_queries(20):
        page = client.get("/analytics/money/?month=2026-03")
    assert page.status_code == 200
    assert "34,500.00" in page.content.decode()
    export = client.get("/analytics/money/?month=2026-03&export=csv")
    assert "69000.00" in export.content.decode("utf-8-sig")


@pytest.mark.parametrize(
    "who,status",
    [
        ("rep", 200),
        ("manager", 200),
        ("director", 200),
        ("legal", 403),
        ("finance", 403),
        ("service_user", 403),
    ],
)
def test_who_may_read_it(login, who, status, request):
    assert login(request.getfixturevalue(who)).get("/analytics/money/").status_code == status

"""Days to collect (issue 20, 回款周期): DSO and the average collection cycle per rep and team
of October 2026 (31 days), against figures worked out by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest

from analytics.collection import chart_collection
from performance import dashboards
from tests.performance.factories import contract, instalment, payment

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 11, 10)


@pytest.fixture
def book(rep, teammate, outsider):
    # rep_a1: 31000 signed on 1 October, 10000 received on the 11th (10 days), 6000 on
    # 2 November (after the period: still receivable at its end)
    c1 = contract(rep, "31000", "2026-10-01")
    instalment(c1, "31000", "2026-10-01")
    payment(c1, "10000", "2026-10-11")
    payment(c1, "6000", "2026-11-02")
    # rep_a1: 20000 signed on 1 August, paid in full on 31 October (91 days)
    c0 = contract(rep, "20000", "2026-08-01")
    instalment(c0, "20000", "2026-08-01")
    payment(c0, "20000", "2026-10-31")
    # a draft with an instalment: no receivable
    draft = contract(rep, "5000", "2026-10-05", status="draft")
    instalment(draft, "5000", "2026-10-05")
    # rep_a2: 15500 signed on 15 October, nothing received
    c2 = contract(teammate, "15500", "2026-10-15")
    instalment(c2, "15500", "2026-10-20")
    # another team
    c3 = contract(outsider, "99000", "2026-10-02")
    instalment(c3, "99000", "2026-10-02")


def rows(user):
    return chart_collection(dashboards.scope_for(user, month=OCTOBER, today=TODAY)).rows


def test_dso_and_collection_cycle_of_the_team(book, manager):
    assert rows(manager) == [
        # receivable 31000 + 20000 − 10000 − 20000 = 21000; DSO 21000 ÷ 31000 × 31 = 21.0;
        # cycle (10000 × 10 + 20000 × 91) ÷ 30000 = 64.0
        ["rep_a1", "Team A", D("31000.00"), D("21000.00"), D("21.0"), D("30000.00"), D("64.0")],
        # 15500 ÷ 15500 × 31 = 31.0; nothing collected: no cycle
        ["rep_a2", "Team A", D("15500.00"), D("15500.00"), D("31.0"), D("0.00"), None],
        # the team adds its amounts: 36500 ÷ 46500 × 31 = 24.33
        ["团队合计", "Team A", D("46500.00"), D("36500.00"), D("24.3"), D("30000.00"), D("64.0")],
    ]


def test_the_chart_plots_the_reps_days(book, manager):
    chart = chart_collection(dashboards.scope_for(manager, month=OCTOBER, today=TODAY))
    dso, cycle = chart.draw().data
    assert dso["x"] == ["rep_a1", "rep_a2"]
    assert dso["y"] == [21.0, 31.0]
    assert cycle["y"] == [64.0, None]
    assert chart.draw().axis_titles() == {"xaxis": "销售代表", "yaxis": "天数"}


def test_a_rep_sees_only_their_own(book, rep):
    assert [row[0] for row in rows(rep)] == ["rep_a1", "团队合计"]


def test_the_page_is_bounded_in_queries(book, login, director, django_assert_max_num_queries):
    client = login(director)
    with django_assert_max_num_queries(16):
        page = client.get("/analytics/collection/?month=2026-10")
    assert page.status_code == 200
    assert "rep_b1" in page.content.decode()
    export = client.get("/analytics/collection/?month=2026-10&export=xlsx")
    assert export.status_code == 200


@pytest.mark.parametrize(
    "who,status",
    [("rep", 200), ("manager", 200), ("director", 200), ("legal", 403), ("finance", 403)],
)
def test_who_may_read_it(login, who, status, request):
    assert login(request.getfixturevalue(who)).get("/analytics/collection/").status_code == status

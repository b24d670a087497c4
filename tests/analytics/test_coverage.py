"""Pipeline coverage (issue 20, seed 004): stage weights learned from the history, the weighted
open pipeline ÷ the remaining target of October 2026 and of its quarter, the short stage, and
the nightly alert below the admin-set ratio — against figures worked out by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest

from analytics.coverage import coverage_rows, learn_weights
from analytics.models import AnalyticsSettings, StageWeight
from analytics.tasks import pipeline_coverage
from performance import dashboards
from performance.dashboards.data import Data
from performance.dashboards.figures import cells
from salescrm.models import Notification
from tests.performance.factories import contract, lead_with_history, nightly_facts, targets

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 19)  # the business date; "today" is the 20th
OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture
def pipeline(rep, teammate, manager, team):
    # the history: L1 won after the proposal, L2 lost when contacted, L3 lost after the
    # proposal, L4 won after the negotiation
    lead_with_history(
        rep,
        [
            ("new", "2026-01-05"),
            ("contacted", "2026-01-06"),
            ("proposal", "2026-01-10"),
            ("won", "2026-02-01"),
        ],
    )
    lead_with_history(
        rep, [("new", "2026-01-05"), ("contacted", "2026-01-06"), ("lost", "2026-01-20")]
    )
    lead_with_history(
        teammate,
        [
            ("new", "2026-02-05"),
            ("contacted", "2026-02-06"),
            ("proposal", "2026-02-10"),
            ("lost", "2026-03-01"),
        ],
    )
    lead_with_history(
        teammate,
        [
            ("new", "2026-03-05"),
            ("proposal", "2026-03-06"),
            ("negotiation", "2026-03-10"),
            ("won", "2026-03-20"),
        ],
    )
    # signed in October: rep_a1 1000, rep_a2 6000 (each contract's customer comes with a lead
    # won in January 2025: two more closed leads that reached "new", both won)
    contract(rep, "1000", "2026-10-08")
    contract(teammate, "6000", "2026-10-09")
    # open leads: rep_a1 30000 at the proposal, 10000 new; rep_a2 20000 at the negotiation,
    # 9000 contacted, one without a budget
    lead_with_history(rep, [("new", "2026-09-01"), ("proposal", "2026-10-01")], budget="30000")
    lead_with_history(rep, [("new", "2026-10-02")], budget="10000")
    lead_with_history(
        teammate, [("new", "2026-09-01"), ("negotiation", "2026-10-03")], budget="20000"
    )
    lead_with_history(teammate, [("new", "2026-09-01"), ("contacted", "2026-10-03")], budget="9000")
    lead_with_history(teammate, [("new", "2026-10-04")])
    # targets: rep_a1 10000 a month, rep_a2 5000 a month (October to December)
    rows = [("rep", team, rep, f"2026-{m}", "10000") for m in (10, 11, 12)]
    rows += [("rep", team, teammate, f"2026-{m}", "5000") for m in (10, 11, 12)]
    targets("signed_amount", rows, created_by=manager)
    nightly_facts(day=DAY)


def test_stage_weights_are_the_share_won_of_the_closed_leads_that_reached_the_stage(pipeline):
    learn_weights(DAY)
    weights = {w.stage: (w.closed, w.won, w.weight) for w in StageWeight.objects.all()}
    assert weights == {
        "new": (6, 4, D("0.6667")),  # L1–L4 and the two customers' leads
        "contacted": (3, 1, D("0.3333")),  # L1, L2, L3
        "proposal": (3, 2, D("0.6667")),  # L1, L3, L4
        "negotiation": (1, 1, D("1.0000")),  # L4
    }


def rows(manager, ratio=D(3)):
    learn_weights(DAY)
    scope = dashboards.scope_for(manager, month=OCTOBER, today=DAY + dt.timedelta(days=1))
    return [cells(row) for row in coverage_rows(Data(scope), ratio)]


def test_coverage_of_the_month_and_the_quarter(pipeline, manager):
    assert rows(manager) == [
        # 30000 × 0.6667 + 10000 × 0.6667 = 26668; month 10000 − 1000 = 9000: 2.96×, below 3:
        # it lacks the negotiation (40 % of the team's weighted pipeline, none of its own);
        # quarter 30000 − 1000 = 29000: 0.92×
        [
            "rep_a1",
            "Team A",
            D("26668.00"),
            D("9000.00"),
            D("2.96"),
            D("29000.00"),
            D("0.92"),
            "谈判",
        ],
        # 20000 × 1 + 9000 × 0.3333 = 22999.70; the month's target is met: no coverage;
        # quarter 15000 − 6000 = 9000: 2.56×
        ["rep_a2", "Team A", D("22999.70"), D("0.00"), None, D("9000.00"), D("2.56"), ""],
        # 49667.70 ÷ 9000 = 5.52; ÷ 38000 = 1.31
        [
            "团队合计",
            "Team A",
            D("49667.70"),
            D("9000.00"),
            D("5.52"),
            D("38000.00"),
            D("1.31"),
            "",
        ],
    ]


def test_the_alert_boundary_is_the_ratio_itself(pipeline, manager):
    assert rows(manager, D("2.96"))[0][-1] == ""  # 2.96 is not below 2.96
    assert rows(manager, D("2.97"))[0][-1] == "谈判"


def test_the_nightly_job_alerts_the_rep_and_the_manager_once(pipeline, rep, manager, teammate):
    AnalyticsSettings.objects.update_or_create(pk=1, defaults={"coverage_ratio": D("3.00")})
    first = pipeline_coverage(DAY)
    assert first == {"stage_weights": 4, "alerts": 2, "sent": 2}
    alerts = Notification.objects.filter(kind="pipeline_coverage")
    assert sorted(alerts.values_list("recipient__username", flat=True)) == ["manager_a", "rep_a1"]
    assert "2.96" in alerts.first().title
    assert "谈判" in alerts.first().body
    # the month's remaining target (10000 − 1000) written as every page writes money
    assert "¥9,000.00" in alerts.first().body
    weights = list(StageWeight.objects.order_by("stage").values_list("stage", "weight"))
    # idempotent: the same weights, nothing sent again
    assert pipeline_coverage(DAY) == {"stage_weights": 4, "alerts": 2, "sent": 0}
    assert alerts.count() == 2
    assert list(StageWeight.objects.order_by("stage").values_list("stage", "weight")) == weights


def test_the_page_is_bounded_and_scoped(
    pipeline, login, rep, director, django_assert_max_num_queries
):
    learn_weights(DAY)
    client = login(director)
    with django_assert_max_num_queries(16):
        page = client.get("/analytics/coverage/?month=2026-10")
    assert page.status_code == 200
    html = login(rep).get("/analytics/coverage/?month=2026-10").content.decode()
    assert "rep_a1" in html and "rep_a2" not in html


@pytest.mark.parametrize("who,status", [("rep", 200), ("manager", 200), ("finance", 403)])
def test_who_may_read_it(login, who, status, request):
    assert login(request.getfixturevalue(who)).get("/analytics/coverage/").status_code == status


def test_reading_the_settings_writes_nothing():
    settings = AnalyticsSettings.current()
    assert settings.coverage_ratio == D("3.00")
    assert not AnalyticsSettings.objects.exists()

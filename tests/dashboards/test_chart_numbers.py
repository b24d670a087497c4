"""The numbers behind each chart on a small fixed dataset, against values worked out by hand
(in the comments). October 2026 is the period; "today" is 2026-11-10."""

import datetime as dt
from decimal import Decimal as D

import pytest

from performance import dashboards
from performance.models import (
    CommissionPlan,
    CommissionStatement,
    FunnelSnapshot,
    KpiScheme,
    ScoreCard,
    ScoreLine,
)
from tests.performance.factories import (
    contract,
    instalment,
    lead_with_history,
    nightly_facts,
    payment,
    targets,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 10)
OCTOBER = dt.date(2026, 10, 1)

# reached per stage: new, contacted, needs_analysis, trial, proposal, negotiation, won
REP_REACHED = [10, 8, 4, 3, 2, 1, 1]
TEAMMATE_REACHED = [10, 6, 5, 4, 3, 2, 2]
STAGES = ["new", "contacted", "needs_analysis", "trial", "proposal", "negotiation", "won"]


def snapshot(day, person, reached, open_leads=1):
    for stage, count in zip(STAGES, reached, strict=True):
        FunnelSnapshot.objects.create(
            day=day,
            team=person.team,
            rep=person,
            stage=stage,
            open_leads=open_leads,
            amount=D("0"),
            entered=0,
            reached=count,
        )


def build(user, key, **filters):
    nightly_facts()
    scope = dashboards.scope_for(user, month=OCTOBER, today=TODAY, **filters)
    return dashboards.build(scope, key)


@pytest.fixture
def funnel(rep, teammate, outsider):
    snapshot(dt.date(2026, 10, 31), rep, REP_REACHED)
    snapshot(dt.date(2026, 10, 31), teammate, TEAMMATE_REACHED)
    snapshot(dt.date(2026, 10, 31), outsider, [50, 50, 50, 50, 50, 50, 50])
    # an earlier day and a day after the period: not the snapshot of October
    snapshot(dt.date(2026, 10, 15), rep, [99, 1, 1, 1, 1, 1, 1])
    snapshot(dt.date(2026, 11, 5), rep, [77, 1, 1, 1, 1, 1, 1])


def test_team_funnel_sums_reached_and_converts_on_the_sums(funnel, manager):
    chart = build(manager, "funnel")
    # team: 20, 14, 9, 7, 5, 3, 3 reached; conversions 14/20, 9/14, 7/9, 5/7, 3/5, 3/3
    assert [row[1:] for row in chart.rows] == [
        [20, 2, D("70.0"), 6],
        [14, 2, D("64.3"), 5],
        [9, 2, D("77.8"), 2],
        [7, 2, D("71.4"), 2],
        [5, 2, D("60.0"), 2],
        [3, 2, D("100.0"), 0],
        [3, 2, None, None],
    ]


def test_rep_funnel_has_only_their_own_snapshot(funnel, rep):
    chart = build(rep, "funnel")
    assert [row[1] for row in chart.rows] == REP_REACHED
    assert [row[3] for row in chart.rows] == [
        D("80.0"),
        D("50.0"),
        D("75.0"),
        D("66.7"),
        D("50.0"),
        D("100.0"),
        None,
    ]


def test_diagnosis_names_each_reps_stage_furthest_below_the_team(funnel, manager):
    chart = build(manager, "diagnosis")
    # rep: gaps 70-80=-10, 64.3-50=14.3, 77.8-75=2.8, 71.4-66.7=4.7, 60-50=10 -> contacted
    # teammate: 70-60=10, 64.3-83.3<0, 77.8-80<0, 71.4-75<0, 60-66.7<0 -> new
    assert chart.rows == [
        ["rep_a1", "Team A", "已联系", 8, 4, D("50.0"), D("64.3"), D("14.3"), ""],
        ["rep_a2", "Team A", "新线索", 10, 6, D("60.0"), D("70.0"), D("10.0"), ""],
    ]


@pytest.fixture
def sales(rep, teammate, outsider, manager, team, other_team):
    contract(rep, "30000", "2026-10-05")
    contract(rep, "20000", "2026-10-20")
    contract(rep, "10000", "2026-08-10")
    contract(rep, "25000", "2025-10-03")
    contract(teammate, "40000", "2026-10-12")
    contract(teammate, "15000", "2026-09-15")
    contract(outsider, "99000", "2026-10-08")
    contract(rep, "5000", "2026-10-09", status="draft")  # not signed: never counted
    rows = [("rep", team, rep, f"2026-{m:02d}", "20000") for m in range(1, 10)]
    rows += [("rep", team, rep, f"2026-{m:02d}", "60000") for m in (10, 11, 12)]
    rows += [("rep", team, teammate, "2026-10", "50000")]
    rows += [("rep", other_team, outsider, "2026-10", "90000")]
    targets("signed_amount", rows, created_by=manager)


def test_rep_target_progress_for_month_quarter_and_year(sales, rep):
    chart = build(rep, "target_progress")
    # month 50000 of 60000; quarter 50000 of 180000; year 60000 of 9×20000 + 3×60000
    assert [row[2:] for row in chart.rows] == [
        [D("60000.00"), D("50000.00"), D("83.3")],
        [D("180000.00"), D("50000.00"), D("27.8")],
        [D("360000.00"), D("60000.00"), D("16.7")],
    ]


def test_target_achievement_by_rep_of_the_team(sales, manager):
    chart = build(manager, "target_by_rep")
    assert chart.rows == [
        ["rep_a1", "Team A", D("60000.00"), D("50000.00"), D("83.3")],
        ["rep_a2", "Team A", D("50000.00"), D("40000.00"), D("80.0")],
    ]


def test_leaderboard_ranks_by_month_and_names_the_champions(sales, manager, rep):
    scheme = KpiScheme.objects.create(role="rep", name="2026", effective_from=dt.date(2026, 1, 1))
    ScoreCard.objects.create(
        person=rep,
        period_kind="month",
        period_start=OCTOBER,
        period_end=dt.date(2026, 10, 31),
        scheme=scheme,
        total_score=D("95.50"),
        computed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    chart = build(manager, "leaderboard")
    assert chart.rows == [
        [
            1,
            "rep_a1",
            "Team A",
            D("50000.00"),
            D("50000.00"),
            D("95.50"),
            None,
            "月度销售冠军, 季度销售冠军",
        ],
        [2, "rep_a2", "Team A", D("40000.00"), D("40000.00"), None, None, ""],
    ]


def test_director_company_view_by_team(sales, director, rep, teammate):
    contract_ = contract(teammate, "8000", "2026-06-01")
    payment(contract_, "3000", "2026-10-15")
    chart = build(director, "by_team")
    # Team A target 60000+50000, signed 50000+40000, collected 3000; Team B 90000 / 99000
    assert chart.rows == [
        ["Team A", D("110000.00"), D("90000.00"), D("81.8"), D("3000.00")],
        ["Team B", D("90000.00"), D("99000.00"), D("110.0"), D("0.00")],
        ["合计", D("200000.00"), D("189000.00"), D("94.5"), D("3000.00")],
    ]


def test_trend_month_over_month_and_year_over_year(sales, director):
    chart = build(director, "trend")
    rows = {row[0]: row for row in chart.rows}
    assert len(chart.rows) == 10  # January to October
    # October 189000 against September 15000: +1160 %; against October 2025 25000: +656 %
    assert rows["2026-10"] == [
        "2026-10",
        D("189000.00"),
        D("1160.0"),
        D("25000.00"),
        D("656.0"),
        D("0.00"),
    ]
    # September 15000 against August 10000: +50 %; September 2025 is before the first
    # contract (October 2025): no history, so no figure rather than 0
    assert rows["2026-09"] == ["2026-09", D("15000.00"), D("50.0"), None, None, D("0.00")]
    assert "2025-10" in chart.note


def test_channel_analysis_leads_conversion_signed_and_cost_per_won_lead(director, rep):
    from leads.models import Campaign, Channel, Lead

    referral = Channel.objects.get(code="referral")
    campaign = Campaign.objects.create(
        channel=referral, name="老带新十月", cost=D("3000"), starts_on=dt.date(2026, 10, 1)
    )
    for stages in (
        [("new", "2026-10-02"), ("won", "2026-10-09")],
        [("new", "2026-10-03"), ("won", "2026-10-20")],
    ):
        Lead.objects.filter(pk=lead_with_history(rep, stages, channel="referral").pk).update(
            campaign=campaign
        )
    lead_with_history(rep, [("new", "2026-10-04"), ("won", "2026-10-05")])
    lead_with_history(rep, [("new", "2026-10-06")])
    lead_with_history(rep, [("new", "2026-10-07"), ("lost", "2026-10-08")])
    lead_with_history(rep, [("new", "2026-09-30")])  # created before October
    contract(rep, "12000", "2026-10-10", channel="referral")
    chart = build(director, "channels")
    website = str(Channel.objects.get(code="website"))
    assert sorted(chart.rows, key=lambda r: (r[0], r[1])) == sorted(
        [
            # 2 leads, both won; cost 3000 ÷ 2 won = 1500
            [str(referral), "老带新十月", 2, 2, D("100.0"), D("0.00"), D("3000.00"), D("1500.00")],
            # the contract's customer came through referral without a campaign
            [str(referral), "", 0, 0, None, D("12000.00"), None, None],
            # 3 leads, 1 won
            [website, "", 3, 1, D("33.3"), D("0.00"), None, None],
        ],
        key=lambda r: (r[0], r[1]),
    )


def test_receivables_by_ageing_bucket(manager, rep, teammate, outsider):
    late = contract(rep, "10000", "2026-06-01")
    instalment(late, "4000", "2026-10-30", sequence=1)  # 11 days late: 1-30
    instalment(late, "6000", "2026-07-01", sequence=2)  # 132 days late: 90+
    late.instalments.filter(sequence=2).update(paid_amount=D("1000"))
    soon = contract(teammate, "5000", "2026-10-01")
    instalment(soon, "5000", "2026-12-01")  # not due yet
    instalment(contract(outsider, "7000", "2026-10-01"), "7000", "2026-09-01")
    chart = build(manager, "receivables")
    assert chart.rows == [
        ["rep_a1", D("0.00"), D("4000.00"), D("0.00"), D("0.00"), D("5000.00"), D("9000.00")],
        ["rep_a2", D("5000.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("5000.00")],
        ["合计", D("5000.00"), D("4000.00"), D("0.00"), D("0.00"), D("5000.00"), D("14000.00")],
    ]


def test_activity_plan_against_calls_and_effective_visits(manager, rep, teammate):
    from leads.models import Activity, ActivityPlan

    ActivityPlan.objects.create(rep=rep, week_start=dt.date(2026, 10, 5), calls=10, visits=2)
    ActivityPlan.objects.create(rep=rep, week_start=dt.date(2026, 10, 12), calls=10, visits=3)
    lead = lead_with_history(rep, [("new", "2026-10-01")])
    moments = ["2026-10-06T10:00+08:00", "2026-10-07T10:00+08:00", "2026-10-08T10:00+08:00"]
    for kind, moment in zip(["phone", "phone", "visit"], moments, strict=True):
        Activity.objects.create(
            lead=lead, actor=rep, kind=kind, occurred_at=dt.datetime.fromisoformat(moment)
        )
    Activity.objects.create(
        lead=lead, actor=rep, kind="note", occurred_at=dt.datetime.fromisoformat(moments[0])
    )
    chart = build(manager, "activity")
    # planned 20 calls + 5 visits; done 2 calls + 1 visit: 3 ÷ 25 = 12 %
    assert chart.rows == [
        ["rep_a1", 20, 2, 5, 1, D("12.0")],
        ["rep_a2", 0, 0, 0, 0, None],
    ]


def test_rep_commission_to_date_runs_up_the_year(rep, manager):
    plan = CommissionPlan.objects.create(name="2026", effective_from=dt.date(2026, 1, 1))
    for month, total in [(9, "1500.00"), (10, "2500.00"), (11, "900.00")]:
        CommissionStatement.objects.create(
            rep=rep,
            month=dt.date(2026, month, 1),
            plan=plan,
            base_kind="collected",
            base_amount=D("50000"),
            commission=D(total),
            team_bonus=D("0"),
            total=D(total),
            computed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        )
    chart = build(rep, "commission")
    # September and October only (November is after the chosen month): 1500, then 4000
    assert [(row[0], row[5], row[6]) for row in chart.rows] == [
        ("2026-09", D("1500.00"), D("1500.00")),
        ("2026-10", D("2500.00"), D("4000.00")),
    ]


def test_rep_scorecard_lines_of_the_month(rep):
    scheme = KpiScheme.objects.create(role="rep", name="2026", effective_from=dt.date(2026, 1, 1))
    card = ScoreCard.objects.create(
        person=rep,
        period_kind="month",
        period_start=OCTOBER,
        period_end=dt.date(2026, 10, 31),
        scheme=scheme,
        total_score=D("88.00"),
        computed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    ScoreLine.objects.create(
        scorecard=card,
        kpi="signed_amount",
        actual=D("50000"),
        target=D("60000"),
        score=D("83.33"),
        weight=D("60"),
        weighted_score=D("50.00"),
    )
    chart = build(rep, "scorecard")
    assert chart.rows == [
        ["新签单金额", D("50000.00"), D("60000.00"), D("60.00"), D("83.33"), D("50.00")]
    ]


def test_rep_follow_ups_due_overdue_today_and_this_week(rep, teammate):
    from leads.models import Lead

    due = {
        "逾期": dt.date(2026, 11, 8),
        "今天": TODAY,
        "本周": dt.date(2026, 11, 15),
        "太远": dt.date(2026, 11, 30),
    }
    for name, day in due.items():
        lead = lead_with_history(rep, [("new", "2026-11-01")], name=name)
        Lead.objects.filter(pk=lead.pk).update(next_follow_up_on=day)
    other = lead_with_history(teammate, [("new", "2026-11-01")], name="别人的")
    Lead.objects.filter(pk=other.pk).update(next_follow_up_on=TODAY)
    chart = build(rep, "follow_ups")
    assert [(row[0], row[3], row[4]) for row in chart.rows] == [
        ("逾期", dt.date(2026, 11, 8), "逾期"),
        ("今天", TODAY, "今天"),
        ("本周", dt.date(2026, 11, 15), "本周"),
    ]


def test_benchmarks_of_the_quarter_beside_the_goals(director, rep):
    from customers.models import Customer, SatisfactionSurvey

    strategic = contract(rep, "50000", "2026-04-01", ends_on="2026-10-15")
    Customer.objects.filter(pk=strategic.customer_id).update(tier="strategic")
    contract(rep, "52000", "2026-10-10", is_renewal=True, customer=strategic.customer)
    lapsed = contract(rep, "30000", "2026-04-01", ends_on="2026-10-20")
    Customer.objects.filter(pk=lapsed.customer_id).update(tier="core")
    for score in (5, 4):
        SatisfactionSurvey.objects.create(
            customer=strategic.customer,
            score=score,
            nps=9,
            answered_on=dt.date(2026, 10, 12),
            recorded_by=rep,
        )
    contract(rep, "13000", "2026-11-02", channel="referral")
    lead_with_history(rep, [("new", "2026-10-02"), ("won", "2026-10-09")])
    lead_with_history(rep, [("new", "2026-10-03")])
    chart = build(director, "benchmarks")
    # satisfaction (5+4)/2 = 4.5; referral 13000 of 52000+13000 = 20 %; strategic renewing 1 of
    # 1; key churn: 1 of the 2 key customers (strategic and core) lapsed = 50 %; leads created in
    # the quarter 2 (plus the four customers' leads created in 2025: not in the quarter), won 1
    assert [row[1:3] for row in chart.rows] == [
        [D("4.50"), D("4.5")],
        [D("20.0"), D("20")],
        [D("100.0"), D("90")],
        [D("50.0"), D("5")],
        [D("50.0"), D("30")],
    ]

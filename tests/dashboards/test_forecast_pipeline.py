"""The forecast's pipeline view of the open quarter (issue 20): what the scope signed in the
quarter so far + Σ over its open leads of budget × win probability (the stage's learned weight
without one), beside the quarter's target — read through salescrm.extensions, so performance
never imports analytics. October 2026 is the month shown, "today" 2026-11-10 (2026 Q4 is in
progress); the figures are worked out by hand in the comments."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db.models import Q
from django.utils import translation

from analytics.coverage import expected_by_owner
from analytics.models import LeadWinProbability, StageWeight, WinModelRun
from leads.models import Lead
from performance import dashboards
from salescrm import extensions
from tests.performance.factories import contract, lead_with_history, nightly_facts, targets

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 10)
OCTOBER = dt.date(2026, 10, 1)
NIGHT = dt.date(2026, 11, 9)
PIPELINE = "签约金额 — 本季度（进行中），按在途线索加权"
NOT_AVAILABLE = "不可用：尚无赢单概率或阶段权重（每晚根据已结束线索学习）。"


def open_lead(owner, stage, budget, probability=None):
    lead = lead_with_history(
        owner, [("new", "2026-10-01"), (stage, "2026-10-03")], budget=budget, name="潜在学员"
    )
    if probability is not None:
        LeadWinProbability.objects.create(lead=lead, probability=D(probability))
    return lead


@pytest.fixture
def quarter(rep, teammate, outsider, manager, director, team, other_team):
    WinModelRun.objects.create(run_on=NIGHT, status=WinModelRun.Status.OK)
    StageWeight.objects.create(
        stage="contacted", closed=10, won=2, weight=D("0.2000"), computed_on=NIGHT
    )
    StageWeight.objects.create(
        stage="proposal", closed=10, won=5, weight=D("0.5000"), computed_on=NIGHT
    )
    # signed in the quarter: rep 30,000.00 (October), outsider 12,000.00 (November); rep's
    # September contract is the last quarter's
    contract(rep, "30000", "2026-10-05")
    contract(rep, "8000", "2026-09-20")
    contract(outsider, "12000", "2026-11-03")
    # rep's open leads: 10,000 scored 0.40 (its stage's 0.50 is not used) → 4,000;
    # 5,000 not scored → the contacted stage's 0.20 → 1,000; no budget → 0
    open_lead(rep, "proposal", "10000", "0.4000")
    open_lead(rep, "contacted", "5000")
    open_lead(rep, "proposal", None, "0.9000")
    # closed today, still holding last night's probability: not open, not counted
    open_lead(rep, "won", "80000", "0.5000")
    open_lead(rep, "lost", "70000", "0.5000")
    # the other team's open lead: 20,000 × 0.50 = 10,000 (the director's, not the manager's)
    open_lead(outsider, "negotiation", "20000", "0.5000")
    # a pool lead (no owner) counts for nobody
    Lead.objects.filter(pk=open_lead(rep, "proposal", "9000", "0.5000").pk).update(owner=None)
    targets(
        "signed_amount",
        [("rep", team, rep, f"2026-{m}", "20000") for m in (10, 11, 12)]
        + [("rep", other_team, outsider, f"2026-{m}", "10000") for m in (10, 11, 12)],
        created_by=director,
    )


def forecast(user, month=OCTOBER, **filters):
    nightly_facts(day=NIGHT)
    scope = dashboards.scope_for(user, month=month, today=TODAY, **filters)
    return dashboards.build(scope, "forecast")


def pipeline_rows(chart):
    return [row for row in chart.rows if row[0] == PIPELINE]


def test_the_manager_sees_signed_so_far_plus_the_teams_weighted_open_leads(quarter, manager):
    # 30,000.00 + 10,000 × 0.40 + 5,000 × 0.20 = 35,000.00 beside the team's target of
    # 3 × 20,000; the outsider's signing and open lead are another team's
    assert pipeline_rows(forecast(manager)) == [
        [
            PIPELINE,
            "2026 Q4",
            D("35000.00"),
            None,
            None,
            D("60000.00"),
            None,
            None,
            "目前已签约 ¥30,000.00 + 在途线索预期 ¥5,000.00。",
        ]
    ]


def test_the_director_sees_the_whole_company(quarter, director):
    # signed 30,000 + 12,000; expected 4,000 + 1,000 + 10,000; target 60,000 + 30,000
    [row] = pipeline_rows(forecast(director))
    assert row[2] == D("57000.00")
    assert row[5] == D("90000.00")
    assert row[8] == "目前已签约 ¥42,000.00 + 在途线索预期 ¥15,000.00。"


def test_the_rep_filter_narrows_the_pipeline_view(quarter, manager, rep, teammate):
    assert pipeline_rows(forecast(manager, rep=rep))[0][2] == D("35000.00")
    # the teammate signed nothing this quarter and has no open lead: 0.00 (a figure, not
    # "not available"), and no target
    [row] = pipeline_rows(forecast(manager, rep=teammate))
    assert (row[2], row[5]) == (D("0.00"), None)


def test_the_territory_filter_narrows_the_pipeline_view_to_its_reps(quarter, director, other_team):
    # the province the other team answers for: the outsider's 12,000 + 10,000 only
    from leads.models import Territory

    province = Territory.objects.create(name="加权省", kind="province", owner_team=other_team)
    [row] = pipeline_rows(forecast(director, territory=province))
    assert row[2] == D("22000.00")


def test_without_a_model_every_open_lead_weighs_its_stage(quarter, manager):
    # no probabilities: 10,000 × 0.50 (proposal) + 5,000 × 0.20 = 6,000; 30,000 + 6,000
    LeadWinProbability.objects.all().delete()
    assert pipeline_rows(forecast(manager))[0][2] == D("36000.00")


def test_without_weights_the_row_says_not_available_never_zero(quarter, manager):
    LeadWinProbability.objects.all().delete()
    StageWeight.objects.all().delete()
    [row] = pipeline_rows(forecast(manager))
    assert (row[2], row[5], row[8]) == (None, D("60000.00"), NOT_AVAILABLE)
    assert [
        trace["name"] for trace in forecast(manager).draw().data if trace["x"] == ["2026Q4"]
    ] == ["目标"]


def test_without_a_provider_the_row_says_not_available(quarter, manager, monkeypatch):
    monkeypatch.setattr(extensions, "_PIPELINE_VALUE", [])
    monkeypatch.setattr(extensions, "_discover", lambda: None)
    [row] = pipeline_rows(forecast(manager))
    assert (row[2], row[8]) == (None, NOT_AVAILABLE)


def test_a_month_of_a_closed_quarter_has_no_pipeline_view(quarter, manager):
    # July 2026: today's open leads say nothing about the third quarter
    assert pipeline_rows(forecast(manager, month=dt.date(2026, 7, 1))) == []


@pytest.mark.parametrize(
    "language,both,next_only",
    [
        ("zh-hans", "预测：本季度（在途加权）与下季度", "下季度预测"),
        (
            "en",
            "Forecast: this quarter (pipeline-weighted) and next quarter",
            "Forecast of next quarter",
        ),
    ],
)
def test_the_title_names_the_open_quarter_only_while_it_is_shown(
    quarter, manager, language, both, next_only
):
    with translation.override(language):
        shown = forecast(manager)
        closed = forecast(manager, month=dt.date(2026, 7, 1))
    assert (shown.title, shown.period) == (
        both,
        {
            "zh-hans": "2026 Q4 按在途线索加权（截至 2026-11-10）· 2027 Q1，依据截至 2026-10 的历史",
            "en": "2026 Q4 pipeline-weighted as of 2026-11-10 · 2027 Q1, from the history to 2026-10",
        }[language],
    )
    # July 2026: the third quarter is over, only next quarter's projection is shown
    assert closed.title == next_only


def test_the_figure_draws_the_pipeline_point_and_its_target_beside_the_projection(quarter, manager):
    chart = forecast(manager)
    figure = chart.draw()
    bar = next(trace for trace in figure.data if trace["name"] == "在途线索加权")
    assert (bar["x"], bar["y"]) == (["2026Q4"], [35000.0])
    targets_drawn = [(trace["x"], trace["y"]) for trace in figure.data if trace["name"] == "目标"]
    assert (["2026Q4"], [60000.0]) in targets_drawn


def test_analytics_provides_the_expected_value_through_the_registry(quarter, rep, outsider):
    # the registry answers with analytics' figure, per owner, unrounded
    assert extensions.open_pipeline_value(Q()) == expected_by_owner(Q())
    assert expected_by_owner(Q()) == {rep.pk: D("5000"), outsider.pk: D("10000")}


def test_the_expected_value_takes_two_queries_whatever_the_leads(
    quarter, rep, django_assert_num_queries
):
    for _ in range(5):
        open_lead(rep, "proposal", "1000")
    with django_assert_num_queries(2):
        extensions.open_pipeline_value(Q())

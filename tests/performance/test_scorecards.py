"""Scorecards per person per month and quarter (services.scorecards_compute) and the KPI
anomaly alerts, on a small fixed dataset of leads (hand-computed figures)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from performance.models import KpiScheme, KpiSchemeItem, ScoreCard
from performance.services import kpi_anomalies_notify, scorecards_compute
from salescrm.models import Notification

from .factories import first_contact, lead_with_history

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 21)  # the open month is November


@pytest.fixture
def leads_data(rep, teammate):
    # rep: 4 leads created in November, 2 won: conversion 50 %; cycles 10 and 4.5 days
    first_contact(
        lead_with_history(
            rep,
            [("new", "2026-11-02"), ("contacted", "2026-11-03 10:00"), ("won", "2026-11-13 10:00")],
        ),
        "2026-11-03 10:00",
    )
    first_contact(
        lead_with_history(
            rep,
            [("new", "2026-11-05"), ("contacted", "2026-11-06 10:00"), ("won", "2026-11-10 22:00")],
        ),
        "2026-11-06 10:00",
    )
    lead_with_history(rep, [("new", "2026-11-07")])
    lead_with_history(rep, [("new", "2026-11-08"), ("lost", "2026-11-09")])
    # teammate: 2 leads, 1 won after 15 days
    first_contact(
        lead_with_history(
            teammate,
            [("new", "2026-11-01"), ("contacted", "2026-11-01 12:00"), ("won", "2026-11-16 12:00")],
        ),
        "2026-11-01 12:00",
    )
    lead_with_history(teammate, [("new", "2026-11-03")])


@pytest.fixture
def schemes():
    reps = KpiScheme.objects.create(role="rep", name="Reps", effective_from=dt.date(2026, 1, 1))
    KpiSchemeItem.objects.create(
        scheme=reps, kpi="lead_conversion", weight=60, target_value=60, rule="linear", cap=120
    )
    KpiSchemeItem.objects.create(
        scheme=reps, kpi="sales_cycle_days", weight=40, target_value=6, rule="linear", cap=120
    )
    managers = KpiScheme.objects.create(
        role="manager", name="Managers", effective_from=dt.date(2026, 1, 1)
    )
    KpiSchemeItem.objects.create(
        scheme=managers, kpi="lead_conversion", weight=100, target_value=50, rule="linear", cap=120
    )
    return reps, managers


def _cards():
    return sorted(
        (card.person.username, card.period_kind, card.period_start, card.total_score)
        for card in ScoreCard.objects.select_related("person")
    )


def _lines(username, kind="month"):
    card = ScoreCard.objects.get(person__username=username, period_kind=kind)
    return [
        (line.kpi, line.actual, line.target, line.score, line.weight, line.weighted_score)
        for line in card.lines.order_by("id")
    ]


def test_scorecards_for_month_and_quarter_with_hand_computed_scores(leads_data, schemes, manager):
    counts = scorecards_compute(day=dt.date(2026, 11, 20), today=TODAY, catch_up_months=0)
    assert counts == {"scorecards": 6, "score_lines": 10, "frozen": 0}
    nov, q4 = dt.date(2026, 11, 1), dt.date(2026, 10, 1)
    assert _cards() == [
        (
            "manager_a",
            "month",
            nov,
            D("100.00"),
        ),  # team: 3 won of 6 created = 50 % on a 50 % target
        ("manager_a", "quarter", q4, D("100.00")),
        # 50 % of a 60 % target: 83.33; cycle (10 + 4.5) / 2 = 7.25 days on a 6-day goal: 6 / 7.25 = 82.76
        # (83.33 × 60 + 82.76 × 40) / 100 = 83.10
        ("rep_a1", "month", nov, D("83.10")),
        ("rep_a1", "quarter", q4, D("83.10")),
        # 50 %: 83.33; 15 days: 6 / 15 = 40.00; (83.33 × 60 + 40 × 40) / 100 = 66.00
        ("rep_a2", "month", nov, D("66.00")),
        ("rep_a2", "quarter", q4, D("66.00")),
    ]
    assert _lines("rep_a1") == [
        ("lead_conversion", D("50.0000"), D("60.00"), D("83.33"), D("60.00"), D("50.00")),
        ("sales_cycle_days", D("7.2500"), D("6.00"), D("82.76"), D("40.00"), D("33.10")),
    ]


def test_recomputing_gives_identical_rows(leads_data, schemes, manager):
    scorecards_compute(day=dt.date(2026, 11, 20), today=TODAY, catch_up_months=0)
    first = _cards(), _lines("rep_a1"), _lines("manager_a", "quarter")
    scorecards_compute(day=dt.date(2026, 11, 20), today=TODAY, catch_up_months=0)
    assert (_cards(), _lines("rep_a1"), _lines("manager_a", "quarter")) == first
    assert ScoreCard.objects.count() == 6


def test_a_closed_periods_scorecards_are_frozen(rep, schemes):
    lead_with_history(rep, [("new", "2026-10-02"), ("won", "2026-10-05")])
    lead_with_history(rep, [("new", "2026-10-03")])
    scorecards_compute(day=dt.date(2026, 10, 31), today=dt.date(2026, 10, 31), catch_up_months=0)
    october = ScoreCard.objects.get(person=rep, period_kind="month")
    assert _lines("rep_a1")[0][1] == D("50.0000")
    # November: October is closed now; more October data and a new scheme change nothing
    lead_with_history(rep, [("new", "2026-10-04"), ("won", "2026-10-06")])
    reps = schemes[0]
    reps.items.filter(kpi="lead_conversion").update(target_value=10)
    counts = scorecards_compute(day=dt.date(2026, 10, 31), today=TODAY, catch_up_months=0)
    assert counts["frozen"] == 1  # the month; the quarter is still open
    still = ScoreCard.objects.get(person=rep, period_kind="month")
    assert (still.pk, still.computed_at, still.total_score) == (
        october.pk,
        october.computed_at,
        october.total_score,
    )
    assert _lines("rep_a1")[0][1] == D("50.0000")
    assert ScoreCard.objects.get(person=rep, period_kind="quarter").lines.get(
        kpi="lead_conversion"
    ).actual == D("66.6667")


def test_a_kpi_falling_more_than_20_percent_alerts_the_manager_once(
    rep, teammate, manager, schemes
):
    # October 1–10: rep wins 2 of 2 (100 %); November 1–10: 1 of 2 (50 %): −50 %
    lead_with_history(rep, [("new", "2026-10-02"), ("won", "2026-10-05")])
    lead_with_history(rep, [("new", "2026-10-03"), ("won", "2026-10-06")])
    lead_with_history(rep, [("new", "2026-11-02"), ("won", "2026-11-05")])
    lead_with_history(rep, [("new", "2026-11-03")])
    # teammate: 1 of 2 both months: no alert
    for month in ("10", "11"):
        lead_with_history(teammate, [("new", f"2026-{month}-02"), ("won", f"2026-{month}-04")])
        lead_with_history(teammate, [("new", f"2026-{month}-03")])

    result = kpi_anomalies_notify(day=dt.date(2026, 11, 10))
    assert result == {"anomalies": 1, "alerts_sent": 1}
    alert = Notification.objects.get()
    assert alert.recipient == manager and alert.kind == "kpi_anomaly"
    assert "-50.0" in alert.title
    assert "50.00" in alert.body and "100.00" in alert.body and "10-01–10-10" in alert.body
    assert kpi_anomalies_notify(day=dt.date(2026, 11, 10)) == {"anomalies": 1, "alerts_sent": 0}
    assert Notification.objects.count() == 1


def test_missing_earlier_months_are_caught_up_once(rep, schemes):
    lead_with_history(rep, [("new", "2026-09-02"), ("won", "2026-09-05")])
    lead_with_history(rep, [("new", "2026-09-03")])
    lead_with_history(rep, [("new", "2026-09-04")])
    lead_with_history(rep, [("new", "2026-09-05")])
    counts = scorecards_compute(day=dt.date(2026, 11, 20), today=TODAY, catch_up_months=2)
    # November, Q4 (open) and the missing September and October, for the rep (2 KPIs) and
    # the manager (1 KPI)
    assert counts == {"scorecards": 8, "score_lines": 12, "frozen": 0}
    september = ScoreCard.objects.get(
        person=rep, period_kind="month", period_start=dt.date(2026, 9, 1)
    )
    assert september.period_end == dt.date(2026, 9, 30)
    assert september.lines.get(kpi="lead_conversion").actual == D("25.0000")  # 1 of 4
    again = scorecards_compute(day=dt.date(2026, 11, 21), today=TODAY, catch_up_months=2)
    assert again == {"scorecards": 4, "score_lines": 6, "frozen": 0}
    assert ScoreCard.objects.get(pk=september.pk).computed_at == september.computed_at


def test_scorecards_read_the_nights_kpi_ratios_from_the_dashboard_facts(
    leads_data, schemes, manager
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from performance.facts import dashboard_facts_compute

    day = dt.date(2026, 11, 20)
    with CaptureQueriesContext(connection) as alone:
        scorecards_compute(day=day, today=TODAY, catch_up_months=0)
    computed = _cards()
    ScoreCard.objects.all().delete()
    dashboard_facts_compute(day=day, history_months=0)
    with CaptureQueriesContext(connection) as from_facts:
        scorecards_compute(day=day, today=TODAY, catch_up_months=0)
    assert _cards() == computed
    # per period, the two KPI queries (lead conversion, sales cycle) become one read of the
    # facts; the leads are not read at all
    assert len(from_facts.captured_queries) == len(alone.captured_queries) - 2
    assert not [q for q in from_facts.captured_queries if '"leads_lead"' in q["sql"]]
    assert [q for q in alone.captured_queries if '"leads_lead"' in q["sql"]]

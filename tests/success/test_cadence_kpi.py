"""Cadence compliance as a KPI a scheme weighs, worked by hand.

Strategic customers, every 14 days, customers since January, all contacted on 1 June. A
(rep's) is contacted again on 15 June, the due day (1 June + 14); B (teammate's) on 16 June,
one day late. The nightly job runs each night after that day's contacts are logged:

- 14 June (window 1–14 June): A served, B served;
- 15 June (window 2–15 June): A served (15 June), B not (last contact 1 June);
- 16 June (window 3–16 June): A served (15 June), B served (16 June).

Rep: 3 of 3 = 100 %; teammate: 2 of 3 = 66.67 %; their team: 5 of 6 = 83.33 %."""

import datetime as dt
from decimal import Decimal as D

import pytest

from customers.models import Customer, Tier
from performance import kpis
from performance.models import KpiScheme, KpiSchemeItem, ScoreCard
from performance.services import scorecards_compute
from success.models import CadenceCompliance, ServiceLevel
from success.services import cadence_refresh
from tests.customers.factories import CustomerFactory

from .factories import at, contact

pytestmark = pytest.mark.django_db
NIGHTS = [dt.date(2026, 6, 14), dt.date(2026, 6, 15), dt.date(2026, 6, 16)]


@pytest.fixture
def nights(rep, teammate):
    ServiceLevel.objects.update_or_create(tier="strategic", defaults={"cadence_days": 14})
    customers = {}
    for name, owner in (("A", rep), ("B", teammate)):
        row = CustomerFactory(owner=owner, tier=Tier.STRATEGIC)
        Customer.objects.filter(pk=row.pk).update(created_at=at("2026-01-05"))
        contact(row, "2026-06-01")
        customers[name] = row
    cadence_refresh(as_of=NIGHTS[0])
    contact(customers["A"], "2026-06-15")  # on the due day
    cadence_refresh(as_of=NIGHTS[1])
    contact(customers["B"], "2026-06-16")  # one day late
    cadence_refresh(as_of=NIGHTS[2])
    return customers


def test_the_kpi_is_in_the_catalogue_a_scheme_chooses_from():
    codes = {code for code, _label in KpiSchemeItem._meta.get_field("kpi").choices}
    assert "cadence_compliance" in codes
    kpi = kpis.KPI_BY_CODE["cadence_compliance"]
    assert (kpi.unit, kpi.direction, kpi.scale) == ("%", kpis.HIGHER, D(100))


def test_the_due_day_counts_and_a_day_late_does_not(nights, rep, teammate):
    rows = sorted(
        CadenceCompliance.objects.values_list("business_date", "owner__username", "due", "served")
    )
    assert rows == [
        (NIGHTS[0], rep.username, 1, 1),
        (NIGHTS[0], teammate.username, 1, 1),
        (NIGHTS[1], rep.username, 1, 1),  # contacted on the due day: on cadence
        (NIGHTS[1], teammate.username, 1, 0),  # not yet contacted on the due day: late
        (NIGHTS[2], rep.username, 1, 1),
        (NIGHTS[2], teammate.username, 1, 1),
    ]


def test_per_rep_and_per_team(nights, rep, teammate, team):
    ratios = kpis.compute_all(NIGHTS[0], NIGHTS[-1], ["cadence_compliance"])["cadence_compliance"]
    kpi = kpis.KPI_BY_CODE["cadence_compliance"]
    assert (ratios[rep.pk].numerator, ratios[rep.pk].denominator) == (D(3), D(3))
    assert (ratios[teammate.pk].numerator, ratios[teammate.pk].denominator) == (D(2), D(3))
    assert kpi.value(ratios[rep.pk]) == D(100)
    assert round(kpi.value(ratios[teammate.pk]), 2) == D("66.67")
    team_ratio = kpis.rollup(ratios, {team.pk: [rep.pk, teammate.pk]})[team.pk]
    assert (team_ratio.numerator, team_ratio.denominator) == (D(5), D(6))
    assert round(kpi.value(team_ratio), 2) == D("83.33")
    # only the night of the 15th: the rep 1 of 1, the teammate 0 of 1
    night = kpis.compute_all(NIGHTS[1], NIGHTS[1], ["cadence_compliance"])["cadence_compliance"]
    assert (night[teammate.pk].numerator, night[teammate.pk].denominator) == (D(0), D(1))
    # no night in the period: no value
    assert kpis.compute_all(dt.date(2026, 5, 1), dt.date(2026, 5, 31), ["cadence_compliance"]) == {
        "cadence_compliance": {}
    }


def test_a_scheme_weighs_and_scores_it(nights, rep, teammate, manager):
    reps = KpiScheme.objects.create(role="rep", name="Reps", effective_from=dt.date(2026, 1, 1))
    KpiSchemeItem.objects.create(
        scheme=reps, kpi="cadence_compliance", weight=100, target_value=90, rule="linear", cap=120
    )
    managers = KpiScheme.objects.create(
        role="manager", name="Managers", effective_from=dt.date(2026, 1, 1)
    )
    KpiSchemeItem.objects.create(
        scheme=managers,
        kpi="cadence_compliance",
        weight=100,
        target_value=90,
        rule="linear",
        cap=120,
    )
    scorecards_compute(day=NIGHTS[-1], today=dt.date(2026, 6, 17), catch_up_months=0)
    month = {
        card.person.username: card.total_score
        for card in ScoreCard.objects.filter(period_kind="month").select_related("person")
    }
    # 100 % of a 90 % target: 111.11; 66.67 %: 66.666…/90 = 74.07; team 83.33 %: 92.59
    assert month == {
        rep.username: D("111.11"),
        teammate.username: D("74.07"),
        manager.username: D("92.59"),
    }
    line = ScoreCard.objects.get(person=teammate, period_kind="month").lines.get()
    assert (line.kpi, round(line.actual, 2), line.target, line.score) == (
        "cadence_compliance",
        D("66.67"),
        D("90.00"),
        D("74.07"),
    )


def test_the_kpi_costs_one_query_whatever_the_reps(nights, django_assert_num_queries):
    with django_assert_num_queries(1):
        kpis.compute_all(NIGHTS[0], NIGHTS[-1], ["cadence_compliance"])

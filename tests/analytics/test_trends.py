"""Trend alerts (issue 20, seed 003): a KPI worse N months in a row (admin-set, default 3)
alerts the rep and their manager once; figures worked out by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest

from analytics.models import AnalyticsSettings
from analytics.tasks import kpi_trends
from analytics.trends import declining, trend_alerts
from performance.kpis import HIGHER, LOWER
from salescrm.models import Notification
from tests.performance.factories import contract, nightly_facts

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 9)  # the last complete month is October


def test_declining_in_both_directions_and_a_gap_breaks_the_run():
    assert declining([D(5), D(4), D(3), D(2)], HIGHER)
    assert not declining([D(5), D(4), D(4), D(2)], HIGHER)  # equal is not worse
    assert declining([D(1), D(2), D(3)], LOWER)
    assert not declining([D(1), None, D(3)], LOWER)
    assert not declining([D(1)], HIGHER)


@pytest.fixture
def months(rep, teammate):
    # rep_a1 signs one contract a month, each smaller: 5000, 4000, 3000, 2000 (July–October)
    for month, amount in ((7, "5000"), (8, "4000"), (9, "3000"), (10, "2000")):
        contract(rep, amount, f"2026-{month:02d}-10")
    # rep_a2: 4000, 3000, 3000, 1000 — September equals August: no run of three
    for month, amount in ((7, "4000"), (8, "3000"), (9, "3000"), (10, "1000")):
        contract(teammate, amount, f"2026-{month:02d}-10")
    nightly_facts(day=DAY)


def test_three_months_of_decline_alert_the_rep_and_the_manager(months, rep, manager):
    alerts = trend_alerts(DAY, 3)
    # the signed amount and the average deal size (one contract a month) both fell three
    # times; new customers (1 a month) did not
    assert sorted((a["recipient_id"], a["key"]) for a in alerts) == sorted(
        (who.pk, f"kpi-trend:{rep.pk}:{code}:2026-10")
        for who in (rep, manager)
        for code in ("average_deal_size", "signed_amount")
    )
    signed = next(a for a in alerts if a["key"].endswith("signed_amount:2026-10"))
    assert signed["body"] == (
        "2026-07 5000.00 → 2026-08 4000.00 → 2026-09 3000.00 → 2026-10 2000.00"
    )


def test_two_months_catch_the_teammate_too_only_when_set(months, teammate):
    assert not any(str(teammate.pk) in a["key"] for a in trend_alerts(DAY, 3))
    # September 3000 → October 1000 is one fall; August → September none: still no run of 2
    assert not any(f":{teammate.pk}:" in a["key"] for a in trend_alerts(DAY, 2))


def test_the_nightly_job_is_idempotent_and_reads_the_admin_setting(months, rep):
    AnalyticsSettings.objects.create(pk=1, trend_periods=3)
    assert kpi_trends(DAY) == {"alerts": 4, "sent": 4}
    assert kpi_trends(DAY) == {"alerts": 4, "sent": 0}
    assert Notification.objects.filter(kind="kpi_trend").count() == 4
    AnalyticsSettings.objects.filter(pk=1).update(trend_periods=4)  # July is the first month
    assert kpi_trends(DAY) == {"alerts": 0, "sent": 0}

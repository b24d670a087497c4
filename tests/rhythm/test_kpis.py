"""Attendance rate and report punctuality in the KPI catalogue."""

import datetime as dt
from decimal import Decimal

import pytest

from performance import kpis
from rhythm.models import Report
from tests.factories import UserFactory

from .factories import OCTOBER_WORKING_DAYS, attend, october_2026_calendar

pytestmark = pytest.mark.django_db
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def test_both_kpis_are_in_the_catalogue_and_the_scheme_choices():
    assert "attendance_rate" in kpis.KPI_BY_CODE
    assert "report_punctuality" in kpis.KPI_BY_CODE
    from performance.models import KpiSchemeItem

    codes = [code for code, _label in KpiSchemeItem._meta.get_field("kpi").choices]
    assert {"attendance_rate", "report_punctuality"} <= set(codes)


def test_attendance_rate_over_october():
    october_2026_calendar()
    rep = UserFactory(username="r", role="rep")
    attend(rep, OCTOBER_WORKING_DAYS[:15])
    ratio = kpis.compute_all(*OCT, codes=["attendance_rate"])["attendance_rate"][rep.pk]
    assert (ratio.numerator, ratio.denominator) == (Decimal(15), Decimal(18))
    assert kpis.KPI_BY_CODE["attendance_rate"].value(ratio).quantize(Decimal("0.01")) == Decimal(
        "83.33"
    )


def test_report_punctuality_counts_on_time_daily_reports_of_working_days():
    october_2026_calendar()
    rep = UserFactory(username="r", role="rep")
    now = dt.datetime(2026, 10, 31, 12, tzinfo=dt.UTC)
    for index, day in enumerate(OCTOBER_WORKING_DAYS[:6]):
        Report.objects.create(
            author=rep,
            kind="daily",
            period_start=day,
            wins="x",
            submitted_at=now,
            on_time=index != 0,
        )
    # a report on a holiday counts for nothing
    Report.objects.create(
        author=rep, kind="daily", period_start=dt.date(2026, 10, 3), wins="x", submitted_at=now
    )
    ratio = kpis.compute_all(*OCT, codes=["report_punctuality"])["report_punctuality"][rep.pk]
    assert (ratio.numerator, ratio.denominator) == (Decimal(5), Decimal(18))

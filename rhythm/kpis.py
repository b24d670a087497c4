"""Two KPIs of team rhythm for the KPI schemes (performance.kpis catalogue):

- **attendance rate** (出勤率): working days attended (checked in, or on a business trip) ÷
  working days of the period up to its end × 100, per person; working days follow the
  working calendar (holidays off, 调休 worked) and start at the hire date. Example: 18
  working days in October, 15 attended: 83.33 %.
- **report punctuality** (日报及时率): daily reports of working days first submitted by the
  cut-off ÷ working days of the period × 100. A day without a report counts as late.

Each is three queries whatever the number of people (the people, the calendar, the rows).
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from performance.kpis import HIGHER, HUNDRED, Kpi, Ratio, register_kpi
from salescrm.models import User

from .models import AttendanceDay, Report
from .services.attendance import ATTENDING_ROLES, calendar_overrides, working_days


def _people_days(start: dt.date, end: dt.date) -> tuple[list[dt.date], dict[int, int]]:
    """The working days of [start, end] and each attending person's count of them (from the
    hire date on)."""
    days = working_days(start, end, calendar_overrides(start, end))
    counts = {}
    for pk, hire_date in User.objects.filter(is_active=True, role__in=ATTENDING_ROLES).values_list(
        "pk", "hire_date"
    ):
        if hire_date is None or hire_date <= start:
            counts[pk] = len(days)
        else:
            counts[pk] = sum(1 for day in days if day >= hire_date)
    return days, counts


SINCE_HIRED = Q(person__hire_date__isnull=True) | Q(person__hire_date__lte=F("day"))


def attendance_rate(start: dt.date, end: dt.date) -> dict[int, Ratio]:
    days, counts = _people_days(start, end)
    attended = (
        dict(
            AttendanceDay.objects.filter(SINCE_HIRED, day__in=days, kind__in=AttendanceDay.ATTENDED)
            .values("person_id")
            .annotate(n=Count("id"))
            .values_list("person_id", "n")
            .order_by()
        )
        if days
        else {}
    )
    return {
        pk: Ratio(Decimal(attended.get(pk, 0)), Decimal(working))
        for pk, working in counts.items()
        if working
    }


def report_punctuality(start: dt.date, end: dt.date) -> dict[int, Ratio]:
    days, counts = _people_days(start, end)
    on_time = (
        dict(
            Report.objects.filter(
                Q(author__hire_date__isnull=True) | Q(author__hire_date__lte=F("period_start")),
                kind=Report.Kind.DAILY,
                period_start__in=days,
                on_time=True,
            )
            .values("author_id")
            .annotate(n=Count("id"))
            .values_list("author_id", "n")
            .order_by()
        )
        if days
        else {}
    )
    return {
        pk: Ratio(Decimal(on_time.get(pk, 0)), Decimal(working))
        for pk, working in counts.items()
        if working
    }


ATTENDANCE_RATE = Kpi(
    "attendance_rate",
    _("Attendance rate"),
    "%",
    HIGHER,
    _("check-ins, leave and trips, and the working calendar (rhythm)"),
    _(
        "working days attended (checked in or on a business trip) ÷ working days of the period × 100"
    ),
    attendance_rate,
    HUNDRED,
)
REPORT_PUNCTUALITY = Kpi(
    "report_punctuality",
    _("Daily report punctuality"),
    "%",
    HIGHER,
    _("daily reports and the cut-off time (rhythm)"),
    _(
        "working days whose daily report was submitted by the cut-off ÷ working days of the period × 100"
    ),
    report_punctuality,
    HUNDRED,
)


def register() -> None:
    register_kpi(ATTENDANCE_RATE, no_value_reason=_("no working days in the period"))
    register_kpi(REPORT_PUNCTUALITY, no_value_reason=_("no working days in the period"))

"""Helpers for the rhythm tests: the working calendar of October 2026 and attendance rows."""

import datetime as dt

from rhythm.models import AttendanceDay, CalendarDay

D = dt.date


def october_2026_calendar():
    """The National Day holiday of 2026: 1–7 October off, Sunday 20 September and Saturday
    10 October worked (调休)."""
    CalendarDay.objects.filter(day__year=2026, day__month__in=(9, 10)).delete()
    for day in range(1, 8):
        CalendarDay.objects.create(
            day=D(2026, 10, day), kind=CalendarDay.Kind.HOLIDAY, name="国庆节"
        )
    CalendarDay.objects.create(day=D(2026, 9, 20), kind=CalendarDay.Kind.WORKDAY, name="国庆调休")
    CalendarDay.objects.create(day=D(2026, 10, 10), kind=CalendarDay.Kind.WORKDAY, name="国庆调休")


# The 18 working days of October 2026, written out: 8, 9, 10 (Saturday, 调休), 12–16,
# 19–23, 26–30.
OCTOBER_WORKING_DAYS = [
    D(2026, 10, d) for d in (8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30)
]


def attend(person, days, kind=AttendanceDay.Kind.PRESENT):
    AttendanceDay.objects.bulk_create(
        [AttendanceDay(person=person, day=day, kind=kind) for day in days]
    )

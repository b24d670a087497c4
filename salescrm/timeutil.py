"""Business dates and period boundaries, always in Asia/Shanghai (SPEC §5).

The nightly jobs are scheduled in UTC; the day they process is the Shanghai day that has just
ended, computed here and nowhere else.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_now() -> dt.datetime:
    return timezone.now().astimezone(SHANGHAI)


def local_today() -> dt.date:
    return local_now().date()


def business_date(now: dt.datetime | None = None) -> dt.date:
    """The Shanghai calendar day that has most recently ended at `now` (aware)."""
    now = now or timezone.now()
    return now.astimezone(SHANGHAI).date() - dt.timedelta(days=1)


def start_of_day(day: dt.date) -> dt.datetime:
    """The aware instant at which `day` begins in Shanghai."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def monday_of(day: dt.date) -> dt.date:
    """The Monday that starts `day`'s week (weekly activity plans)."""
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month_start(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return next_month_start(day) - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * (quarter_of(day) - 1) + 1, 1)


def quarter_end(day: dt.date) -> dt.date:
    start = quarter_start(day)
    return month_end(dt.date(start.year, start.month + 2, 1))


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware [start, end) instants covering Shanghai days first..last inclusive."""
    return start_of_day(first), start_of_day(last + dt.timedelta(days=1))

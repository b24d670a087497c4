"""Business dates and period boundaries, always in Asia/Shanghai (SPEC §5).

The nightly jobs are scheduled in UTC; the day they process is the Shanghai day that has just
ended, computed here and nowhere else.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """The one source of the current business time. Services take `today=` where a caller
    may know better; everything else reads this, so a test pins the date in one place (the
    `clock` fixture) instead of patching whichever module happens to import a helper."""

    def __init__(self) -> None:
        self._fixed: dt.datetime | None = None

    def now(self) -> dt.datetime:
        return self._fixed if self._fixed is not None else timezone.now()

    def set(self, when: dt.date | dt.datetime) -> None:
        """Fix the time: an aware datetime as given, a date at noon of that Shanghai day
        (noon so that neither side of midnight is ambiguous)."""
        if isinstance(when, dt.datetime):
            if timezone.is_naive(when):
                raise ValueError("Clock.set needs an aware datetime or a date.")
            self._fixed = when
        else:
            self._fixed = dt.datetime.combine(when, dt.time(12), tzinfo=SHANGHAI)

    def reset(self) -> None:
        self._fixed = None


clock = Clock()


def local_now() -> dt.datetime:
    return clock.now().astimezone(SHANGHAI)


def local_today() -> dt.date:
    return local_now().date()


def business_date(now: dt.datetime | None = None) -> dt.date:
    """The Shanghai calendar day that has most recently ended at `now` (aware)."""
    now = now or clock.now()
    return now.astimezone(SHANGHAI).date() - dt.timedelta(days=1)


def start_of_day(day: dt.date) -> dt.datetime:
    """The aware instant at which `day` begins in Shanghai."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def monday_of(day: dt.date) -> dt.date:
    """The Monday that starts `day`'s week (weekly activity plans)."""
    return day - dt.timedelta(days=day.weekday())


def add_months(day: dt.date, count: int) -> dt.date:
    """The first of the month `count` months after `day`'s (before it when negative)."""
    index = day.year * 12 + day.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month_start(day: dt.date) -> dt.date:
    return add_months(day, 1)


def previous_month_start(day: dt.date) -> dt.date:
    return add_months(day, -1)


def month_end(day: dt.date) -> dt.date:
    return next_month_start(day) - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * (quarter_of(day) - 1) + 1, 1)


def quarter_end(day: dt.date) -> dt.date:
    return month_end(add_months(quarter_start(day), 2))


def quarter_label(day: dt.date) -> str:
    """ "2026 Q3": how a quarter is written everywhere (not translated)."""
    return f"{day.year} Q{quarter_of(day)}"


def year_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1, 1)


def year_end(day: dt.date) -> dt.date:
    return dt.date(day.year, 12, 31)


# The periods reports are kept for; the values are those of the period-kind choices of the
# performance models ("month", "quarter", "year").
MONTH, QUARTER, YEAR = "month", "quarter", "year"
_PERIOD_BOUNDS = {
    MONTH: (month_start, month_end),
    QUARTER: (quarter_start, quarter_end),
    YEAR: (year_start, year_end),
}


def period_start(kind: str, day: dt.date) -> dt.date:
    """The first day of the month, quarter or year (`kind`) containing `day`."""
    return _PERIOD_BOUNDS[kind][0](day)


def period_end(kind: str, day: dt.date) -> dt.date:
    """The last day of the month, quarter or year (`kind`) containing `day`."""
    return _PERIOD_BOUNDS[kind][1](day)


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware [start, end) instants covering Shanghai days first..last inclusive."""
    return start_of_day(first), start_of_day(last + dt.timedelta(days=1))


# --- the accepted range of business dates --------------------------------------------------
# The institution's records start in 2000 and nothing is planned more than ten years ahead;
# a date outside is a typing slip (0001-01, 9999-12) and would overflow date arithmetic such
# as a dashboard's 36 months of history, so forms and filters refuse it.

EARLIEST_BUSINESS_DATE = dt.date(2000, 1, 1)
YEARS_AHEAD = 10


def latest_business_date() -> dt.date:
    today = local_today()
    if today.month == 2 and today.day == 29:
        today = today.replace(day=28)
    return today.replace(year=today.year + YEARS_AHEAD)


def validate_business_date(value: dt.date) -> None:
    """Model and form validator: `value` lies between 2000-01-01 and today + 10 years."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(SHANGHAI).date() if timezone.is_aware(value) else value.date()
    last = latest_business_date()
    if not EARLIEST_BUSINESS_DATE <= value <= last:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": EARLIEST_BUSINESS_DATE.isoformat(), "last": last.isoformat()},
            code="date_out_of_range",
        )


def latest_business_year() -> int:
    """The last year a plan may be made for (a callable limit for MaxValueValidator)."""
    return latest_business_date().year

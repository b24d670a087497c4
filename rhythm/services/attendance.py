"""Attendance (差勤): the working calendar, check-in and check-out, leave and corrections, the
monthly attendance rate and the allowance deduction of seed 004.

The rule, with the defaults (all admin-set in *Team rhythm settings*):

=========================  ===========
monthly attendance rate    deducted
=========================  ===========
rate ≥ 80 %                0 %
50 % ≤ rate < 80 %         20 %
rate < 50 %                100 %
=========================  ===========

Worked example, October 2026 (the National Day holiday): 1–7 October are public holidays
(days off) and Saturday 10 October is an adjusted working day (调休). October has 22
weekdays; five of them (1, 2, 5, 6, 7) are holidays, the Saturday adds one: 18 working days.
A supervisor who attended 14 of them has 14 ÷ 18 = 77.78 %: 20 % of a ¥1,000.00 allowance,
¥200.00, is deducted. 15 days give 83.33 %: nothing deducted. The comparison is made on the
exact fraction (attended × 100 ≥ 80 × working days), never on the rounded rate, so 8 of 10
days is exactly 80 % and nothing is deducted; 5 of 10 is exactly 50 % and 20 % is.

A day counts as attended when the person checked in, or was on a business trip; leave and
absence do not count. Days before the person's hire date are not working days for them. The
running month is counted up to the business date (yesterday); a finished month stays open
for corrections ``close_after_days`` days after its end, then the nightly job closes it and
it never changes again (corrections into it are refused).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from salescrm.errors import BusinessRuleError
from salescrm.models import User
from salescrm.money import round_money, round_percent
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.scoping import visible_q
from salescrm.timeutil import local_now, month_end, month_start, previous_month_start

from ..models import (
    Allowance,
    AttendanceChange,
    AttendanceDay,
    CalendarDay,
    MonthlyAttendance,
    RhythmSettings,
)

HUNDRED = Decimal(100)
# Who checks in: the sales side (the allowance rule is about its supervisors).
ATTENDING_ROLES = (Role.REP, Role.MANAGER, Role.DIRECTOR)


# --- the working calendar ------------------------------------------------------------------


def calendar_overrides(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """The holidays and adjusted working days between first and last (one query)."""
    return dict(CalendarDay.objects.filter(day__range=(first, last)).values_list("day", "kind"))


def is_working_day(day: dt.date, overrides: dict[dt.date, str]) -> bool:
    kind = overrides.get(day)
    if kind == CalendarDay.Kind.HOLIDAY:
        return False
    if kind == CalendarDay.Kind.WORKDAY:
        return True
    return day.weekday() < 5


def working_days(first: dt.date, last: dt.date, overrides=None) -> list[dt.date]:
    """The working days from first to last inclusive: Monday to Friday, minus public
    holidays, plus adjusted working days."""
    if overrides is None:
        overrides = calendar_overrides(first, last)
    days, day = [], first
    while day <= last:
        if is_working_day(day, overrides):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# --- the rule --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    working_days: int
    attended_days: int
    leave_days: int
    rate: Decimal | None  # %, rounded to 0.01; None without working days
    deduction_percent: Decimal
    base_allowance: Decimal | None
    deduction: Decimal


def deduction_percent(attended: int, working: int, rules: RhythmSettings) -> Decimal:
    """The share of the allowance deducted for `attended` of `working` days (see the module
    docstring). Exact: compared as attended × 100 against threshold × working days. A month
    without working days (a new hire's first day is tomorrow) deducts nothing."""
    if working <= 0 or attended * HUNDRED >= rules.full_rate * working:
        return rules.full_rate_deduction
    if attended * HUNDRED >= rules.partial_rate * working:
        return rules.partial_deduction
    return rules.low_deduction


def month_figures(
    attended: int, working: int, leave: int, base: Decimal | None, rules: RhythmSettings
) -> MonthFigures:
    percent = deduction_percent(attended, working, rules)
    rate = round_percent(Decimal(attended) * HUNDRED / working) if working else None
    deduction = round_money(base * percent / HUNDRED) if base is not None else Decimal("0.00")
    return MonthFigures(working, attended, leave, rate, percent, base, deduction)


# --- check-in, check-out, corrections --------------------------------------------------------


def month_is_closed(person_id: int, day: dt.date) -> bool:
    return MonthlyAttendance.objects.filter(
        person_id=person_id, month=month_start(day), closed=True
    ).exists()


@transaction.atomic
def attendance_check_in(*, actor: User) -> AttendanceDay:
    """Check in for today (Shanghai), at the server's time. A second check-in the same day
    changes nothing (one row per person and day)."""
    ensure_may(actor, Action.ATTENDANCE_CHECK_IN)
    now = local_now()
    try:
        with transaction.atomic():
            row, created = AttendanceDay.objects.get_or_create(
                person=actor,
                day=now.date(),
                defaults={"kind": AttendanceDay.Kind.PRESENT, "checked_in_at": now},
            )
    except IntegrityError:  # a double click raced the first insert
        return AttendanceDay.objects.get(person=actor, day=now.date())
    if not created and row.checked_in_at is None and row.kind == AttendanceDay.Kind.ABSENT:
        # marked absent in advance by mistake, then turned up: the check-in wins
        AttendanceDay.objects.filter(pk=row.pk).update(
            kind=AttendanceDay.Kind.PRESENT, checked_in_at=now
        )
        row.refresh_from_db()
    return row


@transaction.atomic
def attendance_check_out(*, actor: User) -> AttendanceDay:
    ensure_may(actor, Action.ATTENDANCE_CHECK_IN)
    now = local_now()
    row = (
        AttendanceDay.objects.select_for_update()
        .filter(person=actor, day=now.date(), checked_in_at__isnull=False)
        .first()
    )
    if row is None:
        raise BusinessRuleError(_("Check in first: there is no check-in today."))
    if row.checked_out_at is None:
        row.checked_out_at = now
        row.save(update_fields=["checked_out_at"])
    return row


@transaction.atomic
def attendance_record(
    *, actor: User, person: User, day: dt.date, kind: str, reason: str
) -> AttendanceDay:
    """A manager records leave, a business trip, an absence or a correction (present) for a
    person of their team, with the reason; every change is kept. Refused for a closed month
    and for people outside the manager's teams."""
    ensure_may(actor, Action.ATTENDANCE_RECORD)
    if not User.objects.filter(visible_q(actor, ""), pk=person.pk).exists():
        raise BusinessRuleError(_("You can record attendance only for your team."))
    if person.pk == actor.pk and not actor.sees_all:
        raise BusinessRuleError(_("Your own attendance is recorded by your manager."))
    reason = (reason or "").strip()
    if not reason:
        raise BusinessRuleError(_("Give the reason for the change."))
    kind = AttendanceDay.Kind(kind)
    if day > local_now().date():
        if kind == AttendanceDay.Kind.PRESENT:
            raise BusinessRuleError(_("Presence cannot be recorded in advance."))
    if month_is_closed(person.pk, day):
        raise BusinessRuleError(
            _("The attendance of %(month)s is closed and can no longer change.")
            % {"month": f"{day:%Y-%m}"}
        )
    row, created = AttendanceDay.objects.select_for_update().get_or_create(
        person=person, day=day, defaults={"kind": kind}
    )
    old = "" if created else row.kind
    if not created:
        row.kind = kind
        row.save(update_fields=["kind"])
    AttendanceChange.objects.create(
        attendance=row, old_kind=old, new_kind=kind, reason=reason[:200], changed_by=actor
    )
    return row


# --- the nightly figures ---------------------------------------------------------------------


def _attending_people():
    return list(
        User.objects.filter(is_active=True, role__in=ATTENDING_ROLES).values_list("pk", "hire_date")
    )


def compute_month(month: dt.date, counted_to: dt.date, *, close: bool, rules=None) -> int:
    """Write every attending person's figures for `month` counted up to `counted_to`, in a
    constant number of queries, replacing the open rows; closed rows are left alone. Returns
    the number of rows written."""
    rules = rules or RhythmSettings.load()
    first = month_start(month)
    last = min(counted_to, month_end(first))
    overrides = calendar_overrides(first, last)
    days = working_days(first, last, overrides) if last >= first else []
    people = _attending_people()
    closed = set(
        MonthlyAttendance.objects.filter(month=first, closed=True).values_list(
            "person_id", flat=True
        )
    )
    # A day before the person's hire date is no working day of theirs, attended or not.
    since_hired = Q(person__hire_date__isnull=True) | Q(person__hire_date__lte=F("day"))
    counts = (
        {
            row["person_id"]: row
            for row in AttendanceDay.objects.filter(since_hired, day__in=days)
            .values("person_id")
            .annotate(
                attended=Count("id", filter=Q(kind__in=AttendanceDay.ATTENDED)),
                leave=Count("id", filter=Q(kind=AttendanceDay.Kind.LEAVE)),
            )
            .order_by()
        }
        if days
        else {}
    )
    bases = dict(Allowance.objects.values_list("person_id", "base_amount"))
    now = timezone.now()
    rows = []
    for person_id, hire_date in people:
        if person_id in closed:
            continue
        if hire_date and hire_date > last:
            continue  # not yet with us in this month
        their_days = (
            days if not hire_date or hire_date <= first else [d for d in days if d >= hire_date]
        )
        counted = counts.get(person_id, {"attended": 0, "leave": 0})
        working = len(their_days)
        figures = month_figures(
            counted["attended"], working, counted["leave"], bases.get(person_id), rules
        )
        rows.append(
            MonthlyAttendance(
                person_id=person_id,
                month=first,
                counted_to=last,
                working_days=figures.working_days,
                attended_days=figures.attended_days,
                leave_days=figures.leave_days,
                rate=figures.rate,
                base_allowance=figures.base_allowance,
                deduction_percent=figures.deduction_percent,
                deduction=figures.deduction,
                closed=close,
                computed_at=now,
            )
        )
    MonthlyAttendance.objects.filter(month=first, closed=False).delete()
    MonthlyAttendance.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def attendance_nightly(business_date: dt.date) -> dict:
    """The nightly job: the running month up to the business date; the month before while
    it is open for corrections, closing it once ``close_after_days`` days have passed after
    its end. Closed months are never rewritten."""
    rules = RhythmSettings.load()
    summary = {}
    previous = previous_month_start(business_date)
    previous_end = month_end(previous)
    if not MonthlyAttendance.objects.filter(month=previous, closed=True).exists():
        close = business_date >= previous_end + dt.timedelta(days=rules.close_after_days)
        summary["previous_month"] = compute_month(previous, previous_end, close=close, rules=rules)
        summary["closed"] = close
    summary["month"] = compute_month(business_date, business_date, close=False, rules=rules)
    return summary

"""What the rhythm pages and panels show beyond one QuerySet: the missing reports, a month
of a person's attendance day by day, and the leaders' panel figures. Each is a constant
number of queries whatever the number of people."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from salescrm.models import Team, User
from salescrm.money import round_percent
from salescrm.roles import Role
from salescrm.scoping import visible_q
from salescrm.timeutil import month_end, month_start

from .models import (
    ActionItem,
    AttendanceDay,
    CalendarDay,
    MeetingAttendee,
    MonthlyAttendance,
    Report,
)
from .services.attendance import is_working_day


def reporting_people(user):
    """The reps (and managers) whose daily reports `user` follows, scoped like the rest."""
    return (
        User.objects.filter(visible_q(user, ""))
        .active()
        .filter(role__in=(Role.REP, Role.MANAGER))
        .exclude(pk=user.pk)
        .select_related("team")
        .order_by("team__sort_key", "username")
    )


def missing_daily_reports(user, day: dt.date) -> list[User]:
    """The people `user` follows with no daily report for `day` (two queries)."""
    submitted = Report.objects.filter(kind=Report.Kind.DAILY, period_start=day).values("author_id")
    return list(reporting_people(user).exclude(pk__in=submitted))


@dataclass(frozen=True)
class DayRow:
    day: dt.date
    working: bool
    holiday_name: str
    attendance: AttendanceDay | None


def month_days(person: User, month: dt.date) -> list[DayRow]:
    """Each day of `month` for `person`: working or not (and why), and what was recorded:
    the days the monthly figure counted (two queries)."""
    first, last = month_start(month), month_end(month)
    calendar = list(
        CalendarDay.objects.filter(day__range=(first, last)).values_list("day", "kind", "name")
    )
    overrides = {day: kind for day, kind, _name in calendar}
    names = {day: name for day, _kind, name in calendar}
    rows = {
        row.day: row
        for row in AttendanceDay.objects.filter(person=person, day__range=(first, last))
    }
    result, day = [], first
    while day <= last:
        result.append(
            DayRow(day, is_working_day(day, overrides), names.get(day, ""), rows.get(day))
        )
        day += dt.timedelta(days=1)
    return result


@dataclass(frozen=True)
class TeamRhythm:
    team: str
    people: int
    reports_today: int
    attendance_rate: object  # Decimal | None, the month so far (nightly)
    meeting_attendance: object  # Decimal | None, this month's meetings
    overdue_actions: int


def team_rhythm(user, today: dt.date) -> list[TeamRhythm]:
    """Per team the reader sees: people, daily reports submitted today, the month's
    attendance rate (nightly figures), meeting attendance this month, action items
    overdue. Five queries."""
    people = list(reporting_people(user).values_list("pk", "team_id"))
    ids = [pk for pk, _team in people]
    team_of = dict(people)
    teams = dict(
        Team.objects.filter(pk__in={t for t in team_of.values() if t}).values_list("pk", "name")
    )
    reports = set(
        Report.objects.filter(
            kind=Report.Kind.DAILY, period_start=today, author_id__in=ids
        ).values_list("author_id", flat=True)
    )
    month = month_start(today)
    attendance = {
        pk: (working, attended)
        for pk, working, attended in MonthlyAttendance.objects.filter(
            month=month, person_id__in=ids
        ).values_list("person_id", "working_days", "attended_days")
    }
    meetings = {
        row["person_id"]: (row["held"], row["attended"])
        for row in MeetingAttendee.objects.filter(
            person_id__in=ids,
            meeting__starts_at__date__gte=month,
            meeting__starts_at__date__lt=today + dt.timedelta(days=1),
        )
        .exclude(status__in=(MeetingAttendee.Status.INVITED, MeetingAttendee.Status.EXCUSED))
        .values("person_id")
        .annotate(
            held=Count("id"), attended=Count("id", filter=Q(status__in=MeetingAttendee.ATTENDED))
        )
        .order_by()
    }
    overdue = dict(
        ActionItem.objects.overdue(today)
        .filter(owner_id__in=ids)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
        .order_by()
    )
    result = []
    for team_id in sorted(set(team_of.values()), key=lambda t: teams.get(t, "")):
        members = [pk for pk in ids if team_of[pk] == team_id]
        working = sum(attendance.get(pk, (0, 0))[0] for pk in members)
        attended = sum(attendance.get(pk, (0, 0))[1] for pk in members)
        held = sum(meetings.get(pk, (0, 0))[0] for pk in members)
        came = sum(meetings.get(pk, (0, 0))[1] for pk in members)
        result.append(
            TeamRhythm(
                team=teams.get(team_id, "—"),
                people=len(members),
                reports_today=sum(1 for pk in members if pk in reports),
                attendance_rate=round_percent(attended * 100 / working) if working else None,
                meeting_attendance=round_percent(came * 100 / held) if held else None,
                overdue_actions=sum(overdue.get(pk, 0) for pk in members),
            )
        )
    return result


def meeting_attendance(person_ids, first: dt.date, last: dt.date) -> dict[int, object]:
    """Each person's meeting attendance rate (%) over the meetings of [first, last] whose
    attendance was taken: present or late ÷ present, late or absent (excused left out).
    One query."""
    rows = (
        MeetingAttendee.objects.filter(
            person_id__in=person_ids,
            meeting__starts_at__date__gte=first,
            meeting__starts_at__date__lte=last,
            status__in=(*MeetingAttendee.ATTENDED, MeetingAttendee.Status.ABSENT),
        )
        .values("person_id")
        .annotate(held=Count("id"), came=Count("id", filter=Q(status__in=MeetingAttendee.ATTENDED)))
        .order_by()
    )
    return {row["person_id"]: round_percent(row["came"] * 100 / row["held"]) for row in rows}

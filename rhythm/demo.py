"""Demo history of team rhythm: the working calendars, the allowances, a year of
check-ins (a manager and a rep often away, so deductions show), three weeks of daily
reports with the managers' comments, morning meetings with attendance and action items,
and a week of bulletins. Deterministic from ctx.rng and ctx.today; skipped when present."""

import datetime as dt
from decimal import Decimal

from salescrm.demo import DemoContext, demo_seeder
from salescrm.timeutil import SHANGHAI, add_months, month_end, month_start

from .models import (
    ActionItem,
    Allowance,
    AttendanceDay,
    CalendarDay,
    Meeting,
    MeetingAttendee,
    Report,
    ReportComment,
)
from .services.attendance import compute_month, working_days
from .services.bulletins import bulletins_build
from .services.meetings import generate_agenda
from .services.reports import daily_report_figures

HOLIDAY, WORKDAY = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY


def _span(year, month, first, last, name):
    return [(dt.date(year, month, day), HOLIDAY, name) for day in range(first, last + 1)]


# The State Council's notices (国务院办公厅关于节假日安排的通知) for 2025 and 2026.
CALENDARS = {
    2025: [
        (dt.date(2025, 1, 1), HOLIDAY, "元旦"),
        *_span(2025, 1, 28, 31, "春节"),
        *_span(2025, 2, 1, 4, "春节"),
        (dt.date(2025, 1, 26), WORKDAY, "春节调休"),
        (dt.date(2025, 2, 8), WORKDAY, "春节调休"),
        *_span(2025, 4, 4, 6, "清明节"),
        *_span(2025, 5, 1, 5, "劳动节"),
        (dt.date(2025, 4, 27), WORKDAY, "劳动节调休"),
        (dt.date(2025, 5, 31), HOLIDAY, "端午节"),
        *_span(2025, 6, 1, 2, "端午节"),
        *_span(2025, 10, 1, 8, "国庆节、中秋节"),
        (dt.date(2025, 9, 28), WORKDAY, "国庆调休"),
        (dt.date(2025, 10, 11), WORKDAY, "国庆调休"),
    ],
    2026: [
        *_span(2026, 1, 1, 3, "元旦"),
        (dt.date(2026, 1, 4), WORKDAY, "元旦调休"),
        *_span(2026, 2, 15, 23, "春节"),
        (dt.date(2026, 2, 14), WORKDAY, "春节调休"),
        (dt.date(2026, 2, 28), WORKDAY, "春节调休"),
        *_span(2026, 4, 4, 6, "清明节"),
        *_span(2026, 5, 1, 5, "劳动节"),
        (dt.date(2026, 5, 9), WORKDAY, "劳动节调休"),
        *_span(2026, 6, 19, 21, "端午节"),
        *_span(2026, 9, 25, 27, "中秋节"),
        *_span(2026, 10, 1, 7, "国庆节"),
        (dt.date(2026, 9, 20), WORKDAY, "国庆调休"),
        (dt.date(2026, 10, 10), WORKDAY, "国庆调休"),
    ],
}
# Managers carry the supervisors' management allowance of seed 004; the demo gives reps a
# smaller attendance allowance under the same rule, so their statements show the line too.
ALLOWANCE = {"manager": Decimal("2000.00"), "rep": Decimal("500.00")}
# Often away: their months fall below 80 % and show a deduction.
OFTEN_AWAY = {"manager2": 0.72, "rep3": 0.7}
WINS = [
    "邀约两位家长参加试听",
    "企业内训方案获 HR 认可",
    "老学员转介绍一位新客户",
    "完成三次有效拜访",
]
PROBLEMS = ["客户对价格有顾虑", "决策人出差，方案推迟", "试听课时间冲突", ""]
PLANS = ["回访昨日试听客户", "准备企业内训报价", "跟进逾期回款", "整理 A 类准主顾卡"]


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@demo_seeder(order=60)
def seed_rhythm(ctx: DemoContext) -> None:
    for year in sorted({ctx.today.year - 1, ctx.today.year} & set(CALENDARS)):
        for day, kind, name in CALENDARS[year]:
            CalendarDay.objects.get_or_create(day=day, defaults={"kind": kind, "name": name})
    if AttendanceDay.objects.exists():
        return
    rng, today = ctx.rng, ctx.today
    managers = [u for u in ctx.users.values() if u.role == "manager"]
    people = sorted(ctx.reps() + managers, key=lambda u: u.username)
    for person in people:
        Allowance.objects.get_or_create(
            person=person, defaults={"base_amount": ALLOWANCE[person.role]}
        )

    # a year of check-ins: most people nearly always in, two often away
    year_start = dt.date(today.year, 1, 1)
    days = working_days(year_start, today - dt.timedelta(days=1))
    rows = []
    for person in people:
        presence = OFTEN_AWAY.get(person.username) or rng.uniform(0.9, 0.99)
        for day in days:
            if person.hire_date and day < person.hire_date:
                continue
            roll = rng.random()
            if roll < presence:
                start = _at(day, 8, rng.randint(30, 59))
                rows.append(
                    AttendanceDay(
                        person=person,
                        day=day,
                        checked_in_at=start,
                        checked_out_at=start + dt.timedelta(hours=9, minutes=rng.randint(0, 90)),
                    )
                )
            elif roll < presence + 0.03:
                rows.append(AttendanceDay(person=person, day=day, kind=AttendanceDay.Kind.TRIP))
            elif roll < presence + 0.06:
                rows.append(
                    AttendanceDay(
                        person=person, day=day, kind=AttendanceDay.Kind.LEAVE, note="事假"
                    )
                )
    AttendanceDay.objects.bulk_create(rows, batch_size=2000)
    month = year_start
    while month < month_start(today):
        compute_month(
            month,
            month_end(month),
            close=add_months(month, 1) < month_start(today) or today.day > 3,
        )
        month = add_months(month, 1)

    # the last three weeks of daily reports, commented by the managers; their figures come
    # from one pass over the history (daily_report_figures), the rows from two bulk inserts
    recent = [d for d in days if d >= today - dt.timedelta(days=21)]
    manager_of = {m.team_id: m for m in managers}
    figures = daily_report_figures(ctx.reps(), recent)
    reports, comments = [], []
    for day in recent:
        for person in ctx.reps():
            if (person.hire_date and day < person.hire_date) or rng.random() > 0.88:
                continue
            submitted = _at(day, rng.choice([17, 18, 19, 19, 20, 21]), rng.randint(0, 59))
            report = Report(
                author=person,
                kind=Report.Kind.DAILY,
                period_start=day,
                figures=figures[(person.pk, day)],
                wins=rng.choice(WINS),
                problems=rng.choice(PROBLEMS),
                plan=rng.choice(PLANS),
                submitted_at=submitted,
                on_time=submitted.time() <= dt.time(20, 0),
            )
            reports.append(report)
            manager = manager_of.get(person.team_id)
            if manager and rng.random() < 0.6 and day < today - dt.timedelta(days=1):
                comments.append(
                    ReportComment(
                        report=report,
                        author=manager,
                        body=rng.choice(
                            ["很好，继续保持", "价格顾虑可以用分期方案回应", "明天早会分享一下经验"]
                        ),
                    )
                )
    Report.objects.bulk_create(reports, batch_size=500)
    ReportComment.objects.bulk_create(comments, batch_size=500)

    # a week of bulletins, then the morning meetings that read them
    for offset in range(7, 0, -1):
        bulletins_build(today - dt.timedelta(days=offset))
    for day in [d for d in days if d >= today - dt.timedelta(days=21)]:
        for manager in managers:
            team = ctx.teams[[t.pk for t in ctx.teams].index(manager.team_id)]
            meeting = Meeting.objects.create(
                team=team,
                organiser=manager,
                kind=Meeting.Kind.MORNING,
                title=f"早会 {day:%m-%d}",
                starts_at=_at(day, 8, 30),
                agenda=generate_agenda(Meeting.Kind.MORNING, team, day),
                minutes="分享签约经验；布置今日邀约任务。",
            )
            members = [
                p
                for p in people
                if p.team_id == team.pk and not (p.hire_date and p.hire_date > day)
            ]
            MeetingAttendee.objects.bulk_create(
                MeetingAttendee(
                    meeting=meeting,
                    person=p,
                    status=rng.choices(["present", "late", "absent", "excused"], [85, 7, 4, 4])[0],
                )
                for p in members
            )
            owner = rng.choice([p for p in members if p.role == "rep"] or members)
            due = day + dt.timedelta(days=rng.randint(1, 5))
            ActionItem.objects.create(
                meeting=meeting,
                owner=owner,
                description=rng.choice(
                    ["回访试听客户", "提交企业内训方案", "催收逾期款项", "更新准主顾卡"]
                ),
                due_on=due,
                created_by=manager,
                done_at=_at(due, 17, 0) if due < today and rng.random() < 0.7 else None,
            )
    # a monthly business review in each team on the first working day of every month
    for first in sorted({d.replace(day=1) for d in days}):
        day = min(d for d in days if d >= first)
        for manager in managers:
            team = ctx.teams[[t.pk for t in ctx.teams].index(manager.team_id)]
            meeting = Meeting.objects.create(
                team=team,
                organiser=manager,
                kind=Meeting.Kind.MONTHLY_REVIEW,
                title=f"{first:%Y-%m} 月度经营分析会",
                starts_at=_at(day, 16, 0),
                agenda=generate_agenda(Meeting.Kind.MONTHLY_REVIEW, team, day),
                minutes="复盘上月达成与漏斗，确定本月重点客户。",
            )
            MeetingAttendee.objects.bulk_create(
                MeetingAttendee(
                    meeting=meeting,
                    person=p,
                    status=rng.choices(["present", "late", "absent", "excused"], [88, 5, 3, 4])[0],
                )
                for p in people
                if p.team_id == team.pk and not (p.hire_date and p.hire_date > day)
            )
    ctx.log(
        f"rhythm: {len(rows)} attendance days, {Report.objects.count()} reports, {Meeting.objects.count()} meetings"
    )

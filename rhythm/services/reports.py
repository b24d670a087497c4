"""Daily and weekly reports (日报/周报) and the manager's comments.

A report's figures are pre-filled from what the CRM already knows about the author's day or
week; the author writes the wins, problems, help needed and the plan. A daily report is on
time when it is first submitted by the cut-off (admin-set, 20:00 Asia/Shanghai by default)
of its day; a weekly report by the cut-off of the week's last working day. An edit keeps the
text it replaces; once a manager has commented the report is closed to edits, so the comment
always answers what the author wrote ("写了交给主管也没有反馈" is the failure to avoid).
"""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from customers.models import Contract, Payment
from leads.models import Activity, ActivityPlan, Lead, StageChange
from salescrm.errors import BusinessRuleError
from salescrm.models import User
from salescrm.permissions import Action, ensure_may
from salescrm.services import notify
from salescrm.timeutil import SHANGHAI, clock, day_bounds, local_now, local_today, monday_of

from ..models import Report, ReportComment, ReportRevision, RhythmSettings
from .attendance import working_days

TEXT_FIELDS = ("wins", "problems", "help_needed", "plan")
# How far back a daily report may still be written: a week.
DAILY_REPORT_DAYS_BACK = 7


def period_of(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    if kind == Report.Kind.WEEKLY:
        monday = monday_of(day)
        return monday, monday + dt.timedelta(days=6)
    return day, day


def due_at(kind: str, period_start: dt.date, rules=None) -> dt.datetime:
    """The cut-off instant of a report: its day's (daily), or the week's last working day's
    (weekly; Sunday when the week has none)."""
    rules = rules or RhythmSettings.load()
    first, last = period_of(kind, period_start)
    if kind == Report.Kind.WEEKLY:
        days = working_days(first, last)
        last = days[-1] if days else last
    return dt.datetime.combine(last, rules.report_cutoff, tzinfo=SHANGHAI)


def report_figures(author: User, kind: str, period_start: dt.date) -> dict:
    """What the CRM knows of the author's day or week, for the report's pre-fill: activities
    by kind, leads created, stage moves, contracts signed and their amount, payments
    received, and the follow-ups due the next day (daily) or next week (weekly). A weekly
    report adds the week's activity plan beside the actual counts. Amounts as strings."""
    first, last = period_of(kind, period_start)
    low, high = day_bounds(first, last)
    activities = dict(
        Activity.objects.filter(actor=author, occurred_at__gte=low, occurred_at__lt=high)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
        .order_by()
    )
    signed = (
        Contract.objects.filter(owner=author)
        .signed_between(first, last)
        .aggregate(n=Count("id"), total=Sum("total_amount"))
    )
    paid = Payment.objects.filter(
        contract__owner=author, received_on__range=(first, last)
    ).aggregate(total=Sum("amount"))
    next_first = last + dt.timedelta(days=1)
    next_last = next_first + dt.timedelta(days=6 if kind == Report.Kind.WEEKLY else 0)
    figures = {
        "activities": sum(activities.values()),
        "calls": activities.get(Activity.Kind.PHONE, 0),
        "visits": sum(activities.get(k, 0) for k in Activity.EFFECTIVE_VISIT_KINDS),
        "trial_lessons": activities.get(Activity.Kind.TRIAL_LESSON, 0),
        "leads_created": Lead.objects.filter(
            owner=author, created_at__gte=low, created_at__lt=high
        ).count(),
        "stage_moves": StageChange.objects.filter(
            changed_by=author, changed_at__gte=low, changed_at__lt=high
        ).count(),
        "contracts_signed": signed["n"],
        "signed_amount": str(signed["total"] or Decimal("0.00")),
        "collected_amount": str(paid["total"] or Decimal("0.00")),
        "follow_ups_next": Lead.objects.filter(
            owner=author, next_follow_up_on__range=(next_first, next_last)
        )
        .open()
        .count(),
    }
    if kind == Report.Kind.WEEKLY:
        plan = ActivityPlan.objects.filter(rep=author, week_start=first).first()
        if plan is not None:
            figures["plan"] = {
                "calls": plan.calls,
                "visits": plan.visits,
                "new_leads": plan.new_leads,
                "trial_lessons": plan.trial_lessons,
            }
        figures["daily_reports"] = Report.objects.filter(
            author=author, kind=Report.Kind.DAILY, period_start__range=(first, last)
        ).count()
    return figures


def daily_report_figures(authors, days) -> dict[tuple[int, dt.date], dict]:
    """``report_figures(author, DAILY, day)`` for every author and day at once, keyed by
    (author id, day): the same figures from one query per source over the whole span, in
    place of ten queries a report (the demo's three weeks of reports were 2,000 queries).
    Instants fall on their Shanghai day, as in ``day_bounds``."""
    author_ids = sorted({a.pk for a in authors})
    days = sorted(set(days))
    if not author_ids or not days:
        return {}
    low, high = day_bounds(days[0], days[-1])
    zero = Decimal("0.00")
    counts: dict[tuple[int, dt.date], dict] = {}

    def bump(author_id, day, key, amount=1):
        bucket = counts.setdefault((author_id, day), {})
        bucket[key] = bucket.get(key, 0) + amount

    def local_day(moment: dt.datetime) -> dt.date:
        return moment.astimezone(SHANGHAI).date()

    for actor_id, kind, moment in Activity.objects.filter(
        actor_id__in=author_ids, occurred_at__gte=low, occurred_at__lt=high
    ).values_list("actor_id", "kind", "occurred_at"):
        bump(actor_id, local_day(moment), ("activity", kind))
    for owner_id, moment in Lead.objects.filter(
        owner_id__in=author_ids, created_at__gte=low, created_at__lt=high
    ).values_list("owner_id", "created_at"):
        bump(owner_id, local_day(moment), "leads_created")
    for author_id, moment in StageChange.objects.filter(
        changed_by_id__in=author_ids, changed_at__gte=low, changed_at__lt=high
    ).values_list("changed_by_id", "changed_at"):
        bump(author_id, local_day(moment), "stage_moves")
    for owner_id, day, amount in (
        Contract.objects.filter(owner_id__in=author_ids)
        .signed_between(days[0], days[-1])
        .values_list("owner_id", "signed_on", "total_amount")
    ):
        bump(owner_id, day, "contracts_signed")
        bump(owner_id, day, "signed_amount", amount)
    for owner_id, day, amount in Payment.objects.filter(
        contract__owner_id__in=author_ids, received_on__range=(days[0], days[-1])
    ).values_list("contract__owner_id", "received_on", "amount"):
        bump(owner_id, day, "collected_amount", amount)
    for owner_id, due in (
        Lead.objects.filter(
            owner_id__in=author_ids,
            next_follow_up_on__range=(
                days[0] + dt.timedelta(days=1),
                days[-1] + dt.timedelta(days=1),
            ),
        )
        .open()
        .values_list("owner_id", "next_follow_up_on")
    ):
        bump(owner_id, due - dt.timedelta(days=1), "follow_ups_next")

    figures = {}
    for author_id in author_ids:
        for day in days:
            got = counts.get((author_id, day), {})
            by_kind = {key[1]: n for key, n in got.items() if isinstance(key, tuple)}
            figures[(author_id, day)] = {
                "activities": sum(by_kind.values()),
                "calls": by_kind.get(Activity.Kind.PHONE, 0),
                "visits": sum(by_kind.get(k, 0) for k in Activity.EFFECTIVE_VISIT_KINDS),
                "trial_lessons": by_kind.get(Activity.Kind.TRIAL_LESSON, 0),
                "leads_created": got.get("leads_created", 0),
                "stage_moves": got.get("stage_moves", 0),
                "contracts_signed": got.get("contracts_signed", 0),
                "signed_amount": str(got.get("signed_amount") or zero),
                "collected_amount": str(got.get("collected_amount") or zero),
                "follow_ups_next": got.get("follow_ups_next", 0),
            }
    return figures


def _check_period(kind: str, period_start: dt.date) -> dt.date:
    today = local_today()
    if kind == Report.Kind.WEEKLY:
        period_start = monday_of(period_start)
        if period_start > today:
            raise BusinessRuleError(_("A weekly report is written during or after its week."))
        if period_start < monday_of(today) - dt.timedelta(days=7):
            raise BusinessRuleError(_("Only this week's or last week's report can be written."))
    else:
        if period_start > today:
            raise BusinessRuleError(_("A daily report cannot be written for a day to come."))
        if period_start < today - dt.timedelta(days=DAILY_REPORT_DAYS_BACK):
            raise BusinessRuleError(_("A daily report can be written up to a week after its day."))
    return period_start


@transaction.atomic
def report_submit(*, actor: User, kind: str, period_start: dt.date, **texts) -> Report:
    """Submit (or, before any comment, edit) the actor's report for a day or week. An edit
    keeps the replaced text as a revision; an identical resubmission changes nothing."""
    ensure_may(actor, Action.REPORT_SUBMIT)
    kind = Report.Kind(kind)
    period_start = _check_period(kind, period_start)
    texts = {field: (texts.get(field) or "").strip() for field in TEXT_FIELDS}
    if not any(texts.values()):
        raise BusinessRuleError(_("Write at least one of wins, problems, help needed or plan."))
    report = (
        Report.objects.select_for_update()
        .filter(author=actor, kind=kind, period_start=period_start)
        .first()
    )
    if report is None:
        now = clock.now()  # the business clock: punctuality is judged by it
        try:
            with transaction.atomic():
                return Report.objects.create(
                    author=actor,
                    kind=kind,
                    period_start=period_start,
                    figures=report_figures(actor, kind, period_start),
                    submitted_at=now,
                    on_time=now <= due_at(kind, period_start),
                    **texts,
                )
        except IntegrityError:  # a double click raced the first insert
            report = Report.objects.select_for_update().get(
                author=actor, kind=kind, period_start=period_start
            )
    if all(getattr(report, field) == texts[field] for field in TEXT_FIELDS):
        return report
    if report.comments.exists():
        raise BusinessRuleError(
            _("Your manager has commented on this report: it can no longer be changed.")
        )
    ReportRevision.objects.create(
        report=report, **{field: getattr(report, field) for field in TEXT_FIELDS}
    )
    for field, value in texts.items():
        setattr(report, field, value)
    report.save(update_fields=[*TEXT_FIELDS, "updated_at"])
    return report


@transaction.atomic
def report_comment(*, actor: User, report: Report, body: str) -> ReportComment:
    """A leader comments on a report of their team; the author is notified."""
    ensure_may(actor, Action.REPORT_COMMENT)
    if not Report.objects.visible_to(actor).filter(pk=report.pk).exists():
        raise BusinessRuleError(_("You can comment only on your team's reports."))
    if report.author_id == actor.pk:
        raise BusinessRuleError(_("You cannot comment on your own report."))
    body = (body or "").strip()
    if not body:
        raise BusinessRuleError(_("Write the comment."))
    comment = ReportComment.objects.create(report=report, author=actor, body=body[:4000])
    notify(
        recipient=report.author,
        kind="report_comment",
        key=f"report_comment:{comment.pk}",
        title=_("%(who)s commented on your %(report)s of %(day)s")
        % {
            "who": actor,
            "report": report.get_kind_display(),
            "day": f"{report.period_start:%Y-%m-%d}",
        },
        body=body[:500],
        url=reverse("rhythm:report_detail", args=[report.pk]),
    )
    return comment


def cutoff_passed(day: dt.date, rules=None) -> bool:
    return local_now() >= due_at(Report.Kind.DAILY, day, rules)

"""Meetings (早会, 夕会, 周例会, 经营分析会, 复盘会): scheduled by a leader with an agenda
generated from the numbers, attendance per invitee, minutes, and action items that become
follow-up tasks in their owner's My day, tracked to done."""

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Instalment
from leads.models import Lead, StageChange
from performance.kpis import targets_by
from salescrm.errors import BusinessRuleError
from salescrm.models import Notification, Team, User
from salescrm.money import round_percent
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.scoping import managed_team_ids
from salescrm.services import notify
from salescrm.timeutil import (
    SHANGHAI,
    month_start,
    quarter_start,
)
from targets import selectors

from ..models import ActionItem, Bulletin, Meeting, MeetingAttendee

Kind = Meeting.Kind
REVIEWS = (Kind.MONTHLY_REVIEW, Kind.QUARTERLY_REVIEW)
LOSS_REVIEW_DAYS = 30


def may_run(user, meeting: Meeting) -> bool:
    """Whether `user` manages `meeting`: its organiser, its team's manager, the director."""
    if user.has_role(Role.DIRECTOR) or meeting.organiser_id == user.pk:
        return True
    return user.role == Role.MANAGER and meeting.team_id in managed_team_ids(user)


def _ensure_runs(actor, meeting):
    ensure_may(actor, Action.MEETING_MANAGE)
    if not may_run(actor, meeting):
        raise BusinessRuleError(_("Only the organiser or the team's manager runs this meeting."))


def _money(value) -> str:
    return f"¥{Decimal(value or 0):,.2f}"


def _bulletin_lines(team: Team | None, day: dt.date) -> list[str]:
    bulletin = Bulletin.objects.filter(day=day, team=team).first()
    if bulletin is None:
        return [_("No bulletin was built for %(day)s.") % {"day": f"{day:%Y-%m-%d}"}]
    f = bulletin.figures
    lines = [
        _("Signed %(signed)s (%(contracts)s contracts), collected %(collected)s")
        % {
            "signed": _money(f["signed"]),
            "contracts": f["contracts"],
            "collected": _money(f["collected"]),
        },
        _("New A/B prospect cards: %(cards)s; trial lessons: %(trials)s")
        % {"cards": f["new_prospect_cards"], "trials": f["trial_lessons"]},
    ]
    if f.get("achievement") is not None:
        lines.append(
            _("Month to date: %(signed)s of %(target)s target (%(rate)s %%)")
            % {
                "signed": _money(f["month_signed"]),
                "target": _money(f["month_target"]),
                "rate": f["achievement"],
            }
        )
    for leader in f.get("leaders", []):
        lines.append(
            f"  {leader['rank']}. {leader['name']} {_money(leader['signed'])}"
            + (
                f" ▲{leader['move']}"
                if leader["move"] > 0
                else f" ▼{-leader['move']}"
                if leader["move"] < 0
                else ""
            )
        )
    return lines


def _member_ids(team: Team | None) -> list[int]:
    people = User.objects.filter(is_active=True, role__in=(Role.REP, Role.MANAGER))
    if team is not None:
        people = people.filter(team=team)
    return list(people.values_list("pk", flat=True))


def _review_lines(team, first: dt.date, today: dt.date) -> list[str]:
    members = _member_ids(team)
    last = today - dt.timedelta(days=1)
    signed = selectors.signed_amount(first, last) if last >= first else {}
    collected = selectors.collected_amount(first, last) if last >= first else {}
    targets = targets_by("signed_amount", first, last) if last >= first else {}
    signed_total = sum((signed.get(pk, 0) for pk in members), Decimal(0))
    target_total = sum((targets.get(pk, 0) for pk in members), Decimal(0))
    lines = [
        _(
            "Achievement: signed %(signed)s against %(target)s target%(rate)s; collected %(collected)s"
        )
        % {
            "signed": _money(signed_total),
            "target": _money(target_total),
            "rate": f" ({round_percent(signed_total * 100 / target_total)} %)"
            if target_total
            else "",
            "collected": _money(sum((collected.get(pk, 0) for pk in members), Decimal(0))),
        }
    ]
    stages = Counter(
        dict(
            Lead.objects.filter(owner_id__in=members)
            .open()
            .values("stage")
            .annotate(n=Count("id"))
            .values_list("stage", "n")
            .order_by()
        )
    )
    labels = dict(Lead.Stage.choices)
    lines.append(
        _("Funnel (open leads): %(stages)s")
        % {
            "stages": ", ".join(
                f"{labels[s]} {stages[s]}" for s in Lead.Stage.values if stages.get(s)
            )
        }
        if stages
        else _("Funnel: no open leads.")
    )
    overdue = (
        Instalment.objects.receivable()
        .filter(contract__owner_id__in=members, due_on__lt=today)
        .aggregate(n=Count("id"), due=Sum("amount"), paid=Sum("paid_amount"))
    )
    lines.append(
        _("Overdue receivables: %(n)s instalments, %(amount)s outstanding")
        % {"n": overdue["n"], "amount": _money((overdue["due"] or 0) - (overdue["paid"] or 0))}
    )
    anomalies = Notification.objects.filter(
        kind="kpi_anomaly", recipient_id__in=members, created_at__date__gte=first
    ).count()
    lines.append(_("KPI anomaly alerts this period: %(n)s") % {"n": anomalies})
    return lines


def _loss_lines(team, today: dt.date) -> list[str]:
    members = _member_ids(team)
    since = today - dt.timedelta(days=LOSS_REVIEW_DAYS)
    lost = (
        StageChange.objects.filter(
            to_stage=Lead.Stage.LOST,
            lead__owner_id__in=members,
            changed_at__date__gte=since,
        )
        .select_related("lead", "lead__lost_reason", "lead__owner")
        .order_by("-changed_at")[:20]
    )
    lines = [_("Deals lost in the last %(days)s days:") % {"days": LOSS_REVIEW_DAYS}]
    lines += [
        f"- {change.lead.name} ({change.lead.owner or '—'}): {change.lead.lost_reason or '—'}"
        for change in lost
    ] or [_("none")]
    return lines


def generate_agenda(kind: str, team: Team | None, day: dt.date) -> str:
    """The agenda of a meeting on `day`, from the numbers: yesterday's bulletin for a morning,
    evening or weekly meeting; achievement, funnel, overdue receivables and anomaly alerts
    of the month or quarter to date for a business review; the lost deals of the last 30
    days for a win/loss review. Open action items close every agenda."""
    yesterday = day - dt.timedelta(days=1)
    if kind in REVIEWS:
        first = month_start(day) if kind == Kind.MONTHLY_REVIEW else quarter_start(day)
        title = _("Business review, %(first)s to %(last)s") % {
            "first": f"{first:%Y-%m-%d}",
            "last": f"{yesterday:%Y-%m-%d}",
        }
        body = _review_lines(team, first, day)
    elif kind == Kind.LOSS_REVIEW:
        title = _("Win/loss review")
        body = _loss_lines(team, day)
    else:
        title = _("Yesterday's bulletin (%(day)s)") % {"day": f"{yesterday:%Y-%m-%d}"}
        body = _bulletin_lines(team, yesterday)
    open_items = ActionItem.objects.open().filter(owner_id__in=_member_ids(team)).count()
    return "\n".join(
        [
            f"1. {title}",
            *[f"   {line}" for line in body],
            "2. " + _("Open action items: %(n)s") % {"n": open_items},
            "3. " + _("Today's focus and commitments"),
        ]
    )


@transaction.atomic
def meeting_schedule(
    *, actor: User, kind: str, title: str, starts_at: dt.datetime, team: Team | None
) -> Meeting:
    """Schedule a meeting: a manager for a team they lead, the director for any team or the
    whole company. Every active member of the team (the company's sales side) is invited;
    the agenda is generated and can then be edited."""
    ensure_may(actor, Action.MEETING_MANAGE)
    kind = Kind(kind)
    if actor.role == Role.MANAGER and (team is None or team.pk not in managed_team_ids(actor)):
        raise BusinessRuleError(_("A manager schedules meetings of the team they lead."))
    title = (title or "").strip() or str(Kind(kind).label)
    meeting = Meeting.objects.create(
        team=team,
        organiser=actor,
        kind=kind,
        title=title[:200],
        starts_at=starts_at,
        agenda=generate_agenda(kind, team, starts_at.astimezone(SHANGHAI).date()),
    )
    invitees = set(_member_ids(team)) | {actor.pk}
    MeetingAttendee.objects.bulk_create(
        [MeetingAttendee(meeting=meeting, person_id=pk) for pk in sorted(invitees)]
    )
    return meeting


@transaction.atomic
def meeting_update(*, actor: User, meeting: Meeting, agenda: str, minutes: str) -> Meeting:
    _ensure_runs(actor, meeting)
    meeting.agenda = (agenda or "")[:20000]
    meeting.minutes = (minutes or "")[:20000]
    meeting.save(update_fields=["agenda", "minutes"])
    return meeting


@transaction.atomic
def meeting_take_attendance(*, actor: User, meeting: Meeting, statuses: dict[int, str]) -> int:
    """Set each invitee's status (present, late, absent, excused); ids that are not invitees
    are ignored. Returns how many changed."""
    _ensure_runs(actor, meeting)
    valid = set(MeetingAttendee.Status.values)
    changed = []
    for attendee in meeting.attendees.select_for_update():
        status = statuses.get(attendee.person_id)
        if status in valid and status != attendee.status:
            attendee.status = status
            changed.append(attendee)
    MeetingAttendee.objects.bulk_update(changed, ["status"])
    return len(changed)


@transaction.atomic
def action_item_add(
    *, actor: User, meeting: Meeting, owner: User, description: str, due_on: dt.date
) -> ActionItem:
    """An action item for an invitee of the meeting, with a due date; the owner is notified
    and finds it in My day until it is done."""
    _ensure_runs(actor, meeting)
    if not meeting.attendees.filter(person=owner).exists():
        raise BusinessRuleError(_("The owner of an action item must be invited to the meeting."))
    description = (description or "").strip()
    if not description:
        raise BusinessRuleError(_("Describe the action."))
    if due_on < meeting.starts_at.astimezone(SHANGHAI).date():
        raise BusinessRuleError(_("The due date cannot be before the meeting."))
    item = ActionItem.objects.create(
        meeting=meeting, owner=owner, description=description[:300], due_on=due_on, created_by=actor
    )
    notify(
        recipient=owner,
        kind="action_item",
        key=f"action_item:{item.pk}",
        title=_("Action item from %(meeting)s, due %(due)s: %(what)s")
        % {"meeting": meeting.title, "due": f"{due_on:%Y-%m-%d}", "what": item.description[:80]},
        url=reverse("leads:my_day"),
    )
    return item


@transaction.atomic
def action_item_done(*, actor: User, item: ActionItem) -> ActionItem:
    """Mark an action item done: its owner, or whoever runs the meeting. Done twice is done
    once (the first time is kept)."""
    ensure_may(actor, Action.ACTION_ITEM_DONE)
    if item.owner_id != actor.pk and not may_run(actor, item.meeting):
        raise BusinessRuleError(_("Only the owner of the action item marks it done."))
    ActionItem.objects.filter(pk=item.pk, done_at__isnull=True).update(done_at=timezone.now())
    item.refresh_from_db()
    return item

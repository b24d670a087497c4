"""Writes on leads. Every entry point (views, public form, import, admin, nightly jobs, the
customers app) goes through these functions, so each state change is written once."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salescrm.errors import BusinessRuleError
from salescrm.extensions import extensions_saved
from salescrm.models import Team, User
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.scoping import managed_team_ids
from salescrm.services import notify, notify_many
from salescrm.submissions import submitted_once
from salescrm.timeutil import local_today, start_of_day, validate_business_date

from .models import (
    Activity,
    ActivityPlan,
    Assignment,
    Channel,
    CoachingComment,
    GradeOverride,
    Lead,
    LeadSettings,
    LostReason,
    RoundRobinCursor,
    StageChange,
    pool_clock,
)
from .normalise import normalise_email, normalise_phone
from .scoring import lead_rescore


class LeadError(BusinessRuleError):
    """A business rule refused the change; the message is meant for the user."""


class DuplicateLead(LeadError):
    def __init__(self, existing: Lead):
        super().__init__(_("A lead with this phone number or e-mail already exists."))
        self.existing = existing


# Kinds that count as a follow-up by the rep (resetting the pool clock and moving a new lead
# to "contacted"); a re-enquiry comes from the prospect and a note is internal.
FOLLOW_UP_KINDS = {k for k in Activity.Kind.values} - {
    Activity.Kind.RE_ENQUIRY,
    Activity.Kind.NOTE,
}


def normalise_identity(fields: dict) -> dict:
    """Normalise phone, payer phone and e-mail in place; ValidationError names the field."""
    errors = {}
    for name, func in (
        ("phone", normalise_phone),
        ("payer_phone", normalise_phone),
        ("email", normalise_email),
    ):
        if name in fields:
            try:
                fields[name] = func(fields[name] or "")
            except ValidationError as exc:
                errors[name] = exc.messages
    if errors:
        raise BusinessRuleError(errors)
    return fields


def find_duplicate(*, phone: str = "", email: str = "", exclude_pk=None) -> Lead | None:
    match = Q(pk__in=[])
    if phone:
        match |= Q(phone=phone)
    if email:
        match |= Q(email=email)
    qs = Lead.objects.filter(match)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("pk").first()


def round_robin_owners(*, team: Team | None, count: int = 1) -> list[int | None]:
    """Ids of the next `count` active reps of `team` going round by id from the one who got
    the last lead (None each: the team pool, when there is no team or no active rep). Must run
    in a transaction: the cursor row stays locked until it commits, so concurrent captures
    and imports queue up and the turn survives restarts."""
    if team is None or count == 0:
        return [None] * count
    RoundRobinCursor.objects.get_or_create(team=team)
    cursor = RoundRobinCursor.objects.select_for_update().get(team=team)
    reps = list(
        User.objects.filter(team=team, role=Role.REP, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not reps:
        return [None] * count
    last = cursor.last_user_id
    start = next((i for i, pk in enumerate(reps) if last is None or pk > last), 0)
    owners = [reps[(start + i) % len(reps)] for i in range(count)]
    cursor.last_user_id = owners[-1]
    cursor.save(update_fields=["last_user"])
    return owners


def _record_stage(lead: Lead, from_stage: str, actor, at: dt.datetime) -> None:
    StageChange.objects.create(
        lead=lead, from_stage=from_stage, to_stage=lead.stage, changed_by=actor, changed_at=at
    )


@submitted_once
@transaction.atomic
def lead_create(*, actor: User | None, round_robin_team: Team | None = None, **fields) -> Lead:
    """Create a lead. The owner is, in this order: the round-robin rep of `round_robin_team`
    (form and import; the team pool when it has no active rep), `fields["owner"]` when given
    (None = the pool), else `actor`. Raises DuplicateLead when the normalised phone or e-mail
    already belongs to a lead (also when a concurrent capture wins the race), ValidationError
    for a bad phone or e-mail."""
    if actor is not None:  # None: the public form, an import command, the nightly job
        ensure_may(actor, Action.LEAD_CREATE)
    fields = normalise_identity(dict(fields))
    existing = find_duplicate(phone=fields.get("phone", ""), email=fields.get("email", ""))
    if existing:
        raise DuplicateLead(existing)
    now = timezone.now()
    fields.setdefault("created_at", now)
    stage = fields.setdefault("stage", Lead.Stage.NEW)
    if stage == Lead.Stage.WON:
        fields.setdefault("won_at", fields["created_at"])
    reason = Assignment.Reason.CREATED
    try:
        # One savepoint for the cursor and the insert: a duplicate found by the constraint
        # also undoes the round-robin step, so the next rep is not skipped.
        with transaction.atomic():
            if round_robin_team is not None:
                fields["owner_id"] = round_robin_owners(team=round_robin_team)[0]
                fields.pop("owner", None)
                fields["team"] = round_robin_team
                reason = Assignment.Reason.ROUND_ROBIN
            elif "owner" not in fields and "owner_id" not in fields:
                fields["owner"] = actor
            lead = Lead(created_by=actor, **fields)
            if lead.owner_id and not lead.team_id:
                lead.team_id = (
                    User.objects.filter(pk=lead.owner_id).values_list("team_id", flat=True).first()
                )
            if lead.owner_id:
                lead.assigned_at = now
            lead.save(force_insert=True)
    except IntegrityError:
        existing = find_duplicate(phone=lead.phone, email=lead.email)
        if existing is None:
            raise
        raise DuplicateLead(existing) from None
    _record_stage(lead, "", actor, lead.created_at)
    Assignment.objects.create(
        lead=lead,
        from_owner=None,
        to_owner_id=lead.owner_id,
        reason=reason,
        changed_by=actor,
        changed_at=now,
    )
    if round_robin_team is not None and lead.owner_id:
        notify(
            recipient=lead.owner,
            kind="lead_assigned",
            key=f"lead-assigned:{lead.pk}:{lead.owner_id}",
            params={"name": lead.name[:100]},
            url=lead.get_absolute_url(),
        )
    return lead_rescore(lead)


def capture_team() -> Team | None:
    """The team whose reps receive web-form leads by round-robin (admin-set)."""
    team = LeadSettings.load().capture_team
    if team and team.is_active:
        return team
    return (
        Team.objects.filter(is_active=True, members__role=Role.REP, members__is_active=True)
        .order_by("name")
        .first()
    )


def capture_channel() -> Channel:
    """The channel of web-form leads: "website", or the first active one if an admin removed it."""
    return (
        Channel.objects.filter(code="website").first()
        or Channel.objects.filter(is_active=True).order_by("code").first()
    )


@transaction.atomic
def lead_capture(
    *,
    name: str,
    phone: str = "",
    email: str = "",
    company: str = "",
    region: str = "",
    product_line=None,
    message: str = "",
    territory=None,
    channel: Channel | None = None,
) -> tuple[Lead, bool]:
    """A prospect's own enquiry (public form): a new lead for the next rep of the capture
    team, or, when the phone or e-mail is known, a re-enquiry on the existing lead.
    Returns (lead, created)."""
    try:
        lead = lead_create(
            actor=None,
            round_robin_team=capture_team(),
            name=name,
            phone=phone,
            email=email,
            company=company,
            region=region,
            territory=territory,
            product_line=product_line,
            needs=message,
            channel=channel or capture_channel(),
        )
        return lead, True
    except DuplicateLead as duplicate:
        existing = duplicate.existing
    activity_log(
        lead=existing,
        actor=None,
        kind=Activity.Kind.RE_ENQUIRY,
        outcome=_("Enquired again through the web form"),
        feedback="\n".join(part for part in (name, company, message) if part),
    )
    if existing.owner_id:
        notify(
            recipient=existing.owner,
            kind="lead_re_enquiry",
            key=f"lead-re-enquiry:{existing.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
            params={"name": existing.name[:100]},
            url=existing.get_absolute_url(),
        )
    return existing, False


@transaction.atomic
def lead_update(*, lead: Lead, actor: User, **fields) -> Lead:
    """Edit a lead's details (not owner or stage: see lead_assign and lead_change_stage)."""
    ensure_may(actor, Action.LEAD_UPDATE)
    fields = normalise_identity(dict(fields))
    for forbidden in ("owner", "owner_id", "stage", "lost_reason", "won_at", "grade_override"):
        fields.pop(forbidden, None)
    existing = find_duplicate(
        phone=fields.get("phone", ""), email=fields.get("email", ""), exclude_pk=lead.pk
    )
    if existing:
        raise DuplicateLead(existing)
    for name, value in fields.items():
        setattr(lead, name, value)
    try:
        with transaction.atomic():
            lead.save(update_fields=list(fields))
    except IntegrityError:
        existing = find_duplicate(phone=lead.phone, email=lead.email, exclude_pk=lead.pk)
        if existing is None:
            raise
        raise DuplicateLead(existing) from None
    return lead_rescore(lead)


@transaction.atomic
def lead_change_stage(
    *, lead: Lead, actor: User | None, to_stage: str, lost_reason: LostReason | None = None
) -> Lead:
    """Move a lead to `to_stage`, recording who and when. Lost needs a reason; a won lead
    stays won (it has become a customer)."""
    if actor is not None:  # None: the public form, an import command, the nightly job
        ensure_may(actor, Action.LEAD_CHANGE_STAGE)
    if to_stage not in Lead.Stage.values:
        raise LeadError(_("Unknown stage."))
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.stage == to_stage and to_stage != Lead.Stage.LOST:
        return locked
    if locked.stage == Lead.Stage.WON:
        raise LeadError(_("A won lead cannot change stage."))
    if to_stage == Lead.Stage.LOST and lost_reason is None:
        raise LeadError(_("Choose why the lead was lost."))
    now = timezone.now()
    from_stage = locked.stage
    locked.stage = to_stage
    locked.lost_reason = lost_reason if to_stage == Lead.Stage.LOST else None
    locked.won_at = now if to_stage == Lead.Stage.WON else None
    locked.save(update_fields=["stage", "lost_reason", "won_at"])
    if from_stage != to_stage:
        _record_stage(locked, from_stage, actor, now)
    lead.stage, lead.lost_reason, lead.won_at = locked.stage, locked.lost_reason, locked.won_at
    return locked


@submitted_once
@transaction.atomic
def activity_log(
    *,
    lead: Lead,
    actor: User | None,
    kind: str,
    occurred_at: dt.datetime | None = None,
    outcome: str = "",
    feedback: str = "",
    next_step: str = "",
    next_follow_up_on: dt.date | None = None,
    extras: dict | None = None,
) -> Activity:
    """Log a follow-up, visit or note on a lead (activities on a customer go on its lead).

    A follow-up by the rep resets the pool clock and moves a new lead to "contacted".
    `extras` are the values of the fields other apps added to the form (the script used):
    each app saves its part in this transaction (salescrm.extensions), and a refusal there
    leaves no follow-up either."""
    if actor is not None:  # None: the public form, an import command, the nightly job
        ensure_may(actor, Action.FOLLOW_UP_LOG)
        # A follow-up resets the pool clock: only on a lead the actor works (own or team's).
        if not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
            raise LeadError(_("You can only log follow-ups on your own or your team's leads."))
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + dt.timedelta(minutes=5):
        raise LeadError(_("A follow-up cannot happen in the future."))
    if kind not in Activity.Kind.values:
        raise LeadError(_("Unknown kind of follow-up."))
    for day in (occurred_at, next_follow_up_on):
        if day is not None:
            try:
                validate_business_date(day)
            except ValidationError as exc:
                raise LeadError(exc.messages[0]) from None
    activity = Activity.objects.create(
        lead=lead,
        actor=actor,
        kind=kind,
        occurred_at=occurred_at,
        outcome=outcome,
        feedback=feedback,
        next_step=next_step,
        next_follow_up_on=next_follow_up_on,
    )
    if extras is not None:
        extensions_saved(activity=activity, actor=actor, data=extras)
    if kind in FOLLOW_UP_KINDS:
        # Conditional update: a late entry of an older call never moves the clock back, nor
        # replaces the next follow-up date planned at a later call.
        Lead.objects.filter(pk=lead.pk).filter(
            Q(last_activity_at__isnull=True) | Q(last_activity_at__lte=occurred_at)
        ).update(last_activity_at=occurred_at, next_follow_up_on=next_follow_up_on)
        if lead.stage == Lead.Stage.NEW:
            lead_change_stage(lead=lead, actor=actor, to_stage=Lead.Stage.CONTACTED)
    elif next_follow_up_on:
        Lead.objects.filter(pk=lead.pk).update(next_follow_up_on=next_follow_up_on)
    lead_rescore(lead)
    lead.refresh_from_db(fields=["last_activity_at", "next_follow_up_on", "stage"])
    return activity


@transaction.atomic
def activity_plan_save(*, actor: User, plan: ActivityPlan | None = None, **fields) -> ActivityPlan:
    """Create (no `plan`) or change a rep's own weekly activity plan (活动量管理, seed 004).
    Only the plan's rep writes it; one plan per rep and week (a second one for the same week,
    even one saved by a concurrent request, is refused with the form's message)."""
    ensure_may(actor, Action.ACTIVITY_PLAN_SAVE)
    plan = plan if plan is not None else ActivityPlan(rep=actor)
    if plan.rep_id != actor.pk:
        raise LeadError(_("Only the rep writes their own weekly plan."))
    for name, value in fields.items():
        setattr(plan, name, value)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise LeadError(_("You already have a plan for this week.")) from None
    return plan


@submitted_once
@transaction.atomic
def coaching_comment_add(*, plan: ActivityPlan, actor: User, body: str) -> CoachingComment:
    return CoachingComment.objects.create(plan=plan, author=actor, body=body)


def can_manage(actor: User, owner_team_id: int | None) -> bool:
    if actor.sees_all and actor.has_role(Role.DIRECTOR, Role.ADMIN):
        return True
    return actor.role == Role.MANAGER and owner_team_id in managed_team_ids(actor)


@transaction.atomic
def lead_assign(*, lead: Lead, actor: User, to_owner: User | None) -> Lead:
    """A manager (re)assigns a lead to a member of their team, or puts it in the pool."""
    ensure_may(actor, Action.LEAD_ASSIGN)
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    current_team = locked.team_id or (locked.owner.team_id if locked.owner_id else None)
    if not can_manage(actor, current_team):
        raise LeadError(_("Only the team's manager can reassign this lead."))
    if to_owner is not None:
        if not to_owner.is_active or not can_manage(actor, to_owner.team_id):
            raise LeadError(_("The new owner must be an active member of your team."))
    if locked.owner_id == (to_owner.pk if to_owner else None):
        return locked
    now = timezone.now()
    Assignment.objects.create(
        lead=locked,
        from_owner_id=locked.owner_id,
        to_owner=to_owner,
        reason=Assignment.Reason.MANUAL,
        changed_by=actor,
        changed_at=now,
    )
    locked.owner = to_owner
    if to_owner is not None:
        locked.team_id = to_owner.team_id
    locked.assigned_at = now
    locked.save(update_fields=["owner", "team", "assigned_at"])
    return locked


@transaction.atomic
def lead_claim(*, lead: Lead, actor: User) -> Lead:
    """A rep takes a lead from their team's pool: at most `daily_claim_cap` a day, and not a
    lead the pool took from them in the last `reclaim_block_days` days."""
    ensure_may(actor, Action.LEAD_CLAIM)
    settings = LeadSettings.load()
    # Lock the rep first: two claims by one rep at once are counted one after the other.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.owner_id is not None or not locked.is_open:
        raise LeadError(_("This lead is no longer in the pool."))
    if locked.team_id != actor.team_id:
        raise LeadError(_("You can only claim leads from your own team's pool."))
    now = timezone.now()
    today_start = start_of_day(timezone.localdate(now))
    claims_today = Assignment.objects.filter(
        to_owner=actor, reason=Assignment.Reason.CLAIM, changed_at__gte=today_start
    ).count()
    if claims_today >= settings.daily_claim_cap:
        raise LeadError(
            _("You have reached today's limit of %(cap)d claims.")
            % {"cap": settings.daily_claim_cap}
        )
    blocked = Assignment.objects.filter(
        lead=locked,
        from_owner=actor,
        reason=Assignment.Reason.RECLAIM,
        changed_at__gte=now - dt.timedelta(days=settings.reclaim_block_days),
    ).exists()
    if blocked:
        raise LeadError(
            _(
                "This lead returned to the pool from you; you can claim it again after %(days)d days."
            )
            % {"days": settings.reclaim_block_days}
        )
    Assignment.objects.create(
        lead=locked,
        from_owner=None,
        to_owner=actor,
        reason=Assignment.Reason.CLAIM,
        changed_by=actor,
        changed_at=now,
    )
    locked.owner = actor
    # The pool clock starts again from the claim (see leads_reclaim).
    locked.assigned_at = now
    locked.save(update_fields=["owner", "assigned_at"])
    return locked


@transaction.atomic
def leads_reclaim(*, business_date: dt.date) -> dict:
    """Nightly (SPEC §2 公海): open leads whose last follow-up (or assignment, or creation) is
    more than `pool_after_days` before the end of `business_date` go back to their team's
    pool; owners are reminded `pool_reminder_days` before. Idempotent: a second run finds
    nothing more to move and sends no reminder twice.

    Leads with a contract are exempt by construction: a contract belongs to a customer, a
    customer to a won lead, and only open leads are reclaimed."""
    settings = LeadSettings.load()
    day_end = start_of_day(business_date + dt.timedelta(days=1))
    cutoff = day_end - dt.timedelta(days=settings.pool_after_days)
    # Unordered, so that PostgreSQL reads lead_owned_open_clock_idx rather than every lead in
    # the default order.
    owned = Lead.objects.open().filter(owner__isnull=False).annotate(touched_at=pool_clock())

    def idle_since(moment):
        return owned.filter(touched_at__lt=moment).order_by()

    due = list(idle_since(cutoff).select_for_update().values_list("pk", "owner_id"))
    now = timezone.now()
    Assignment.objects.bulk_create(
        [
            Assignment(
                lead_id=pk,
                from_owner_id=owner_id,
                to_owner=None,
                reason=Assignment.Reason.RECLAIM,
                changed_at=now,
            )
            for pk, owner_id in due
        ],
        batch_size=2000,
    )
    ids = [pk for pk, _owner in due]
    Lead.objects.filter(pk__in=ids, team__isnull=True).update(
        team_id=Subquery(User.objects.filter(pk=OuterRef("owner_id")).values("team_id")[:1])
    )
    Lead.objects.filter(pk__in=ids).update(owner=None, assigned_at=None)

    remind_cutoff = cutoff + dt.timedelta(days=settings.pool_reminder_days)
    reminders = [
        {
            "recipient_id": owner_id,
            "kind": "lead_pool_reminder",
            # One reminder per idle spell: a new follow-up gives a new key.
            "key": f"lead-pool-reminder:{pk}:{touched.isoformat()}",
            "params": {"name": name[:80]},
            "url": reverse("leads:detail", args=[pk]),
        }
        for pk, owner_id, name, touched in idle_since(remind_cutoff).values_list(
            "pk", "owner_id", "name", "touched_at"
        )
    ]
    reminded = notify_many(reminders)
    return {"reclaimed": len(ids), "reminded": reminded}


@transaction.atomic
def lead_merge(*, keep: Lead, drop: Lead, actor: User) -> Lead:
    """A manager merges a duplicate into the lead to keep: its follow-ups, history and
    assignments move over, blank details are filled from it, then it is deleted."""
    ensure_may(actor, Action.LEAD_MERGE)
    if keep.pk == drop.pk:
        raise LeadError(_("Choose two different leads."))
    keep, drop = (
        Lead.objects.select_for_update().get(pk=keep.pk),
        Lead.objects.select_for_update().get(pk=drop.pk),
    )
    for lead in (keep, drop):
        if not can_manage(actor, lead.team_id):
            raise LeadError(_("Only the team's manager can merge these leads."))
    if drop.stage == Lead.Stage.WON:
        raise LeadError(_("A won lead cannot be merged into another one."))
    Activity.objects.filter(lead=drop).update(lead=keep)
    StageChange.objects.filter(lead=drop).update(lead=keep)
    Assignment.objects.filter(lead=drop).update(lead=keep)
    filled = [
        name
        for name in ("phone", "email", "wechat", "company", "region", "payer_name", "payer_phone")
        if not getattr(keep, name) and getattr(drop, name)
    ]
    values = {name: getattr(drop, name) for name in filled}
    drop.delete()
    for name, value in values.items():
        setattr(keep, name, value)
    if filled:
        keep.save(update_fields=filled)
    return lead_rescore(keep)


@transaction.atomic
def lead_grade_override(*, lead: Lead, actor: User, grade: str) -> Lead:
    """Set the lead's grade by hand ("A", "B" or "C"), or return it to the score's grade
    (""). The score's rules keep running; the grade shown and filtered on is the one set by
    hand until it is cleared. Every change is kept in GradeOverride."""
    ensure_may(actor, Action.LEAD_GRADE_OVERRIDE)
    if grade not in ("", *Lead.Grade.values):
        raise LeadError(_("The grade is A, B or C."))
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.grade_override == grade:
        return locked
    GradeOverride.objects.create(
        lead=locked, from_grade=locked.grade, to_override=grade, changed_by=actor
    )
    locked.grade_override = grade
    locked.save(update_fields=["grade_override"])
    lead_rescore(locked)
    lead.grade_override, lead.grade = locked.grade_override, locked.grade
    return locked


RESCHEDULABLE = {"follow_up": "next_follow_up_on", "trial": "trial_lesson_on"}


@transaction.atomic
def lead_reschedule(*, lead: Lead, actor: User, what: str, day: dt.date) -> Lead:
    """Move a lead's next follow-up (`what` = "follow_up") or booked trial lesson ("trial")
    to `day`, as the calendar does when an item is dragged. A day in the past or outside the
    business range is refused, and so is a closed lead."""
    ensure_may(actor, Action.LEAD_UPDATE)
    field = RESCHEDULABLE.get(what)
    if field is None:
        raise LeadError(_("Only follow-ups and trial lessons can be moved."))
    try:
        validate_business_date(day)
    except ValidationError as exc:
        raise LeadError(exc.messages[0]) from None
    if day < local_today():
        raise LeadError(_("Choose today or a later day: %(day)s has passed.") % {"day": day})
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.stage in (Lead.Stage.WON, Lead.Stage.LOST):
        raise LeadError(_("A closed lead has nothing to move."))
    setattr(locked, field, day)
    locked.save(update_fields=[field])
    setattr(lead, field, day)
    return locked

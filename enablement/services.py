"""Every write of the enablement app. Each one checks the role matrix first
(``ensure_may``), then the rows the actor may act on, and refuses with a
``BusinessRuleError`` that says why; nothing is written on a refusal."""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Contract
from leads.models import Activity
from salescrm.errors import BusinessRuleError
from salescrm.models import User
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.submissions import submitted_once
from salescrm.timeutil import local_today

from .models import (
    Attendance,
    Course,
    EnablementSettings,
    OnboardingItem,
    OnboardingPlan,
    OnboardingTemplate,
    PromotionCase,
    Script,
    ScriptUsage,
    ScriptVersion,
    TrainingPlanItem,
    TrainingSession,
)
from .promotion import eligible_reps

VERSION_TEXT_FIELDS = (
    "body",
    "objection",
    "evidence",
    "customer",
    "problem",
    "solution",
    "result",
    "contract",
)


def _check_text(kind: str, text: dict, actor: User) -> None:
    contract = text.get("contract")
    if contract is not None and not (
        Contract.objects.visible_to(actor)
        .filter(pk=contract.pk, status__in=Contract.SIGNED_STATES)
        .exists()
    ):
        raise BusinessRuleError(_("A case study links one of your signed contracts."))
    if not (text.get("body") or "").strip():
        raise BusinessRuleError(_("Write the text of the entry."))
    if kind == Script.Kind.OBJECTION and not (text.get("objection") or "").strip():
        raise BusinessRuleError(_("An objection card names the objection it answers."))
    if kind == Script.Kind.CASE and not all(
        (text.get(field) or "").strip() for field in ("customer", "problem", "result")
    ):
        raise BusinessRuleError(_("A case study names the customer, the problem and the result."))


# --- the library ------------------------------------------------------------------------------


@submitted_once
@transaction.atomic
def script_create(
    *, actor: User, kind: str, title: str, stage: str = "", product_line=None, **text
) -> Script:
    """A new library entry with its first version, waiting for a manager's approval."""
    ensure_may(actor, Action.SCRIPT_WRITE)
    if kind not in Script.Kind.values:
        raise BusinessRuleError(_("Unknown kind of entry."))
    if not title.strip():
        raise BusinessRuleError(_("Give the entry a title."))
    _check_text(kind, text, actor)
    script = Script.objects.create(
        kind=kind, title=title.strip(), stage=stage, product_line=product_line, created_by=actor
    )
    _new_version(script, actor, text)
    return script


def _new_version(script: Script, actor: User, text: dict) -> ScriptVersion:
    number = (script.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    fields = {name: text.get(name) or ("" if name != "contract" else None) for name in text}
    fields = {name: value for name, value in fields.items() if name in VERSION_TEXT_FIELDS}
    return ScriptVersion.objects.create(
        script=script,
        number=number,
        author=actor,
        status=ScriptVersion.Status.PENDING,
        **fields,
    )


@submitted_once
@transaction.atomic
def script_revise(*, actor: User, script: Script, **text) -> ScriptVersion:
    """A new version of an entry; the published one stays until this one is approved."""
    ensure_may(actor, Action.SCRIPT_WRITE)
    script = Script.objects.select_for_update().get(pk=script.pk)
    if not Script.objects.visible_to(actor).filter(pk=script.pk).exists():
        raise BusinessRuleError(_("You cannot revise this entry."))
    if script.is_retired:
        raise BusinessRuleError(_("This entry is retired."))
    _check_text(script.kind, text, actor)
    return _new_version(script, actor, text)


@transaction.atomic
def version_decide(
    *, actor: User, version: ScriptVersion, approve: bool, note: str = ""
) -> ScriptVersion:
    """Approve (publish) or reject a version waiting for approval. Nobody approves their
    own version. Publishing supersedes the version published before."""
    ensure_may(actor, Action.SCRIPT_APPROVE)
    script = Script.objects.select_for_update().get(pk=version.script_id)
    version = ScriptVersion.objects.get(pk=version.pk)
    if version.status != ScriptVersion.Status.PENDING:
        raise BusinessRuleError(_("This version is not waiting for approval."))
    if version.author_id == actor.pk:
        raise BusinessRuleError(_("Nobody approves their own version."))
    if not approve and not note.strip():
        raise BusinessRuleError(_("Say why the version is rejected."))
    now = timezone.now()
    if approve:
        ScriptVersion.objects.filter(script=script, status=ScriptVersion.Status.PUBLISHED).update(
            status=ScriptVersion.Status.SUPERSEDED
        )
        version.status = ScriptVersion.Status.PUBLISHED
    else:
        version.status = ScriptVersion.Status.REJECTED
    version.decided_by, version.decided_at, version.decision_note = actor, now, note.strip()
    version.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        script.published_version = version
        script.save(update_fields=["published_version"])
    return version


def script_usage_record(*, activity: Activity, actor: User, script: Script) -> ScriptUsage:
    """Mark `script` as used on `activity` (the follow-up form's "script used"). Only a
    published entry offered for the lead's stage and product line, by whoever logged it."""
    if activity.actor_id != actor.pk:
        raise BusinessRuleError(_("Only who logged the follow-up marks the script used."))
    offered = Script.objects.for_lead(activity.lead).filter(pk=script.pk)
    script = offered.select_related("published_version").first()
    if script is None:
        raise BusinessRuleError(_("This script is not offered for the lead's stage."))
    return ScriptUsage.objects.create(
        activity=activity,
        script=script,
        version=script.published_version,
        rep=actor,
        used_at=activity.occurred_at,
    )


# --- onboarding -------------------------------------------------------------------------------


def _leads_rep(actor: User, rep: User) -> bool:
    """A manager acts on the reps of their teams; the director and admins on all."""
    return User.objects.visible_to(actor).filter(pk=rep.pk, role=Role.REP).exists()


@submitted_once
@transaction.atomic
def onboarding_plan_start(
    *,
    actor: User,
    rep: User,
    template: OnboardingTemplate,
    mentor: User | None = None,
    hire_date: dt.date | None = None,
    ramp_activities_per_month: int = 40,
) -> OnboardingPlan:
    """The new rep's plan: the template's items, each due its days after the hire date (the
    settings' three weeks when the item names none)."""
    ensure_may(actor, Action.ONBOARDING_MANAGE)
    if not _leads_rep(actor, rep):
        raise BusinessRuleError(_("You can start plans only for reps of your teams."))
    if mentor is not None and (mentor.pk == rep.pk or not mentor.is_active):
        raise BusinessRuleError(_("The mentor must be another active colleague."))
    hire_date = hire_date or rep.hire_date
    if hire_date is None:
        raise BusinessRuleError(_("Give the rep's hire date."))
    if OnboardingPlan.objects.filter(rep=rep).exists():
        raise BusinessRuleError(_("This rep already has an onboarding plan."))
    plan = OnboardingPlan.objects.create(
        rep=rep,
        template=template,
        mentor=mentor,
        hire_date=hire_date,
        ramp_activities_per_month=ramp_activities_per_month,
    )
    default_days = EnablementSettings.load().onboarding_due_days
    OnboardingItem.objects.bulk_create(
        OnboardingItem(
            plan=plan,
            title=item.title,
            order=item.order,
            due_on=hire_date
            + dt.timedelta(days=default_days if item.due_days is None else item.due_days),
        )
        for item in template.items.all()
    )
    return plan


@transaction.atomic
def onboarding_sign_off(*, actor: User, item: OnboardingItem, today: dt.date | None = None):
    """The plan's mentor, or a leader of the rep, signs an item off; never the new rep."""
    ensure_may(actor, Action.ONBOARDING_SIGN_OFF)
    item = OnboardingItem.objects.select_for_update().select_related("plan__rep").get(pk=item.pk)
    plan = item.plan
    is_mentor = plan.mentor_id == actor.pk
    is_leader = actor.role != Role.REP and _leads_rep(actor, plan.rep)
    if actor.pk == plan.rep_id or not (is_mentor or is_leader):
        raise BusinessRuleError(_("Only the mentor or the rep's manager signs items off."))
    if item.signed_off_on is not None:
        raise BusinessRuleError(_("This item is already signed off."))
    item.signed_off_by, item.signed_off_on = actor, today or local_today()
    item.save(update_fields=["signed_off_by", "signed_off_on"])
    return item


@transaction.atomic
def probation_decide(
    *, actor: User, plan: OnboardingPlan, decision: str, reason: str, today: dt.date | None = None
) -> OnboardingPlan:
    """Pass, extend or fail at the end of the three months' probation (not before its last
    month); an extended probation can be decided again."""
    ensure_may(actor, Action.ONBOARDING_MANAGE)
    plan = OnboardingPlan.objects.select_for_update().select_related("rep").get(pk=plan.pk)
    today = today or local_today()
    if not _leads_rep(actor, plan.rep):
        raise BusinessRuleError(_("You can decide only for reps of your teams."))
    if decision not in (
        OnboardingPlan.Decision.PASS,
        OnboardingPlan.Decision.EXTEND,
        OnboardingPlan.Decision.FAIL,
    ):
        raise BusinessRuleError(_("Choose pass, extend or fail."))
    if plan.decision in (OnboardingPlan.Decision.PASS, OnboardingPlan.Decision.FAIL):
        raise BusinessRuleError(_("The probation was already decided."))
    if today < plan.probation_due_on - dt.timedelta(days=30):
        raise BusinessRuleError(_("The probation is decided in its third month at the earliest."))
    if not reason.strip():
        raise BusinessRuleError(_("Give the reason of the decision."))
    plan.decision, plan.decided_on, plan.decided_by = decision, today, actor
    plan.decision_reason = reason.strip()
    plan.save(update_fields=["decision", "decided_on", "decided_by", "decision_reason"])
    return plan


# --- training ---------------------------------------------------------------------------------


@submitted_once
@transaction.atomic
def training_session_create(
    *, actor: User, course: Course, held_on: dt.date, trainer: str = "", location: str = ""
) -> TrainingSession:
    ensure_may(actor, Action.TRAINING_RECORD)
    return TrainingSession.objects.create(
        course=course, held_on=held_on, trainer=trainer, location=location
    )


@transaction.atomic
def attendance_record(
    *, actor: User, session: TrainingSession, rep: User, attended: bool, score: int | None
) -> Attendance:
    """Record (or correct) a rep's attendance and assessment score of a session."""
    ensure_may(actor, Action.TRAINING_RECORD)
    if not _leads_rep(actor, rep):
        raise BusinessRuleError(_("You can record only reps of your teams."))
    if score is not None and not 0 <= score <= 100:
        raise BusinessRuleError(_("A score is between 0 and 100."))
    if score is not None and not attended:
        raise BusinessRuleError(_("Only a rep who attended has a score."))
    attendance, _created = Attendance.objects.update_or_create(
        session=session, rep=rep, defaults={"attended": attended, "score": score}
    )
    return attendance


@transaction.atomic
def training_plan_add(
    *, actor: User, rep: User, course: Course, due_on: dt.date
) -> TrainingPlanItem:
    ensure_may(actor, Action.TRAINING_RECORD)
    if not _leads_rep(actor, rep):
        raise BusinessRuleError(_("You can plan only for reps of your teams."))
    if TrainingPlanItem.objects.filter(rep=rep, course=course).exists():
        raise BusinessRuleError(_("This course is already in the rep's plan."))
    return TrainingPlanItem.objects.create(rep=rep, course=course, due_on=due_on)


# --- promotion --------------------------------------------------------------------------------


@transaction.atomic
def promotion_open(*, actor: User, rep: User, today: dt.date | None = None) -> PromotionCase:
    """Open a team-lead application for a rep on the eligible list (two consecutive closed
    quarters on target)."""
    ensure_may(actor, Action.PROMOTION_DECIDE)
    today = today or local_today()
    eligible = {row.rep.pk: row for row in eligible_reps(today=today)}
    row = eligible.get(rep.pk)
    if row is None:
        raise BusinessRuleError(
            _("This rep did not meet the target in the last two closed quarters.")
        )
    if PromotionCase.objects.filter(rep=rep, second_quarter=row.second_quarter).exists():
        raise BusinessRuleError(_("An application for these quarters is already open."))
    return PromotionCase.objects.create(
        rep=rep,
        first_quarter=row.first_quarter,
        second_quarter=row.second_quarter,
        opened_by=actor,
        opened_on=today,
    )


@transaction.atomic
def promotion_decide(
    *, actor: User, case: PromotionCase, approve: bool, reason: str, today: dt.date | None = None
) -> PromotionCase:
    ensure_may(actor, Action.PROMOTION_DECIDE)
    case = PromotionCase.objects.select_for_update().get(pk=case.pk)
    if case.decision != PromotionCase.Decision.OPEN:
        raise BusinessRuleError(_("This application was already decided."))
    if not reason.strip():
        raise BusinessRuleError(_("Give the reason of the decision."))
    case.decision = PromotionCase.Decision.APPROVED if approve else PromotionCase.Decision.DECLINED
    case.reason, case.decided_by, case.decided_on = reason.strip(), actor, today or local_today()
    case.save(update_fields=["decision", "reason", "decided_by", "decided_on"])
    return case

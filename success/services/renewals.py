"""The renewal pipeline: the nightly refresh and the owner's moves."""

import datetime as dt

from django.db import transaction
from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext as _

from customers.models import (
    ApprovalPolicy,
    Complaint,
    Contract,
    ContractLine,
    SatisfactionSurvey,
    continues,
)
from leads.models import Activity
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, ensure_may
from salescrm.timeutil import start_of_day

from ..models import RenewalOpportunity, SuccessSettings

Stage = RenewalOpportunity.Stage

# What counts as contact with a customer (a note to oneself or their own re-enquiry does not).
CONTACT_KINDS = [
    Activity.Kind.PHONE,
    Activity.Kind.WECHAT,
    Activity.Kind.VISIT,
    Activity.Kind.ONLINE_MEETING,
    Activity.Kind.TRIAL_LESSON,
    Activity.Kind.CAMPUS_TOUR,
]


def _days(days: int):
    return dt.timedelta(days=days)


@transaction.atomic
def renewals_refresh(*, as_of: dt.date) -> dict:
    """The nightly pipeline, set-based and idempotent (a second run for the same day changes
    nothing):

    1. *open*: every signed contract whose course ends within the admin's lead time
       (default 60 days) of `as_of` gets its opportunity, for the customer's owner, opened on
       the day the lead time began (or the signing day, for a course shorter than that);
    2. *renewed*: an opportunity whose contract the customer continued — another contract
       signed by `as_of` starting within the renewal window of the course's end, exactly the
       rule of the renewal-rate KPI (``Contract.objects.with_renewed``) — is renewed, with the
       first such contract and its signing day; one that no longer qualifies (the window was
       narrowed) goes back to *to contact*;
    3. *lapsed*: an open opportunity whose window has passed (course end + window < as_of) is
       lost with the reason "no renewal within the window";
    4. *at risk*: open opportunities are flagged — no contact for N days (default 21), an
       unresolved complaint, the last survey at or below the threshold (default 3 of 5),
       fewer than the share of bought lessons used (default 50 %).

    Example (lead time 60, window 30): a course ending 30 June opens on 1 May; a contract
    signed 20 June starting 1 July renews it on the night of 20 June; without one it is lost
    on the night of 31 July."""
    settings_row = SuccessSettings.load()
    window = ApprovalPolicy.current().renewal_window_days
    lead_time = settings_row.renewal_lead_days

    # 1. open
    due = (
        Contract.objects.signed_by(as_of)
        .filter(ends_on__lte=as_of + _days(lead_time))
        .exclude(Exists(RenewalOpportunity.objects.filter(contract=OuterRef("pk"))))
        .values_list("pk", "customer_id", "customer__owner_id", "ends_on", "signed_on")
    )
    created = RenewalOpportunity.objects.bulk_create(
        [
            RenewalOpportunity(
                contract_id=pk,
                customer_id=customer_id,
                owner_id=owner_id,
                course_ends_on=ends_on,
                opened_on=max(ends_on - _days(lead_time), signed_on),
            )
            for pk, customer_id, owner_id, ends_on, signed_on in due
        ],
        ignore_conflicts=True,
    )
    # a signed contract's dates are locked, but keep the copy honest if one was corrected
    moved = (
        RenewalOpportunity.objects.exclude(course_ends_on=F("contract__ends_on"))
        .values_list("pk", flat=True)
        .order_by()
    )
    resynced = RenewalOpportunity.objects.filter(pk__in=list(moved)).update(
        course_ends_on=Subquery(
            Contract.objects.filter(pk=OuterRef("contract_id")).values("ends_on")
        )
    )

    # 2. renewed, by the KPI's own rule
    continued = Contract.objects.with_renewed(by=as_of, window_days=window).filter(renewed=True)
    first_renewal = (
        Contract.objects.signed_by(as_of)
        .filter(customer=OuterRef("customer_id"))
        .exclude(pk=OuterRef("contract_id"))
        .filter(
            continues(
                starts_on=F("starts_on"), ends_on=OuterRef("course_ends_on"), window_days=window
            )
        )
        .order_by("signed_on", "pk")
    )
    newly_renewed = (
        RenewalOpportunity.objects.filter(contract__in=continued)
        .exclude(stage=Stage.RENEWED)
        .count()
    )
    RenewalOpportunity.objects.filter(contract__in=continued).update(
        stage=Stage.RENEWED,
        lost_reason="",
        renewal_contract=Subquery(first_renewal.values("pk")[:1]),
        renewed_on=Subquery(first_renewal.values("signed_on")[:1]),
        closed_on=Subquery(first_renewal.values("signed_on")[:1]),
    )
    reverted = (
        RenewalOpportunity.objects.filter(stage=Stage.RENEWED)
        .exclude(contract__in=continued)
        .update(stage=Stage.TO_CONTACT, renewal_contract=None, renewed_on=None, closed_on=None)
    )

    # 3. lapsed
    lapsed = (
        RenewalOpportunity.objects.open()
        .filter(course_ends_on__lt=as_of - _days(window))
        .update(
            stage=Stage.LOST,
            lost_reason=RenewalOpportunity.LostReason.LAPSED,
            closed_on=ExpressionWrapper(
                F("course_ends_on") + Value(_days(window)), output_field=DateField()
            ),
        )
    )

    # 4. at risk
    since = start_of_day(as_of - _days(settings_row.no_contact_days - 1))
    contacted = Activity.objects.filter(
        lead__customer=OuterRef("customer_id"), kind__in=CONTACT_KINDS, occurred_at__gte=since
    )
    open_complaint = Complaint.objects.open().filter(customer=OuterRef("customer_id"))
    last_score = Subquery(
        SatisfactionSurvey.objects.filter(customer=OuterRef("customer_id"))
        .order_by("-answered_on", "-id")
        .values("score")[:1]
    )
    lessons = (
        ContractLine.objects.filter(contract=OuterRef("contract_id"), lessons_total__isnull=False)
        .order_by()
        .values("contract")
        .annotate(bought=Sum("lessons_total"), used=Sum("lessons_delivered"))
        .filter(bought__gt=0, used__lt=F("bought") * settings_row.lessons_used_share)
    )
    flagged = RenewalOpportunity.objects.open().update(
        risk_no_contact=~Exists(contacted),
        risk_open_complaint=Exists(open_complaint),
        risk_low_satisfaction=Coalesce(
            LessThanOrEqual(last_score, settings_row.low_satisfaction_score),
            Value(False),
            output_field=BooleanField(),
        ),
        risk_lessons_unused=Exists(lessons),
    )
    return {
        "opened": len(created),
        "resynced": resynced,
        "renewed": newly_renewed,
        "reverted": reverted,
        "lapsed": lapsed,
        "flagged": flagged,
    }


MOVES = {
    Stage.TO_CONTACT: {Stage.PROPOSAL, Stage.LOST},
    Stage.PROPOSAL: {Stage.TO_CONTACT, Stage.LOST},
    Stage.LOST: {Stage.TO_CONTACT},
    Stage.RENEWED: set(),
}


@transaction.atomic
def renewal_move(
    *,
    opportunity: RenewalOpportunity,
    actor,
    stage: str,
    lost_reason: str = "",
    note: str = "",
    today: dt.date,
) -> RenewalOpportunity:
    """The owner moves an opportunity: to contact ⇄ proposal, either to lost (with a reason),
    a lost one back to contact while its window is open. *Renewed* comes only from a signed
    renewal contract (the nightly job), so the pipeline's rate is the KPI's."""
    ensure_may(actor, Action.RENEWAL_UPDATE)
    opportunity = (
        RenewalOpportunity.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk=opportunity.pk)
        .first()
    )
    if opportunity is None:
        raise BusinessRuleError(_("You can only move your own or your team's renewals."))
    if stage == Stage.RENEWED:
        raise BusinessRuleError(
            _("A renewal is marked renewed by its signed renewal contract, the night after.")
        )
    if stage not in MOVES.get(opportunity.stage, set()):
        raise BusinessRuleError(_("This renewal cannot move to that stage."))
    if stage == Stage.LOST:
        choices = set(RenewalOpportunity.LostReason.values) - {RenewalOpportunity.LostReason.LAPSED}
        if lost_reason not in choices:
            raise BusinessRuleError(_("Say why the renewal was lost."))
    window = ApprovalPolicy.current().renewal_window_days
    if stage == Stage.TO_CONTACT and opportunity.stage == Stage.LOST:
        if opportunity.course_ends_on + _days(window) < today:
            raise BusinessRuleError(_("The renewal window of this course has passed."))
    opportunity.stage = stage
    opportunity.lost_reason = lost_reason if stage == Stage.LOST else ""
    opportunity.closed_on = today if stage == Stage.LOST else None
    if note:
        opportunity.note = note
    opportunity.save(update_fields=["stage", "lost_reason", "closed_on", "note"])
    return opportunity

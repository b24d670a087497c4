"""Satisfaction and NPS surveys sent as links at milestones, answered without a login.

The link's token is ``django.core.signing.dumps({"i": id, "n": nonce})`` under this module's
salt: it names one invitation and proves the server made it. It opens that one survey's
answer form and nothing else (no session is created), once, until the invitation's last day.
"""

import datetime as dt

from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Complaint, Contract, SatisfactionSurvey
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, ensure_may
from salescrm.scoping import visible_q
from salescrm.timeutil import SHANGHAI, local_today

from ..models import SuccessSettings, SurveyInvitation

SALT = "success.survey-link"
# A missed night still sends the milestone's survey within this many days.
CATCH_UP_DAYS = 7
Milestone = SurveyInvitation.Milestone
# The signature's own limit, beyond the invitation's last day (at most 90 days after sending).
MAX_AGE = dt.timedelta(days=92)


class SurveyLinkError(BusinessRuleError):
    """The link does not open a survey; ``status`` is the HTTP answer to give."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


TAMPERED = gettext_lazy("This survey link is not valid. Please use the link exactly as sent.")
EXPIRED = gettext_lazy("This survey link has expired. Thank you all the same.")
USED = gettext_lazy("This survey has already been answered. Thank you!")


def token_for(invitation: SurveyInvitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT)


def invitation_for(token: str, *, today: dt.date | None = None) -> SurveyInvitation:
    """The invitation a token opens, or SurveyLinkError saying why not."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        invitation = SurveyInvitation.objects.get(pk=int(data["i"]), nonce=str(data["n"]))
    except signing.SignatureExpired:
        raise SurveyLinkError(EXPIRED, 410) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError, SurveyInvitation.DoesNotExist):
        raise SurveyLinkError(TAMPERED, 400) from None
    if invitation.answered_at is not None:
        raise SurveyLinkError(USED, 410)
    if (today or local_today()) > invitation.expires_on:
        raise SurveyLinkError(EXPIRED, 410)
    return invitation


@transaction.atomic
def survey_answer(*, token: str, score: int, nps: int, comment: str = "") -> SatisfactionSurvey:
    """Store the customer's answer against the invitation's contract, once: the invitation
    row is locked, so two posts of one link store one answer."""
    today = local_today()
    invitation = invitation_for(token, today=today)
    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.answered_at is not None:
        raise SurveyLinkError(USED, 410)
    if not (1 <= score <= 5 and 0 <= nps <= 10):
        raise BusinessRuleError(_("Satisfaction lies between 1 and 5 and NPS between 0 and 10."))
    survey = SatisfactionSurvey.objects.create(
        customer_id=invitation.customer_id,
        contract_id=invitation.contract_id,
        score=score,
        nps=nps,
        comment=comment,
        answered_on=today,
        recorded_by=None,
    )
    invitation.answered_at, invitation.survey = timezone.now(), survey
    invitation.save(update_fields=["answered_at", "survey"])
    return survey


def survey_send(*, actor, contract: Contract, today: dt.date | None = None) -> SurveyInvitation:
    """A survey link made by hand for a contract (after-sales, a manager or the director;
    never the rep it scores)."""
    ensure_may(actor, Action.SURVEY_SEND)
    if not Contract.objects.filter(visible_q(actor), pk=contract.pk).exists():
        raise BusinessRuleError(_("You can only survey your own or your team's customers."))
    if contract.status not in Contract.SIGNED_STATES:
        raise BusinessRuleError(_("Only a signed contract's customer is surveyed."))
    today = today or local_today()
    days = SuccessSettings.load().survey_link_days
    return SurveyInvitation.objects.create(
        customer_id=contract.customer_id,
        contract=contract,
        milestone=Milestone.MANUAL,
        created_on=today,
        expires_on=today + dt.timedelta(days=days),
    )


@transaction.atomic
def survey_invitations_create(*, as_of: dt.date) -> dict:
    """The nightly milestones, idempotent (one invitation per contract and milestone, per
    resolved complaint): a course that started N days ago (default 14), a course that ended,
    a complaint resolved — each within the last week, so a missed night catches up and old
    history is never surveyed."""
    settings_row = SuccessSettings.load()
    first = as_of - dt.timedelta(days=CATCH_UP_DAYS - 1)
    expires = as_of + dt.timedelta(days=settings_row.survey_link_days)
    offset = dt.timedelta(days=settings_row.survey_after_start_days)
    signed = Contract.objects.signed_by(as_of)

    def not_sent(milestone):
        return ~Exists(
            SurveyInvitation.objects.filter(contract=OuterRef("pk"), milestone=milestone)
        )

    rows = []
    for milestone, contracts in (
        (
            Milestone.COURSE_STARTED,
            signed.filter(starts_on__range=(first - offset, as_of - offset)),
        ),
        (Milestone.COURSE_ENDED, signed.filter(ends_on__range=(first, as_of))),
    ):
        rows += [
            SurveyInvitation(
                customer_id=customer_id,
                contract_id=pk,
                milestone=milestone,
                created_on=as_of,
                expires_on=expires,
            )
            for pk, customer_id in contracts.filter(not_sent(milestone)).values_list(
                "pk", "customer_id"
            )
        ]
    low = dt.datetime.combine(first, dt.time(), tzinfo=SHANGHAI)
    high = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    resolved = Complaint.objects.filter(resolved_at__gte=low, resolved_at__lt=high).exclude(
        Exists(SurveyInvitation.objects.filter(complaint=OuterRef("pk")))
    )
    rows += [
        SurveyInvitation(
            customer_id=customer_id,
            contract_id=contract_id,
            complaint_id=pk,
            milestone=Milestone.COMPLAINT_RESOLVED,
            created_on=as_of,
            expires_on=expires,
        )
        for pk, customer_id, contract_id in resolved.values_list("pk", "customer_id", "contract_id")
    ]
    created = SurveyInvitation.objects.bulk_create(rows, ignore_conflicts=True)
    return {"invitations": len(created)}

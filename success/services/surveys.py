"""Satisfaction and NPS surveys sent as links at milestones, answered without a login.

The link's token is ``django.core.signing.dumps({"i": id, "n": nonce})`` under this module's
salt: it names one invitation and proves the server made it. It opens that one survey's
answer form and nothing else (no session is created), once, until the invitation's last day.
"""

import datetime as dt
import smtplib

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Complaint, Contract, Customer, SatisfactionSurvey
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, ensure_may
from salescrm.scoping import visible_q
from salescrm.tasks import enqueue
from salescrm.timeutil import SHANGHAI, local_now, local_today

from ..models import SuccessSettings, SurveyInvitation

SALT = "success.survey-link"
# A missed night still sends the milestone's survey within this many days.
CATCH_UP_DAYS = 7
Milestone = SurveyInvitation.Milestone
Delivery = SurveyInvitation.Delivery
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
    invitation = SurveyInvitation.objects.create(
        customer_id=contract.customer_id,
        contract=contract,
        milestone=Milestone.MANUAL,
        created_on=today,
        expires_on=today + dt.timedelta(days=days),
    )
    queue_survey_emails()
    return invitation


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
    # e-mailed by a worker once the night's transaction commits (every pending one, so a
    # night whose worker was away is caught up)
    queue_survey_emails()
    return {"invitations": len(created)}


# --- e-mailing the links --------------------------------------------------------------------


def survey_link(invitation: SurveyInvitation) -> str:
    """The absolute link the customer opens (settings.PUBLIC_BASE_URL + the public page)."""
    path = reverse("success:survey_answer")
    return f"{settings.PUBLIC_BASE_URL}{path}?t={token_for(invitation)}"


def queue_survey_emails() -> None:
    """E-mail the pending invitations from a worker once the current transaction commits."""
    enqueue(survey_emails)


def _message(invitation: SurveyInvitation) -> tuple[str, str]:
    customer = invitation.customer
    subject = _("How did we do? A two-minute survey")
    body = _(
        "Dear %(name)s,\n\n"
        "Thank you for training with us. Please tell us how satisfied you are and whether you "
        "would recommend us; it takes two minutes:\n\n%(link)s\n\n"
        "The link is for you only, works once and is valid until %(until)s.\n"
    ) % {
        "name": customer.name,
        "link": survey_link(invitation),
        "until": f"{invitation.expires_on:%Y-%m-%d}",
    }
    return subject, body


def survey_emails_send(*, today: dt.date | None = None, limit: int = 500) -> dict:
    """E-mail each pending, unexpired, unanswered invitation to its customer's address, in
    the customer's language (Simplified Chinese unless set), and record the outcome on the
    invitation: sent (when, to whom), failed (the server's error) or no address. Idempotent:
    an invitation is claimed (pending → sent) by one conditional update before its message
    goes, so two runs at once, or a rerun the same night, never mail it twice; only "send
    again" makes it pending again. One query for the batch, then two updates per message."""
    today = today or local_today()
    rows = list(
        SurveyInvitation.objects.filter(
            delivery=Delivery.PENDING, answered_at__isnull=True, expires_on__gte=today
        )
        .select_related("customer")
        .order_by("pk")[:limit]
    )
    counts = {"sent": 0, "failed": 0, "no_address": 0}
    connection = get_connection()
    for invitation in rows:
        address = invitation.customer.email.strip()
        pending = SurveyInvitation.objects.filter(pk=invitation.pk, delivery=Delivery.PENDING)
        if not address:
            counts["no_address"] += pending.update(delivery=Delivery.NO_ADDRESS, emailed_to="")
            continue
        if not pending.update(delivery=Delivery.SENT, emailed_at=local_now(), emailed_to=address):
            continue  # another run took it
        with translation.override(invitation.customer.language or settings.LANGUAGE_CODE):
            subject, body = _message(invitation)
        try:
            send_mail(subject, body, None, [address], connection=connection)
        except (OSError, smtplib.SMTPException) as error:
            SurveyInvitation.objects.filter(pk=invitation.pk).update(
                delivery=Delivery.FAILED, emailed_at=None, delivery_error=repr(error)[:200]
            )
            counts["failed"] += 1
            continue
        SurveyInvitation.objects.filter(pk=invitation.pk).update(delivery_error="")
        counts["sent"] += 1
    return counts


# Defined beside the services that queue it, not in success/tasks.py: the nightly survey job
# there calls survey_invitations_create, which queues this task, so a task module above the
# services would be imported by them in turn (a cycle).
@shared_task(name="success.survey_emails")
def survey_emails() -> dict:
    """E-mail the survey links waiting to be sent (queued after the commit of the night's
    invitations, of a survey sent by hand and of a "send again"); idempotent."""
    return survey_emails_send()


@transaction.atomic
def survey_send_again(
    *, actor, invitation: SurveyInvitation, today: dt.date | None = None
) -> SurveyInvitation:
    """Staff ask for the link to be e-mailed again (after-sales, a manager or the director,
    on a customer they see): refused once answered or expired, without an address, or when
    it was already e-mailed today — a customer gets one message a day at most."""
    ensure_may(actor, Action.SURVEY_SEND)
    if not Customer.objects.filter(visible_q(actor), pk=invitation.customer_id).exists():
        raise BusinessRuleError(_("You can only survey your own or your team's customers."))
    invitation = (
        SurveyInvitation.objects.select_for_update()
        .select_related("customer")
        .get(pk=invitation.pk)
    )
    today = today or local_today()
    if invitation.answered_at is not None:
        raise BusinessRuleError(_("The customer has already answered this survey."))
    if invitation.expires_on < today:
        raise BusinessRuleError(_("This survey link has expired; send a new survey instead."))
    if not invitation.customer.email.strip():
        raise BusinessRuleError(
            _(
                "The customer has no e-mail address: add one on the customer, or send the link yourself."
            )
        )
    if invitation.delivery == Delivery.PENDING:
        raise BusinessRuleError(_("This survey is already waiting to be e-mailed."))
    if (
        invitation.delivery == Delivery.SENT
        and invitation.emailed_at is not None
        and invitation.emailed_at.astimezone(SHANGHAI).date() == today
    ):
        raise BusinessRuleError(
            _("This survey was e-mailed today already; send it again tomorrow.")
        )
    invitation.delivery, invitation.delivery_error = Delivery.PENDING, ""
    invitation.save(update_fields=["delivery", "delivery_error"])
    queue_survey_emails()
    return invitation

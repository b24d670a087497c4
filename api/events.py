"""The business events webhooks announce, read from the rows the services write (model
signals), so no service of another app has to know that webhooks exist.

A status event fires when a saved row's status differs from the status it was loaded with
(``post_init`` remembers it), i.e. exactly once per transition, whichever service made it."""

from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from customers.models import Contract, Payment, Refund
from leads.models import Lead, StageChange
from performance.models import CommissionStatement

from .models import WebhookEvent
from .services import webhook_emit

STATUS_EVENTS = {
    Contract: {
        Contract.Status.APPROVED: WebhookEvent.CONTRACT_APPROVED,
        Contract.Status.SIGNED: WebhookEvent.CONTRACT_SIGNED,
    },
    Refund: {Refund.Status.CONFIRMED: WebhookEvent.REFUND_CONFIRMED},
    CommissionStatement: {CommissionStatement.Status.CLOSED: WebhookEvent.STATEMENT_CLOSED},
}


def _money(value):
    return None if value is None else str(value)


def _data(instance) -> dict:
    if isinstance(instance, Contract):
        return {
            "contract": instance.pk,
            "number": instance.number,
            "customer": instance.customer_id,
            "owner": instance.owner_id,
            "status": instance.status,
            "total_amount": _money(instance.total_amount),
            "signed_on": instance.signed_on,
        }
    if isinstance(instance, Refund):
        return {
            "refund": instance.pk,
            "contract": instance.contract_id,
            "amount": _money(instance.amount),
            "status": instance.status,
        }
    return {
        "statement": instance.pk,
        "rep": instance.rep_id,
        "month": instance.month,
        "total": _money(instance.total),
        "status": instance.status,
    }


def _remember_status(sender, instance, **kwargs):
    instance._webhook_status = instance.__dict__.get("status") if instance.pk else None


def _status_changed(sender, instance, created, **kwargs):
    before = getattr(instance, "_webhook_status", None)
    now = instance.__dict__.get("status")
    instance._webhook_status = now
    if now is None or now == before:
        return
    event = STATUS_EVENTS[sender].get(now)
    if event is not None:
        webhook_emit(event=event, data=_data(instance))


for _model in STATUS_EVENTS:
    post_init.connect(_remember_status, sender=_model, dispatch_uid=f"webhook-init-{_model}")
    post_save.connect(_status_changed, sender=_model, dispatch_uid=f"webhook-save-{_model}")


@receiver(post_save, sender=Lead, dispatch_uid="webhook-lead-created")
def _lead_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        webhook_emit(
            event=WebhookEvent.LEAD_CREATED,
            data={
                "lead": instance.pk,
                "name": instance.name,
                "stage": instance.stage,
                "owner": instance.owner_id,
                "team": instance.team_id,
                "channel": instance.channel_id,
            },
        )


@receiver(post_save, sender=StageChange, dispatch_uid="webhook-stage-changed")
def _stage_changed(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.from_stage:
        webhook_emit(
            event=WebhookEvent.LEAD_STAGE_CHANGED,
            data={
                "lead": instance.lead_id,
                "from_stage": instance.from_stage,
                "to_stage": instance.to_stage,
                "changed_at": instance.changed_at,
            },
        )


@receiver(post_save, sender=Payment, dispatch_uid="webhook-payment-recorded")
def _payment_recorded(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        webhook_emit(
            event=WebhookEvent.PAYMENT_RECORDED,
            data={
                "payment": instance.pk,
                "contract": instance.contract_id,
                "instalment": instance.instalment_id,
                "amount": _money(instance.amount),
                "received_on": instance.received_on,
                "method": instance.method,
            },
        )

"""Writes about customers: from a lead, by hand, contacts, referrals and the activity log."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from customers import policy
from customers.models import (
    Contact,
    Customer,
    Referral,
)
from customfields import values as custom_values
from leads import services as lead_services
from leads.forms import duplicate_error
from leads.models import Lead
from salescrm.errors import BusinessRuleError
from salescrm.models import User
from salescrm.permissions import Action, ensure_may
from salescrm.submissions import submitted_once

# --- customers ---------------------------------------------------------------------------


def _lead_error(exc) -> BusinessRuleError:
    """The leads app refuses with its own exceptions; the user sees the same message."""
    if isinstance(exc, ValidationError):
        return exc
    return BusinessRuleError(str(exc))


@transaction.atomic
def customer_from_lead(*, lead: Lead, actor: User) -> Customer:
    """Won lead -> customer, in one transaction: marks the lead won when needed, then makes
    the customer (``customer_create_from_lead``). Returns the customer.

    It lives here, not in leads, because customers are built on leads: leads never imports
    customers."""
    ensure_may(actor, Action.LEAD_CONVERT)
    if lead.stage != Lead.Stage.WON:
        lead_services.lead_change_stage(lead=lead, actor=actor, to_stage=Lead.Stage.WON)
    return customer_create_from_lead(lead=lead, actor=actor)


@transaction.atomic
def customer_create_from_lead(*, lead, actor) -> Customer:
    """A won lead becomes a customer that keeps the lead (and so its whole history). Calling
    it again for the same lead returns the existing customer."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    existing = Customer.objects.filter(lead=lead).first()
    if existing is not None:
        return existing
    if lead.stage != Lead.Stage.WON:
        raise BusinessRuleError(_("Only a won lead becomes a customer."))
    owner = lead.owner or actor
    customer = Customer.objects.create(
        lead=lead,
        owner=owner,
        kind=Customer.Kind.ENTERPRISE if lead.company else Customer.Kind.INDIVIDUAL,
        name=lead.company or lead.name,
        phone=lead.phone,
        email=lead.email,
        payer_name=lead.payer_name,
        payer_phone=lead.payer_phone,
        territory_id=lead.territory_id,
    )
    contacts = [
        Contact(
            customer=customer,
            name=lead.name,
            phone=lead.phone,
            email=lead.email,
            title=_("Learner") if not lead.company else "",
            is_payer=not lead.payer_name,
        )
    ]
    if lead.payer_name:
        contacts.append(
            Contact(
                customer=customer,
                name=lead.payer_name,
                phone=lead.payer_phone,
                title=lead.get_payer_relation_display() if lead.payer_relation else "",
                is_payer=True,
            )
        )
    Contact.objects.bulk_create(contacts)
    return customer


@submitted_once
@transaction.atomic
def customer_create(
    *,
    actor,
    owner=None,
    channel,
    kind: str,
    name: str,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    company: str = "",
    payer_name: str = "",
    payer_phone: str = "",
    product_line=None,
    custom: dict | None = None,
    territory=None,
) -> Customer:
    """A customer signed up directly (walk-in, phone order): its lead is created and marked
    won through the leads services first, so the funnel and the history stay complete."""
    ensure_may(actor, Action.CUSTOMER_CREATE)
    owner = owner or actor
    if not policy.acts_for_owner(actor, owner):
        raise BusinessRuleError(_("You can only create customers for yourself or your team."))
    custom = custom_values.clean("customer", custom)  # before anything is written
    try:
        lead = lead_services.lead_create(
            actor=actor,
            owner=owner,
            channel=channel,
            name=contact_name or name,
            company=company or (name if kind == Customer.Kind.ENTERPRISE else ""),
            phone=phone,
            email=email,
            payer_name=payer_name,
            payer_phone=payer_phone,
            product_line=product_line,
            territory=territory,
        )
        lead_services.lead_change_stage(lead=lead, actor=actor, to_stage=Lead.Stage.WON)
    except lead_services.DuplicateLead as exc:
        # The same refusal as the lead form: the lead's name only to those who may open it.
        raise duplicate_error(exc.existing, actor) from None
    except (lead_services.LeadError, ValidationError) as exc:
        raise _lead_error(exc) from None
    lead.refresh_from_db()
    customer = customer_create_from_lead(lead=lead, actor=actor)
    customer.name, customer.kind, customer.custom = name, kind, custom
    customer.save(update_fields=["name", "kind", "custom"])
    return customer


@transaction.atomic
def customer_custom_update(*, customer: Customer, actor, custom: dict) -> Customer:
    """Change the customer's custom field values (those named in `custom`; None or "" clears
    one), validated as on the form: by the owner or their manager, as a customer is created."""
    ensure_may(actor, Action.CUSTOMER_CREATE)
    customer = Customer.objects.select_for_update().select_related("owner").get(pk=customer.pk)
    if not policy.acts_for_owner(actor, customer.owner):
        raise BusinessRuleError(
            _("Only the customer's owner or their manager can change its fields.")
        )
    customer.custom = custom_values.clean("customer", custom, partial_base=customer.custom)
    customer.save(update_fields=["custom"])
    return customer


@submitted_once
@transaction.atomic
def contact_add(
    *,
    customer: Customer,
    actor,
    name: str,
    title: str = "",
    phone: str = "",
    email: str = "",
    is_payer: bool = False,
) -> Contact:
    ensure_may(actor, Action.CONTACT_ADD)
    if not policy.acts_for_owner(actor, customer.owner):
        raise BusinessRuleError(_("Only the customer's owner or their manager can add contacts."))
    return Contact.objects.create(
        customer=customer, name=name, title=title, phone=phone, email=email, is_payer=is_payer
    )


@submitted_once
@transaction.atomic
def referral_add(*, customer: Customer, actor, lead) -> "Referral":
    """Record that `lead` (a referral-channel lead) was brought in by `customer` (老带新)."""
    ensure_may(actor, Action.REFERRAL_ADD)
    if not policy.acts_for_owner(actor, customer.owner):
        raise BusinessRuleError(
            _("Only the customer's owner or their manager can record a referral.")
        )
    if lead.channel.code != "referral":
        raise BusinessRuleError(_("Only a lead from the referral channel counts as a referral."))
    if lead.pk == customer.lead_id:
        raise BusinessRuleError(_("A customer cannot refer themselves."))
    if Referral.objects.filter(lead=lead).exists():
        raise BusinessRuleError(_("This lead is already recorded as someone's referral."))
    return Referral.objects.create(customer=customer, lead=lead)


@submitted_once
@transaction.atomic
def customer_activity_log(*, customer: Customer, actor, **fields):
    """A follow-up or visit on a customer is logged on its lead: one activity model."""
    ensure_may(actor, Action.FOLLOW_UP_LOG)
    try:
        return lead_services.activity_log(lead=customer.lead, actor=actor, **fields)
    except lead_services.LeadError as exc:
        raise BusinessRuleError(str(exc)) from None


@transaction.atomic
def customer_assign(*, customer: Customer, actor, to_owner: User) -> Customer:
    """A manager hands a customer of their team to another member of it (a director or an
    administrator: to anyone active). The customer's history (simple_history) keeps who had
    it; contracts keep the rep who signed them (their commission does not move)."""
    ensure_may(actor, Action.CUSTOMER_ASSIGN)
    locked = Customer.objects.select_for_update().select_related("owner").get(pk=customer.pk)
    if not lead_services.can_manage(actor, locked.owner.team_id if locked.owner_id else None):
        raise BusinessRuleError(_("Only the team's manager can reassign this customer."))
    if (
        to_owner is None
        or not to_owner.is_active
        or not lead_services.can_manage(actor, to_owner.team_id)
    ):
        raise BusinessRuleError(_("The new owner must be an active member of your team."))
    if locked.owner_id == to_owner.pk:
        return locked
    locked.owner = to_owner
    locked.save(update_fields=["owner"])
    customer.owner = to_owner
    return locked

"""Writes about contracts: drafting (lines, instalment plan, renewal flag) and the lifecycle
after approval (signed, archived, handed off to service).
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from customers import money, policy
from customers.models import (
    ZERO,
    Contract,
    ContractLine,
    Customer,
    Instalment,
)
from customfields import values as custom_values
from salescrm.bounds import MAX_AMOUNT, MAX_QUANTITY
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.services import notify_many
from salescrm.submissions import submitted_once
from salescrm.timeutil import local_today, validate_business_date

from .approvals import _start_round
from .common import TERM_FIELDS, Status

# --- contracts: drafting ------------------------------------------------------------------


def _build_lines(lines: list[dict]) -> list[ContractLine]:
    if not lines:
        raise BusinessRuleError(_("A contract needs at least one line item."))
    built = []
    for row in lines:
        product, quantity = row["product"], int(row.get("quantity") or 1)
        discount = Decimal(row.get("discount_rate") or 0)
        if quantity < 1:
            raise BusinessRuleError(_("The quantity must be at least 1."))
        if quantity > MAX_QUANTITY:
            raise BusinessRuleError(_("The quantity can be at most 10,000."))
        if not (0 <= discount <= 1):
            raise BusinessRuleError(
                _("A discount rate lies between 0 and 1 (0.15 = 15 percent off).")
            )
        if not product.is_active:
            raise BusinessRuleError(
                _("The product %(name)s is no longer sold.") % {"name": product.name}
            )
        built.append(
            ContractLine(
                product=product,
                quantity=quantity,
                list_price=product.list_price,  # the price list decides, not the form
                discount_rate=discount,
                amount=money.line_amount(
                    quantity=quantity, list_price=product.list_price, discount_rate=discount
                ),
                lessons_total=product.lessons * quantity if product.lessons else None,
            )
        )
    return built


def _build_instalments(total: Decimal, rows: list[dict]) -> list[Instalment]:
    """Instalments from rows of {due_on, amount}; blank amounts share what the given ones leave
    (largest remainder), and the plan must add up to the total exactly."""
    if not rows:
        raise BusinessRuleError(_("A contract needs a payment plan with at least one instalment."))
    for row in rows:
        validate_business_date(row["due_on"])
    rows = sorted(rows, key=lambda r: r["due_on"])
    given = sum((Decimal(r["amount"]) for r in rows if r.get("amount") is not None), ZERO)
    blanks = [r for r in rows if r.get("amount") is None]
    if given > total:
        raise BusinessRuleError(
            _(
                "The instalments given add up to %(sum)s, more than the contract total of "
                "%(total)s; lower them."
            )
            % {"sum": given, "total": total}
        )
    if blanks:
        rest = total - given
        if rest <= 0:
            raise BusinessRuleError(
                _("The given instalments already reach the total; remove the empty ones.")
            )
        shares = iter(money.split_evenly(rest, len(blanks)))
        amounts = [
            Decimal(r["amount"]) if r.get("amount") is not None else next(shares) for r in rows
        ]
    else:
        amounts = [Decimal(r["amount"]) for r in rows]
    if any(a <= 0 for a in amounts):
        raise BusinessRuleError(_("Every instalment must be more than zero."))
    if sum(amounts) != total:
        raise BusinessRuleError(
            _("The instalments add up to %(sum)s but the contract total is %(total)s.")
            % {"sum": sum(amounts), "total": total}
        )
    return [
        Instalment(sequence=i, due_on=row["due_on"], amount=amount)
        for i, (row, amount) in enumerate(zip(rows, amounts, strict=True), start=1)
    ]


def _renewal_flag(*, customer, starts_on: dt.date, exclude_pk=None) -> bool:
    """A renewal continues a signed contract of the same customer (``models.continues``)."""
    earlier = Contract.objects.filter(customer=customer).continued_by(starts_on=starts_on)
    if exclude_pk:
        earlier = earlier.exclude(pk=exclude_pk)
    return earlier.exists()


def _check_terms(terms: dict):
    unknown = set(terms) - set(TERM_FIELDS)
    if unknown:
        raise BusinessRuleError(
            _("Unknown contract fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if terms.get("starts_on") and terms.get("ends_on") and terms["ends_on"] < terms["starts_on"]:
        raise BusinessRuleError(_("The course cannot end before it starts."))


def _write_lines_and_plan(
    contract: Contract, lines: list[dict], instalments: list[dict], actor=None
):
    """Replace the lines and the plan; the audit trail records the old rows' deletion and the
    new rows' creation."""
    built_lines = _build_lines(lines)
    total = sum((line.amount for line in built_lines), ZERO)
    if total <= 0:
        raise BusinessRuleError(
            _(
                "The contract total is 0.00: every line is fully discounted. A contract must "
                "be worth more than zero; lower the discount."
            )
        )
    if total > MAX_AMOUNT:
        raise BusinessRuleError(
            _(
                "The lines add up to %(total)s; a contract can total at most 99,999,999.99. "
                "Lower the quantities or split the order into several contracts."
            )
            % {"total": total}
        )
    built_plan = _build_instalments(total, instalments)
    contract.lines.all().delete()
    contract.instalments.all().delete()
    for line in built_lines:
        line.contract = contract
    for instalment in built_plan:
        instalment.contract = contract
    bulk_create_with_history(built_lines, ContractLine, default_user=actor)
    bulk_create_with_history(built_plan, Instalment, default_user=actor)
    return total


@submitted_once
@transaction.atomic
def contract_create(
    *, customer: Customer, actor, lines: list[dict], instalments: list[dict], **terms
) -> Contract:
    ensure_may(actor, Action.CONTRACT_DRAFT)
    custom = terms.pop("custom", None)
    _check_terms(terms)
    if not policy.acts_for_owner(actor, customer.owner):
        raise BusinessRuleError(
            _("Only the customer's owner or their manager can draft a contract.")
        )
    contract = Contract(
        customer=customer,
        owner=customer.owner,
        number=f"TMP-{timezone.now().timestamp()}",
        custom=custom_values.clean("contract", custom),
        **terms,
    )
    contract.is_renewal = _renewal_flag(customer=customer, starts_on=contract.starts_on)
    contract.save()
    contract.total_amount = _write_lines_and_plan(contract, lines, instalments, actor)
    contract.number = f"HT{local_today():%Y%m}-{contract.pk:05d}"
    contract.save(update_fields=["total_amount", "number"])
    return contract


@transaction.atomic
def contract_update(
    *, contract: Contract, actor, lines: list[dict], instalments: list[dict], **terms
) -> Contract:
    """Change terms, lines and plan of a draft. The terms are locked while the contract is
    under review and once it is signed (SPEC §3). An approved, unsigned contract may be
    changed, but the change is never left unapproved: the contract goes back under review
    with a fresh chain (a new round whose steps follow the new terms), as if resubmitted."""
    ensure_may(actor, Action.CONTRACT_DRAFT)
    custom = terms.pop("custom", None)
    _check_terms(terms)
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("owner__team")
        .get(pk=contract.pk)
    )
    policy.check_edit(actor, contract)
    if custom is not None:
        contract.custom = custom_values.clean("contract", custom, partial_base=contract.custom)
    for name, value in terms.items():
        setattr(contract, name, value)
    restarted = contract.status == Status.APPROVED
    contract.total_amount = _write_lines_and_plan(contract, lines, instalments, actor)
    contract.is_renewal = _renewal_flag(
        customer=contract.customer, starts_on=contract.starts_on, exclude_pk=contract.pk
    )
    contract.save()
    if restarted:
        _start_round(contract)
    return contract


@transaction.atomic
def contract_custom_update(*, contract: Contract, actor, custom: dict) -> Contract:
    """Change a contract's custom field values (those named; None or "" clears one). They are
    terms: locked as the terms are (under review, signed), and a change to an approved
    contract sends it back under review, as `contract_update` does."""
    ensure_may(actor, Action.CONTRACT_DRAFT)
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("owner__team")
        .get(pk=contract.pk)
    )
    policy.check_edit(actor, contract)
    values = custom_values.clean("contract", custom, partial_base=contract.custom)
    if values == contract.custom:
        return contract
    contract.custom = values
    contract.save(update_fields=["custom"])
    if contract.status == Status.APPROVED:
        _start_round(contract)
    return contract


# --- contracts: lifecycle after approval ---------------------------------------------------


@transaction.atomic
def contract_mark_signed(*, contract: Contract, actor, signed_on: dt.date) -> Contract:
    ensure_may(actor, Action.CONTRACT_SIGN)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    policy.check_sign(actor, contract)
    if signed_on > local_today():
        raise BusinessRuleError(_("The signing date cannot lie in the future."))
    contract.status, contract.signed_on = Status.SIGNED, signed_on
    # the flag as of the signing: the earlier contract may have been signed since the draft
    contract.is_renewal = _renewal_flag(
        customer=contract.customer, starts_on=contract.starts_on, exclude_pk=contract.pk
    )
    contract.save(update_fields=["status", "signed_on", "is_renewal"])
    return contract


@transaction.atomic
def contract_archive(*, contract: Contract, actor) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    policy.check_archive(actor, contract)
    contract.status, contract.archived_on = Status.ARCHIVED, local_today()
    contract.save(update_fields=["status", "archived_on"])
    return contract


@transaction.atomic
def contract_hand_off(*, contract: Contract, actor, service_user) -> Contract:
    ensure_may(actor, Action.CONTRACT_HAND_OFF)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    policy.check_hand_off(actor, contract)
    if service_user.role != Role.SERVICE or not service_user.is_active:
        raise BusinessRuleError(_("Choose an active after-sales user."))
    contract.service_user, contract.handed_off_at = service_user, timezone.now()
    contract.save(update_fields=["service_user", "handed_off_at"])
    notify_many(
        [
            {
                "recipient_id": service_user.pk,
                "kind": "handoff",
                "key": f"handoff-{contract.pk}-{service_user.pk}",
                "params": {"number": contract.number},
                "url": contract.get_absolute_url(),
            }
        ]
    )
    return contract

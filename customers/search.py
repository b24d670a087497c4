"""Customers and contracts in the quick search (salescrm.search)."""

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from salescrm.search import Hit, NameKey, name_prefix, search_provider

from .models import Contract, Customer


def _by_name_prefix(user, terms):
    """The visible customers whose name begins with a short text, in the order of the btree
    index customer_name_prefix_idx (the exact name first)."""
    return (
        Customer.objects.visible_to(user)
        .alias(key=NameKey("name"))
        .filter(key__startswith=name_prefix(terms.text))
        .order_by("key", "pk")
    )


@search_provider(20, _("Customers"))
def customers(user, terms, limit):
    if terms.short:
        rows = _by_name_prefix(user, terms).annotate(
            rank=Case(
                When(name=terms.text, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )[:limit]
        return _customer_hits(rows)
    match = Q(name__ilike_contains=terms.text)
    exact = Q(name=terms.text)
    if terms.phone:
        match |= Q(phone=terms.phone) | Q(lead__phone=terms.phone)
        exact |= Q(phone=terms.phone) | Q(lead__phone=terms.phone)
    if terms.email:
        match |= Q(email=terms.email)
        exact |= Q(email=terms.email)
    rows = (
        Customer.objects.visible_to(user)
        .filter(match)
        .annotate(
            rank=Case(
                When(exact, then=Value(0)),
                When(name__startswith=terms.text, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "name", "pk")[:limit]
    )
    return _customer_hits(rows)


def _customer_hits(rows):
    return [
        Hit(
            kind="customer",
            title=customer.name,
            detail=" · ".join(part for part in (customer.phone, customer.email) if part),
            url=customer.get_absolute_url(),
            rank=customer.rank,
        )
        for customer in rows
    ]


MAX_CUSTOMERS = 500  # contracts are looked up for at most this many customers by name


@search_provider(30, _("Contracts"))
def contracts(user, terms, limit):
    number = terms.text.upper()
    # The customers by name first (their trigram index, or the prefix index for a short
    # text), read into a list, then the contracts by number or by those customers: with
    # constants on both sides of the OR PostgreSQL combines the number's unique index and
    # the customer foreign key's index (a bitmap OR); with a subquery there it read every
    # contract (a hashed SubPlan, 28 ms on 100,000 contracts).
    if terms.short:  # the first visible customers whose name begins so
        by_customer = _by_name_prefix(user, terms)[:limit]
    else:
        by_customer = Customer.objects.filter(name__ilike_contains=terms.text)[:MAX_CUSTOMERS]
    customer_ids = list(by_customer.values_list("pk", flat=True))
    match = Q(number__in=sorted({number, terms.text})) | Q(customer_id__in=customer_ids)
    rows = (
        Contract.objects.visible_to(user)
        .filter(match)
        .annotate(
            rank=Case(
                When(number__in=sorted({number, terms.text}), then=Value(0)),
                When(customer__name=terms.text, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("customer")
        .order_by("rank", "-created_at", "-pk")[:limit]
    )
    return [
        Hit(
            kind="contract",
            title=contract.number,
            detail=f"{contract.customer} · {contract.get_status_display()}",
            url=contract.get_absolute_url(),
            rank=contract.rank,
        )
        for contract in rows
    ]

"""Customers and contracts in the quick search (salescrm.search)."""

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from salescrm.search import Hit, search_provider

from .models import Contract, Customer


@search_provider(20, _("Customers"))
def customers(user, terms, limit):
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


@search_provider(30, _("Contracts"))
def contracts(user, terms, limit):
    number = terms.text.upper()
    # the customers by name first (their trigram index), then their contracts (the foreign
    # key's index): a join filtered by an OR would scan both tables
    by_customer = Customer.objects.filter(name__ilike_contains=terms.text).values("pk")
    match = Q(number=number) | Q(number=terms.text) | Q(customer__in=by_customer)
    rows = (
        Contract.objects.visible_to(user)
        .filter(match)
        .annotate(
            rank=Case(
                When(Q(number=number) | Q(number=terms.text), then=Value(0)),
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

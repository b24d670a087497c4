"""Leads in the quick search (salescrm.search)."""

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from salescrm.search import Hit, NameKey, name_prefix, phone_normaliser, search_provider

from .models import Lead
from .normalise import normalise_phone
from .selectors import lead_search_q

phone_normaliser(normalise_phone)


def _by_name_prefix(user, terms, limit):
    """One or two characters: the names beginning with them, in the order of the btree index
    lead_name_prefix_idx (the exact name sorts first), read until `limit` rows are found."""
    return (
        Lead.objects.visible_to(user)
        .alias(key=NameKey("name"))
        .filter(key__startswith=name_prefix(terms.text))
        .annotate(
            rank=Case(
                When(name=terms.text, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("key", "pk")[:limit]
    )


@search_provider(10, _("Leads"))
def leads(user, terms, limit):
    if terms.short:
        return _hits(_by_name_prefix(user, terms, limit))
    # the lead list's search box, by the lookups its indexes answer on 1 M leads
    match = lead_search_q(terms.text)
    exact = Q(name=terms.text)
    if terms.phone:
        exact |= Q(phone=terms.phone)
    if terms.email:
        exact |= Q(email=terms.email)
    rows = (
        Lead.objects.visible_to(user)
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
    return _hits(rows)


def _hits(rows):
    return [
        Hit(
            kind="lead",
            title=lead.name,
            detail=" · ".join(
                part for part in (lead.company, lead.phone, lead.get_stage_display()) if part
            ),
            url=lead.get_absolute_url(),
            rank=lead.rank,
        )
        for lead in rows
    ]

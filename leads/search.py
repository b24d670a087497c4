"""Leads in the quick search (salescrm.search)."""

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from salescrm.search import Hit, phone_normaliser, search_provider

from .models import Lead
from .normalise import normalise_phone
from .selectors import lead_search_q

phone_normaliser(normalise_phone)


@search_provider(10, _("Leads"))
def leads(user, terms, limit):
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
        .select_related("owner")
        .order_by("rank", "name", "pk")[:limit]
    )
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

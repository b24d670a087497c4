from decimal import Decimal, InvalidOperation

from django import template

from salescrm.money import round_money

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced, so filters survive paging."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def page_panels(context, slot, **kwargs):
    """The panels other apps registered for the page slot `slot` (salescrm.panels)."""
    from ..panels import render_panels

    request = context.get("request")
    if request is None:
        return ""
    return render_panels(slot, request, **kwargs)


@register.filter
def money(value):
    """An amount of money as every page shows it, in both languages: thousands separators
    and two decimals, half-up to the cent (106861.655 → 106,861.66). Empty stays empty."""
    if value is None or value == "":
        return ""
    try:
        amount = round_money(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return value
    return f"{amount:,.2f}"

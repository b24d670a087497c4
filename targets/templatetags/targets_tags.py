from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def amount(value, places=2):
    """A target figure with thousands separators (the same in both languages): cents for
    money, whole units for counts."""
    if value is None or value == "":
        return ""
    places = int(places)
    return f"{Decimal(value):,.{places}f}"


@register.filter
def percent(value):
    if value is None:
        return "–"
    return f"{Decimal(value) * 100:.1f}%"

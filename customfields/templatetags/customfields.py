from django import template

from ..values import display

register = template.Library()


@register.inclusion_tag("customfields/values.html")
def custom_values(record, target):
    """The record's custom fields as a definition list (nothing when none is defined)."""
    return {"rows": display(record, target)}

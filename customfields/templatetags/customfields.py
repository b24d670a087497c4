from django import template
from django.utils.translation import gettext as _

from ..models import CustomField
from ..values import display

register = template.Library()


@register.inclusion_tag("customfields/values.html")
def custom_values(record, target):
    """The record's custom fields as a definition list (nothing when none is defined)."""
    return {"rows": display(record, target)}


@register.simple_tag
def custom_cell(record, field):
    """One custom value of `record` as a list cell shows it ("—" when not filled in)."""
    value = (getattr(record, "custom", None) or {}).get(field.key)
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if value in (None, ""):
        return "—"
    return value


@register.inclusion_tag("customfields/filter_inputs.html")
def custom_filter_inputs(filters):
    """The list form's inputs for the custom fields: (field, current value) pairs, as
    ``customfields.values.filter_list`` returns them."""
    return {"filters": filters, "Kind": CustomField.Kind}

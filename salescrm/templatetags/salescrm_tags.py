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


@register.inclusion_tag("includes/error_summary.html", takes_context=True)
def error_summary(context):
    """The errors of every bound form (and formset) of the page, listed once at the top of
    the page after a failed save: each field's error links to the field, errors of no field
    are listed as they are (issue 18). base.html shows it on every page, so every form has
    it however it is rendered; static/js/salescrm.js moves the focus to it."""
    from django.forms import BaseForm, BaseFormSet

    seen, items = set(), []

    def add_form(form):
        if id(form) in seen or not form.is_bound or not form.errors:
            return
        seen.add(id(form))
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            if name == "__all__" or field is None or field.widget.is_hidden:
                items.extend({"text": str(error)} for error in errors)
                continue
            bound = form[name]
            for error in errors:
                items.append(
                    {"label": bound.label, "text": str(error), "target": bound.id_for_label}
                )

    for value in context.flatten().values():
        if isinstance(value, BaseForm):
            add_form(value)
        elif isinstance(value, BaseFormSet) and value.is_bound:
            if id(value) in seen:
                continue
            seen.add(id(value))
            items.extend({"text": str(error)} for error in value.non_form_errors())
            for form in value.forms:
                add_form(form)
    return {"error_items": items}

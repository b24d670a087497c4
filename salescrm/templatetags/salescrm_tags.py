from django import template

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

from django import template

register = template.Library()


@register.filter
def pct(value):
    """A fraction as a percentage with one decimal (0.4999 → "50.0 %"); "—" for none."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f} %"

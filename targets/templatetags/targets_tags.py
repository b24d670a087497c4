from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

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


@register.simple_tag
def progress_rows(rows, places):
    """The progress table's body, built in Python: a director's table has a row per rep (300
    in bench/), and the template loop over their eight cells was most of the page's time
    (issue 21). The same markup as the loop it replaces."""
    if not rows:
        return format_html(
            '<tr><td colspan="8" class="text-muted">{}</td></tr>',
            gettext("You have no target in this plan."),
        )
    level_class = {"company": "fw-semibold", "team": "table-light"}

    def cells(row):
        gap = row.gap_to_date
        return (
            row.label,
            level_class.get(row.level, ""),
            row.team if row.level == "rep" else "",
            row.label,
            amount(row.target, places),
            amount(row.actual, places),
            percent(row.achievement_rate),
            amount(row.target_to_date, places),
            "text-danger" if gap < 0 else "text-success",
            amount(gap, places),
            amount(row.projection, places),
        )

    return format_html_join(
        "\n",
        '<tr data-row="{}" class="{}"><td class="text-muted small">{}</td>'
        '<th scope="row" class="fw-normal">{}</th><td class="text-end">{}</td>'
        '<td class="text-end">{}</td><td class="text-end" data-rate>{}</td>'
        '<td class="text-end">{}</td><td class="text-end {}">{}</td>'
        '<td class="text-end">{}</td></tr>',
        (cells(row) for row in rows),
    )

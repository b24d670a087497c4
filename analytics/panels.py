"""What the analytics app shows on other apps' pages (salescrm.panels): an open lead's win
probability, on its page with the factors behind it and beside it in the lists and the board."""

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext as _

from salescrm.panels import page_panel, row_note

from .models import LeadWinProbability, WinModelRun
from .winprob import FACTOR_LABELS


def percent(probability) -> int:
    """A stored probability (0.0100…0.9900) as the whole percent shown."""
    return int((probability * 100).quantize(1))


def factor_words(factors: list) -> list[str]:
    """["trial lesson attended ↑", "days in stage ↓", …] of a stored factor list."""
    return [
        f"{FACTOR_LABELS.get(name, name)} {'↑' if sign > 0 else '↓'}"
        for name, sign in factors
        if name in FACTOR_LABELS
    ]


@page_panel("leads:lead_detail", order=5)
def win_probability_card(request, lead, **_context) -> str:
    if not lead.is_open:
        return ""
    row = LeadWinProbability.objects.filter(lead=lead).first()
    # a stored probability is the latest successful run's (the night brings every row up to
    # date, or removes them all when there is no model)
    runs = WinModelRun.objects.order_by("-run_on")
    latest = (runs.filter(status=WinModelRun.Status.OK) if row else runs).first()
    return render_to_string(
        "analytics/_lead_win_probability.html",
        {
            "row": row,
            "percent": percent(row.probability) if row else None,
            "factors": factor_words(row.factors) if row else [],
            "latest": latest,
        },
        request=request,
    )


@row_note("leads:lead_row")
def win_probability_badges(request, objects) -> dict[int, str]:
    """A "63 %" badge beside each open lead the model scored (one query for the page)."""
    ids = [obj.pk for obj in objects if obj.is_open]
    if not ids:
        return {}
    notes = {}
    for lead_id, probability, factors in LeadWinProbability.objects.filter(
        lead_id__in=ids
    ).values_list("lead_id", "probability", "factors"):
        why = "; ".join(factor_words(factors))
        notes[lead_id] = format_html(
            '<span class="badge text-bg-light border win-probability" title="{}: {}">{} {}&nbsp;%</span>',
            _("Why"),
            why or "—",
            _("Win"),
            percent(probability),
        )
    return notes

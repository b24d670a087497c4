"""What the enablement app shows on other apps' pages (salescrm.panels): the library entries
for a lead's stage and product line, one click away on the lead page."""

from django.template.loader import render_to_string

from salescrm.panels import page_panel

from .models import STAGES_FOR_LEAD, Script


@page_panel("leads:lead_detail", order=10)
def scripts_for_lead(request, lead, **_context) -> str:
    entries = list(
        Script.objects.for_lead(lead).select_related("published_version", "product_line")
    )
    return render_to_string(
        "enablement/_lead_scripts.html",
        {"lead": lead, "entries": entries, "stage": (STAGES_FOR_LEAD.get(lead.stage) or [""])[0]},
        request=request,
    )

"""What channels shows on other apps' pages (salescrm.panels): the "Add to campaign" button
of the lead and customer lists' bulk forms."""

from django.template.loader import render_to_string

from salescrm.panels import page_panel
from salescrm.permissions import Action, may


def _button(request, kind: str) -> str:
    if not may(request.user, Action.CAMPAIGN_ADD_MEMBERS):
        return ""
    return render_to_string("channels/_bulk_campaign_button.html", {"kind": kind}, request=request)


@page_panel("leads:bulk_actions", order=10)
def lead_campaign_button(request, **context) -> str:
    return _button(request, "lead")


@page_panel("customers:bulk_actions", order=10)
def customer_campaign_button(request, **context) -> str:
    return _button(request, "customer")

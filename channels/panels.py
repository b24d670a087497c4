"""What the channels app shows on other apps' pages (salescrm.panels): the joint offer a lead
carries (and, for whoever may update the lead, the choice of a running one), on a contract
the offer its customer came with and the discount it gives, and the "Add to campaign" button
of the lead and customer lists' bulk forms."""

from django.template.loader import render_to_string

from salescrm.panels import page_panel
from salescrm.permissions import Action, may

from . import selectors
from .forms import ChooseOfferForm
from .models import LeadOffer


@page_panel("leads:lead_detail", order=30)
def lead_joint_offer(request, lead, **_context) -> str:
    link = LeadOffer.objects.filter(lead=lead).select_related("offer", "offer__partner").first()
    form = None
    if link is None and may(request.user, Action.LEAD_UPDATE):
        offers = selectors.running_offers()
        if offers.exists():
            form = ChooseOfferForm(offers=offers)
    if link is None and form is None:
        return ""
    return render_to_string(
        "channels/_lead_offer.html", {"lead": lead, "link": link, "form": form}, request=request
    )


@page_panel("customers:contract_detail", order=30)
def contract_joint_offer(request, contract, **_context) -> str:
    found = selectors.contract_offer(contract)
    if found is None:
        return ""
    offer, discount = found
    return render_to_string(
        "channels/_contract_offer.html",
        {"offer": offer, "discount": discount, "contract": contract},
        request=request,
    )


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

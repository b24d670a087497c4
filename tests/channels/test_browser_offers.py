"""A joint offer in a real browser at phone width (390 px): a partner company's employee
claims the offer from its QR code, and the channel manager reads the offer's results on a
phone, nothing wider than the screen."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from channels.models import JointOffer, LeadOffer, Partner
from leads.models import LeadSettings
from salescrm.timeutil import SHANGHAI

from .factories import make_partner

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_claim_an_offer_and_read_its_results_on_a_phone(
    new_page, team, rep, manager, clock, browser_login, screenshot
):
    cache.clear()
    clock.set(dt.datetime(2026, 6, 15, 9, tzinfo=SHANGHAI))
    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    company = make_partner(manager, name="华信科技", kind=Partner.Kind.COMPANY)
    offer = JointOffer.objects.create(
        partner=company,
        title="华信员工专享八五折",
        kind=JointOffer.Kind.PERCENT,
        discount_percent=Decimal("15"),
        valid_from=dt.date(2026, 6, 1),
        valid_until=dt.date(2026, 8, 31),
    )

    visitor = new_page()
    visitor.set_viewport_size({"width": 390, "height": 844})
    visitor.goto(offer.public_url())
    visitor.fill("#id_name", "林晓")
    visitor.fill("#id_phone", "+86 137 5555 6666")
    visitor.click("button[type=submit]")
    visitor.wait_for_url("**/thanks/")
    assert visitor.locator("#offer-thanks").is_visible()
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
    link = LeadOffer.objects.get(offer=offer)
    assert link.lead.owner == rep

    phone = new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    browser_login(phone, "manager_a")
    phone.goto(offer.get_absolute_url())
    phone.locator("#offer-results").wait_for()
    phone.get_by_text("林晓").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "channels-offer-phone")
    phone.goto(company.get_absolute_url())
    phone.locator("#offer-report").get_by_text("华信员工专享八五折").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

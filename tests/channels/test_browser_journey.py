"""The channels journey in a real browser: a prospect registers on the public event page,
a rep checks them in at the door on a phone-width page, the follow-up appears in the rep's
My day, the customer signs and pays, and finance sees the agent's settlement line naming
the contract."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from channels.models import Event, EventRegistration, PartnerLead, PartnerSettlement
from channels.services import event_make_follow_ups
from channels.tasks import partner_settlements
from customers import services as cs
from customers.models import ApprovalStep
from leads.models import Channel, LeadSettings
from salescrm.timeutil import SHANGHAI
from tests.customers.factories import ProductFactory, make_contract

from .factories import make_partner, make_plan

pytestmark = pytest.mark.browser


def _at(day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


@pytest.mark.django_db(transaction=True)
def test_registration_to_check_in_to_my_day_to_settlement(
    new_page, team, rep, manager, finance, clock, browser_login, screenshot
):
    cache.clear()
    day = dt.date(2026, 6, 10)
    clock.set(_at(day, 9))
    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    partner = make_partner(manager, name="星辰代理", plan=make_plan())
    event = Event.objects.create(
        kind="trial_day",
        title="Python 试听日",
        starts_at=_at(day, 14),
        place="上海校区",
        capacity=30,
        channel=Channel.objects.get(code="livestream"),
        owner=manager,
    )

    # 1. a prospect registers on the public page (the QR code on the agent's poster)
    visitor = new_page()
    visitor.goto(event.public_url())
    visitor.fill("#id_name", "苏小婉")
    visitor.fill("#id_phone", "+86 136 2222 3333")
    visitor.click("button[type=submit]")
    visitor.wait_for_url("**/thanks/")
    assert visitor.locator("#registration-thanks").is_visible()
    registration = EventRegistration.objects.get()
    assert registration.lead.owner == rep
    # the agent brought this prospect to the event: the lead is credited to the agent
    PartnerLead.objects.create(lead=registration.lead, partner=partner)

    # 2. at the door, on a phone: search and one tap
    phone = new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    browser_login(phone, "rep_a1")
    clock.set(_at(day, 14))
    phone.goto(reverse("channels:event_check_in", args=[event.pk]))
    phone.fill("#check-in-q", "2222")
    phone.click("form.d-flex button[type=submit]")
    phone.wait_for_url("**?q=2222")
    with phone.expect_navigation():
        phone.get_by_role("button", name="签到").click()
    phone.locator(".badge", has_text="已签到").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "channels-check-in-phone")
    registration.refresh_from_db()
    assert registration.checked_in_by == rep

    # 3. after the event the follow-ups are made; the next morning they are in My day
    clock.set(_at(day, 18))
    assert event_make_follow_ups(actor=manager, event=event) == 1
    clock.set(_at(day + dt.timedelta(days=1), 9))
    phone.set_viewport_size({"width": 1280, "height": 900})
    phone.goto(reverse("leads:my_day"))
    due = phone.locator("#section-due")
    due.get_by_text("苏小婉").wait_for()

    # 4. the customer signs and pays (the contract pages have their own browser tests)
    lead = registration.lead
    customer = cs.customer_from_lead(lead=lead, actor=rep)
    contract = make_contract(
        rep,
        customer=customer,
        lines=[(ProductFactory(list_price="8600.00"), 1, "0")],
        plan=[{"due_on": dt.date(2026, 6, 12), "amount": None}],
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    cs.contract_submit(contract=contract, actor=rep)
    for reviewer in (manager, finance):
        step = ApprovalStep.objects.current().get(contract=contract)
        cs.approval_decide(step=step, actor=reviewer, approve=True)
    cs.contract_mark_signed(contract=contract, actor=rep, signed_on=dt.date(2026, 6, 11))
    clock.set(_at(dt.date(2026, 6, 12), 10))
    cs.payment_record(
        instalment=contract.instalments.get(),
        actor=rep,
        amount=Decimal("8600.00"),
        received_on=dt.date(2026, 6, 12),
        method="bank_transfer",
    )

    # 5. the night computes the agent's settlement; finance reads the line
    partner_settlements(dt.date(2026, 6, 12))
    settlement = PartnerSettlement.objects.get(partner=partner, month=dt.date(2026, 6, 1))
    assert settlement.total == Decimal("430.00")  # 8,600 × 5 %
    desk = new_page()
    browser_login(desk, "finance_x")
    desk.goto(settlement.get_absolute_url())
    line = desk.locator("#settlement-lines tbody tr", has_text=contract.number)
    line.wait_for()
    assert "430.00" in line.inner_text()
    screenshot(desk, "channels-partner-settlement")
    cache.clear()

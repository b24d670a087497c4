"""The renewal journey in a real Chromium: a course ends → the renewal opportunity is in the
rep's My day → the rep works it and drafts the renewal contract → once it is signed, the next
night renews the opportunity and the pipeline's rate is updated."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from customers import services as cs
from customers.models import ApprovalStep, Contract
from salescrm.nightly import get_job, run_job
from success.models import RenewalOpportunity
from tests.customers.factories import ProductFactory

from .factories import contract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-1"


def night(day: dt.date):
    assert run_job(get_job("success.renewals"), day).ok


def test_course_ending_to_renewal_rate(
    new_page, rep, manager, finance, browser_login, clock, screenshot
):
    clock.set(dt.date(2026, 6, 15))
    ending = contract(rep, "9800", "2026-01-05", starts_on="2026-01-10", ends_on="2026-06-10")
    customer = ending.customer
    product = ProductFactory(name="雅思冲刺班", list_price="9800.00", lessons=32)
    night(dt.date(2026, 6, 14))  # the course ended on 10 June: its renewal was opened in April
    opportunity = RenewalOpportunity.objects.get(contract=ending)

    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, rep.username, PASSWORD)
    page.goto("/leads/my-day/")
    expect(page.locator("#section-renewals")).to_contain_text(customer.name)
    screenshot(page, "success-my-day-renewal")
    with page.expect_navigation():
        page.click(f"#section-renewals a[href='{opportunity.get_absolute_url()}']")
    page.select_option("#renewal-move-form select[name=stage]", "proposal")
    with page.expect_navigation():
        page.click("#renewal-move-form button[type=submit]")
    opportunity.refresh_from_db()
    assert opportunity.stage == "proposal"

    page.goto("/success/renewals/")
    expect(page.locator('[data-rate="1"]')).to_have_text("0.00 %")  # June: 0 of 1

    # the renewal contract, drafted in the browser, starting ten days after the end
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(customer.get_absolute_url())
    page.click(f"a[href='/customers/{customer.pk}/contracts/new/']")
    page.select_option("select[name=lines-0-product]", str(product.pk))
    page.fill("input[name=lines-0-quantity]", "1")
    page.fill("input[name=lines-0-discount_rate]", "0")
    page.fill("input[name=plan-0-due_on]", "2026-06-20")
    page.fill("input[name=starts_on]", "2026-06-20")
    page.fill("input[name=ends_on]", "2026-12-31")
    page.fill("textarea[name=training_content]", "雅思冲刺续报")
    page.click("#contract-form button[type=submit]")
    page.wait_for_url("**/customers/contracts/*/")
    with page.expect_navigation():
        page.click("#submit-contract")
    renewal = Contract.objects.exclude(pk=ending.pk).get(customer=customer)
    for reviewer in (manager, finance):  # the approval chain has its own browser journey
        step = ApprovalStep.objects.current().get(contract=renewal)
        cs.approval_decide(step=step, actor=reviewer, approve=True)
    cs.contract_mark_signed(contract=renewal, actor=rep, signed_on=dt.date(2026, 6, 15))

    page.goto("/success/renewals/")
    expect(page.locator('[data-rate="1"]')).to_have_text("0.00 %")  # not before the night

    clock.set(dt.date(2026, 6, 16))
    night(dt.date(2026, 6, 15))
    page.goto("/success/renewals/")
    expect(page.locator('[data-rate="1"]')).to_have_text("100.00 %")  # June: 1 of 1
    screenshot(page, "success-renewal-rate")
    page.goto(opportunity.get_absolute_url())
    expect(page.locator("#renewal-stage")).to_be_visible()
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.renewal_contract_id) == ("renewed", renewal.pk)

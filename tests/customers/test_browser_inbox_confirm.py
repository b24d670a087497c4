"""The inbox's approval confirmation in a real Chromium on a 390 px phone with JavaScript off:
it names the contract and amount, fits the screen, and the decision goes through."""

import pytest

from customers import services
from customers.models import ApprovalStep

from .factories import ProductFactory, make_contract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inbox_confirmation_works_on_a_phone_without_javascript(
    browser, live_server, rep, manager, browser_login, screenshot
):
    contract = make_contract(rep, lines=[(ProductFactory(list_price="1900.00"), 1, "0")])
    services.contract_submit(contract=contract, actor=rep)
    # sign in normally, then carry the session into a phone-sized context without JavaScript
    signed_in = browser.new_context(base_url=live_server.url, locale="zh-CN")
    signed_in.set_default_timeout(15_000)
    browser_login(signed_in.new_page(), manager.username)
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        java_script_enabled=False,
        storage_state=signed_in.storage_state(),
    )
    signed_in.close()
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/customers/approvals/")
    with page.expect_navigation():
        page.click("#inbox .approve-button")
    assert contract.number in page.inner_text("#confirm-question")
    assert page.inner_text("#confirm-amount") == "¥1,900.00"
    # nothing wider than the phone: no sideways scrolling to reach the button
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "customers-inbox-confirm-390")
    assert ApprovalStep.objects.get(contract=contract, kind="manager").decision == "pending"
    with page.expect_navigation():
        page.click("#confirm-approve")
    assert page.url.endswith("/customers/approvals/")
    assert ApprovalStep.objects.filter(contract=contract, kind="manager").get().decision == (
        "approved"
    )
    context.close()

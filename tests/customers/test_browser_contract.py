"""The main journey in a real Chromium: a rep drafts a contract and submits it; the manager,
legal and finance approve it in their inboxes; the rep marks it signed; a payment is recorded
and the receivable drops."""

from decimal import Decimal

import pytest

from customers.models import Contract, Instalment
from salescrm.timeutil import local_today

from .factories import CustomerFactory, ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-1"


def test_contract_from_draft_to_payment(
    new_page, rep, manager, legal, finance, browser_login, screenshot
):
    customer = CustomerFactory(owner=rep, name="华星科技有限公司", kind="enterprise")
    product = ProductFactory(name="企业内训·领导力", list_price="1000.00", lessons=16)

    def session(user):
        page = new_page()
        browser_login(page, user.username, PASSWORD)
        return page

    # the rep drafts: 2 × 1,000.00 at 5 % off = 1,900.00, in two instalments; non-standard terms → legal
    page = session(rep)
    page.goto(customer.get_absolute_url())
    page.click(f"a[href='/customers/{customer.pk}/contracts/new/']")
    page.select_option("select[name=lines-0-product]", str(product.pk))
    page.fill("input[name=lines-0-quantity]", "2")
    page.fill("input[name=lines-0-discount_rate]", "0.05")
    page.fill("input[name=plan-0-due_on]", "2026-01-15")
    page.fill("input[name=plan-1-due_on]", "2026-02-15")
    page.fill("input[name=starts_on]", "2026-01-10")
    page.fill("input[name=ends_on]", "2026-06-30")
    page.fill("textarea[name=training_content]", "领导力与团队管理，16 学时")
    page.check("input[name=non_standard_terms]")
    page.fill("textarea[name=special_terms]", "第二期款项延后 30 天")
    screenshot(page, "customers-contract-form")
    page.click("#contract-form button[type=submit]")
    page.wait_for_url("**/customers/contracts/*/")
    contract = Contract.objects.get()
    assert page.inner_text("#contract-total") == "¥1,900.00"
    with page.expect_navigation():
        page.click("#submit-contract")
    page.wait_for_selector("#approval-log")
    contract.refresh_from_db()
    assert contract.status == "pending"
    page.context.close()

    # manager, legal and finance each find it in their inbox and approve it there
    for reviewer in (manager, legal, finance):
        page = session(reviewer)
        page.goto("/customers/approvals/")
        assert page.inner_text("#inbox-count") == "1"
        assert contract.number in page.inner_text("#inbox")
        screenshot(page, f"customers-inbox-{reviewer.role}")
        with page.expect_navigation():
            page.click("#inbox .approve-button")
        # the confirmation names the contract and its amount before anything is decided
        assert contract.number in page.inner_text("#confirm-question")
        assert page.inner_text("#confirm-amount") == "¥1,900.00"
        with page.expect_navigation():
            page.click("#confirm-approve")
        assert page.inner_text("#inbox-count") == "0"
        page.context.close()
    contract.refresh_from_db()
    assert contract.status == "approved"
    assert list(contract.steps.values_list("kind", "decided_by__username")) == [
        ("manager", "manager_a"),
        ("legal", "legal_x"),
        ("finance", "finance_x"),
    ]

    # the rep marks it signed and records a payment of the first instalment
    page = session(rep)
    page.goto(contract.get_absolute_url())
    page.fill("#sign-form input[name=signed_on]", local_today().isoformat())
    page.click("#sign-form button")
    page.wait_for_selector("a[href$='/pay/']")
    contract.refresh_from_db()
    assert contract.status == "signed"

    page.goto("/customers/receivables/")
    assert "¥1,900.00" in page.inner_text("#ageing")
    page.goto(contract.get_absolute_url())
    page.click("a[href$='/pay/'] >> nth=0")
    page.fill("input[name=amount]", "950.00")
    page.fill("input[name=received_on]", local_today().isoformat())
    page.select_option("select[name=method]", "bank_transfer")
    page.click("#main-form button[type=submit]")
    page.wait_for_url(f"**{contract.get_absolute_url()}")
    screenshot(page, "customers-contract-paid")
    assert page.locator("td.outstanding").first.inner_text() == "¥0.00"

    page.goto("/customers/receivables/")
    assert "¥950.00" in page.inner_text("#ageing")
    assert Instalment.objects.get(contract=contract, sequence=1).paid_amount == Decimal("950.00")
    assert contract.payments.get().received_on == local_today()
    page.context.close()

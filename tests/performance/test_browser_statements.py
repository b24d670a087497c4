"""The commission journey in a real browser: finance opens a rep's statement, reads its
lines and closes it as paid; the rep then sees it closed."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from performance.models import CommissionPlan, CommissionStatement, CommissionTier
from performance.services import commission_compute

from .factories import contract, payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_closes_a_statement_and_the_rep_sees_it(
    rep, finance, page, browser_login, screenshot
):
    plan = CommissionPlan.objects.create(name="阶梯提成", effective_from=dt.date(2026, 1, 1))
    CommissionTier.objects.create(plan=plan, threshold=0, rate=3)
    payment(contract(rep, "50000", "2026-10-20", number="HT-2026-001"), "50000", "2026-11-03")
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    statement = CommissionStatement.objects.get(rep=rep)
    assert statement.total == D("1500.00")

    browser_login(page, finance.username)
    page.goto("/performance/statements/")
    page.click(f"a[href='{statement.get_absolute_url()}']")
    # the click starts a navigation: wait for the statement page, not the list still showing
    expect(page).to_have_url(re.compile(re.escape(statement.get_absolute_url()) + "$"))
    expect(page.locator("table")).to_contain_text("HT-2026-001")
    expect(page.locator("tfoot")).to_contain_text("1,500.00")
    # the form posts and redirects back to this same URL: wait for the navigation itself
    with page.expect_navigation(url=f"**{statement.get_absolute_url()}"):
        page.click("form[action$='/close/'] button[type=submit]")
    assert "已结（已发放）" in page.inner_text("dl")
    screenshot(page, "performance-statement-closed")

    page.context.clear_cookies()
    browser_login(page, rep.username)
    page.goto(statement.get_absolute_url())
    assert "已结（已发放）" in page.inner_text("dl")
    assert page.locator("form[action$='/close/']").count() == 0

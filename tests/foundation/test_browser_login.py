import datetime as dt
import random

import pytest

from salescrm.demo import DEMO_PASSWORD, DemoContext
from salescrm.org_demo import seed_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_org():
    seed_organisation(
        DemoContext(today=dt.date(2026, 11, 22), rng=random.Random(1), log=lambda s: None)
    )


def test_rep_logs_in_lands_on_dashboard_and_switches_to_english(
    demo_org, page, browser_login, screenshot
):
    browser_login(page, "rep3", DEMO_PASSWORD)
    assert page.url.endswith("/dashboard/")
    assert "欢迎" in page.inner_text("#dashboard-title")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # the select submits its form on change: wait for that navigation, not just for quiet
    with page.expect_navigation(url="**/dashboard/"):
        page.select_option("#language-select", "en")
    assert page.url.endswith("/dashboard/")
    assert "Welcome" in page.inner_text("#dashboard-title")
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "foundation-dashboard-en")

    # the choice is kept on the user and survives a new session
    page.context.clear_cookies()
    browser_login(page, "rep3", DEMO_PASSWORD)
    assert "Welcome" in page.inner_text("#dashboard-title")

"""Accessibility (issue 18): axe-core, run in Chromium on the 20 main pages as the roles that
use them, finds no serious or critical violation (colour contrast, unlabelled controls,
missing names...). And after a failed save the error summary takes the focus: it is
announced (role="alert") and lists each error with a link to its field."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import BROWSER_TIMEOUT_MS, PASSWORD
from tests.daily.test_browser_phone import road  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


def signed_in(browser, live_server, username):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    if username:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/dashboard/")
    return page


def violations(page) -> list[str]:
    page.wait_for_load_state("load")
    # the charts first: axe checks what they draw too
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-plotly]')].every(el => el.dataset.drawn)"
    )
    result = Axe().run(page)
    found = []
    for violation in result.response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [str(node["target"]) for node in violation["nodes"][:5]]
            found.append(f"{page.url}: {violation['id']} ({violation['impact']}) {targets}")
    return found


def test_the_main_pages_have_no_serious_violation(road, browser, live_server):  # noqa: F811
    rep = road["rep"]
    lead = rep.leads.order_by("pk").first() if hasattr(rep, "leads") else None
    if lead is None:
        from leads.models import Lead

        lead = Lead.objects.filter(owner=rep).order_by("pk").first()
    customer, contract = road["customer"], road["contract"]
    pages = {
        None: ["/accounts/login/", "/leads/capture/"],
        "pr1": [
            "/dashboard/",
            "/leads/my-day/",
            "/leads/",
            f"/leads/{lead.pk}/",
            f"/leads/{lead.pk}/edit/",
            "/leads/new/",
            "/leads/board/",
            "/customers/",
            customer.get_absolute_url(),
            f"/customers/{customer.pk}/contracts/new/",
            contract.get_absolute_url(),
            "/performance/scorecards/",
            "/performance/statements/",
            "/notifications/",
            "/accounts/profile/",
            "/search/?q=欧阳",
        ],
        "pm1": ["/dashboard/", "/targets/", "/targets/progress/"],
        "pd1": ["/dashboard/"],
        "pf1": ["/dashboard/"],
        "pl1": ["/dashboard/"],
    }
    found = []
    for username, urls in pages.items():
        page = signed_in(browser, live_server, username)
        for url in urls:
            response = page.goto(url)
            assert response.status < 400, (username, url, response.status)
            found += violations(page)
        page.context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("url", "first_field"),
    [("/leads/new/", "#id_name"), ("/customers/new/", "#id_name")],
)
def test_a_failed_save_moves_the_focus_to_the_error_summary(
    road,  # noqa: F811
    browser,
    live_server,
    url,
    first_field,
):
    page = signed_in(browser, live_server, "pr1")
    page.goto(url)
    page.fill(first_field, "")
    # the server's answer is under test, not the browser's own check of required fields
    page.eval_on_selector_all("main form", "forms => forms.forEach(f => (f.noValidate = true))")
    page.locator("main form[method=post] [type=submit]").last.click()
    page.wait_for_selector("#error-summary")
    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert summary.get_attribute("tabindex") == "-1"
    page.wait_for_function("() => document.activeElement.id === 'error-summary'")
    # each field error links to its field; following the link focuses the field
    link = summary.locator(f"a[href='{first_field}']")
    assert link.count() == 1
    link.click()
    page.wait_for_function(f"() => document.activeElement.id === '{first_field[1:]}'")
    page.context.close()

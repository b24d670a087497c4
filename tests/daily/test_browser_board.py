"""The pipeline board in Chromium (issue 18): drag a card to move the lead, dropping on
Lost asks for the reason, and on a phone the "Move to" menu does the same by taps."""

import importlib

import pytest
from django.apps import apps

from leads.models import Lead, LostReason, StageChange
from tests.conftest import BROWSER_TIMEOUT_MS
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def defaults(transactional_db):
    for name in (
        "leads.migrations.0002_default_channels_and_lost_reasons",
        "leads.migrations.0003_default_scoring_rules_and_settings",
    ):
        importlib.import_module(name).create_defaults(apps, None)


def test_drag_a_card_and_drop_on_lost_asks_why(defaults, page, rep, browser_login, screenshot):
    moving = LeadFactory(owner=rep, name="拖动的线索", stage="new")
    losing = LeadFactory(owner=rep, name="要丢的线索", stage="trial")
    browser_login(page, "rep_a1")
    page.goto("/leads/board/")
    with page.expect_navigation(url="**/leads/board/"):
        page.drag_and_drop(f"#card-{moving.pk}", "#stage-contacted")
    assert page.locator(f"#stage-contacted #card-{moving.pk}").count() == 1
    moving.refresh_from_db()
    assert moving.stage == "contacted"
    assert StageChange.objects.filter(lead=moving, to_stage="contacted").exists()

    page.drag_and_drop(f"#card-{losing.pk}", "#stage-lost")
    reason = page.locator(f"#lost-reason-{losing.pk}")
    assert reason.is_visible()
    assert page.evaluate("() => document.activeElement.id") == f"lost-reason-{losing.pk}"
    losing.refresh_from_db()
    assert losing.stage == "trial"  # nothing moves before the reason is named
    screenshot(page, "board-lost-asks-why")
    price = LostReason.objects.get(name_en="Price too high")
    reason.select_option(str(price.pk))
    with page.expect_navigation(url="**/leads/board/"):
        page.click(f"#card-{losing.pk} form.move-form button[type=submit]")
    losing.refresh_from_db()
    assert (losing.stage, losing.lost_reason_id) == ("lost", price.pk)
    screenshot(page, "board")


def test_tap_to_move_on_a_phone(defaults, browser, live_server, rep, browser_login, screenshot):
    lead = LeadFactory(owner=rep, name="手机上移动", stage="new")
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    try:
        browser_login(page, "rep_a1")
        page.goto("/leads/board/")
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1]
        summary = page.locator(f"#card-{lead.pk} summary")
        box = summary.bounding_box()
        assert box["height"] >= 44
        summary.tap()
        page.select_option(f"#to-stage-{lead.pk}", "needs_analysis")
        # keyboard works as well as a tap: Enter on the focused Move button
        page.focus(f"#card-{lead.pk} form.move-form button[type=submit]")
        with page.expect_navigation(url="**/leads/board/"):
            page.keyboard.press("Enter")
        assert Lead.objects.get(pk=lead.pk).stage == "needs_analysis"
        screenshot(page, "phone-board")
    finally:
        context.close()

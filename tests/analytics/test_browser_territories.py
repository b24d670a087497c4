"""Territories and the market view in a phone's browser (390×844): the capture form's
territory is the phone's own select and places the enquiry; the director filters the dashboard
by territory and reads the table by territory and the market page without a horizontal scroll.
Screenshots land in test-artifacts/phone-territory-*.png."""

import pytest

from leads.models import Lead, LeadSettings, Territory
from salescrm.roles import Role
from tests.conftest import BROWSER_TIMEOUT_MS, PASSWORD
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def places(transactional_db):
    team = TeamFactory(name="华东组")
    manager = UserFactory(username="tm1", role=Role.MANAGER, team=team)
    team.manager = manager
    team.save()
    UserFactory(username="tr1", role=Role.REP, team=team)
    UserFactory(username="td1", role=Role.DIRECTOR)
    LeadSettings.objects.update_or_create(pk=1, defaults={"capture_team": team})
    province = Territory.objects.create(name="浏览省", kind="province", owner_team=team)
    city = Territory.objects.create(name="浏览市", kind="city", parent=province)
    district = Territory.objects.create(name="浏览区", kind="district", parent=city)
    return province, city, district


def _no_horizontal_scroll(page):
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide in a {widths[1]} px window"


def test_a_territory_on_a_phone(places, phone_page, screenshot):
    province, _city, district = places
    page = phone_page
    page.goto("/leads/capture/")
    select = page.locator("select#id_territory")
    assert select.count() == 1
    select.select_option(label="浏览省 › 浏览市 › 浏览区")
    page.fill("#id_name", "李雷")
    page.fill("#id_phone", "13812345678")
    _no_horizontal_scroll(page)
    screenshot(page, "phone-territory-capture")
    page.click("#capture-submit")
    page.wait_for_url("**/capture/thanks/")
    assert Lead.objects.get().territory_id == district.pk

    page.goto("/accounts/login/")
    page.fill("input[name=username]", "td1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")
    page.goto(f"/dashboard/?territory={province.pk}")
    page.wait_for_selector("#scope-territory")
    assert "浏览省" in page.inner_text("#scope-territory")
    _no_horizontal_scroll(page)
    screenshot(page, "phone-territory-dashboard")

    page.goto("/analytics/territories/")
    page.wait_for_selector("#analytics-table")
    assert "浏览省 › 浏览市 › 浏览区" in page.inner_text("#analytics-table")
    _no_horizontal_scroll(page)
    screenshot(page, "phone-territory-table")

    page.goto("/analytics/market/")
    page.wait_for_selector("#market-form")
    page.select_option("#id_period_kind", "quarter")
    page.fill("#id_month", "2026-11")
    page.fill("#id_growth", "-20")
    page.fill("#id_source", "行业协会")
    page.click("#market-form button[type=submit]")
    page.wait_for_selector("#market-table")
    assert "2026 Q4" in page.inner_text("#market-table")
    _no_horizontal_scroll(page)
    screenshot(page, "phone-territory-market")

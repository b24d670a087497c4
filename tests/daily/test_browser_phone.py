"""Phone-first pages (issue 18): at 390×844 the pages a rep uses on the road have no
horizontal scroll, their primary actions are at least 44 px in both directions, phone
numbers are tap-to-call and phone fields bring up the number keypad. Screenshots land in
test-artifacts/phone-*.png."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from customers import services as customer_services
from customers.models import ApprovalStep
from leads.services import lead_grade_override
from salescrm.roles import Role
from tests.conftest import BROWSER_TIMEOUT_MS, PASSWORD
from tests.customers.factories import CustomerFactory, ProductFactory, make_contract
from tests.factories import TeamFactory, UserFactory
from tests.leads.factories import LeadFactory

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
def road(transactional_db):
    for name in (
        "leads.migrations.0002_default_channels_and_lost_reasons",
        "leads.migrations.0003_default_scoring_rules_and_settings",
    ):
        importlib.import_module(name).create_defaults(apps, None)
    team = TeamFactory(name="一组")
    manager = UserFactory(username="pm1", role=Role.MANAGER, team=team)
    team.manager = manager
    team.save()
    finance = UserFactory(username="pf1", role=Role.FINANCE)
    rep = UserFactory(username="pr1", role=Role.REP, team=team, last_name="李", first_name="明")
    today = dt.date.today()
    for n in range(6):
        LeadFactory(
            owner=rep,
            name=f"欧阳晓晨{n}",
            company="上海华星信息科技股份有限公司",
            phone=f"1381234{n:04d}",
            next_follow_up_on=today,
        )
    first = rep.leads.order_by("pk").first()
    for grade in ("A", "B", ""):  # a grade history on the lead page
        lead_grade_override(lead=first, actor=manager, grade=grade)
    product = ProductFactory(name="企业数据分析内训（两天）", list_price="106861.66")
    customer = CustomerFactory(owner=rep, name="赵小姐", phone="13900001111")
    contract = make_contract(
        rep,
        customer=customer,
        lines=[(product, 1, "0")],
        plan=[
            {"due_on": dt.date(2026, 1, 10), "amount": None},
            {"due_on": dt.date(2026, 2, 10), "amount": None},
        ],
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 6, 30),
    )
    customer_services.contract_submit(contract=contract, actor=rep)
    reviewers = {
        "manager": manager,
        "finance": finance,
        "legal": UserFactory(username="pl1", role=Role.LEGAL),
        "director": UserFactory(username="pd1", role=Role.DIRECTOR),
    }
    while step := ApprovalStep.objects.current().filter(contract=contract).first():
        customer_services.approval_decide(step=step, actor=reviewers[step.kind], approve=True)
    customer_services.contract_mark_signed(
        contract=contract, actor=rep, signed_on=dt.date(2026, 1, 5)
    )
    return {
        "rep": rep,
        "lead": rep.leads.first() if hasattr(rep, "leads") else None,
        "customer": customer,
        "contract": contract,
    }


def _no_horizontal_scroll(page):
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide in a {widths[1]} px window"


def _big_enough(page, selector):
    target = page.locator(selector).first
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    assert box is not None, selector
    assert box["height"] >= 44 and box["width"] >= 44, (selector, box)


def _sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def test_the_road_pages_fit_a_phone(road, phone_page, screenshot):
    from leads.models import Lead

    page = phone_page
    # the public capture form first (no login)
    page.goto("/leads/capture/")
    assert page.locator("#id_phone").get_attribute("type") == "tel"
    assert page.locator("#id_phone").get_attribute("inputmode") == "tel"
    _no_horizontal_scroll(page)
    _big_enough(page, "#capture-submit")
    screenshot(page, "phone-capture")

    _sign_in(page, "pr1")
    _no_horizontal_scroll(page)
    _big_enough(page, ".navbar-toggler")
    screenshot(page, "phone-dashboard")

    page.goto("/leads/my-day/")
    page.wait_for_selector("#lead-table")
    _no_horizontal_scroll(page)
    _big_enough(page, "#lead-table .card-title-cell a")
    _big_enough(page, "#lead-table a.tel")
    assert page.locator("#lead-table a.tel").first.get_attribute("href").startswith("tel:")
    screenshot(page, "phone-my-day")

    page.goto("/leads/")
    page.wait_for_selector("#lead-table")
    _no_horizontal_scroll(page)
    assert not page.locator("#lead-filters").is_visible()  # filters fold away on a phone
    _big_enough(page, "a.btn-primary")  # New lead
    page.click("[data-bs-target='#lead-filters']")
    page.wait_for_selector("#lead-filters.show")
    screenshot(page, "phone-lead-list")

    lead = Lead.objects.filter(owner=road["rep"]).order_by("pk").first()
    page.goto(f"/leads/{lead.pk}/")
    page.wait_for_selector("#lead-phone-actions")
    assert page.locator("#grade-history li").count() == 3
    _no_horizontal_scroll(page)
    _big_enough(page, "#lead-phone-actions a.btn-primary")  # log a follow-up
    _big_enough(page, "#lead-phone-actions a[href^='tel:']")
    _big_enough(page, "#activity-submit")
    screenshot(page, "phone-lead-detail")

    page.goto(f"/leads/{lead.pk}/edit/")
    assert page.locator("#id_phone").get_attribute("type") == "tel"
    _no_horizontal_scroll(page)

    page.goto(road["customer"].get_absolute_url())
    page.wait_for_selector("#customer-contracts")
    _no_horizontal_scroll(page)
    _big_enough(page, "a.btn-primary")  # new contract
    assert page.locator("a[href='tel:13900001111']").count() >= 1
    screenshot(page, "phone-customer")

    page.goto(road["contract"].get_absolute_url())
    page.wait_for_selector("#contract-instalments")
    _no_horizontal_scroll(page)
    assert "¥106,861.66" in page.inner_text("#contract-total")
    _big_enough(page, "#contract-instalments a.btn-tap")  # record a payment
    screenshot(page, "phone-contract")


# Pages no phone test checked before (issue 18): enablement, customer success, analytics,
# the profile's API-token and calendar-feed parts, the documents card and the calendar.
MORE_PAGES_REP = [
    "/enablement/scripts/",
    "/enablement/experiments/",
    "/enablement/scripts/usage/",
    "/enablement/onboarding/",
    "/enablement/training/",
    "/success/renewals/",
    "/success/plans/",
    "/success/service/",
    "/success/churn/",
    "/success/feedback/",
    "/analytics/lost-deals/",
    "/analytics/money/",
    "/analytics/collection/",
    "/analytics/lifetime-value/",
    "/analytics/coverage/",
    "/rhythm/calendar/",
    "/rhythm/calendar/?view=day",
    "/rhythm/calendar/?view=month",
]
MORE_PAGES_MANAGER = ["/enablement/promotion/", "/rhythm/calendar/?view=month", "/customers/"]


def _primary_actions_big_enough(page):
    for selector in (".btn-primary", ".btn-tap"):
        visible = page.locator(f"main {selector}:visible, {selector}:visible")
        if visible.count():
            _big_enough(page, f"{selector} >> visible=true")


def _fits(page, path, name):
    page.goto(path)
    page.wait_for_selector("footer, main, h1")
    _no_horizontal_scroll(page)
    _primary_actions_big_enough(page)
    return name


def test_more_pages_fit_a_phone(road, phone_page, screenshot, browser, live_server):
    from leads.models import Lead

    rep = road["rep"]
    today = dt.date.today()
    Lead.objects.filter(owner=rep).update(trial_lesson_on=today + dt.timedelta(days=1))
    page = phone_page
    _sign_in(page, "pr1")
    for path in MORE_PAGES_REP:
        _fits(page, path, path)
        assert page.locator("h1").count() >= 1, path
    page.goto("/rhythm/calendar/")
    page.wait_for_selector("#calendar-agenda .calendar-item")
    _big_enough(page, "#calendar-agenda .calendar-move summary")
    _big_enough(page, ".calendar-nav .btn")
    screenshot(page, "phone-calendar")
    page.goto("/accounts/profile/")
    page.wait_for_selector("#api-tokens")
    _no_horizontal_scroll(page)
    _big_enough(page, "#token-create")
    _big_enough(page, "#calendar-feed-issue")
    screenshot(page, "phone-profile")
    page.goto(road["customer"].get_absolute_url())
    page.wait_for_selector("#documents")
    _no_horizontal_scroll(page)
    _big_enough(page, "#document-upload")

    page.context.clear_cookies()
    _sign_in(page, "pm1")
    for path in MORE_PAGES_MANAGER:
        _fits(page, path, path)

"""The issue-20 pages at 390 px (phone-first): the alert analyses list and form, the improvement
plan and the annual scorecards have no horizontal scroll. Screenshots in test-artifacts/."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.models import AlertAnalysis, ImprovementPlan
from performance.models import KpiScheme, ScoreCard
from salescrm.roles import Role
from tests.conftest import BROWSER_TIMEOUT_MS
from tests.daily.test_browser_phone import PHONE, _no_horizontal_scroll, _sign_in
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server):
    """A 390 × 844 phone page, as in tests/daily/test_browser_phone.py."""
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
def rows(transactional_db):
    team = TeamFactory(name="华东一组")
    manager = UserFactory(username="pm1", role=Role.MANAGER, team=team)
    team.manager = manager
    team.save()
    rep = UserFactory(username="pr1", role=Role.REP, team=team, last_name="欧阳", first_name="晓晨")
    analysis = AlertAnalysis.objects.create(
        key=f"kpi-trend:{rep.pk}:signed_amount:2026-10",
        kind="kpi_trend",
        kpi="signed_amount",
        month=dt.date(2026, 10, 1),
        owner=rep,
        summary="2026-07 50000.00 → 2026-08 40000.00 → 2026-09 30000.00 → 2026-10 20000.00",
        raised_on=dt.date(2026, 11, 9),
        due_on=dt.date(2026, 11, 11),
    )
    plan = ImprovementPlan.objects.create(
        person=rep,
        last_failed_month=dt.date(2026, 10, 1),
        failed_scores=[["2026-09", "50.00"], ["2026-10", "48.50"]],
        opened_on=dt.date(2026, 11, 9),
    )
    scheme = KpiScheme.objects.create(role="rep", name="方案", effective_from=dt.date(2025, 1, 1))
    for q in range(4):
        start = dt.date(2025, 3 * q + 1, 1)
        ScoreCard.objects.create(
            person=rep,
            period_kind="quarter",
            period_start=start,
            period_end=dt.date(2025, 3 * q + 3, 28),
            scheme=scheme,
            total_score=Decimal("88.25"),
            computed_at=timezone.now(),
        )
    return {"analysis": analysis, "plan": plan}


def test_the_analytics_pages_fit_a_phone(rows, phone, screenshot):
    page = phone
    _sign_in(page, "pm1")
    page.goto("/analytics/analyses/")
    page.wait_for_selector(".analysis-card")
    _no_horizontal_scroll(page)
    screenshot(page, "phone-alert-analyses")
    page.goto(f"/analytics/analyses/{rows['analysis'].pk}/write/")
    page.wait_for_selector("#analysis-form")
    _no_horizontal_scroll(page)
    page.goto(f"/analytics/improvement-plans/{rows['plan'].pk}/")
    page.wait_for_selector("#plan-form")
    _no_horizontal_scroll(page)
    screenshot(page, "phone-improvement-plan")
    page.goto("/analytics/annual-scorecards/?year=2025")
    page.wait_for_selector(".annual-row")
    _no_horizontal_scroll(page)
    screenshot(page, "phone-annual-scorecards")

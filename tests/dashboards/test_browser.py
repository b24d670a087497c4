"""Each role's dashboard in a real browser: the plotly charts render (an SVG inside the chart
element), the period filter changes what is shown, and a chart's numbers download."""

import pytest

from performance.dashboards import default_month
from performance.models import FunnelSnapshot
from salescrm.timeutil import business_date
from tests.performance.factories import contract, nightly_facts, targets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAGES = ["new", "contacted", "needs_analysis", "trial", "proposal", "negotiation", "won"]


@pytest.fixture
def figures(rep, teammate, outsider, manager, team, other_team):
    month = default_month()
    for person, reached in ((rep, [10, 8, 4, 3, 2, 1, 1]), (teammate, [10, 6, 5, 4, 3, 2, 2])):
        FunnelSnapshot.objects.bulk_create(
            FunnelSnapshot(
                day=month,
                team=person.team,
                rep=person,
                stage=stage,
                open_leads=1,
                amount=0,
                entered=0,
                reached=count,
            )
            for stage, count in zip(STAGES, reached, strict=True)
        )
    contract(rep, "30000", month.isoformat())
    contract(teammate, "40000", month.isoformat())
    contract(outsider, "99000", month.isoformat())
    targets(
        "signed_amount",
        [
            ("rep", team, rep, f"{month:%Y-%m}", "60000"),
            ("rep", team, teammate, f"{month:%Y-%m}", "50000"),
        ],
        year=month.year,
        created_by=manager,
    )
    nightly_facts(day=business_date(), history_months=0)  # what the dashboards read
    return month


def see_charts_change_period_and_export(page, chart_key, screenshot, name):
    page.goto("/dashboard/")
    page.wait_for_selector(f"#chart-{chart_key} .dashboard-figure svg.main-svg")
    assert page.locator(".dashboard-figure svg.main-svg").count() >= 2
    screenshot(page, f"dashboard-{name}")
    before = page.inner_text("#dashboard-period")
    page.select_option("select[name=period]", "quarter")
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url("**/dashboard/?period=quarter*")
    page.wait_for_selector(f"#chart-{chart_key} .dashboard-figure svg.main-svg")
    assert page.inner_text("#dashboard-period") != before
    assert " Q" in page.inner_text("#dashboard-period")
    with page.expect_download() as info:
        page.click(f"#chart-{chart_key} a[data-export=csv]")
    download = info.value
    assert download.suggested_filename.startswith(f"{chart_key}-")
    content = open(download.path(), encoding="utf-8-sig").read()
    screenshot(page, f"dashboard-{name}-quarter")
    return content


def test_rep_dashboard_renders_filters_and_exports(figures, rep, page, browser_login, screenshot):
    browser_login(page, rep.username)
    content = see_charts_change_period_and_export(page, "target_progress", screenshot, "rep")
    # the quarter's line: 30000 signed (only the rep's own contract)
    assert "30000.00" in content
    assert "40000.00" not in content and "99000.00" not in content


def test_manager_dashboard_renders_filters_and_exports(
    figures, manager, page, browser_login, screenshot
):
    browser_login(page, manager.username)
    assert page.locator("#chart-diagnosis").count() == 1
    content = see_charts_change_period_and_export(page, "target_by_rep", screenshot, "manager")
    assert "rep_a1" in content and "rep_a2" in content and "rep_b1" not in content


def test_director_dashboard_renders_filters_and_exports(
    figures, director, page, browser_login, screenshot
):
    browser_login(page, director.username)
    content = see_charts_change_period_and_export(page, "by_team", screenshot, "director")
    assert "Team A" in content and "Team B" in content
    assert page.locator("#chart-benchmarks").count() == 1
    assert page.locator("#chart-forecast").count() == 1


def test_dashboard_runs_under_the_content_security_policy(figures, manager, page, browser_login):
    """Nothing on the page is blocked by the policy: the charts draw from their JSON blocks,
    and the language menu (a data-autosubmit select, no inline handler) still switches."""
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{message.text} {message.location.get('url')}")
            if message.type == "error" and "favicon" not in str(message.location.get("url"))
            else None
        ),
    )
    browser_login(page, manager.username)
    page.wait_for_selector("#chart-target_by_rep .dashboard-figure svg.main-svg")
    assert page.locator(".dashboard-figure svg.main-svg").count() >= 2
    page.select_option("#language-select", "en")
    page.wait_for_selector("html[lang=en]")
    page.wait_for_selector("#chart-target_by_rep .dashboard-figure svg.main-svg")
    assert errors == []

"""The manager's main journey in a real browser: move target between two reps of the team
and see that the totals stay the same."""

import re
from decimal import Decimal

import pytest

from targets.models import Adjustment, Target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_moves_target_between_two_reps_and_totals_stay(
    plan, manager, team, page, browser_login, screenshot
):
    year = plan.year
    browser_login(page, "manager_a")
    page.goto(f"/targets/plans/{plan.pk}/")
    team_row = page.locator("#team-table tr[data-row='Team A']")
    assert team_row.locator("[data-total]").inner_text() == "800,000.04"
    team_row.get_by_role("link", name="Team A").click()
    page.wait_for_url(re.compile(r".*/adjust/\d+/$"))

    page.get_by_label(f"rep_a1 {year}-06").fill("43333.34")
    page.get_by_label(f"rep_a2 {year}-06").fill("23333.33")
    june_sum = page.locator("[data-sum='6']")
    assert june_sum.inner_text().replace(",", "") == "66666.67"
    assert "text-danger" not in (june_sum.get_attribute("class") or "")
    # a wrong figure shows at once in the column sum
    page.get_by_label(f"rep_a2 {year}-06").fill("23333.00")
    assert "text-danger" in june_sum.get_attribute("class")
    page.get_by_label(f"rep_a2 {year}-06").fill("23333.33")
    screenshot(page, "targets-adjust-team")

    page.fill("textarea[name=reason]", "rep_a1 takes over the Fudan account")
    page.click("#adjust-form button[type=submit]")
    page.wait_for_url(f"**/targets/plans/{plan.pk}/")
    assert page.locator(".alert-success").count() == 1
    team_row = page.locator("#team-table tr[data-row='Team A']")
    assert team_row.locator("[data-total]").inner_text() == "800,000.04"
    rep_row = page.locator("tr[data-row='rep_a1']")
    assert rep_row.locator("[data-total]").inner_text() == "410,000.08"
    screenshot(page, "targets-plan-after-adjustment")

    assert Target.objects.get(plan=plan, level="team", team=team, month__month=6).value == Decimal(
        "66666.67"
    )
    assert Adjustment.objects.get().reason == "rep_a1 takes over the Fudan account"


def test_director_sees_the_progress_chart(
    make_plan, rep, teammate, outsider, director, page, browser_login, screenshot
):
    from salescrm.timeutil import local_today

    plan = make_plan(year=local_today().year)
    browser_login(page, "director_x")
    page.goto(f"/targets/progress/?plan={plan.pk}&period=year")
    page.wait_for_selector("#progress-chart .main-svg")
    assert page.locator("#progress-chart .bars .point").count() == 12
    assert page.locator("#progress-table tr[data-row='rep_a1']").count() == 1
    screenshot(page, "targets-progress")

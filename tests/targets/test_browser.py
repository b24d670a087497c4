"""The manager's main journey in a real browser: move target between two reps of the team
and see that the totals stay the same."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

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
    expect(page).to_have_url(re.compile(r".*/adjust/\d+/$"))

    page.get_by_label(f"rep_a1 {year}-06").fill("43333.34")
    page.get_by_label(f"rep_a2 {year}-06").fill("23333.33")
    june_sum = page.locator("[data-sum='6']")
    expect(june_sum).to_have_text(re.compile(r"^66,?666\.67$"))
    expect(june_sum).not_to_have_class(re.compile(r"\btext-danger\b"))
    # a wrong figure shows at once in the column sum
    page.get_by_label(f"rep_a2 {year}-06").fill("23333.00")
    expect(june_sum).to_have_class(re.compile(r"\btext-danger\b"))
    page.get_by_label(f"rep_a2 {year}-06").fill("23333.33")
    screenshot(page, "targets-adjust-team")

    page.fill("textarea[name=reason]", "rep_a1 takes over the Fudan account")
    page.click("#adjust-form button[type=submit]")
    expect(page).to_have_url(re.compile(rf".*/targets/plans/{plan.pk}/$"))
    expect(page.locator(".alert-success")).to_have_count(1)
    team_row = page.locator("#team-table tr[data-row='Team A']")
    expect(team_row.locator("[data-total]")).to_have_text("800,000.04")
    rep_row = page.locator("tr[data-row='rep_a1']")
    expect(rep_row.locator("[data-total]")).to_have_text("410,000.08")
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
    expect(page.locator("#progress-chart .bars .point")).to_have_count(12)
    expect(page.locator("#progress-table tr[data-row='rep_a1']")).to_have_count(1)
    screenshot(page, "targets-progress")

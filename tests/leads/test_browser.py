import pytest
from django.core.cache import cache

from leads.models import Lead, LeadSettings

from .factories import LeadFactory

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_rep_logs_a_follow_up_and_sees_it_on_the_timeline(
    lead_defaults, page, rep, browser_login, screenshot
):
    lead = LeadFactory(owner=rep, name="周晓东", company="华腾科技")
    browser_login(page, "rep_a1")
    page.goto("/leads/")
    page.get_by_role("link", name="周晓东").click()
    page.select_option("#id_kind", "visit")
    page.fill("#id_outcome", "上门拜访，见到培训经理")
    page.fill("#id_feedback", "希望下月开内训")
    page.fill("#id_next_step", "发送内训方案")
    # the form posts and redirects back to this same URL: wait for the navigation itself
    with page.expect_navigation(url=f"**/leads/{lead.pk}/"):
        page.click("#activity-form button[type=submit]")
    timeline = page.locator("#timeline")
    assert "上门拜访，见到培训经理" in timeline.inner_text()
    assert "希望下月开内训" in timeline.inner_text()
    screenshot(page, "leads-timeline")
    lead.refresh_from_db()
    assert lead.stage == "contacted"


@pytest.mark.django_db(transaction=True)
def test_public_form_lead_appears_in_the_assigned_reps_list(
    lead_defaults, page, team, rep, browser_login, screenshot
):
    cache.clear()
    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    page.goto("/leads/capture/")
    page.fill("#id_name", "林若曦")
    page.fill("#id_phone", "+86 137 1234 5678")
    page.fill("#id_message", "想了解周末英语班")
    page.click("button[type=submit]")
    page.wait_for_url("**/leads/capture/thanks/")
    assert page.locator("#capture-thanks").is_visible()
    assert Lead.objects.get().owner == rep
    browser_login(page, "rep_a1")
    page.goto("/leads/")
    row = page.locator("#lead-table tbody tr", has_text="林若曦")
    assert row.count() == 1
    assert "13712345678" in row.inner_text()
    screenshot(page, "leads-list-after-capture")
    cache.clear()

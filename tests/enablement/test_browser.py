"""The journey of the issue in real Chromium: a manager publishes a script → the rep sees it
on a lead at that stage, logs a visit using it → the usage is counted."""

import pytest

from enablement import services
from enablement.models import Script, ScriptUsage
from leads.models import Activity
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_published_script_is_used_on_a_visit_and_counted(
    lead_defaults, new_page, rep, manager, browser_login, screenshot
):
    services.script_create(
        actor=rep,
        kind="script",
        title="试听课邀约话术",
        stage="trial",
        body="这周六上午十点有一节免费试听课，主讲老师亲自上。",
    )
    lead = LeadFactory(owner=rep, name="陈雨桐", stage="trial")

    boss = browser_login(new_page(), "manager_a")
    boss.goto("/enablement/scripts/approvals/")
    card = boss.locator(".card", has_text="试听课邀约话术")
    card.locator("select[name=approve]").select_option("1")
    with boss.expect_navigation(url="**/enablement/scripts/approvals/"):
        card.locator("button[type=submit]").click()
    assert Script.objects.get().published_version is not None

    page = browser_login(new_page(), "rep_a1")
    page.goto(f"/leads/{lead.pk}/")
    panel = page.locator("#lead-scripts")
    panel.locator("summary").click()
    assert "这周六上午十点" in panel.inner_text()
    page.select_option("#id_kind", "visit")
    page.fill("#id_outcome", "带家长参观校区")
    page.locator("#id_script_used").select_option(str(Script.objects.get().pk))
    screenshot(page, "enablement-lead-scripts")
    with page.expect_navigation(url=f"**/leads/{lead.pk}/"):
        page.click("#activity-form button[type=submit]")
    assert "带家长参观校区" in page.locator("#timeline").inner_text()
    usage = ScriptUsage.objects.get()
    assert usage.activity == Activity.objects.get(lead=lead) and usage.rep == rep

    page.goto("/enablement/scripts/usage/")
    row = page.locator(f"#usage-rep-{rep.pk}")
    assert "100.00 %" in row.inner_text()
    screenshot(page, "enablement-usage")

"""The journey of the issue in a real browser: a rep submits a daily report, the manager
comments, the rep sees the comment; the manager runs a morning meeting from the generated
agenda, takes attendance and creates an action item that appears in the rep's My day. The
pages are also checked at phone width (390 px): nothing wider than the screen."""

import datetime as dt

import pytest

from rhythm.models import ActionItem, MeetingAttendee, Report
from salescrm.timeutil import local_today

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True)
def test_report_comment_meeting_and_action_item_journey(
    new_page, rep, teammate, manager, browser_login, screenshot
):
    rep_page, manager_page = new_page(), new_page()

    # the rep writes today's report
    browser_login(rep_page, "rep_a1")
    rep_page.goto("/rhythm/reports/")
    rep_page.click("#write-daily")
    rep_page.wait_for_selector("#report-form")
    rep_page.fill("#id_wins", "两位家长确认周六试听")
    rep_page.fill("#id_plan", "准备试听课资料")
    rep_page.click("#report-form button[type=submit]")
    report = None
    rep_page.wait_for_selector("#comments")
    report = Report.objects.get(author=rep)
    assert "两位家长确认周六试听" in rep_page.content()

    # the manager reads the team's reports and comments
    browser_login(manager_page, "manager_a")
    manager_page.goto("/rhythm/reports/")
    card = manager_page.locator(f"#report-{report.pk}")
    card.locator("textarea[name=body]").fill("很好，试听后当天回访")
    with manager_page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert "很好，试听后当天回访" in manager_page.locator(f"#report-{report.pk}").inner_text()
    assert teammate.username in manager_page.locator("#missing-reports").inner_text()

    # the rep sees the comment, and the report is closed to edits
    rep_page.goto(f"/rhythm/reports/{report.pk}/")
    assert "很好，试听后当天回访" in rep_page.locator("#comments").inner_text()
    rep_page.goto("/notifications/")
    assert "点评了你" in rep_page.content()

    # the manager runs a morning meeting from the generated agenda
    manager_page.goto("/rhythm/meetings/new/")
    manager_page.select_option("#id_kind", "morning")
    manager_page.click("#meeting-form button[type=submit]")
    manager_page.wait_for_selector("#notes-form")
    agenda = manager_page.locator("#id_agenda").input_value()
    assert "昨日战报" in agenda and "今日重点与承诺" in agenda
    manager_page.select_option(f"select[name=status_{rep.pk}]", "present")
    manager_page.select_option(f"select[name=status_{teammate.pk}]", "late")
    with manager_page.expect_navigation():
        manager_page.click("#attendance-form button[type=submit]")
    assert MeetingAttendee.objects.get(person=rep).status == "present"
    tomorrow = local_today() + dt.timedelta(days=1)
    manager_page.select_option("#id_owner", str(rep.pk))
    manager_page.fill("#id_description", "周六试听后当天回访两位家长")
    manager_page.fill("#id_due_on", tomorrow.isoformat())
    with manager_page.expect_navigation():
        manager_page.click("#action-form button[type=submit]")
    assert "周六试听后当天回访两位家长" in manager_page.locator("#action-items").inner_text()
    screenshot(manager_page, "rhythm-meeting")

    # the action item is in the rep's My day, at phone width too
    rep_page.set_viewport_size(PHONE)
    rep_page.goto("/leads/my-day/")
    section = rep_page.locator("#section-action-items")
    assert "周六试听后当天回访两位家长" in section.inner_text()
    assert _fits_the_phone(rep_page)
    screenshot(rep_page, "rhythm-my-day-phone")
    with rep_page.expect_navigation():
        section.locator("button[type=submit]").click()
    assert ActionItem.objects.get().done_at is not None
    for path in (
        "/rhythm/reports/",
        "/rhythm/attendance/",
        f"/rhythm/reports/{report.pk}/",
        "/rhythm/meetings/",
    ):
        rep_page.goto(path)
        assert _fits_the_phone(rep_page), path


@pytest.mark.django_db(transaction=True)
def test_rep_checks_in_and_out_from_the_phone(page, rep, browser_login):
    from rhythm.models import AttendanceDay

    page.set_viewport_size(PHONE)
    browser_login(page, "rep_a1")
    page.goto("/rhythm/attendance/")
    with page.expect_navigation():
        page.click("#check-in")
    assert page.locator("#today-status").inner_text() == "出勤"
    assert page.locator("#check-in").is_disabled()
    with page.expect_navigation():
        page.click("#check-out")
    row = AttendanceDay.objects.get(person=rep)
    assert row.checked_in_at is not None and row.checked_out_at is not None
    assert _fits_the_phone(page)

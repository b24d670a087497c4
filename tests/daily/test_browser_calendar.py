"""The calendar in Chromium (issue 18): drag a follow-up to another day of the month grid,
and move a trial lesson with its Reschedule menu (the tap and keyboard way); a past day is
refused before it is sent and nothing moves."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from salescrm.timeutil import local_today
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def defaults(transactional_db):
    for name in (
        "leads.migrations.0002_default_channels_and_lost_reasons",
        "leads.migrations.0003_default_scoring_rules_and_settings",
    ):
        importlib.import_module(name).create_defaults(apps, None)


def test_drag_and_the_reschedule_menu_move_items(defaults, page, rep, browser_login, screenshot):
    today = local_today()
    # both days inside this month's grid (it runs from the Monday before the 1st)
    start = today.replace(day=1)
    first = max(today, start)
    second = first + dt.timedelta(days=1)
    lead = LeadFactory(owner=rep, name="拖到明天", next_follow_up_on=first)
    trial = LeadFactory(owner=rep, name="试听改期", trial_lesson_on=first)
    browser_login(page, "rep_a1")
    page.goto(f"/rhythm/calendar/?view=month&day={first.isoformat()}")
    item = f"#calendar-month [data-move-form='move-follow_up-{lead.pk}']"
    page.wait_for_selector(item)
    screenshot(page, "calendar-month")
    with page.expect_navigation():
        page.drag_and_drop(item, f"#calendar-month td[data-day='{second.isoformat()}']")
    lead.refresh_from_db()
    assert lead.next_follow_up_on == second
    assert (
        page.locator(
            f"#calendar-month td[data-day='{second.isoformat()}'] >> text=拖到明天"
        ).count()
        == 1
    )

    form = f"#calendar-month #move-trial-{trial.pk}"
    page.click(f"#calendar-month [data-move-form='move-trial-{trial.pk}'] summary")
    day_input = page.locator(f"{form} input[name=day]")
    day_input.fill((first - dt.timedelta(days=400)).isoformat())
    # the date input refuses a past day before anything is sent (min = today); the server
    # refuses it too, with a message (tests/daily/test_calendar.py)
    assert day_input.evaluate("el => el.checkValidity()") is False
    trial.refresh_from_db()
    assert trial.trial_lesson_on == first
    page.goto(f"/rhythm/calendar/?view=month&day={first.isoformat()}")
    page.click(f"#calendar-month [data-move-form='move-trial-{trial.pk}'] summary")
    page.fill(f"{form} input[name=day]", second.isoformat())
    page.focus(f"{form} button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    trial.refresh_from_db()
    assert trial.trial_lesson_on == second

"""Daily and weekly reports: the pre-fill, punctuality at the cut-off, comments that notify,
immutability once commented, edits that keep history, the missing list."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from leads.models import Activity, ActivityPlan
from rhythm.models import Report, ReportRevision, RhythmSettings
from rhythm.selectors import missing_daily_reports
from rhythm.services import report_comment, report_submit
from salescrm.errors import BusinessRuleError
from salescrm.models import Notification
from salescrm.timeutil import SHANGHAI
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 13)  # a Tuesday


def at(clock, hour, minute=0, day=DAY):
    clock.set(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI))


def test_the_daily_report_is_prefilled_from_the_day(rep, clock):
    at(clock, 19)
    lead = LeadFactory(
        owner=rep, next_follow_up_on=DAY + dt.timedelta(days=1), created_at=clock.now()
    )
    for kind in ("phone", "phone", "visit", "trial_lesson"):
        Activity.objects.create(lead=lead, actor=rep, kind=kind, occurred_at=clock.now())
    # yesterday's call is not today's
    Activity.objects.create(
        lead=lead, actor=rep, kind="phone", occurred_at=clock.now() - dt.timedelta(days=1)
    )
    report = report_submit(actor=rep, kind="daily", period_start=DAY, wins="试听一位")
    figures = report.figures
    assert (
        figures["activities"],
        figures["calls"],
        figures["visits"],
        figures["trial_lessons"],
    ) == (
        4,
        2,
        2,
        1,
    )
    assert figures["leads_created"] == 1
    assert figures["follow_ups_next"] == 1
    assert figures["signed_amount"] == "0.00"


def test_submitted_at_the_cut_off_is_on_time_a_minute_later_is_late(rep, teammate, clock):
    at(clock, 20, 0)
    assert report_submit(actor=rep, kind="daily", period_start=DAY, wins="x").on_time is True
    at(clock, 20, 1)
    assert report_submit(actor=teammate, kind="daily", period_start=DAY, wins="x").on_time is False


def test_the_cut_off_is_admin_set(rep, clock):
    rules = RhythmSettings.load()
    rules.report_cutoff = dt.time(18, 0)
    rules.save()
    at(clock, 18, 30)
    assert report_submit(actor=rep, kind="daily", period_start=DAY, wins="x").on_time is False


def test_an_edit_keeps_the_replaced_text_and_an_identical_resubmit_does_nothing(rep, clock):
    at(clock, 19)
    report = report_submit(actor=rep, kind="daily", period_start=DAY, wins="第一版")
    report_submit(actor=rep, kind="daily", period_start=DAY, wins="第一版")
    assert ReportRevision.objects.count() == 0
    report_submit(actor=rep, kind="daily", period_start=DAY, wins="第二版")
    report.refresh_from_db()
    assert report.wins == "第二版"
    assert list(ReportRevision.objects.values_list("wins", flat=True)) == ["第一版"]
    assert Report.objects.count() == 1


def test_a_comment_notifies_the_author_and_closes_the_report(rep, manager, clock):
    at(clock, 19)
    report = report_submit(actor=rep, kind="daily", period_start=DAY, wins="签约")
    report_comment(actor=manager, report=report, body="继续跟进试听客户")
    note = Notification.objects.get(recipient=rep, kind="report_comment")
    assert note.url == f"/rhythm/reports/{report.pk}/"
    with pytest.raises(BusinessRuleError):
        report_submit(actor=rep, kind="daily", period_start=DAY, wins="改了")
    report.refresh_from_db()
    assert report.wins == "签约"


def test_a_manager_comments_only_on_the_team(rep, outsider, manager, other_manager, clock):
    at(clock, 19)
    report = report_submit(actor=outsider, kind="daily", period_start=DAY, wins="x")
    with pytest.raises(BusinessRuleError):
        report_comment(actor=manager, report=report, body="好")
    report_comment(actor=other_manager, report=report, body="好")
    assert report.comments.count() == 1


def test_a_rep_cannot_comment_and_nobody_comments_their_own(rep, teammate, manager, clock):
    at(clock, 19)
    report = report_submit(actor=teammate, kind="daily", period_start=DAY, wins="x")
    with pytest.raises(PermissionDenied):
        report_comment(actor=rep, report=report, body="好")
    own = report_submit(actor=manager, kind="daily", period_start=DAY, wins="x")
    with pytest.raises(BusinessRuleError):
        report_comment(actor=manager, report=own, body="好")


def test_no_report_for_a_day_to_come_or_more_than_a_week_back(rep, clock):
    at(clock, 19)
    with pytest.raises(BusinessRuleError):
        report_submit(actor=rep, kind="daily", period_start=DAY + dt.timedelta(days=1), wins="x")
    with pytest.raises(BusinessRuleError):
        report_submit(actor=rep, kind="daily", period_start=DAY - dt.timedelta(days=8), wins="x")
    report_submit(actor=rep, kind="daily", period_start=DAY - dt.timedelta(days=7), wins="x")
    with pytest.raises(BusinessRuleError):
        report_submit(actor=rep, kind="daily", period_start=DAY, wins=" ", plan="")


def test_the_weekly_report_rolls_up_the_week_against_the_plan(rep, clock):
    monday = dt.date(2026, 10, 12)
    at(clock, 19, day=dt.date(2026, 10, 16))
    ActivityPlan.objects.create(
        rep=rep, week_start=monday, calls=10, visits=3, new_leads=2, trial_lessons=1
    )
    lead = LeadFactory(owner=rep)
    for day in (12, 14, 16):
        Activity.objects.create(
            lead=lead,
            actor=rep,
            kind="phone",
            occurred_at=dt.datetime(2026, 10, day, 10, tzinfo=SHANGHAI),
        )
    report_submit(actor=rep, kind="daily", period_start=dt.date(2026, 10, 14), wins="x")
    weekly = report_submit(
        actor=rep, kind="weekly", period_start=dt.date(2026, 10, 15), wins="本周"
    )
    assert weekly.period_start == monday
    assert weekly.figures["calls"] == 3
    assert weekly.figures["plan"] == {"calls": 10, "visits": 3, "new_leads": 2, "trial_lessons": 1}
    assert weekly.figures["daily_reports"] == 1
    # due by the cut-off of Friday the 16th
    assert weekly.on_time is True


def test_the_missing_list_names_who_has_not_reported(rep, teammate, manager, outsider, clock):
    at(clock, 19)
    report_submit(actor=rep, kind="daily", period_start=DAY, wins="x")
    assert [p.username for p in missing_daily_reports(manager, DAY)] == [teammate.username]
    assert missing_daily_reports(rep, DAY) == []  # a rep follows nobody


def test_the_amounts_are_strings_to_the_cent(rep, clock):
    at(clock, 19)
    report = report_submit(actor=rep, kind="daily", period_start=DAY, wins="x")
    assert Decimal(report.figures["collected_amount"]) == Decimal("0.00")

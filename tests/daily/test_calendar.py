"""The calendar (issue 18): follow-ups, trial lessons, customer follow-ups, meetings and course
ends by day/week/month, scoped like the lists; moving a follow-up or trial lesson through
leads.services.lead_reschedule; the ICS feed behind a secret, revocable address."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from icalendar import Calendar

from leads.models import Lead
from rhythm.models import CalendarFeed, Meeting
from success.models import ServiceFollowUp
from tests.customers.factories import CustomerFactory
from tests.leads.factories import LeadFactory
from tests.success.factories import at, course

TODAY = dt.date(2026, 6, 10)  # a Wednesday; its week runs 8–14 June


@pytest.fixture
def june(clock):
    clock.set(TODAY)


def _calendar(rep, teammate, outsider):
    """Items of the week for the rep, one of the teammate, one of another team."""
    LeadFactory(owner=rep, name="跟进甲", next_follow_up_on=dt.date(2026, 6, 11))
    LeadFactory(owner=rep, name="试听乙", trial_lesson_on=dt.date(2026, 6, 12))
    LeadFactory(
        owner=rep,
        name="已成交",
        stage="won",
        won_at=timezone.now(),
        next_follow_up_on=dt.date(2026, 6, 11),
    )
    LeadFactory(owner=teammate, name="队友丙", next_follow_up_on=dt.date(2026, 6, 9))
    LeadFactory(owner=outsider, name="别组丁", next_follow_up_on=dt.date(2026, 6, 9))
    customer = CustomerFactory(owner=rep, name="客户戊")
    ServiceFollowUp.objects.create(
        customer=customer,
        owner=rep,
        tier="core",
        due_on=dt.date(2026, 6, 13),
        opened_on=dt.date(2026, 6, 1),
    )
    course(rep, "2026-06-14", customer=CustomerFactory(owner=rep, name="结课己"))
    Meeting.objects.create(
        organiser=rep, kind="morning", title="早会庚", starts_at=at("2026-06-08", "09:00")
    )


def test_a_rep_sees_their_week_of_every_kind_and_no_one_elses(login, rep, teammate, outsider, june):
    _calendar(rep, teammate, outsider)
    page = login(rep).get("/rhythm/calendar/").content.decode()
    for name in ("跟进甲", "试听乙", "客户戊", "结课己", "早会庚"):
        assert name in page, name
    for name in ("已成交", "队友丙", "别组丁"):
        assert name not in page, name
    # in day order: Monday's meeting first, Sunday's course end last
    assert page.index("早会庚") < page.index("跟进甲") < page.index("试听乙") < page.index("结课己")


def test_a_manager_sees_the_team_and_can_narrow_to_their_own(
    login, manager, rep, teammate, outsider, june
):
    _calendar(rep, teammate, outsider)
    client = login(manager)
    page = client.get("/rhythm/calendar/").content.decode()
    assert "队友丙" in page and "跟进甲" in page and "别组丁" not in page
    mine = client.get("/rhythm/calendar/?mine=1").content.decode()
    assert "队友丙" not in mine and "跟进甲" not in mine


def test_day_and_month_views_bound_the_period(login, rep, teammate, outsider, june):
    _calendar(rep, teammate, outsider)
    client = login(rep)
    day = client.get("/rhythm/calendar/?view=day&day=2026-06-11").content.decode()
    assert "跟进甲" in day and "试听乙" not in day
    month = client.get("/rhythm/calendar/?view=month&day=2026-06-20").content.decode()
    assert 'id="calendar-month"' in month and "结课己" in month
    july = client.get("/rhythm/calendar/?view=month&day=2026-08-01").content.decode()
    assert "跟进甲" not in july and 'id="calendar-empty"' in july
    junk = client.get("/rhythm/calendar/?view=year&day=0001-01-01")
    assert junk.status_code == 200  # back to this week


def test_back_office_has_no_calendar(login, finance, legal):
    assert login(finance).get("/rhythm/calendar/").status_code == 403
    assert login(legal).get("/rhythm/calendar/").status_code == 403


def test_queries_do_not_grow_with_the_items(login, rep, django_assert_max_num_queries, june):
    client = login(rep)
    LeadFactory(owner=rep, next_follow_up_on=dt.date(2026, 6, 11))
    with django_assert_max_num_queries(14):
        client.get("/rhythm/calendar/?view=month")
    for n in range(30):
        LeadFactory(
            owner=rep,
            name=f"多{n}",
            next_follow_up_on=dt.date(2026, 6, 11),
            trial_lesson_on=dt.date(2026, 6, 12),
        )
        Meeting.objects.create(
            organiser=rep, kind="morning", title=f"会{n}", starts_at=at("2026-06-09", "09:00")
        )
    with django_assert_max_num_queries(14):
        page = client.get("/rhythm/calendar/?view=month")
    assert "多29" in page.content.decode()


# --- moving an item ----------------------------------------------------------------------


def _move(client, lead, what, day, next_url="/rhythm/calendar/?view=month"):
    return client.post(
        "/rhythm/calendar/move/", {"what": what, "pk": lead.pk, "day": day, "next": next_url}
    )


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_rep_moves_a_follow_up_and_a_trial_lesson(login, rep, june):
    lead = LeadFactory(
        owner=rep, next_follow_up_on=dt.date(2026, 6, 11), trial_lesson_on=dt.date(2026, 6, 12)
    )
    client = login(rep)
    response = _move(client, lead, "follow_up", "2026-06-15")
    assert response["Location"] == "/rhythm/calendar/?view=month"
    response = _move(client, lead, "trial", "2026-06-10")  # today is allowed
    lead.refresh_from_db()
    assert (lead.next_follow_up_on, lead.trial_lesson_on) == (
        dt.date(2026, 6, 15),
        dt.date(2026, 6, 10),
    )


def test_a_past_day_or_one_out_of_range_is_refused_with_a_message(login, rep, june):
    lead = LeadFactory(owner=rep, name="不动", next_follow_up_on=dt.date(2026, 6, 11))
    client = login(rep)
    for day in ("2026-06-09", "2099-01-01", "2026-02-30", "x"):
        response = _move(client, lead, "follow_up", day)
        assert response.status_code == 302
        assert _messages(response), day
        lead.refresh_from_db()
        assert lead.next_follow_up_on == dt.date(2026, 6, 11)
    response = _move(client, lead, "follow_up", "2026-06-09")
    assert any("2026-06-09" in m and "不动" in m for m in _messages(response))
    _move(client, lead, "owner", "2026-06-20")  # only the two dates move
    lead.refresh_from_db()
    assert lead.next_follow_up_on == dt.date(2026, 6, 11)


def test_a_closed_lead_does_not_move(login, rep, june):
    lead = LeadFactory(
        owner=rep,
        stage=Lead.Stage.WON,
        won_at=timezone.now(),
        next_follow_up_on=dt.date(2026, 6, 11),
    )
    _move(login(rep), lead, "follow_up", "2026-06-20")
    lead.refresh_from_db()
    assert lead.next_follow_up_on == dt.date(2026, 6, 11)


def test_another_teams_lead_is_a_404_and_the_back_office_a_403(login, rep, outsider, finance, june):
    lead = LeadFactory(owner=outsider, next_follow_up_on=dt.date(2026, 6, 11))
    assert _move(login(rep), lead, "follow_up", "2026-06-20").status_code == 404
    assert _move(login(finance), lead, "follow_up", "2026-06-20").status_code == 403
    lead.refresh_from_db()
    assert lead.next_follow_up_on == dt.date(2026, 6, 11)


def test_a_manager_moves_a_team_members_follow_up(login, manager, rep, june):
    lead = LeadFactory(owner=rep, next_follow_up_on=dt.date(2026, 6, 11))
    _move(login(manager), lead, "follow_up", "2026-06-20")
    lead.refresh_from_db()
    assert lead.next_follow_up_on == dt.date(2026, 6, 20)


def test_a_foreign_next_goes_back_to_the_calendar(login, rep, june):
    lead = LeadFactory(owner=rep, next_follow_up_on=dt.date(2026, 6, 11))
    response = _move(login(rep), lead, "follow_up", "2026-06-20", "https://evil.example/")
    assert response["Location"] == "/rhythm/calendar/"


def test_every_movable_item_has_a_move_form_with_a_date_input(login, rep, june):
    lead = LeadFactory(owner=rep, next_follow_up_on=dt.date(2026, 6, 11))
    page = login(rep).get("/rhythm/calendar/").content.decode()
    assert f'id="move-follow_up-{lead.pk}"' in page
    assert f'data-move-form="move-follow_up-{lead.pk}"' in page
    assert 'type="date" name="day"' in page and 'min="2026-06-10"' in page


# --- the ICS feed ------------------------------------------------------------------------


def _issue(client) -> str:
    page = client.post("/rhythm/calendar/feed/new/", follow=True).content.decode()
    return re.search(r'value="https?://[^/"]+(/rhythm/calendar/feed/[\w-]+\.ics)"', page).group(1)


def test_the_new_address_is_shown_once_after_a_redirect(login, rep):
    client = login(rep)
    response = client.post("/rhythm/calendar/feed/new/")
    assert response.status_code == 302 and response["Location"] == "/rhythm/calendar/feed/created/"
    first = client.get("/rhythm/calendar/feed/created/")
    assert first.status_code == 200 and "/rhythm/calendar/feed/" in first.content.decode()
    again = client.get("/rhythm/calendar/feed/created/")  # a reload: the secret is gone
    assert again.status_code == 302 and again["Location"] == "/accounts/profile/"


def test_the_feed_lists_the_users_scoped_items_without_a_login(
    login, client, rep, teammate, outsider, june
):
    _calendar(rep, teammate, outsider)
    url = _issue(login(rep))
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=rep)
    assert token not in feed.token_hash and len(feed.token_hash) == 64  # only the hash kept
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    summaries = sorted(str(e["SUMMARY"]).split(": ", 1)[1] for e in events)
    assert summaries == sorted(["跟进甲", "试听乙", "客户戊", "早会庚", "结课己 · " + _number(rep)])
    starts = {str(e["SUMMARY"]).split(": ", 1)[1]: e.decoded("DTSTART") for e in events}
    assert starts["跟进甲"] == dt.date(2026, 6, 11)
    assert starts["早会庚"].isoformat() == "2026-06-08T09:00:00+08:00"


def _number(rep):
    from customers.models import Contract

    return Contract.objects.get(owner=rep).number


def test_a_wrong_revoked_or_replaced_token_is_a_404(login, client, rep, june):
    rep_client = login(rep)
    first = _issue(rep_client)
    second = _issue(rep_client)
    assert client.get(first).status_code == 404  # replaced
    assert client.get(second).status_code == 200
    assert client.get("/rhythm/calendar/feed/not-a-token.ics").status_code == 404
    rep_client.post("/rhythm/calendar/feed/revoke/")
    assert client.get(second).status_code == 404
    assert not CalendarFeed.objects.filter(user=rep).exists()


def test_an_inactive_users_feed_stops(login, client, rep, june):
    url = _issue(login(rep))
    rep.is_active = False
    rep.save()
    assert client.get(url).status_code == 404


def test_the_back_office_has_no_feed(login, finance):
    assert login(finance).post("/rhythm/calendar/feed/new/").status_code == 403
    assert not CalendarFeed.objects.exists()


def test_the_profile_shows_the_feed_part_and_my_day_links_the_calendar(login, rep, finance):
    client = login(rep)
    assert 'id="calendar-feed"' in client.get("/accounts/profile/").content.decode()
    assert 'id="my-day-calendar"' in client.get("/leads/my-day/").content.decode()
    assert 'id="calendar-feed"' not in login(finance).get("/accounts/profile/").content.decode()

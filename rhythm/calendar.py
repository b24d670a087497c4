"""The calendar (issue 18): what is due on which day for the reader, from four apps.

Follow-ups (a lead's next follow-up date and a customer's open service follow-up), booked
trial lessons, meetings and course ends (signed contracts' last day), each scoped like its
list: a rep sees their own, a manager their team's, who sees everything sees everything. One
query per kind, whatever the number of days or items; the page and the ICS feed read the same
items."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from customers.models import Contract
from leads.models import Lead
from salescrm.timeutil import SHANGHAI, start_of_day

from .models import Meeting

# Items of apps that build on rhythm (customer success's service follow-ups): each registers a
# source in its own ``calendar.py``, so rhythm imports none of them.
_SOURCES: list = []


def calendar_source(func):
    """Register ``func(user, first, last, owned) -> list[CalendarItem]`` (``owned``: the
    filter of the reader's own rows, empty for their whole scope); one query per source."""
    if func not in _SOURCES:
        _SOURCES.append(func)
    return func


def _sources() -> list:
    autodiscover_modules("calendar")
    return _SOURCES


KINDS = {
    "follow_up": _("Follow-up"),
    "trial": _("Trial lesson"),
    "customer_follow_up": _("Customer follow-up"),
    "meeting": _("Meeting"),
    "course_end": _("Course ends"),
}


@dataclass(frozen=True)
class CalendarItem:
    kind: str
    day: dt.date
    title: str
    who: str
    url: str
    pk: int
    at: dt.datetime | None = None  # meetings have an hour; the rest are whole days

    @property
    def movable(self) -> bool:
        """Follow-ups and trial lessons of leads move (leads.services.lead_reschedule)."""
        return self.kind in ("follow_up", "trial")

    @property
    def kind_label(self):
        return KINDS[self.kind]

    @property
    def uid(self) -> str:
        return f"{self.kind}-{self.pk}@salescrm"


def calendar_items(user, first: dt.date, last: dt.date, *, mine_only=False) -> list[CalendarItem]:
    """The reader's items from `first` to `last` (both included), by day then kind."""
    owned = {"owner": user} if mine_only else {}
    leads = Lead.objects.visible_to(user).open().filter(**owned).select_related("owner")
    items = [
        CalendarItem(
            "follow_up",
            lead.next_follow_up_on,
            lead.name,
            str(lead.owner or ""),
            lead.get_absolute_url(),
            lead.pk,
        )
        for lead in leads.filter(next_follow_up_on__range=(first, last))
    ]
    items += [
        CalendarItem(
            "trial",
            lead.trial_lesson_on,
            lead.name,
            str(lead.owner or ""),
            lead.get_absolute_url(),
            lead.pk,
        )
        for lead in leads.filter(trial_lesson_on__range=(first, last))
    ]
    for source in _sources():
        items += source(user, first, last, owned)
    meetings = Meeting.objects.visible_to(user).filter(
        starts_at__gte=start_of_day(first), starts_at__lt=start_of_day(last + dt.timedelta(days=1))
    )
    if mine_only:
        mine = Q(organiser=user) | Q(attendees__person=user)
        meetings = meetings.filter(pk__in=Meeting.objects.filter(mine).values("pk"))
    items += [
        CalendarItem(
            "meeting",
            meeting.starts_at.astimezone(SHANGHAI).date(),
            meeting.title,
            str(meeting.organiser),
            meeting.get_absolute_url(),
            meeting.pk,
            at=meeting.starts_at,
        )
        for meeting in meetings.select_related("organiser")
    ]
    contracts = (
        Contract.objects.visible_to(user)
        .filter(
            status__in=[Contract.Status.SIGNED, Contract.Status.ARCHIVED],
            ends_on__range=(first, last),
            **owned,
        )
        .select_related("customer", "owner")
    )
    items += [
        CalendarItem(
            "course_end",
            contract.ends_on,
            f"{contract.customer.name} · {contract.number}",
            str(contract.owner),
            contract.get_absolute_url(),
            contract.pk,
        )
        for contract in contracts
    ]
    order = list(KINDS)
    return sorted(
        items, key=lambda i: (i.day, i.at or start_of_day(i.day), order.index(i.kind), i.title)
    )


FEED_DAYS_BACK, FEED_DAYS_AHEAD = 30, 180


def calendar_ics(user, *, today: dt.date, base_url: str) -> bytes:
    """The ICS feed of `user`'s items from 30 days back to 180 days ahead (a phone calendar
    re-reads it every few hours). Whole days are all-day events; meetings last an hour."""
    from icalendar import Calendar, Event

    feed = Calendar()
    feed.add("prodid", "-//SalesCRM//calendar//ZH")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", f"SalesCRM · {user}")
    feed.add("x-wr-timezone", "Asia/Shanghai")
    first = today - dt.timedelta(days=FEED_DAYS_BACK)
    last = today + dt.timedelta(days=FEED_DAYS_AHEAD)
    stamp = start_of_day(today)
    for item in calendar_items(user, first, last):
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", f"{item.kind_label}: {item.title}")
        if item.at is not None:
            event.add("dtstart", item.at.astimezone(SHANGHAI))
            event.add("dtend", item.at.astimezone(SHANGHAI) + dt.timedelta(hours=1))
        else:
            event.add("dtstart", item.day)
            event.add("dtend", item.day + dt.timedelta(days=1))
        event.add("description", item.who)
        event.add("url", base_url + item.url)
        feed.add_component(event)
    return feed.to_ical()

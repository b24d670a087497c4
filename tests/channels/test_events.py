"""Events: the public registration page (bad input, duplicates, honeypot, 429), check-in,
follow-ups in My day, and the event report with per-stage conversion worked by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from channels.models import Event, EventRegistration
from channels.selectors import event_funnel
from channels.services import ChannelError, event_check_in, event_make_follow_ups
from customers.models import Contract
from leads.models import Activity, Channel, Lead, LeadSettings, LostReason, StageChange
from tests.customers.factories import CustomerFactory, make_contract

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def event(manager, team, rep, clock):
    clock.set(timezone.make_aware(dt.datetime(2026, 6, 10, 9, 0)))
    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    return Event.objects.create(
        kind="trial_day",
        title="Python 试听日",
        starts_at=timezone.make_aware(dt.datetime(2026, 6, 10, 14, 0)),
        place="上海校区",
        capacity=3,
        cost=D("1200.00"),
        channel=Channel.objects.get(code="livestream"),
        owner=manager,
    )


def register(client, event, ip="203.0.113.9", **data):
    fields = {"name": "韩梅梅", "phone": "139 0000 1111", "email": "", "company": ""}
    fields.update(data)
    return client.post(event.public_url(), fields, REMOTE_ADDR=ip)


def test_public_page_registers_a_new_lead_with_the_events_channel(client, event, rep):
    page = client.get(event.public_url())
    assert page.status_code == 200 and 'name="website"' in page.content.decode()
    response = register(client, event)
    assert response.status_code == 302
    registration = EventRegistration.objects.get()
    assert (registration.lead.phone, registration.lead.channel.code, registration.lead.owner) == (
        "13900001111",
        "livestream",
        rep,
    )
    assert client.get(response["Location"]).status_code == 200


def test_registering_twice_stores_nothing_the_second_time(client, event):
    register(client, event)
    response = register(client, event, phone="+86 139-0000-1111", name="韩梅梅2")
    assert response.status_code == 200
    assert (
        "already registered" in response.content.decode() or "已经报名" in response.content.decode()
    )
    assert EventRegistration.objects.count() == 1
    assert Lead.objects.count() == 1
    assert not Activity.objects.filter(kind="re_enquiry").exists()


def test_a_known_lead_registers_without_a_second_lead(client, event, outsider):
    known = Lead.objects.create(
        name="老学员",
        phone="13900001111",
        channel=Channel.objects.get(code="website"),
        owner=outsider,
    )
    register(client, event)
    assert Lead.objects.count() == 1
    assert EventRegistration.objects.get().lead == known  # the lead stays with its owner


@pytest.mark.parametrize(
    "data,message",
    [
        ({"name": ""}, "name"),
        ({"phone": "", "email": ""}, "phone"),
        ({"phone": "12345"}, "phone"),
        ({"email": "not-an-email", "phone": ""}, "mail"),
    ],
)
def test_bad_input_is_a_clear_error_and_stores_nothing(client, event, data, message):
    response = register(client, event, **data)
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode() or "alert-danger" in (
        response.content.decode()
    )
    assert EventRegistration.objects.count() == 0
    assert Lead.objects.count() == 0


def test_honeypot_stores_nothing(client, event):
    response = register(client, event, website="http://spam.example")
    assert response.status_code == 302
    assert EventRegistration.objects.count() == 0


def test_a_full_event_says_so(client, event):
    for n in range(3):
        register(client, event, phone=f"1390000{n:04d}")
    response = register(client, event, phone="13900009999")
    assert response.status_code == 400
    assert EventRegistration.objects.count() == 3


def test_429_after_ten_posts_an_hour(client, event):
    event.capacity = 100
    event.save()
    for n in range(10):
        assert register(client, event, phone=f"1370000{n:04d}").status_code == 302
    assert register(client, event, phone="13799999999").status_code == 429
    assert EventRegistration.objects.count() == 10


def test_unknown_event_key_is_404(client, event):
    assert client.get("/channels/e/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- check-in and follow-ups -----------------------------------------------------------------


def _registered(event, phones):
    regs = []
    for n, phone in enumerate(phones):
        lead = Lead.objects.create(
            name=f"学员{n}", phone=phone, channel=event.channel, owner=event.owner
        )
        regs.append(
            EventRegistration.objects.create(event=event, lead=lead, name=lead.name, phone=phone)
        )
    return regs


def test_check_in_page_searches_and_checks_in_with_one_tap(client, event, rep):
    first, second = _registered(event, ["13800000001", "13800000002"])
    client.force_login(rep)
    url = reverse("channels:event_check_in", args=[event.pk])
    page = client.get(url, {"q": "0002"}).content.decode()
    assert "学员1" in page and "学员0" not in page
    response = client.post(url, {"registration": second.pk, "q": "0002"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.checked_in_by == rep and second.checked_in_at is not None
    # twice: refused with a message, the first time kept
    with pytest.raises(ChannelError):
        event_check_in(actor=rep, registration=second)


def test_check_in_of_another_events_registration_changes_nothing(client, event, rep, manager):
    other = Event.objects.create(
        kind="seminar", title="x", starts_at=event.starts_at, channel=event.channel, owner=manager
    )
    (registration,) = _registered(other, ["13800000003"])
    client.force_login(rep)
    client.post(
        reverse("channels:event_check_in", args=[event.pk]), {"registration": registration.pk}
    )
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_service_and_legal_cannot_check_in(event, legal, service_user, finance):
    (registration,) = _registered(event, ["13800000004"])
    for someone in (legal, service_user, finance):
        with pytest.raises(PermissionDenied):
            event_check_in(actor=someone, registration=registration)


def test_follow_ups_go_to_my_day_the_next_day(client, event, rep, clock):
    attendee, no_show = _registered(event, ["13800000005", "13800000006"])
    Lead.objects.filter(pk__in=[attendee.lead_id, no_show.lead_id]).update(owner=rep)
    EventRegistration.objects.filter(pk=attendee.pk).update(checked_in_at=event.starts_at)
    clock.set(timezone.make_aware(dt.datetime(2026, 6, 10, 18, 0)))
    with pytest.raises(ChannelError):  # not before it took place
        clock.set(timezone.make_aware(dt.datetime(2026, 6, 9, 18, 0)))
        event_make_follow_ups(actor=event.owner, event=event)
    clock.set(timezone.make_aware(dt.datetime(2026, 6, 10, 18, 0)))
    assert event_make_follow_ups(actor=event.owner, event=event) == 2
    assert set(
        Lead.objects.filter(next_follow_up_on=dt.date(2026, 6, 11)).values_list("pk", flat=True)
    ) == {attendee.lead_id, no_show.lead_id}
    notes = sorted(Activity.objects.filter(kind="note").values_list("outcome", flat=True))
    assert len(notes) == 2
    with pytest.raises(ChannelError):  # once per event
        event_make_follow_ups(actor=event.owner, event=event)
    clock.set(timezone.make_aware(dt.datetime(2026, 6, 11, 9, 0)))
    client.force_login(rep)
    page = client.get(reverse("leads:my_day")).content.decode()
    assert "学员0" in page and "学员1" in page


# --- the event report --------------------------------------------------------------------------


def test_event_funnel_by_hand(event, rep, manager):
    """6 registered, 4 attended (66.67 %), 2 of them reached trial (50 %), 1 signed ¥8,000
    on the event's day (50 %); cost 1,200: 300.00 per attendee, 1,200.00 per signed."""
    event.capacity = 10
    event.save()
    regs = _registered(event, [f"1360000000{n}" for n in range(6)])
    EventRegistration.objects.filter(pk__in=[r.pk for r in regs[:4]]).update(
        checked_in_at=event.starts_at
    )
    Lead.objects.filter(pk=regs[0].lead_id).update(stage="won", won_at=timezone.now())
    Lead.objects.filter(pk=regs[1].lead_id).update(
        stage="lost", lost_reason=LostReason.objects.first()
    )
    StageChange.objects.create(lead_id=regs[1].lead_id, from_stage="contacted", to_stage="trial")
    Lead.objects.filter(pk=regs[4].lead_id).update(stage="trial")  # a no-show: not counted
    customer = CustomerFactory(owner=rep, lead=Lead.objects.get(pk=regs[0].lead_id))
    contract = make_contract(
        rep, customer=customer, starts_on=dt.date(2026, 7, 1), ends_on=dt.date(2026, 12, 31)
    )
    Contract.objects.filter(pk=contract.pk).update(
        status="signed", signed_on=dt.date(2026, 6, 10), total_amount=D("8000.00")
    )
    old = make_contract(rep, customer=customer)  # signed before the event: not counted
    Contract.objects.filter(pk=old.pk).update(status="signed", signed_on=dt.date(2026, 1, 5))
    funnel = event_funnel(event)
    assert (funnel.registered, funnel.attended, funnel.trial, funnel.signed) == (6, 4, 2, 1)
    assert funnel.amount == D("8000.00")
    assert (funnel.attended_rate, funnel.trial_rate, funnel.signed_rate) == (
        D("66.67"),
        D("50.00"),
        D("50.00"),
    )
    assert (funnel.cost_per_attendee, funnel.cost_per_signed) == (D("300.00"), D("1200.00"))


def test_event_pages_render_for_the_sales_team(client, event, rep):
    _registered(event, ["13500000001"])
    client.force_login(rep)
    for name in ("event_detail", "event_check_in", "event_qr"):
        response = client.get(reverse(f"channels:{name}", args=[event.pk]))
        assert response.status_code == 200, name
    assert client.get(reverse("channels:event_qr", args=[event.pk]))["Content-Type"] == (
        "image/svg+xml"
    )
    assert client.get(reverse("channels:event_list")).status_code == 200


def test_event_list_queries_do_not_grow_with_rows(
    client, event, rep, django_assert_max_num_queries
):
    for n in range(5):
        Event.objects.create(
            kind="seminar",
            title=f"讲座{n}",
            starts_at=event.starts_at,
            channel=event.channel,
            owner=event.owner,
        )
    client.force_login(rep)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("channels:event_list")).status_code == 200


def test_registration_closes_a_day_after_the_event(client, event, clock):
    clock.set(timezone.make_aware(dt.datetime(2026, 6, 11, 15, 0)))
    response = register(client, event)
    assert response.status_code == 400
    assert EventRegistration.objects.count() == 0
    clock.set(timezone.make_aware(dt.datetime(2026, 6, 11, 13, 0)))
    assert register(client, event).status_code == 302

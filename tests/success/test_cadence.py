"""Service levels by tier: the nightly follow-ups and cadence compliance, worked by hand.

On 30 June with strategic every 14 days (window 17–30 June), core every 30 (1–30 June) and
ordinary every 90 (2 April–30 June)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from customers.models import Customer, Tier
from success import selectors
from success.models import CadenceCompliance, ServiceFollowUp, ServiceLevel
from success.services import cadence_refresh
from tests.customers.factories import CustomerFactory

from .factories import at, contact

pytestmark = pytest.mark.django_db
JUNE_30 = dt.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def levels():
    for tier, days in (("strategic", 14), ("core", 30), ("ordinary", 90)):
        ServiceLevel.objects.update_or_create(
            tier=tier, defaults={"cadence_days": days, "service_owner": None}
        )


def customer(owner, tier, since, *, override=None, last_contact=None):
    row = CustomerFactory(owner=owner, tier=tier, tier_override=override)
    Customer.objects.filter(pk=row.pk).update(created_at=at(since))
    if last_contact:
        contact(row, last_contact)
    return row


@pytest.fixture
def book(rep, teammate):
    return {
        "s1": customer(rep, Tier.STRATEGIC, "2026-01-01", last_contact="2026-06-17"),
        "s2": customer(rep, Tier.STRATEGIC, "2026-01-01", last_contact="2026-06-16"),
        "s3": customer(rep, Tier.STRATEGIC, "2026-06-17"),
        "s4": customer(teammate, Tier.ORDINARY, "2026-06-16", override=Tier.STRATEGIC),
        "c1": customer(rep, Tier.CORE, "2026-01-01", last_contact="2026-06-01"),
        "c2": customer(teammate, Tier.CORE, "2026-01-01", last_contact="2026-05-31"),
        "o1": customer(rep, Tier.ORDINARY, "2026-01-01"),
    }


def compliance_rows():
    return sorted(
        CadenceCompliance.objects.filter(business_date=JUNE_30).values_list(
            "owner__username", "tier", "due", "served"
        )
    )


def test_compliance_counts_customers_contacted_within_their_cadence(book, rep, teammate):
    cadence_refresh(as_of=JUNE_30)
    # s1 served (17 June is inside), s2 not (16 June); s3 not yet due (a customer since the
    # window's first day); s4 due (since 16 June), not served; c1 served on 1 June, c2 not;
    # o1 due since 1 January, never contacted
    assert compliance_rows() == [
        (rep.username, "core", 1, 1),
        (rep.username, "ordinary", 1, 0),
        (rep.username, "strategic", 2, 1),
        (teammate.username, "core", 1, 0),
        (teammate.username, "strategic", 1, 0),
    ]


def test_compliance_in_total_and_by_reader(book, rep, manager, outsider, director):
    cadence_refresh(as_of=JUNE_30)
    night, per_tier, total = selectors.cadence_compliance(director)
    assert night == JUNE_30
    assert [(r.tier, r.due, r.served) for r in per_tier] == [
        ("strategic", 3, 1),
        ("core", 2, 1),
        ("ordinary", 1, 0),
    ]
    assert (total.numerator, total.denominator, total.percent) == (2, 6, D("33.33"))
    assert selectors.cadence_compliance(manager)[2] == selectors.Rate(2, 6)
    assert selectors.cadence_compliance(rep)[2] == selectors.Rate(2, 4)
    assert selectors.cadence_compliance(outsider) == (None, [], selectors.Rate(0, 0))


def test_follow_ups_open_when_the_next_contact_is_due(book, rep, teammate):
    cadence_refresh(as_of=JUNE_30)
    opened = sorted(
        ServiceFollowUp.objects.open().values_list("customer_id", "owner_id", "due_on", "tier")
    )
    # s2: 16 June + 14 = 30 June; s4: since 16 June + 14 = 30 June; c2: 31 May + 30 = 30 June;
    # o1: 1 January + 90 = 1 April (overdue). s1 (1 July), s3 (1 July), c1 (1 July) not yet.
    assert opened == sorted(
        [
            (book["s2"].pk, rep.pk, JUNE_30, "strategic"),
            (book["s4"].pk, teammate.pk, JUNE_30, "strategic"),
            (book["c2"].pk, teammate.pk, JUNE_30, "core"),
            (book["o1"].pk, rep.pk, dt.date(2026, 4, 1), "ordinary"),
        ]
    )
    assert list(ServiceFollowUp.objects.overdue(JUNE_30).values_list("customer_id", flat=True)) == [
        book["o1"].pk
    ]


def test_a_named_service_owner_gets_the_follow_ups(book, service_user):
    ServiceLevel.objects.filter(tier="strategic").update(service_owner=service_user)
    cadence_refresh(as_of=JUNE_30)
    assert set(
        ServiceFollowUp.objects.filter(tier="strategic").values_list("owner_id", flat=True)
    ) == {service_user.pk}


def test_a_contact_closes_the_follow_up_the_next_night(book):
    cadence_refresh(as_of=JUNE_30)
    contact(book["s2"], "2026-07-01")
    summary = cadence_refresh(as_of=dt.date(2026, 7, 1))
    row = ServiceFollowUp.objects.get(customer=book["s2"])
    assert row.done_on == dt.date(2026, 7, 1)
    # s1, s3 and c1 fall due on 1 July
    assert (summary["closed"], summary["opened"]) == (1, 3)


def test_the_job_is_idempotent(book):
    first = cadence_refresh(as_of=JUNE_30)
    follow_ups = list(ServiceFollowUp.objects.order_by("pk").values())
    rows = compliance_rows()
    second = cadence_refresh(as_of=JUNE_30)
    assert list(ServiceFollowUp.objects.order_by("pk").values()) == follow_ups
    assert compliance_rows() == rows
    assert (first["opened"], second["opened"], second["closed"]) == (4, 0, 0)


def test_the_job_reads_the_customers_in_a_fixed_number_of_queries(
    book, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        cadence_refresh(as_of=JUNE_30)


def test_complaints_late_by_their_tiers_response_time(rep, service_user, clock):
    from customers.models import Complaint
    from success.selectors import late_first_responses

    from .factories import complaint

    ServiceLevel.objects.filter(tier="ordinary").update(response_hours=48)
    now = at("2026-06-15", "12:00")
    strategic = CustomerFactory(owner=rep, tier=Tier.STRATEGIC)
    ordinary = CustomerFactory(owner=rep, tier=Tier.ORDINARY)
    late = complaint(strategic, service_user, opened="2026-06-14 11:59")  # 24 h 1 min
    complaint(strategic, service_user, opened="2026-06-14 12:00")  # exactly 24 h: in time
    complaint(ordinary, service_user, opened="2026-06-14 06:00")  # 30 h of 48
    late_ordinary = complaint(ordinary, service_user, opened="2026-06-13 11:00")  # 49 h
    answered = complaint(strategic, service_user, opened="2026-06-10")
    Complaint.objects.filter(pk=answered.pk).update(first_response_at=at("2026-06-10", "11:00"))
    assert set(late_first_responses(Complaint.objects.all(), now)) == {late, late_ordinary}

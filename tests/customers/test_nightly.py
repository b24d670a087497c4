"""Nightly jobs: overdue instalments told to the owner once; complaint escalation."""

import datetime as dt
from decimal import Decimal

import pytest

from customers import services, tasks
from customers.models import Complaint, Instalment
from salescrm.models import Notification
from salescrm.timeutil import start_of_day

from .factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_overdue_instalments_are_marked_and_the_owner_is_told_once(signed_contract, rep):
    # instalments due 01-10, 02-10, 03-10; business date 02-10 has ended
    summary = tasks.overdue_instalments(dt.date(2026, 2, 10))
    assert summary == {"marked": 2, "cleared": 0, "notified": 2}
    assert list(
        Instalment.objects.order_by("sequence").values_list("overdue_since", flat=True)
    ) == [
        dt.date(2026, 1, 11),
        dt.date(2026, 2, 11),
        None,
    ]
    assert Notification.objects.filter(recipient=rep, kind="overdue").count() == 2
    assert tasks.overdue_instalments(dt.date(2026, 2, 10)) == {
        "marked": 0,
        "cleared": 0,
        "notified": 0,
    }
    services.payment_record(
        instalment=Instalment.objects.get(sequence=1),
        actor=rep,
        amount=Decimal("1000.00"),
        received_on=dt.date(2026, 2, 12),
        method="cash",
    )
    assert Instalment.objects.get(sequence=1).overdue_since is None


def test_complaints_are_escalated_to_the_director_when_severe_or_late(rep, director, service_user):
    # a strategic customer: 24 hours to the first response (success's service level)
    customer = CustomerFactory(owner=rep, tier="strategic")
    now = start_of_day(dt.date(2026, 3, 2))

    def complaint(subject, severity, hours_ago, responded=False, resolved=False):
        opened = now - dt.timedelta(hours=hours_ago)
        return Complaint.objects.create(
            customer=customer,
            severity=severity,
            subject=subject,
            opened_by=service_user,
            opened_at=opened,
            first_response_at=opened + dt.timedelta(hours=1) if responded else None,
            resolved_at=opened + dt.timedelta(hours=2) if resolved else None,
        )

    complaint("severe, new", "severe", 1)
    complaint("no response after 25 h", "medium", 25)
    complaint("fresh", "medium", 10)
    complaint("responded, open after 49 h", "low", 49, responded=True)
    complaint("responded, 30 h", "low", 30, responded=True)
    complaint("resolved", "severe", 60, responded=True, resolved=True)

    summary = tasks.complaint_escalation(dt.date(2026, 3, 1))
    assert summary == {"escalated": 3, "notified": 3}
    assert sorted(
        Complaint.objects.filter(escalated_at__isnull=False).values_list("subject", flat=True)
    ) == [
        "no response after 25 h",
        "responded, open after 49 h",
        "severe, new",
    ]
    assert Notification.objects.filter(recipient=director, kind="complaint").count() == 3
    assert tasks.complaint_escalation(dt.date(2026, 3, 1)) == {"escalated": 0, "notified": 0}

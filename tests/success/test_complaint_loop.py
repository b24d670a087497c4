"""Complaints that close the loop: category, cause, routing with a department deadline, the
customer's confirmation or a reopen; process-caused complaints per quarter (≤ 3)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from customers import services as cs
from customers.models import Complaint
from success import selectors
from tests.customers.factories import CustomerFactory

from .factories import complaint

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def case(rep, service_user, clock):
    clock.set(TODAY)
    return complaint(CustomerFactory(owner=rep), service_user, opened="2026-06-14")


def route(case, actor, **changes):
    data = {
        "category": "schedule",
        "cause": "internal_process",
        "department": "teaching",
        "department_due_on": TODAY,
        **changes,
    }
    return cs.complaint_route(complaint=case, actor=actor, **data)


def test_service_routes_a_complaint_to_a_department(case, service_user):
    route(case, service_user)
    case.refresh_from_db()
    assert (case.category, case.cause, case.department, case.department_due_on) == (
        "schedule",
        "internal_process",
        "teaching",
        TODAY,
    )
    assert case.routed_at is not None


@pytest.mark.parametrize(
    "changes",
    [
        {"department_due_on": TODAY - dt.timedelta(days=1)},
        {"category": "weather"},
        {"cause": ""},
        {"department": "marketing"},
    ],
)
def test_bad_routing_is_refused_and_changes_nothing(case, service_user, changes):
    with pytest.raises(ValidationError):
        route(case, service_user, **changes)
    case.refresh_from_db()
    assert (case.category, case.routed_at) == ("", None)


def test_the_rep_complained_about_does_not_route(case, rep):
    with pytest.raises(PermissionDenied):
        route(case, rep)


def test_a_manager_routes_only_the_own_teams_complaints(case, manager, other_manager):
    with pytest.raises(ValidationError):
        route(case, other_manager)
    route(case, manager)


def test_the_customer_confirms_a_resolved_complaint(case, service_user):
    with pytest.raises(ValidationError, match="Only a resolved complaint"):
        cs.complaint_confirm(complaint=case, actor=service_user)
    cs.complaint_resolve(complaint=case, actor=service_user, resolution="调整了上课时间")
    cs.complaint_confirm(complaint=case, actor=service_user)
    case.refresh_from_db()
    assert case.confirmed_at is not None
    with pytest.raises(ValidationError):
        cs.complaint_confirm(complaint=case, actor=service_user)
    with pytest.raises(ValidationError):
        cs.complaint_reopen(complaint=case, actor=service_user, reason="又冲突了")
    with pytest.raises(ValidationError):
        route(case, service_user)


def test_a_reopened_complaint_is_open_again(case, service_user):
    cs.complaint_resolve(complaint=case, actor=service_user, resolution="调整了上课时间")
    cs.complaint_reopen(complaint=case, actor=service_user, reason="又冲突了")
    case.refresh_from_db()
    assert (case.resolved_at, case.reopened_count) == (None, 1)
    assert "又冲突了" in case.description
    assert Complaint.objects.open().filter(pk=case.pk).exists()


def test_pages_route_confirm_and_reopen(case, service_user, login):
    client = login(service_user)
    detail = client.get(case.get_absolute_url())
    assert b"complaint-route-form" in detail.content
    bad = client.post(reverse("customers:complaint_route", args=[case.pk]), {"category": "x"})
    assert bad.status_code == 302
    case.refresh_from_db()
    assert case.routed_at is None
    client.post(
        reverse("customers:complaint_route", args=[case.pk]),
        {
            "category": "billing",
            "cause": "internal_process",
            "department": "finance",
            "department_due_on": "2026-06-20",
        },
    )
    case.refresh_from_db()
    assert (case.category, case.department) == ("billing", "finance")
    client.post(reverse("customers:complaint_resolve", args=[case.pk]), {"text": "已退差价"})
    empty = client.post(reverse("customers:complaint_reopen", args=[case.pk]), {"text": ""})
    assert empty.status_code == 302
    case.refresh_from_db()
    assert case.resolved_at is not None
    client.post(reverse("customers:complaint_confirm", args=[case.pk]))
    case.refresh_from_db()
    assert case.confirmed_at is not None


def test_another_teams_manager_gets_404(case, other_manager, login):
    response = login(other_manager).post(
        reverse("customers:complaint_route", args=[case.pk]), {"category": "billing"}
    )
    assert response.status_code == 404


def test_process_complaints_per_quarter(rep, service_user):
    customer = CustomerFactory(owner=rep)
    # Shanghai quarters: 31 March 23:30 is Q1 (15:30 UTC), 30 June 23:59 is Q2
    for opened in ("2026-03-31 23:30", "2026-04-01 00:10", "2026-05-01", "2026-06-30 23:59"):
        complaint(customer, service_user, opened=opened, cause="internal_process")
    complaint(customer, service_user, opened="2026-05-02", cause="teacher")
    complaint(customer, service_user, opened="2025-12-31", cause="internal_process")
    assert selectors.process_complaints_by_quarter(2026) == [
        ("2026 Q1", 1),
        ("2026 Q2", 3),
        ("2026 Q3", 0),
        ("2026 Q4", 0),
    ]


def test_the_director_dashboard_shows_the_process_goal(director, login, rep, service_user, clock):
    clock.set(TODAY)
    customer = CustomerFactory(owner=rep)
    for opened in ("2026-04-02", "2026-04-03", "2026-04-04", "2026-04-05"):
        complaint(customer, service_user, opened=opened, cause="internal_process")
    page = login(director).get(reverse("dashboard")).content.decode()
    # four in Q2: above the goal of three, shown in red
    assert 'class="text-danger" data-process-quarter="2">4</td>' in page
    assert 'data-process-quarter="1">0</td>' in page


def test_a_complaint_is_opened_with_its_category(rep, service_user, login):
    customer = CustomerFactory(owner=rep)
    data = {"severity": "low", "subject": "排课冲突", "category": "schedule"}
    login(service_user).post(reverse("customers:complaint_create", args=[customer.pk]), data)
    assert Complaint.objects.get().category == "schedule"
    with pytest.raises(ValidationError):
        cs.complaint_open(
            customer=customer, actor=service_user, severity="low", subject="x", category="weather"
        )

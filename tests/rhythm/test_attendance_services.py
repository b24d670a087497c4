"""Check-in and check-out at the server's time, one row per day, and the manager's records."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from rhythm.models import AttendanceChange, AttendanceDay
from rhythm.services import attendance_check_in, attendance_check_out, attendance_record
from salescrm.errors import BusinessRuleError
from salescrm.timeutil import SHANGHAI

pytestmark = pytest.mark.django_db


def test_check_in_records_the_server_time_once_a_day(rep, clock):
    clock.set(dt.datetime(2026, 10, 12, 8, 55, tzinfo=SHANGHAI))
    first = attendance_check_in(actor=rep)
    clock.set(dt.datetime(2026, 10, 12, 9, 30, tzinfo=SHANGHAI))
    second = attendance_check_in(actor=rep)
    assert first.pk == second.pk
    assert AttendanceDay.objects.filter(person=rep).count() == 1
    assert second.checked_in_at.astimezone(SHANGHAI).time() == dt.time(8, 55)


def test_the_database_refuses_a_second_row_for_the_day(rep):
    AttendanceDay.objects.create(person=rep, day=dt.date(2026, 10, 12))
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceDay.objects.create(person=rep, day=dt.date(2026, 10, 12))


def test_shanghai_midnight_decides_the_day(rep, clock):
    clock.set(dt.datetime(2026, 10, 12, 16, 30, tzinfo=dt.UTC))  # 00:30 on the 13th in Shanghai
    assert attendance_check_in(actor=rep).day == dt.date(2026, 10, 13)


def test_check_out_needs_a_check_in(rep, clock):
    clock.set(dt.datetime(2026, 10, 12, 18, 0, tzinfo=SHANGHAI))
    with pytest.raises(BusinessRuleError):
        attendance_check_out(actor=rep)
    attendance_check_in(actor=rep)
    row = attendance_check_out(actor=rep)
    assert row.checked_out_at is not None


def test_back_office_roles_do_not_check_in(finance, legal, service_user):
    for person in (finance, legal, service_user):
        with pytest.raises(PermissionDenied):
            attendance_check_in(actor=person)


def test_a_manager_records_leave_for_the_team_with_history(manager, rep, clock):
    clock.set(dt.date(2026, 10, 12))
    attendance_record(
        actor=manager, person=rep, day=dt.date(2026, 10, 9), kind="leave", reason="病假"
    )
    attendance_record(
        actor=manager, person=rep, day=dt.date(2026, 10, 9), kind="trip", reason="改为出差"
    )
    row = AttendanceDay.objects.get(person=rep, day=dt.date(2026, 10, 9))
    assert row.kind == "trip"
    assert list(
        AttendanceChange.objects.filter(attendance=row)
        .order_by("id")
        .values_list("old_kind", "new_kind", "reason", "changed_by")
    ) == [
        ("", "leave", "病假", manager.pk),
        ("leave", "trip", "改为出差", manager.pk),
    ]


def test_a_manager_cannot_record_for_another_team(manager, outsider, clock):
    clock.set(dt.date(2026, 10, 12))
    with pytest.raises(BusinessRuleError):
        attendance_record(
            actor=manager, person=outsider, day=dt.date(2026, 10, 9), kind="leave", reason="x"
        )
    assert not AttendanceDay.objects.filter(person=outsider).exists()


def test_the_director_records_for_anyone(director, outsider, clock):
    clock.set(dt.date(2026, 10, 12))
    attendance_record(
        actor=director, person=outsider, day=dt.date(2026, 10, 9), kind="absent", reason="旷工"
    )
    assert AttendanceDay.objects.get(person=outsider).kind == "absent"


def test_a_reason_is_required_and_a_rep_may_not_record(manager, rep, teammate, clock):
    clock.set(dt.date(2026, 10, 12))
    with pytest.raises(BusinessRuleError):
        attendance_record(
            actor=manager, person=rep, day=dt.date(2026, 10, 9), kind="leave", reason="  "
        )
    with pytest.raises(PermissionDenied):
        attendance_record(
            actor=rep, person=teammate, day=dt.date(2026, 10, 9), kind="leave", reason="x"
        )
    assert not AttendanceDay.objects.exists()


def test_presence_cannot_be_recorded_in_advance_but_leave_can(manager, rep, clock):
    clock.set(dt.date(2026, 10, 12))
    with pytest.raises(BusinessRuleError):
        attendance_record(
            actor=manager, person=rep, day=dt.date(2026, 10, 13), kind="present", reason="x"
        )
    attendance_record(
        actor=manager, person=rep, day=dt.date(2026, 10, 13), kind="leave", reason="年假"
    )
    assert AttendanceDay.objects.get(person=rep).kind == "leave"

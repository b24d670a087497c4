"""The nightly sales bulletin: figures of the day, set-based, idempotent, in the inbox."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Contract
from rhythm.models import Bulletin
from rhythm.services import bulletins_build
from salescrm.models import Notification
from salescrm.timeutil import SHANGHAI
from tests.customers.factories import ProductFactory, make_contract
from tests.factories import TeamFactory, UserFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 13)


def _signed(owner, amount, day):
    contract = make_contract(owner, lines=[(ProductFactory(list_price=amount), 1, "0")])
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.SIGNED, signed_on=day)
    return contract


def _team(name, size):
    team = TeamFactory(name=name)
    manager = UserFactory(username=f"{name}_m", role="manager", team=team)
    team.manager = manager
    team.save()
    return team, [UserFactory(username=f"{name}_{i}", role="rep", team=team) for i in range(size)]


def test_the_bulletin_of_a_day(clock):
    clock.set(DAY)
    team, (wang, li) = _team("一组", 2)
    _signed(wang, "10000.00", DAY)
    _signed(li, "3000.00", DAY - dt.timedelta(days=1))  # yesterday: month figure only
    _signed(li, "4000.00", DAY)
    _signed(li, "9999.00", DAY + dt.timedelta(days=1))  # tomorrow: nowhere
    LeadFactory(owner=wang, grade="A", created_at=dt.datetime(2026, 10, 13, 10, tzinfo=SHANGHAI))
    LeadFactory(owner=wang, grade="C", created_at=dt.datetime(2026, 10, 13, 11, tzinfo=SHANGHAI))
    bulletins_build(DAY)
    figures = Bulletin.objects.get(day=DAY, team=team).figures
    assert figures["signed"] == "14000.00"
    assert figures["contracts"] == 2
    assert figures["new_prospect_cards"] == 1
    assert figures["month_signed"] == "17000.00"
    assert figures["achievement"] is None  # no published target
    # yesterday li led with 3000; today wang leads with 10000 (▲1), li has 7000 (▼1)
    assert [
        (row["name"], row["signed"], row["rank"], row["move"]) for row in figures["leaders"]
    ] == [
        (wang.username, "10000.00", 1, 1),
        (li.username, "7000.00", 2, -1),
    ]
    company = Bulletin.objects.get(day=DAY, team__isnull=True).figures
    assert company["signed"] == "14000.00"
    assert Notification.objects.filter(kind="bulletin").count() == 3  # 2 reps and the manager


def test_the_director_gets_the_companys_bulletin(clock, director):
    clock.set(DAY)
    _team("一组", 1)
    bulletins_build(DAY)
    note = Notification.objects.get(recipient=director, kind="bulletin")
    assert "· 公司：" in note.title
    assert note.url == "/rhythm/bulletins/?day=2026-10-13"


def test_the_query_count_does_not_grow_with_the_number_of_reps(clock):
    clock.set(DAY)
    _team("A", 2)
    bulletins_build(DAY)
    with CaptureQueriesContext(connection) as few:
        bulletins_build(DAY)
    for name in ("B", "C", "D"):
        _team(name, 10)
    bulletins_build(DAY)  # the new people get their first notification
    with CaptureQueriesContext(connection) as many:
        bulletins_build(DAY)
    assert len(few) == len(many)


def test_building_twice_gives_the_same_bulletins_and_no_second_notification(clock):
    clock.set(DAY)
    team, (wang,) = _team("一组", 1)
    _signed(wang, "5000.00", DAY)
    bulletins_build(DAY)
    first = sorted(Bulletin.objects.values_list("day", "team_id", "figures"), key=str)
    notes = Notification.objects.count()
    bulletins_build(DAY)
    assert sorted(Bulletin.objects.values_list("day", "team_id", "figures"), key=str) == first
    assert Notification.objects.count() == notes
    assert Bulletin.objects.filter(day=DAY).count() == 2
    assert Decimal(first[0][2]["signed"]) == Decimal("5000.00")

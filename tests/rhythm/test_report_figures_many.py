"""The demo's daily-report figures in one pass (daily_report_figures): the same figures as
report_figures one report at a time, on each side of the Shanghai midnight, in a fixed
number of queries however many reports."""

import datetime as dt
from decimal import Decimal

import pytest

from customers.models import Contract, Payment
from leads.models import Activity, LostReason, StageChange
from rhythm.models import Report
from rhythm.services.reports import daily_report_figures, report_figures
from salescrm.timeutil import SHANGHAI
from tests.customers.factories import make_contract
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 13)  # a Tuesday
NEXT = DAY + dt.timedelta(days=1)


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def history(rep, teammate):
    # rep on DAY: 2 calls (one at 23:59), 1 visit, 1 trial lesson; a call at 00:00 on NEXT
    lead = LeadFactory(owner=rep, created_at=at(DAY, 10), next_follow_up_on=NEXT)
    LeadFactory(owner=rep, created_at=at(NEXT, 0), next_follow_up_on=NEXT)  # NEXT's lead
    reason, _ = LostReason.objects.get_or_create(name="价格")
    LeadFactory(owner=rep, stage="lost", lost_reason=reason, next_follow_up_on=NEXT)  # closed
    for kind, moment in [
        ("phone", at(DAY, 9)),
        ("phone", at(DAY, 23, 59)),
        ("visit", at(DAY, 14)),
        ("trial_lesson", at(DAY, 16)),
        ("phone", at(NEXT, 0)),
    ]:
        Activity.objects.create(lead=lead, actor=rep, kind=kind, occurred_at=moment)
    StageChange.objects.create(
        lead=lead, from_stage="new", to_stage="contacted", changed_by=rep, changed_at=at(DAY, 9)
    )
    # teammate on NEXT: one contract signed for 9,800.00, two payments 1,000.00 + 800.50
    contract = make_contract(teammate)
    Contract.objects.filter(pk=contract.pk).update(
        status=Contract.Status.SIGNED, signed_on=NEXT, total_amount=Decimal("9800.00")
    )
    for amount in ("1000.00", "800.50"):
        Payment.objects.create(
            contract=contract,
            instalment=contract.instalments.first(),
            amount=Decimal(amount),
            received_on=NEXT,
            method=Contract.PaymentMethod.choices[0][0],
            recorded_by=teammate,
        )


def test_the_figures_of_many_reports_are_those_of_one_report_each(history, rep, teammate):
    many = daily_report_figures([rep, teammate], [DAY, NEXT])
    assert set(many) == {(rep.pk, DAY), (rep.pk, NEXT), (teammate.pk, DAY), (teammate.pk, NEXT)}
    for person in (rep, teammate):
        for day in (DAY, NEXT):
            assert many[(person.pk, day)] == report_figures(person, Report.Kind.DAILY, day)
    assert many[(rep.pk, DAY)] == {
        "activities": 4,
        "calls": 2,
        "visits": 2,  # the visit and the trial lesson are effective visits
        "trial_lessons": 1,
        "leads_created": 1,
        "stage_moves": 1,
        "contracts_signed": 0,
        "signed_amount": "0.00",
        "collected_amount": "0.00",
        "follow_ups_next": 2,  # the two open leads due on NEXT; the lost one is not
    }
    assert (many[(rep.pk, NEXT)]["calls"], many[(rep.pk, NEXT)]["leads_created"]) == (1, 1)
    assert many[(teammate.pk, NEXT)]["contracts_signed"] == 1
    assert many[(teammate.pk, NEXT)]["signed_amount"] == "9800.00"
    assert many[(teammate.pk, NEXT)]["collected_amount"] == "1800.50"


def test_the_follow_ups_of_the_next_day_are_counted_on_the_day_before(history, rep):
    # two open leads of rep are due on NEXT: DAY's report counts them, NEXT's does not
    many = daily_report_figures([rep], [DAY, NEXT])
    assert report_figures(rep, Report.Kind.DAILY, DAY)["follow_ups_next"] == 2
    assert many[(rep.pk, DAY)]["follow_ups_next"] == 2
    assert many[(rep.pk, NEXT)]["follow_ups_next"] == 0


def test_the_query_count_does_not_grow_with_people_or_days(
    history, rep, teammate, django_assert_num_queries
):
    with django_assert_num_queries(6):
        daily_report_figures([rep], [DAY])
    days = [DAY + dt.timedelta(days=n) for n in range(21)]
    with django_assert_num_queries(6):
        daily_report_figures([rep, teammate], days)

"""The renewal pipeline's nightly job: opportunities open N days (60) before a course ends,
are renewed by the renewal-rate KPI's own rule, lapse after the window (30 days), and are
flagged at risk. Dates worked out by hand in the comments."""

import datetime as dt
from decimal import Decimal as D

import pytest

from customers.models import Tier
from performance import kpis
from success import selectors
from success.models import RenewalOpportunity, SuccessSettings
from success.services import renewals_refresh

from .factories import complaint, contact, course, line, renewal, survey

pytestmark = pytest.mark.django_db
Stage = RenewalOpportunity.Stage


def day(text):
    return dt.date.fromisoformat(text)


def refresh(text):
    return renewals_refresh(as_of=day(text))


def snapshot():
    return list(
        RenewalOpportunity.objects.order_by("pk").values_list(
            "contract_id",
            "owner_id",
            "opened_on",
            "stage",
            "lost_reason",
            "renewal_contract_id",
            "renewed_on",
            "closed_on",
            "risk_no_contact",
            "risk_open_complaint",
            "risk_low_satisfaction",
            "risk_lessons_unused",
        )
    )


def test_an_opportunity_opens_sixty_days_before_the_course_ends(rep):
    ending = course(rep, "2026-06-30")  # 30 June - 60 days = 1 May
    assert refresh("2026-04-30")["opened"] == 0
    assert refresh("2026-05-01")["opened"] == 1
    opportunity = RenewalOpportunity.objects.get()
    assert (opportunity.contract, opportunity.owner, opportunity.opened_on) == (
        ending,
        rep,
        day("2026-05-01"),
    )
    assert (opportunity.stage, opportunity.course_ends_on) == (Stage.TO_CONTACT, day("2026-06-30"))


def test_the_lead_time_is_admin_set(rep):
    SuccessSettings.objects.create(renewal_lead_days=10)
    course(rep, "2026-06-30")
    assert refresh("2026-06-19")["opened"] == 0
    assert refresh("2026-06-20")["opened"] == 1


def test_a_short_course_opens_on_its_signing_day(rep):
    course(rep, "2026-06-30", signed_on="2026-06-10")
    refresh("2026-06-10")
    assert RenewalOpportunity.objects.get().opened_on == day("2026-06-10")


def test_unsigned_contracts_open_nothing(rep):
    from tests.performance.factories import contract

    contract(rep, "5000", "2026-05-01", status="approved", ends_on="2026-06-30")
    assert refresh("2026-06-01")["opened"] == 0


def test_a_signed_continuing_contract_renews_it_the_night_it_is_signed(rep):
    ending = course(rep, "2026-06-30")
    follow = renewal(rep, ending.customer, signed_on="2026-06-20", starts_on="2026-07-01")
    refresh("2026-06-19")  # not yet signed by the 19th
    assert RenewalOpportunity.objects.get(contract=ending).stage == Stage.TO_CONTACT
    assert refresh("2026-06-20")["renewed"] == 1
    opportunity = RenewalOpportunity.objects.get(contract=ending)
    assert (opportunity.stage, opportunity.renewal_contract, opportunity.renewed_on) == (
        Stage.RENEWED,
        follow,
        day("2026-06-20"),
    )


def test_a_contract_starting_beyond_the_window_is_no_renewal(rep):
    # window 30: 30 June is continued by a start from 31 May to 30 July; 31 July is a return
    ending = course(rep, "2026-06-30")
    renewal(rep, ending.customer, signed_on="2026-06-20", starts_on="2026-07-31")
    refresh("2026-06-25")
    assert RenewalOpportunity.objects.get(contract=ending).stage == Stage.TO_CONTACT
    edge = course(rep, "2026-06-30")
    renewal(rep, edge.customer, signed_on="2026-06-21", starts_on="2026-07-30")
    refresh("2026-06-25")
    assert RenewalOpportunity.objects.get(contract=edge).stage == Stage.RENEWED


def test_an_open_renewal_lapses_the_day_after_its_window_closes(rep):
    ending = course(rep, "2026-06-30")  # window closes 30 July
    refresh("2026-07-30")
    assert RenewalOpportunity.objects.get().stage == Stage.TO_CONTACT
    assert refresh("2026-07-31")["lapsed"] == 1
    opportunity = RenewalOpportunity.objects.get(contract=ending)
    assert (opportunity.stage, opportunity.lost_reason, opportunity.closed_on) == (
        Stage.LOST,
        RenewalOpportunity.LostReason.LAPSED,
        day("2026-07-30"),
    )


def test_a_late_signed_renewal_inside_the_window_still_renews_a_lost_one(rep):
    ending = course(rep, "2026-06-30")
    refresh("2026-08-05")
    assert RenewalOpportunity.objects.get().stage == Stage.LOST
    renewal(rep, ending.customer, signed_on="2026-08-06", starts_on="2026-07-25")
    refresh("2026-08-06")
    opportunity = RenewalOpportunity.objects.get()
    assert (opportunity.stage, opportunity.lost_reason) == (Stage.RENEWED, "")


def test_the_job_is_idempotent(rep, teammate):
    a = course(rep, "2026-06-30")
    renewal(rep, a.customer, signed_on="2026-06-20", starts_on="2026-07-01")
    course(teammate, "2026-06-10")  # lapses 11 July
    c = course(rep, "2026-07-20")
    complaint(c.customer, rep, opened="2026-07-01")
    first = refresh("2026-07-15")
    rows = snapshot()
    second = refresh("2026-07-15")
    assert snapshot() == rows
    assert (first["opened"], first["renewed"], first["lapsed"]) == (3, 1, 1)
    assert (second["opened"], second["renewed"], second["lapsed"], second["reverted"]) == (
        0,
        0,
        0,
        0,
    )


def test_a_narrowed_window_takes_the_renewal_back(rep):
    from customers.models import ApprovalPolicy

    ending = course(rep, "2026-06-30")
    renewal(rep, ending.customer, signed_on="2026-06-20", starts_on="2026-07-20")  # 20 days
    refresh("2026-06-25")
    assert RenewalOpportunity.objects.get().stage == Stage.RENEWED
    ApprovalPolicy.objects.create(renewal_window_days=10)
    assert refresh("2026-06-25")["reverted"] == 1
    assert RenewalOpportunity.objects.get().stage == Stage.TO_CONTACT


# --- the rate, equal to the KPI's cohort -----------------------------------------------------


@pytest.fixture
def october(rep):
    """The KPI test's data set (tests/performance/test_renewal_rate.py), window 30:
    courses ending in October — A (10-15) renewed 10-05 starting 10-20; D (10-25) comes back
    2027-01-10 (not a renewal); E (10-30) renewed 11-05 starting 11-10; and in September B
    (09-20) and C (09-25), renewed in October (10-03, 10-08)."""
    for ends, signed, starts in [
        ("2026-10-15", "2026-10-05", "2026-10-20"),
        ("2026-10-25", "2026-10-28", "2027-01-10"),
        ("2026-10-30", "2026-11-05", "2026-11-10"),
        ("2026-09-20", "2026-10-03", "2026-10-01"),
        ("2026-09-25", "2026-10-08", "2026-10-10"),
    ]:
        renewal(rep, course(rep, ends).customer, signed_on=signed, starts_on=starts)
    refresh("2026-11-30")


def kpi(start, end):
    ratios = kpis.KPI_BY_CODE["renewal_rate"].compute(day(start), day(end))
    return (
        int(sum(r.numerator for r in ratios.values())),
        int(sum(r.denominator for r in ratios.values())),
    )


@pytest.mark.parametrize(
    "start, end, expected",
    [
        ("2026-10-01", "2026-10-31", (1, 3)),  # only A by 10-31
        ("2026-09-01", "2026-09-30", (0, 2)),  # B and C renewed only in October
        ("2026-09-01", "2026-10-31", (3, 5)),  # B, C, A of B, C, A, D, E
        ("2026-10-01", "2026-11-30", (2, 3)),  # E's renewal of 11-05 counts now
    ],
)
def test_the_pipeline_rate_is_the_kpi_cohort(october, start, end, expected):
    rate = selectors.renewal_rate(day(start), day(end))
    assert (rate.numerator, rate.denominator) == expected
    assert kpi(start, end) == expected


def test_the_rate_in_percent(october):
    assert selectors.renewal_rate(day("2026-10-01"), day("2026-10-31")).percent == D("33.33")
    assert selectors.renewal_rate(day("2026-09-01"), day("2026-09-30")).percent == D("0.00")


def test_strategic_renewal_reads_the_effective_tier(rep):
    strategic = course(rep, "2026-06-30")
    strategic.customer.tier = Tier.STRATEGIC
    strategic.customer.save()
    overridden = course(rep, "2026-06-30")
    overridden.customer.tier, overridden.customer.tier_override = Tier.STRATEGIC, Tier.CORE
    overridden.customer.save()
    promoted = course(rep, "2026-06-30")
    promoted.customer.tier_override = Tier.STRATEGIC
    promoted.customer.save()
    renewal(rep, strategic.customer, signed_on="2026-06-20", starts_on="2026-07-01")
    refresh("2026-06-30")
    rate = selectors.renewal_rate(day("2026-06-01"), day("2026-06-30"), strategic_only=True)
    assert (rate.numerator, rate.denominator) == (1, 2)  # strategic and promoted


# --- at risk --------------------------------------------------------------------------------


def flags(contract_row):
    o = RenewalOpportunity.objects.get(contract=contract_row)
    return o.risk_no_contact, o.risk_open_complaint, o.risk_low_satisfaction, o.risk_lessons_unused


def test_no_contact_for_21_days_is_a_risk(rep):
    # on 30 June the 21 days are 10–30 June
    contacted = course(rep, "2026-07-31")
    contact(contacted.customer, "2026-06-10", time="00:05")
    silent = course(rep, "2026-07-31")
    contact(silent.customer, "2026-06-09", time="23:55")
    noted = course(rep, "2026-07-31")
    contact(noted.customer, "2026-06-20", kind="note")  # a note to oneself is no contact
    refresh("2026-06-30")
    assert flags(contacted)[0] is False
    assert flags(silent)[0] is True
    assert flags(noted)[0] is True


def test_an_unresolved_complaint_is_a_risk(rep):
    open_one = course(rep, "2026-07-31")
    complaint(open_one.customer, rep, opened="2026-06-01")
    resolved = course(rep, "2026-07-31")
    complaint(resolved.customer, rep, opened="2026-06-01", resolved="2026-06-02")
    refresh("2026-06-30")
    assert flags(open_one)[1] is True
    assert flags(resolved)[1] is False


def test_the_last_survey_at_or_below_3_is_a_risk(rep):
    low = course(rep, "2026-07-31")
    survey(low.customer, "2026-06-01", 3)
    recovered = course(rep, "2026-07-31")
    survey(recovered.customer, "2026-05-01", 2)
    survey(recovered.customer, "2026-06-01", 4)
    unsurveyed = course(rep, "2026-07-31")
    refresh("2026-06-30")
    assert flags(low)[2] is True
    assert flags(recovered)[2] is False
    assert flags(unsurveyed)[2] is False


def test_less_than_half_the_lessons_used_is_a_risk(rep):
    under = course(rep, "2026-07-31")
    line(under, bought=10, used=4)
    half = course(rep, "2026-07-31")
    line(half, bought=10, used=5)
    mixed = course(rep, "2026-07-31")
    line(mixed, bought=10, used=1)
    line(mixed, bought=10, used=9)  # 10 of 20: exactly half
    refresh("2026-06-30")
    assert flags(under)[3] is True
    assert flags(half)[3] is False
    assert flags(mixed)[3] is False


def test_the_job_runs_a_fixed_number_of_queries_whatever_the_rows(
    rep, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count):
        for i in range(count):
            ending = course(rep, "2026-06-30")
            if i % 2:
                renewal(rep, ending.customer, signed_on="2026-06-20", starts_on="2026-07-01")
        with CaptureQueriesContext(connection) as captured:
            refresh("2026-07-15")
        return len(captured.captured_queries)

    SuccessSettings.load()  # its first load creates the row
    few = queries(2)
    RenewalOpportunity.objects.all().delete()
    assert queries(20) == few
    with django_assert_max_num_queries(15):
        refresh("2026-07-16")

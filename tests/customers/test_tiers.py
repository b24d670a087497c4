"""Tier re-evaluation at the thresholds, run twice with the same result, and the manual
override that stays until removed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers import services, tasks
from customers.models import Contract, Customer, TierChange, TierPolicy
from salescrm.timeutil import local_today

from .factories import CustomerFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 1)


@pytest.fixture
def policy():
    # score = signed amount of the last 12 months / 10,000; core from 10, strategic from 40
    return TierPolicy.objects.create(
        amount_unit=Decimal("10000"),
        weight_signed=1,
        weight_collected=0,
        weight_growth=0,
        weight_punctuality=0,
        weight_referrals=0,
        core_min_score=10,
        strategic_min_score=40,
    )


def signed(customer, amount, on):
    return Contract.objects.create(
        customer=customer,
        owner=customer.owner,
        number=f"T-{customer.pk}-{on}",
        status="signed",
        total_amount=Decimal(amount),
        signed_on=on,
        starts_on=on,
        ends_on=on + dt.timedelta(days=90),
    )


def test_tiers_follow_the_thresholds(policy, rep):
    exactly_core = CustomerFactory(owner=rep, name="刚好核心")
    just_below = CustomerFactory(owner=rep, name="差一点")
    strategic = CustomerFactory(owner=rep, name="战略客户")
    too_old = CustomerFactory(owner=rep, name="去年的大单")
    signed(exactly_core, "100000.00", dt.date(2026, 5, 1))
    signed(just_below, "99900.00", dt.date(2026, 10, 31))
    signed(strategic, "400000.00", dt.date(2025, 11, 1))
    signed(too_old, "900000.00", dt.date(2025, 10, 31))  # outside the 12 months before 2026-11-01

    summary = services.tiers_reevaluate(as_of=AS_OF)

    tiers = dict(Customer.objects.values_list("name", "tier"))
    assert tiers == {
        "刚好核心": "core",
        "差一点": "ordinary",
        "战略客户": "strategic",
        "去年的大单": "ordinary",
    }
    assert Customer.objects.get(name="刚好核心").tier_score == Decimal("10.00")
    assert Customer.objects.get(name="差一点").tier_score == Decimal("9.99")
    assert summary == {"customers": 4, "tier_changes": 2}
    change = TierChange.objects.get(customer=strategic)
    assert (change.from_tier, change.to_tier, change.evaluated_on) == (
        "ordinary",
        "strategic",
        AS_OF,
    )
    assert "400000.00" in change.reason


def test_running_twice_gives_the_same_result(policy, rep):
    customer = CustomerFactory(owner=rep)
    signed(customer, "150000.00", dt.date(2026, 6, 1))
    services.tiers_reevaluate(as_of=AS_OF)
    second = services.tiers_reevaluate(as_of=AS_OF)
    assert second == {"customers": 1, "tier_changes": 0}
    assert TierChange.objects.count() == 1
    assert Customer.objects.get().tier == "core"


def test_downgrade_is_recorded_with_its_reason(policy, rep):
    customer = CustomerFactory(owner=rep, tier="strategic")
    services.tiers_reevaluate(as_of=AS_OF)
    change = TierChange.objects.get(customer=customer)
    assert (change.from_tier, change.to_tier) == ("strategic", "ordinary")
    assert "Value score 0.00" in change.reason


def test_manual_override_stays_until_removed(policy, rep, manager, teammate):
    customer = CustomerFactory(owner=rep)
    signed(customer, "150000.00", dt.date(2026, 6, 1))
    with pytest.raises(ValidationError, match="manager can override"):
        services.customer_set_tier_override(
            customer=customer, actor=teammate, tier="strategic", reason="大客户"
        )
    services.customer_set_tier_override(
        customer=customer, actor=manager, tier="strategic", reason="集团战略合作"
    )
    services.tiers_reevaluate(as_of=AS_OF)
    customer.refresh_from_db()
    assert (customer.tier, customer.tier_override, customer.effective_tier) == (
        "core",
        "strategic",
        "strategic",
    )
    services.customer_set_tier_override(
        customer=customer, actor=manager, tier=None, reason="合作结束"
    )
    customer.refresh_from_db()
    assert customer.effective_tier == "core"
    assert list(
        customer.tier_changes.filter(is_override=True)
        .order_by("pk")
        .values_list("from_tier", "to_tier")
    ) == [
        ("ordinary", "strategic"),
        ("strategic", "core"),
    ]


def test_monthly_job_only_runs_on_the_first_of_the_month(policy, rep):
    customer = CustomerFactory(owner=rep)
    signed(customer, "500000.00", dt.date(2026, 6, 1))
    assert tasks.tier_reevaluation(dt.date(2026, 11, 2)) == {
        "skipped": "not the first day of the month"
    }
    assert Customer.objects.get().tier == "ordinary"
    assert tasks.tier_reevaluation(dt.date(2026, 11, 1)) == {"customers": 1, "tier_changes": 1}
    assert Customer.objects.get().tier == "strategic"


def test_default_policy_weighs_collection_growth_punctuality_and_referrals(rep):
    # default weights: signed 1, collected 1 per 10,000; growth 5; punctuality 5; referral 3
    customer = CustomerFactory(owner=rep)
    signed(customer, "50000.00", dt.date(2026, 6, 1))
    scores = services.customer_value_scores(as_of=AS_OF)
    # 5 (signed) + 0 (collected) + 5 × growth 1 + 5 × punctuality 1 (nothing due yet) + 0
    assert scores[customer.pk]["score"] == Decimal("15.00")


def test_referrals_raise_the_value_score(rep, teammate):
    from leads import services as lead_services
    from leads.models import Channel

    TierPolicy.objects.create(
        amount_unit=Decimal("10000"),
        weight_signed=0,
        weight_collected=0,
        weight_growth=0,
        weight_punctuality=0,
        weight_referrals=4,
        core_min_score=10,
        strategic_min_score=40,
    )
    referral_channel = Channel.objects.get_or_create(
        code="referral", defaults={"name": "老带新/转介绍"}
    )[0]
    customer = CustomerFactory(owner=rep)
    for n in range(3):
        lead = lead_services.lead_create(
            actor=rep, channel=referral_channel, name=f"朋友{n}", phone=f"1360000000{n}"
        )
        services.referral_add(customer=customer, actor=rep, lead=lead)
    with pytest.raises(ValidationError, match="already recorded"):
        services.referral_add(customer=customer, actor=rep, lead=lead)
    with pytest.raises(ValidationError, match="owner or their manager"):
        services.referral_add(customer=customer, actor=teammate, lead=lead)
    # 3 referrals this year × 4 points = 12 → core
    assert services.customer_value_scores(as_of=local_today() + dt.timedelta(days=1))[customer.pk][
        "score"
    ] == Decimal("12.00")
    services.tiers_reevaluate(as_of=local_today() + dt.timedelta(days=1))
    assert Customer.objects.get(pk=customer.pk).tier == "core"

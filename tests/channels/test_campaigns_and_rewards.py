"""Campaign ROI with figures worked by hand; referral rewards proposed, approved, paid."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channels.models import (
    CampaignCost,
    CampaignGoal,
    Event,
    EventRegistration,
    ReferralReward,
    ReferralRewardPolicy,
)
from channels.selectors import campaign_rows
from channels.services import (
    ChannelError,
    campaign_retire,
    referral_reward_decide,
    referral_reward_pay,
    referral_rewards_propose,
)
from channels.tasks import referral_rewards
from customers.models import Contract, Referral
from leads.models import Campaign, Channel, Lead
from tests.customers.factories import CustomerFactory, make_contract

pytestmark = pytest.mark.django_db
D = Decimal


def _signed(customer, owner, amount, day):
    contract = make_contract(owner, customer=customer)
    Contract.objects.filter(pk=contract.pk).update(
        status="signed", signed_on=day, total_amount=D(amount)
    )
    return contract


@pytest.fixture
def campaign(manager, rep):
    """Campaign cost 2,000 (admin figure) + cost lines 3,000 + 1,000 + an event costing
    4,000 = 10,000. Four leads, two won; one won customer signed 18,000 and another 7,000:
    signed 25,000. ROI = (25,000 − 10,000) ÷ 10,000 = 150.00 %; cost per lead 2,500.00;
    per won customer 5,000.00. Three attendees."""
    channel = Channel.objects.get(code="livestream")
    campaign = Campaign.objects.create(
        channel=channel, name="暑期公开课", cost=D("2000.00"), starts_on=dt.date(2026, 6, 1)
    )
    CampaignGoal.objects.create(
        campaign=campaign,
        goal_leads=10,
        goal_attendees=5,
        goal_signed_amount=D("30000.00"),
        budget=D("9000.00"),
    )
    CampaignCost.objects.create(
        campaign=campaign, spent_on=dt.date(2026, 6, 2), description="海报", amount=D("3000.00")
    )
    CampaignCost.objects.create(
        campaign=campaign, spent_on=dt.date(2026, 6, 3), description="投放", amount=D("1000.00")
    )
    event = Event.objects.create(
        kind="open_class",
        title="公开课",
        cost=D("4000.00"),
        starts_at=timezone.now(),
        channel=channel,
        campaign=campaign,
        owner=manager,
    )
    leads = []
    for n in range(4):
        won = n < 2
        lead = Lead.objects.create(
            name=f"学员{n}",
            phone=f"1330000000{n}",
            channel=channel,
            campaign=campaign,
            owner=rep,
            stage="won" if won else "new",
            won_at=timezone.now() if won else None,
        )
        leads.append(lead)
        if n < 3:
            EventRegistration.objects.create(
                event=event, lead=lead, name=lead.name, checked_in_at=timezone.now()
            )
    _signed(CustomerFactory(owner=rep, lead=leads[0]), rep, "18000.00", dt.date(2026, 6, 20))
    _signed(CustomerFactory(owner=rep, lead=leads[1]), rep, "7000.00", dt.date(2026, 6, 21))
    return campaign


def test_campaign_roi_by_hand(campaign):
    (row,) = campaign_rows(Campaign.objects.filter(pk=campaign.pk))
    assert (row.leads, row.attendees, row.won) == (4, 3, 2)
    assert row.signed_amount == D("25000.00")
    assert row.cost == D("10000.00")
    assert row.roi == D("150.00")
    assert (row.cost_per_lead, row.cost_per_won) == (D("2500.00"), D("5000.00"))
    assert row.over_budget  # 10,000 > 9,000


def test_a_campaign_without_cost_has_no_roi_and_a_loss_is_negative(manager):
    Campaign.objects.create(
        channel=Channel.objects.get(code="website"), name="免费", starts_on=dt.date(2026, 1, 1)
    )
    Campaign.objects.create(
        channel=Channel.objects.get(code="website"),
        name="亏本",
        cost=D("400.00"),
        starts_on=dt.date(2026, 1, 1),
    )
    rows = {r.campaign.name: r for r in campaign_rows(Campaign.objects.all())}
    assert rows["免费"].roi is None
    assert rows["亏本"].roi == D("-100.00")  # (0 − 400) ÷ 400


def test_campaigns_side_by_side_and_the_query_count(
    client, campaign, rep, django_assert_max_num_queries
):
    client.force_login(rep)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("channels:campaign_list"))
    for n in range(5):
        Campaign.objects.create(
            channel=campaign.channel, name=f"活动{n}", starts_on=dt.date(2026, 1, n + 1)
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("channels:campaign_list")).content.decode()
    assert "150.00 %" in page
    only = client.get(reverse("channels:campaign_list"), {"ids": [campaign.pk]}).content.decode()
    assert "暑期公开课" in only and "活动1" not in only
    detail = client.get(reverse("channels:campaign_detail", args=[campaign.pk]))
    assert detail.status_code == 200


def test_only_the_director_retires_a_campaign(campaign, manager, director, rep):
    for someone in (manager, rep):
        with pytest.raises(PermissionDenied):
            campaign_retire(actor=someone, campaign=campaign, comment="x")
    with pytest.raises(ChannelError):
        campaign_retire(actor=director, campaign=campaign, comment=" ")
    campaign_retire(actor=director, campaign=campaign, comment="ROI 低于预期")
    assert CampaignGoal.objects.get(campaign=campaign).retired_on is not None


def test_cost_line_bad_input_is_refused_with_nothing_stored(client, campaign, manager):
    client.force_login(manager)
    before = CampaignCost.objects.count()
    for amount in ("0", "-5", "1e400", "abc", "100000000.00"):
        response = client.post(
            reverse("channels:campaign_cost", args=[campaign.pk]),
            {"spent_on": "2026-06-05", "description": "x", "amount": amount},
        )
        assert response.status_code == 200, amount
    assert CampaignCost.objects.count() == before


# --- referral rewards --------------------------------------------------------------------------


@pytest.fixture
def referral(rep):
    referrer = CustomerFactory(owner=rep, name="老客户张三")
    lead = Lead.objects.create(
        name="被推荐人",
        phone="13200000001",
        channel=Channel.objects.get(code="referral"),
        owner=rep,
        stage="won",
        won_at=timezone.now(),
    )
    Referral.objects.create(customer=referrer, lead=lead)
    customer = CustomerFactory(owner=rep, lead=lead)
    return referrer, customer


def test_a_signed_referral_proposes_one_reward_once(referral, rep):
    referrer, customer = referral
    assert referral_rewards_propose(day=dt.date(2026, 6, 30)) == {"proposed": 0}
    first = _signed(customer, rep, "12000.00", dt.date(2026, 6, 1))
    _signed(customer, rep, "3000.00", dt.date(2026, 6, 5))
    assert referral_rewards(dt.date(2026, 6, 30)) == {"proposed": 1}
    assert referral_rewards(dt.date(2026, 6, 30)) == {"proposed": 0}
    reward = ReferralReward.objects.get()
    assert (reward.referrer, reward.contract, reward.amount) == (referrer, first, D("500.00"))


def test_percentage_reward(referral, rep):
    ReferralRewardPolicy.objects.update(kind="percent", percent=D("0.0250"))
    _signed(referral[1], rep, "12345.00", dt.date(2026, 6, 1))
    referral_rewards_propose(day=dt.date(2026, 6, 30))
    assert ReferralReward.objects.get().amount == D("308.63")  # 12,345 × 2.5 % = 308.625


def test_manager_approves_finance_pays(referral, rep, manager, other_manager, finance, director):
    _signed(referral[1], rep, "12000.00", dt.date(2026, 6, 1))
    referral_rewards_propose(day=dt.date(2026, 6, 30))
    reward = ReferralReward.objects.get()
    for someone in (rep, director, finance):
        with pytest.raises(PermissionDenied):
            referral_reward_decide(actor=someone, reward=reward, approve=True)
    with pytest.raises(ChannelError):  # another team's manager
        referral_reward_decide(actor=other_manager, reward=reward, approve=True)
    with pytest.raises(ChannelError):  # not approved yet
        referral_reward_pay(actor=finance, reward=reward, paid_on=dt.date(2026, 7, 1))
    referral_reward_decide(actor=manager, reward=reward, approve=True)
    with pytest.raises(PermissionDenied):
        referral_reward_pay(actor=manager, reward=reward, paid_on=dt.date(2026, 7, 1))
    referral_reward_pay(actor=finance, reward=reward, paid_on=dt.date(2026, 7, 1))
    reward.refresh_from_db()
    assert (reward.status, reward.paid_on) == ("paid", dt.date(2026, 7, 1))


def test_leaderboard_page(client, referral, rep, finance):
    _signed(referral[1], rep, "12000.00", dt.date(2026, 6, 1))
    referral_rewards_propose(day=dt.date(2026, 6, 30))
    client.force_login(finance)
    page = client.get(reverse("channels:referral_rewards")).content.decode()
    assert "老客户张三" in page

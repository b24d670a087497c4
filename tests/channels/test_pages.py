"""The staff pages of partners and settlements: writes through the pages, exports, and
list pages whose query count does not grow with their rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels.models import Partner, PartnerLead, PartnerReview, PartnerSettlement
from channels.services import settlements_compute
from leads.models import Channel, Lead

from .factories import credited_contract, make_partner, make_plan, partner_user, pay, refund

pytestmark = pytest.mark.django_db


def test_manager_creates_a_partner_adds_a_contact_and_credits_a_lead(client, manager, rep):
    client.force_login(manager)
    response = client.post(
        reverse("channels:partner_create"),
        {"name": "新代理", "kind": "agent", "manager": manager.pk, "since": "2026-01-05"},
    )
    partner = Partner.objects.get(name="新代理")
    assert response["Location"] == partner.get_absolute_url()
    client.post(reverse("channels:partner_contact_add", args=[partner.pk]), {"name": "钱经理"})
    assert partner.contacts.get().name == "钱经理"
    lead = Lead.objects.create(
        name="学员", phone="13411112222", channel=Channel.objects.get(code="partner"), owner=rep
    )
    client.post(reverse("channels:partner_credit", args=[partner.pk]), {"phone": "134 1111 2222"})
    assert PartnerLead.objects.get(lead=lead).partner == partner
    # a second partner cannot take the same lead
    other = make_partner(manager, name="另一家")
    page = client.post(
        reverse("channels:partner_credit", args=[other.pk]), {"phone": "13411112222"}
    )
    assert page.status_code == 200
    assert PartnerLead.objects.get(lead=lead).partner == partner


def test_another_teams_manager_cannot_open_the_partner(client, manager, other_manager):
    partner = make_partner(manager)
    client.force_login(other_manager)
    assert client.get(partner.get_absolute_url()).status_code == 404


def test_director_reviews_on_the_review_page(client, manager, director):
    partner = make_partner(manager)
    client.force_login(director)
    url = reverse("channels:partner_review_decide", args=[partner.pk]) + "?quarter=2026-07"
    client.post(url, {"decision": "end", "comment": "连续两季无签约"})
    review = PartnerReview.objects.get()
    assert (review.quarter, review.decision) == (dt.date(2026, 7, 1), "end")
    partner.refresh_from_db()
    assert partner.status == "ended"
    # an empty comment is refused, nothing changes
    client.post(url, {"decision": "keep", "comment": ""})
    assert PartnerReview.objects.get().decision == "end"


def test_settlement_page_export_and_close(client, manager, rep, finance):
    partner = make_partner(manager, plan=make_plan())
    contract = credited_contract(partner, rep, amount="90000.00", signed_on=dt.date(2026, 7, 1))
    pay(contract, "60000.00", dt.date(2026, 7, 3))
    refund(contract, "1000.00", dt.date(2026, 7, 9), rep)
    settlements_compute(month=dt.date(2026, 7, 1))
    settlement = PartnerSettlement.objects.get()
    client.force_login(finance)
    page = client.get(settlement.get_absolute_url()).content.decode()
    assert contract.number in page and "-80.00" in page  # 1,000 × 8 % clawed back
    export = client.get(settlement.get_absolute_url(), {"export": "csv"})
    assert contract.number in export.content.decode("utf-8-sig")
    client.post(reverse("channels:settlement_close", args=[settlement.pk]))
    settlement.refresh_from_db()
    assert settlement.status == "closed"


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "name,who",
    [
        ("channels:partner_list", "director"),
        ("channels:partner_review", "director"),
        ("channels:settlement_list", "finance"),
        ("channels:referral_rewards", "finance"),
        ("channels:portal_home", "partner"),
    ],
)
def test_list_pages_do_not_query_per_row(client, manager, rep, director, finance, name, who):
    plan = make_plan()
    first = make_partner(manager, name="代理0", plan=plan)
    login = partner_user(first, "agent_q")
    people = {"director": director, "finance": finance, "partner": login}

    def rows(offset, count):
        for n in range(offset, offset + count):
            partner = first if n == 0 else make_partner(manager, name=f"代理{n}", plan=plan)
            contract = credited_contract(
                partner, rep, amount="1000.00", signed_on=dt.date(2026, 7, 1)
            )
            pay(contract, "1000.00", dt.date(2026, 7, 2))
        settlements_compute(month=dt.date(2026, 7, 1))

    rows(0, 1)
    client.force_login(people[who])
    url = reverse(name) + ("?quarter=2026-07" if name.endswith("review") else "")
    one = _count(client, url)
    rows(1, 4)
    # the portal also gets more of its own leads
    for _n in range(4):
        credited_contract(first, rep, amount="10.00")
    assert _count(client, url) <= one
    assert Decimal("0") <= PartnerSettlement.objects.first().total


def test_review_figures_by_hand(rep, manager, outsider, finance):
    """Q3 2026: three leads credited, two won (one signed ¥60,000 and paid ¥30,000, a ¥1,000
    refund), one complaint; July's settlement (30,000 × 5 % = 1,500.00) closed, August's
    open: commission paid 1,500.00 → 750.00 per won customer; conversion 66.67 %."""
    from django.utils import timezone

    from channels.selectors import partner_review_rows
    from channels.services import settlement_close
    from customers.models import Complaint

    partner = make_partner(manager, plan=make_plan())
    won = credited_contract(partner, rep, amount="60000.00", signed_on=dt.date(2026, 7, 2))
    second = credited_contract(partner, rep, amount="10.00")
    Lead.objects.filter(pk=second.customer.lead_id).update(stage="won", won_at=timezone.now())
    third = Lead.objects.create(name="未成交", phone="13499990000", channel=Channel.objects.first())
    PartnerLead.objects.create(lead=third, partner=partner)
    at = timezone.make_aware(dt.datetime(2026, 8, 1, 10))
    PartnerLead.objects.filter(partner=partner).update(credited_at=at)
    pay(won, "30000.00", dt.date(2026, 7, 3))
    pay(won, "100.00", dt.date(2026, 8, 3))
    refund(won, "1000.00", dt.date(2026, 8, 9), rep)
    Complaint.objects.create(
        customer=won.customer, opened_by=rep, severity="low", subject="迟到", opened_at=at
    )
    settlements_compute(month=dt.date(2026, 7, 1))
    settlements_compute(month=dt.date(2026, 8, 1))
    settlement_close(actor=finance, settlement=PartnerSettlement.objects.get(month="2026-07-01"))
    (row,) = partner_review_rows(Partner.objects.filter(pk=partner.pk), dt.date(2026, 8, 15))
    assert (row.leads, row.won, row.conversion) == (3, 2, Decimal("66.67"))
    assert (row.signed, row.collected, row.refunds) == (
        Decimal("60000.00"),
        Decimal("30100.00"),
        Decimal("1000.00"),
    )
    assert (row.complaints, row.commission, row.cost_per_won) == (
        1,
        Decimal("1500.00"),
        Decimal("750.00"),
    )

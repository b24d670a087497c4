"""Bulk actions on the customer list, and "add to campaign" on both lists (issue 18): one
confirmation, the services, a summary; ids out of scope refused with nothing written."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from channels.models import CampaignGoal, CampaignMember
from customers.models import Customer
from leads.models import Campaign, Channel
from tests.customers.factories import CustomerFactory
from tests.leads.factories import LeadFactory


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def campaign(db, clock):
    clock.set(dt.date(2026, 6, 10))
    return Campaign.objects.create(
        channel=Channel.objects.first(), name="暑期体验课", starts_on=dt.date(2026, 6, 1)
    )


# --- reassign and export ---------------------------------------------------------------


def test_a_manager_reassigns_the_teams_customers_after_one_confirmation(
    login, manager, rep, teammate, outsider
):
    mine = [CustomerFactory(owner=rep, name=f"客户{n}") for n in range(2)]
    theirs = CustomerFactory(owner=outsider, name="别组客户")
    ids = [c.pk for c in mine] + [theirs.pk]
    client = login(manager)
    confirm = client.post("/customers/bulk/", {"action": "assign", "ids": ids})
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "客户0" in page and "别组客户" not in page
    assert Customer.objects.filter(owner=teammate).count() == 0  # nothing before confirming
    done = client.post(
        "/customers/bulk/",
        {"action": "assign", "ids": ids, "confirm": "1", "to_owner": teammate.pk},
    )
    assert done.status_code == 302
    assert _messages(done)[0] in ("2 个客户中有 2 个已更改。", "2 of 2 customers changed.")
    assert set(Customer.objects.filter(owner=teammate).values_list("name", flat=True)) == {
        "客户0",
        "客户1",
    }
    theirs.refresh_from_db()
    assert theirs.owner == outsider
    assert mine[0].history.count() == 2  # created, then reassigned: the history keeps who had it


def test_a_manager_cannot_hand_a_customer_to_another_team(login, manager, rep, outsider):
    customer = CustomerFactory(owner=rep)
    login(manager).post(
        "/customers/bulk/",
        {"action": "assign", "ids": [customer.pk], "confirm": "1", "to_owner": outsider.pk},
    )
    customer.refresh_from_db()
    assert customer.owner == rep


def test_a_rep_cannot_reassign_customers(login, rep, teammate):
    customer = CustomerFactory(owner=rep)
    response = login(rep).post(
        "/customers/bulk/",
        {"action": "assign", "ids": [customer.pk], "confirm": "1", "to_owner": teammate.pk},
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.owner == rep


def test_a_director_reassigns_across_teams(login, director, rep, outsider):
    customer = CustomerFactory(owner=rep)
    login(director).post(
        "/customers/bulk/",
        {"action": "assign", "ids": [customer.pk], "confirm": "1", "to_owner": outsider.pk},
    )
    customer.refresh_from_db()
    assert customer.owner == outsider


def test_export_selected_holds_the_ticked_visible_customers_only(login, rep, outsider):
    a = CustomerFactory(owner=rep, name="导出甲")
    CustomerFactory(owner=rep, name="未勾选")
    c = CustomerFactory(owner=outsider, name="别组丙")
    response = login(rep).post("/customers/bulk/", {"action": "export", "ids": [a.pk, c.pk]})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8-sig")
    assert "导出甲" in text and "未勾选" not in text and "别组丙" not in text


def test_nothing_ticked_or_junk_ids(login, manager):
    client = login(manager)
    for ids in ([], ["abc"], ["-1"], ["99999999999999999999"]):
        assert client.post("/customers/bulk/", {"action": "export", "ids": ids}).status_code == 302


def test_the_customer_list_has_the_checkboxes_and_the_campaign_button(login, rep, finance):
    customer = CustomerFactory(owner=rep)
    page = login(rep).get("/customers/").content.decode()
    assert f'id="select-{customer.pk}"' in page and 'id="bulk-campaign"' in page
    assert 'value="assign"' not in page  # a rep does not reassign
    assert 'id="bulk-campaign"' not in login(finance).get("/customers/").content.decode()


# --- add to campaign -------------------------------------------------------------------


def test_a_rep_adds_their_leads_to_a_campaign_once(login, rep, campaign):
    leads = [LeadFactory(owner=rep, name=f"线索{n}") for n in range(3)]
    client = login(rep)
    assert 'id="bulk-campaign"' in client.get("/leads/").content.decode()
    ids = [lead.pk for lead in leads]
    confirm = client.post("/channels/campaigns/add/", {"kind": "lead", "ids": ids})
    assert confirm.status_code == 200 and "线索2" in confirm.content.decode()
    assert not CampaignMember.objects.exists()
    done = client.post(
        "/channels/campaigns/add/",
        {"kind": "lead", "ids": ids[:2], "confirm": "1", "campaign": campaign.pk},
    )
    assert done["Location"] == "/leads/"
    assert _messages(done) == ["2 added to 暑期体验课; 0 were already on its list."] or _messages(
        done
    ) == ["2 条已加入暑期体验课；0 条已在名单中。"]
    again = client.post(
        "/channels/campaigns/add/",
        {"kind": "lead", "ids": ids, "confirm": "1", "campaign": campaign.pk},
    )
    assert _messages(again)[-1] in (
        "1 条已加入暑期体验课；2 条已在名单中。",
        "1 added to 暑期体验课; 2 were already on its list.",
    )
    assert sorted(CampaignMember.objects.values_list("lead__name", flat=True)) == [
        "线索0",
        "线索1",
        "线索2",
    ]
    assert CampaignMember.objects.filter(added_by=rep).count() == 3


def test_an_id_out_of_scope_refuses_the_whole_request(login, rep, outsider, campaign):
    mine = CustomerFactory(owner=rep)
    theirs = CustomerFactory(owner=outsider)
    response = login(rep).post(
        "/channels/campaigns/add/",
        {"kind": "customer", "ids": [mine.pk, theirs.pk], "confirm": "1", "campaign": campaign.pk},
    )
    assert response["Location"] == "/customers/"
    assert _messages(response)
    assert not CampaignMember.objects.exists()


@pytest.mark.parametrize(
    "posted,message",
    [
        ([], "Tick at least one row."),
        (["abc"], "The ticked rows could not be read; reload the list and tick them again."),
        (["-1"], "The ticked rows could not be read; reload the list and tick them again."),
        (
            ["mine", "99999999999999999999"],
            "The ticked rows could not be read; reload the list and tick them again.",
        ),
        (
            ["mine", "1.5"],
            "The ticked rows could not be read; reload the list and tick them again.",
        ),
        (["mine"] + [str(n) for n in range(1, 201)], "Tick at most 200 rows at once."),
    ],
)
def test_a_bad_id_list_says_so_and_adds_no_one(login, rep, campaign, posted, message):
    lead = LeadFactory(owner=rep)
    ids = [str(lead.pk) if value == "mine" else value for value in posted]
    client = login(rep)
    for data in (
        {"kind": "lead", "ids": ids},  # the confirmation step
        {"kind": "lead", "ids": ids, "confirm": "1", "campaign": campaign.pk},
    ):
        response = client.post("/channels/campaigns/add/", data, HTTP_ACCEPT_LANGUAGE="en")
        assert response["Location"] == "/leads/"
        assert _messages(response)[-1] == message  # (the first step's is still unread)
    assert not CampaignMember.objects.exists()


def test_a_manager_adds_the_teams_customers(login, manager, rep, campaign):
    customer = CustomerFactory(owner=rep)
    login(manager).post(
        "/channels/campaigns/add/",
        {"kind": "customer", "ids": [customer.pk], "confirm": "1", "campaign": campaign.pk},
    )
    assert CampaignMember.objects.get().customer == customer


def test_an_ended_or_retired_campaign_takes_no_one(login, rep, campaign):
    lead = LeadFactory(owner=rep)
    client = login(rep)
    CampaignGoal.objects.create(campaign=campaign, retired_on=dt.date(2026, 6, 5))
    client.post(
        "/channels/campaigns/add/",
        {"kind": "lead", "ids": [lead.pk], "confirm": "1", "campaign": campaign.pk},
    )
    ended = Campaign.objects.create(
        channel=campaign.channel,
        name="已结束",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 5, 31),
    )
    client.post(
        "/channels/campaigns/add/",
        {"kind": "lead", "ids": [lead.pk], "confirm": "1", "campaign": ended.pk},
    )
    assert not CampaignMember.objects.exists()


def test_the_back_office_may_not(login, finance, rep, campaign):
    lead = LeadFactory(owner=rep)
    response = login(finance).post(
        "/channels/campaigns/add/",
        {"kind": "lead", "ids": [lead.pk], "confirm": "1", "campaign": campaign.pk},
    )
    assert response.status_code == 403
    assert not CampaignMember.objects.exists()


def test_adding_many_costs_the_same_queries_as_adding_one(
    rep, campaign, django_assert_num_queries, django_assert_max_num_queries
):
    from channels.services import campaign_members_add

    one = [LeadFactory(owner=rep)]
    many = [LeadFactory(owner=rep) for _ in range(20)]
    with django_assert_max_num_queries(8) as first:
        campaign_members_add(actor=rep, campaign=campaign, leads=one)
    with django_assert_num_queries(len(first.captured_queries)):
        campaign_members_add(actor=rep, campaign=campaign, leads=many)

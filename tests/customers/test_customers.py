"""Customers from won leads (one call, history kept) and directly (through a won lead)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from customers import services
from customers.models import Customer
from leads import services as lead_services
from leads.models import Activity, Channel, Lead, StageChange

pytestmark = pytest.mark.django_db


def test_won_lead_becomes_a_customer_with_its_history(rep):
    lead = lead_services.lead_create(
        actor=rep,
        channel=Channel.objects.get(code="website"),
        name="王小明",
        phone="13812345678",
        payer_name="王大明",
        payer_relation="parent",
    )
    lead_services.activity_log(lead=lead, actor=rep, kind=Activity.Kind.PHONE, outcome="约试听")
    customer = services.customer_from_lead(lead=lead, actor=rep)
    assert isinstance(customer, Customer)
    assert (customer.lead_id, customer.owner, customer.kind, customer.name) == (
        lead.pk,
        rep,
        "individual",
        "王小明",
    )
    assert sorted(customer.contacts.values_list("name", "is_payer")) == [
        ("王大明", True),
        ("王小明", False),
    ]
    assert Lead.objects.get(pk=lead.pk).stage == "won"
    # converting again returns the same customer
    assert services.customer_from_lead(lead=Lead.objects.get(pk=lead.pk), actor=rep) == customer


def test_open_lead_is_not_turned_into_a_customer_directly(rep):
    lead = lead_services.lead_create(
        actor=rep, channel=Channel.objects.get(code="website"), name="李四", phone="13900000001"
    )
    with pytest.raises(ValidationError, match="Only a won lead"):
        services.customer_create_from_lead(lead=lead, actor=rep)
    assert Customer.objects.count() == 0


def test_direct_customer_gets_a_won_lead_with_stage_history(rep):
    customer = services.customer_create(
        actor=rep,
        channel=Channel.objects.get(code="phone_in"),
        kind="enterprise",
        name="华星科技有限公司",
        contact_name="赵经理",
        phone="138 0000 1111",
    )
    lead = customer.lead
    assert (lead.stage, lead.company, lead.phone, lead.owner) == (
        "won",
        "华星科技有限公司",
        "13800001111",
        rep,
    )
    assert (customer.kind, customer.name) == ("enterprise", "华星科技有限公司")
    assert list(
        StageChange.objects.filter(lead=lead).order_by("pk").values_list("from_stage", "to_stage")
    ) == [
        ("", "new"),
        ("new", "won"),
    ]


def test_direct_customer_with_a_known_phone_is_refused_and_nothing_is_written(rep):
    lead_services.lead_create(
        actor=rep, channel=Channel.objects.get(code="website"), name="张三", phone="13800002222"
    )
    with pytest.raises(ValidationError, match="already exists"):
        services.customer_create(
            actor=rep,
            channel=Channel.objects.get(code="phone_in"),
            kind="individual",
            name="张三",
            phone="13800002222",
        )
    assert (Customer.objects.count(), Lead.objects.count()) == (0, 1)


def test_direct_customer_with_another_teams_phone_does_not_name_that_lead(rep, outsider):
    lead_services.lead_create(
        actor=outsider,
        channel=Channel.objects.get(code="website"),
        name="王秘密",
        phone="13800003333",
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.customer_create(
            actor=rep,
            channel=Channel.objects.get(code="phone_in"),
            kind="individual",
            name="张三",
            phone="13800003333",
        )
    message = " ".join(refused.value.messages)
    assert "already known: a lead of team Team B holds it. Ask manager_b" in message
    assert "王秘密" not in message
    assert (Customer.objects.count(), Lead.objects.count()) == (0, 1)


def test_customer_activity_is_logged_on_its_lead(rep):
    customer = services.customer_create(
        actor=rep,
        channel=Channel.objects.get(code="phone_in"),
        kind="individual",
        name="孙丽",
        phone="13800003333",
    )
    activity = services.customer_activity_log(
        customer=customer, actor=rep, kind="visit", outcome="回访满意"
    )
    assert activity.lead_id == customer.lead_id
    assert Activity.objects.filter(lead=customer.lead).count() == 1


def test_rep_cannot_create_a_customer_for_another_team(rep, outsider):
    with pytest.raises(ValidationError, match="yourself or your team"):
        services.customer_create(
            actor=rep,
            owner=outsider,
            channel=Channel.objects.get(code="phone_in"),
            kind="individual",
            name="周七",
            phone="13800004444",
        )


def test_contacts_are_added_by_the_owner_only(rep, outsider, login):
    from customers.models import Contact

    from .factories import CustomerFactory

    customer = CustomerFactory(owner=rep)
    data = {
        "name": "刘主管",
        "title": "人力资源部",
        "phone": "13811112222",
        "is_payer": "on",
        "customer": "999",
    }
    assert login(outsider).post(f"/customers/{customer.pk}/contacts/new/", data).status_code == 404
    response = login(rep).post(f"/customers/{customer.pk}/contacts/new/", data)
    assert response.status_code == 302
    assert list(Contact.objects.values_list("customer_id", "name", "is_payer")) == [
        (customer.pk, "刘主管", True)
    ]

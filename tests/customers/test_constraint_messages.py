"""A database constraint is the last line of defence, never what a user reads: each
CheckConstraint carries a sentence, and the forms refuse the value before it gets there."""

import pytest
from django.apps import apps
from django.db import models
from django.forms import modelform_factory

from customers.models import Payment
from leads.models import Channel, Lead

PROJECT_APPS = {"salescrm", "leads", "customers", "targets", "performance"}


def check_constraints():
    """Check constraints, and unique constraints with a condition (Django names those in its
    default message; plain unique constraints get "… with this … already exists")."""
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.CheckConstraint) or (
                isinstance(constraint, models.UniqueConstraint) and constraint.condition
            ):
                yield model, constraint


def test_every_check_constraint_has_a_message_for_people():
    nameless = [
        f"{model.__name__}.{constraint.name}"
        for model, constraint in check_constraints()
        if constraint.violation_error_message == constraint.default_violation_error_message
    ]
    assert list(check_constraints())
    assert nameless == []


@pytest.mark.django_db
@pytest.mark.parametrize("budget", ["-1", "-0.01"])
def test_a_negative_budget_is_a_field_error_not_a_constraint_name(rep, login, budget):
    response = login(rep).post(
        "/leads/new/",
        {
            "name": "王小明",
            "phone": "13800138000",
            "channel": str(Channel.objects.get(code="website").pk),
            "budget": budget,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["budget"] == ["确保该值大于或等于0。"]
    assert "lead_budget_not_negative" not in page
    assert Lead.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0", "0.00", "-5"])
def test_a_zero_payment_is_a_field_error_not_a_constraint_name(signed_contract, rep, login, amount):
    instalment = signed_contract.instalments.first()
    response = login(rep).post(
        f"/customers/instalments/{instalment.pk}/pay/",
        {"amount": amount, "received_on": "2026-01-10", "method": "cash", "reference": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == ["确保该值大于或等于0.01。"]
    assert "payment_amount_positive" not in page
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_a_constraint_reached_through_a_model_form_speaks_a_sentence(rep):
    """Where no field validator stands before it (two fields compared), the model form shows
    the constraint's own sentence."""
    from leads.models import Campaign

    form_class = modelform_factory(
        Campaign, fields=["channel", "name", "cost", "starts_on", "ends_on"]
    )
    form = form_class(
        {
            "channel": Channel.objects.get(code="website").pk,
            "name": "秋季",
            "cost": "10",
            "starts_on": "2026-10-01",
            "ends_on": "2026-09-01",
        }
    )
    assert not form.is_valid()
    assert form.errors["__all__"] == ["A campaign cannot end before it starts."]


@pytest.mark.django_db
def test_a_duplicate_phone_never_shows_the_constraint_name(rep, login, teammate):
    from tests.leads.factories import LeadFactory

    LeadFactory(owner=teammate, phone="13812345678")
    response = login(rep).post(
        "/leads/new/",
        {
            "name": "新",
            "phone": "13812345678",
            "channel": str(Channel.objects.get(code="website").pk),
        },
    )
    assert response.status_code == 200
    assert "lead_unique_phone" not in response.content.decode()
    assert Lead.objects.count() == 1

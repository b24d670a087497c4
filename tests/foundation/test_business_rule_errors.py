"""A refused business rule is one exception type in every app (salescrm.errors), whose text
is the sentence the user reads."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from leads.models import Lead
from leads.services import DuplicateLead, LeadError, lead_claim
from performance.services import StatementError
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, ActionRefused, ensure_may
from tests.customers.factories import make_contract
from tests.leads.factories import LeadFactory


def test_every_app_refusal_is_a_business_rule_error_and_still_a_validation_error():
    for refusal in (LeadError, DuplicateLead, StatementError, ActionRefused):
        assert issubclass(refusal, BusinessRuleError)
    assert issubclass(BusinessRuleError, ValidationError)
    assert issubclass(ActionRefused, PermissionDenied)


def test_the_text_of_a_refusal_is_the_sentence_for_the_user():
    assert str(BusinessRuleError("Give a reason for the change.")) == (
        "Give a reason for the change."
    )
    assert str(LeadError("Only the team's manager can reassign this lead.")) == (
        "Only the team's manager can reassign this lead."
    )


@pytest.mark.django_db
def test_a_customers_service_refuses_with_a_business_rule_error(rep):
    with (
        translation.override("en"),
        pytest.raises(BusinessRuleError, match="add up to 900.00 but the contract total is"),
    ):
        make_contract(rep, plan=[{"due_on": dt.date(2026, 9, 1), "amount": Decimal("900.00")}])


@pytest.mark.django_db
def test_a_leads_service_refuses_with_a_business_rule_error(rep, teammate, team):
    lead = LeadFactory(owner=None, team=team)
    lead_claim(lead=lead, actor=rep)
    with pytest.raises(BusinessRuleError):
        lead_claim(lead=lead, actor=teammate)
    assert Lead.objects.get(pk=lead.pk).owner == rep


def test_a_role_refusal_is_a_business_rule_error(legal):
    with translation.override("en"), pytest.raises(BusinessRuleError, match="may not do this"):
        ensure_may(legal, Action.LEAD_CREATE)

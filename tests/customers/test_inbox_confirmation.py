"""The approval inbox asks before approving (naming the contract and amount), and a deputy
lands on a page they can see after deciding."""

import datetime as dt

import pytest

from customers import services
from customers.models import ApprovalDeputy, ApprovalStep
from salescrm.roles import Role
from tests.factories import TeamFactory, UserFactory

from .factories import ProductFactory, make_contract

pytestmark = pytest.mark.django_db


def _pending(rep, price="1900.00"):
    contract = make_contract(rep, lines=[(ProductFactory(list_price=price), 1, "0")])
    services.contract_submit(contract=contract, actor=rep)
    return contract, ApprovalStep.objects.current().get(contract=contract)


def test_inbox_approve_leads_to_a_confirmation_naming_contract_and_amount(rep, manager, login):
    contract, step = _pending(rep)
    client = login(manager)
    inbox = client.get("/customers/approvals/").content.decode()
    # the inbox itself holds no form that decides: its button is a link to the confirmation
    assert f"/customers/steps/{step.pk}/decide/" not in inbox
    assert f"/customers/steps/{step.pk}/confirm/" in inbox
    page = client.get(f"/customers/steps/{step.pk}/confirm/")
    assert page.status_code == 200
    body = page.content.decode()
    assert contract.number in body
    assert "¥1,900.00" in body
    # looking at the confirmation decides nothing
    assert ApprovalStep.objects.get(pk=step.pk).decision == "pending"
    response = client.post(
        f"/customers/steps/{step.pk}/decide/",
        {"decision": "approve", "next": "inbox", "contract_number": contract.number},
    )
    assert response.url == "/customers/approvals/"
    assert ApprovalStep.objects.get(pk=step.pk).decision == "approved"


def test_a_confirmation_naming_another_contract_decides_nothing(rep, manager, login):
    _contract, step = _pending(rep)
    other, _other_step = _pending(rep, price="50.00")
    login(manager).post(
        f"/customers/steps/{step.pk}/decide/",
        {"decision": "approve", "next": "inbox", "contract_number": other.number},
    )
    assert ApprovalStep.objects.get(pk=step.pk).decision == "pending"


def test_confirmation_page_of_another_teams_step_is_404(rep, other_manager, login):
    _contract, step = _pending(rep)
    assert login(other_manager).get(f"/customers/steps/{step.pk}/confirm/").status_code == 404


def test_confirmation_of_a_step_no_longer_waiting_goes_back_to_the_inbox(rep, manager, login):
    _contract, step = _pending(rep)
    services.approval_decide(step=step, actor=manager, approve=True)
    response = login(manager).get(f"/customers/steps/{step.pk}/confirm/")
    assert response.status_code == 302
    assert response.url == "/customers/approvals/"


def test_a_deputy_from_another_team_deciding_on_the_contract_page_lands_on_the_inbox(
    rep, manager, login
):
    deputy = UserFactory(username="manager_c", role=Role.MANAGER, team=TeamFactory(name="Team C"))
    ApprovalDeputy.objects.create(
        reviewer=manager, deputy=deputy, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2099, 1, 1)
    )
    contract, step = _pending(rep)
    client = login(deputy)
    # the contract page's decision form posts no "next"
    response = client.post(f"/customers/steps/{step.pk}/decide/", {"decision": "approve"})
    assert ApprovalStep.objects.get(pk=step.pk).decision == "approved"
    assert response.status_code == 302
    assert response.url == "/customers/approvals/"
    assert client.get(response.url).status_code == 200
    assert client.get(contract.get_absolute_url()).status_code == 404


def test_the_teams_own_manager_still_returns_to_the_contract_after_deciding(rep, manager, login):
    contract, step = _pending(rep)
    response = login(manager).post(f"/customers/steps/{step.pk}/decide/", {"decision": "approve"})
    assert response.url == contract.get_absolute_url()

"""The access policy of contracts, approval steps and refunds (customers.policy) over the whole
matrix: every role, as the contract's owner, in the owner's team or in another team, against
every contract state (and, under review, every approval step). The expected outcomes are the
table below, written out by hand from SPEC §1 and §3; the policy object, the service, the inbox
query and the pages must all agree with it.

Roles that never own a contract (director, legal, finance, service, admin may not draft one)
appear as a member of the owner's team and of another team; for them the two never differ.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse

from customers import policy, services
from customers.models import ApprovalPolicy, ApprovalStep, Contract, Payment, Refund
from salescrm.roles import Role
from tests.factories import TeamFactory, UserFactory

from .factories import ProductFactory, make_contract

pytestmark = pytest.mark.django_db

STATES = ("draft", "pending@manager", "pending@director", "pending@legal", "pending@finance")
STATES += ("approved", "signed", "archived")
ALL = " ".join(STATES)
PENDING = "pending@manager pending@director pending@legal pending@finance"
SIGNED = "signed archived"

# (role, relation) -> {permission: the states in which it is granted}; absent: never.
EXPECTED = {
    ("rep", "own"): {
        "view": ALL,
        "edit": "draft approved",
        "submit": "draft",
        "recall": PENDING,
        "sign": "approved",
        "hand_off": SIGNED,
        "pay": SIGNED,
        "refund": SIGNED,
    },
    ("rep", "team"): {},  # a teammate's contract is not theirs to see
    ("rep", "other"): {},
    ("manager", "own"): {
        "view": ALL,
        "edit": "draft approved",
        "submit": "draft",
        "recall": PENDING,
        # nobody approves their own contract, not even as the team's manager
        "sign": "approved",
        "hand_off": SIGNED,
        "pay": SIGNED,
        "refund": SIGNED,
    },
    ("manager", "team"): {
        "view": ALL,
        "edit": "draft approved",
        "decide": "pending@manager",
        "sign": "approved",
        "hand_off": SIGNED,
        "pay": SIGNED,
        "refund": SIGNED,
    },
    ("manager", "other"): {},
    ("director", "team"): {
        "view": ALL,
        "decide": "pending@director",
        "archive": "signed",
        "hand_off": SIGNED,
        "history": ALL,
    },
    ("director", "other"): {
        "view": ALL,
        "decide": "pending@director",
        "archive": "signed",
        "hand_off": SIGNED,
        "history": ALL,
    },
    ("legal", "team"): {"view": ALL, "decide": "pending@legal"},
    ("legal", "other"): {"view": ALL, "decide": "pending@legal"},
    ("finance", "team"): {"view": ALL, "decide": "pending@finance", "pay": SIGNED},
    ("finance", "other"): {"view": ALL, "decide": "pending@finance", "pay": SIGNED},
    ("service", "team"): {"view": ALL, "lessons": SIGNED},
    ("service", "other"): {"view": ALL, "lessons": SIGNED},
    ("admin", "team"): {"view": ALL, "archive": "signed", "history": ALL},
    ("admin", "other"): {"view": ALL, "archive": "signed", "history": ALL},
}
FIELDS = ("view", "edit", "submit", "recall", "decide", "sign", "archive", "hand_off", "pay")
FIELDS += ("refund", "lessons", "history")

CASES = [
    (role, relation, state) for (role, relation) in EXPECTED for state in STATES
]  # 16 people × 8 states


def expected(role, relation, state) -> dict[str, bool]:
    granted = EXPECTED[(role, relation)]
    return {name: state in granted.get(name, "").split() for name in FIELDS}


@pytest.fixture
def world(db):
    """Team A (its manager under a head of sales who leads the parent team, so the manager's
    own contract can be reviewed too), team B, and one reviewer of each company-wide step."""
    parent = TeamFactory(name="Sales")
    head = UserFactory(username="head", role=Role.MANAGER)
    parent.manager = head
    parent.save()
    team_a, team_b = TeamFactory(name="Team A", parent=parent), TeamFactory(name="Team B")
    manager = UserFactory(username="manager_a", role=Role.MANAGER, team=team_a)
    team_a.manager = manager
    team_a.save()
    other_manager = UserFactory(username="manager_b", role=Role.MANAGER, team=team_b)
    team_b.manager = other_manager
    team_b.save()
    ApprovalPolicy.objects.create(
        legal_above_amount=Decimal("50000.00"), max_discount_junior=Decimal("0.05")
    )
    return {
        "team": team_a,
        "other_team": team_b,
        "head": head,
        "manager": manager,
        "other_manager": other_manager,
        "rep": UserFactory(username="rep_a1", role=Role.REP, team=team_a),
        "teammate": UserFactory(username="rep_a2", role=Role.REP, team=team_a),
        "outsider": UserFactory(username="rep_b1", role=Role.REP, team=team_b),
        "director": UserFactory(username="director_x", role=Role.DIRECTOR),
        "legal": UserFactory(username="legal_x", role=Role.LEGAL),
        "finance": UserFactory(username="finance_x", role=Role.FINANCE),
        "service": UserFactory(username="service_x", role=Role.SERVICE),
    }


def actor_and_owner(w, role, relation):
    if role == "rep":
        actor = {"own": w["rep"], "team": w["teammate"], "other": w["outsider"]}[relation]
        return actor, w["rep"]
    if role == "manager":
        if relation == "own":
            return w["manager"], w["manager"]
        return (w["manager"] if relation == "team" else w["other_manager"]), w["rep"]
    team = w["team"] if relation == "team" else w["other_team"]
    actor = UserFactory(username=f"{role}_{relation}", role=role, team=team)
    return actor, w["rep"]


def contract_in(w, owner, state) -> Contract:
    """A contract of `owner` whose chain has every step (a 10 % discount above a junior's
    authority brings the director, non-standard terms bring legal), brought to `state`."""
    contract = make_contract(
        owner,
        lines=[(ProductFactory(list_price="1000.00", lessons=10), 1, "0.10")],
        non_standard_terms=True,
        special_terms="分期",
    )
    if state == "draft":
        return contract
    services.contract_submit(contract=contract, actor=owner)
    reviewers = {"manager": w["head"], "director": w["director"], "legal": w["legal"]}
    reviewers["finance"] = w["finance"]
    stop_at = state.split("@")[1] if "@" in state else None
    for kind in ("manager", "director", "legal", "finance"):
        if kind == stop_at:
            break
        step = ApprovalStep.objects.current().get(contract=contract)
        assert step.kind == kind
        services.approval_decide(step=step, actor=reviewers[kind], approve=True)
    contract.refresh_from_db()
    if state in ("signed", "archived"):
        services.contract_mark_signed(contract=contract, actor=owner, signed_on=dt.date(2026, 1, 5))
        services.payment_record(
            instalment=contract.instalments.get(),
            actor=w["finance"],
            amount=Decimal("100.00"),
            received_on=dt.date(2026, 1, 6),
            method="cash",
        )
    if state == "archived":
        services.contract_archive(contract=contract, actor=w["director"])
    contract.refresh_from_db()
    assert contract.status == state.split("@")[0]
    return contract


class Undo(Exception):
    pass


def service_accepts(call) -> bool:
    """Whether the service takes the action; whatever it wrote is rolled back."""
    try:
        with transaction.atomic():
            call()
            raise Undo
    except Undo:
        return True
    except (PermissionDenied, ValidationError):
        return False


def service_calls(w, actor, contract):
    line = contract.lines.get()
    step = ApprovalStep.objects.current().filter(contract=contract).first()
    calls = {
        "edit": lambda: services.contract_update(
            contract=contract,
            actor=actor,
            lines=[{"product": line.product, "quantity": 1, "discount_rate": Decimal("0.10")}],
            instalments=[{"due_on": dt.date(2026, 9, 1), "amount": None}],
        ),
        "submit": lambda: services.contract_submit(contract=contract, actor=actor),
        "recall": lambda: services.contract_recall(contract=contract, actor=actor),
        "sign": lambda: services.contract_mark_signed(
            contract=contract, actor=actor, signed_on=dt.date(2026, 1, 5)
        ),
        "archive": lambda: services.contract_archive(contract=contract, actor=actor),
        "hand_off": lambda: services.contract_hand_off(
            contract=contract, actor=actor, service_user=w["service"]
        ),
        "pay": lambda: services.payment_record(
            instalment=contract.instalments.get(),
            actor=actor,
            amount=Decimal("1.00"),
            received_on=dt.date(2026, 1, 7),
            method="cash",
        ),
        "refund": lambda: services.refund_request(
            contract=contract, actor=actor, amount=Decimal("10.00"), reason="退课"
        ),
        "lessons": lambda: services.lessons_record(
            line=line, actor=actor, lessons=1, delivered_on=dt.date(2026, 2, 1)
        ),
    }
    if step is not None:
        calls["decide"] = lambda: services.approval_decide(step=step, actor=actor, approve=True)
    return calls


@pytest.mark.parametrize(("role", "relation", "state"), CASES)
def test_policy_service_and_inbox_agree_with_the_table(world, role, relation, state):
    actor, owner = actor_and_owner(world, role, relation)
    contract = contract_in(world, owner, state)
    want = expected(role, relation, state)

    if want["view"]:
        got, perms = policy.contract_for(actor, contract.pk)
        assert got == contract
        assert {name: getattr(perms, name) for name in FIELDS} == want
    else:
        with pytest.raises(Http404):
            policy.contract_for(actor, contract.pk)
        perms = policy.contract_permissions(actor, contract)
        assert not any(getattr(perms, name) for name in FIELDS)

    # the services take exactly the actions the table grants
    for name, call in service_calls(world, actor, contract).items():
        assert service_accepts(call) == want[name], name

    # the approval step: the inbox query and the step's own policy say the same
    step = ApprovalStep.objects.current().filter(contract=contract).first()
    if step is not None:
        inbox = ApprovalStep.objects.actionable_by(actor, dt.date(2026, 11, 1))
        assert inbox.filter(pk=step.pk).exists() == want["decide"]
        if want["view"]:
            assert policy.step_for(actor, step.pk)[1].decide == want["decide"]


# --- the pages: 403 for a role the matrix refuses, 404 for a record out of sight, otherwise
# the action is taken exactly when the table grants it ------------------------------------------

MATRIX_ROLES = {  # salescrm.permissions.ALLOWED, written out again for these actions
    "recall": "rep manager",
    "decide": "manager director legal finance",
    "sign": "rep manager",
    "archive": "director admin",
    "refund": "rep manager",
    "pay": "rep manager finance",
}
PAGE_STATE = {
    "recall": "pending@manager",
    "decide": "pending@manager",
    "sign": "approved",
    "archive": "signed",
    "refund": "signed",
    "pay": "signed",
}
PAGE_CASES = [(role, relation, action) for (role, relation) in EXPECTED for action in PAGE_STATE]


def post_action(client, contract, action):
    pk = contract.pk
    if action == "decide":
        step = ApprovalStep.objects.current().get(contract=contract)
        return client.post(
            reverse("customers:step_decide", args=[step.pk]), {"decision": "approve"}
        )
    if action == "pay":
        url = reverse("customers:payment_create", args=[contract.instalments.get().pk])
        data = {"amount": "1.00", "received_on": "2026-01-07", "method": "cash"}
        return client.post(url, data)
    name, data = {
        "recall": ("contract_recall", {}),
        "sign": ("contract_sign", {"signed_on": "2026-01-05"}),
        "archive": ("contract_archive", {}),
        "refund": ("refund_request", {"amount": "10.00", "reason": "退课"}),
    }[action]
    return client.post(reverse(f"customers:{name}", args=[pk]), data)


def footprint(contract):
    contract.refresh_from_db()
    return (
        contract.status,
        ApprovalStep.objects.filter(contract=contract, decision="approved").count(),
        Payment.objects.filter(contract=contract).count(),
        Refund.objects.filter(contract=contract).count(),
    )


@pytest.mark.parametrize(("role", "relation", "action"), PAGE_CASES)
def test_pages_agree_with_the_table(world, client, role, relation, action):
    actor, owner = actor_and_owner(world, role, relation)
    state = PAGE_STATE[action]
    contract = contract_in(world, owner, state)
    want = expected(role, relation, state)
    client.force_login(actor)

    detail = client.get(contract.get_absolute_url())
    assert detail.status_code == (200 if want["view"] else 404)
    if want["view"]:
        perms = detail.context["perms"]
        assert {name: getattr(perms, name) for name in FIELDS} == want

    before = footprint(contract)
    response = post_action(client, contract, action)
    if role not in MATRIX_ROLES[action].split():
        assert response.status_code == 403
    elif not want["view"]:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
    assert (footprint(contract) != before) == want[action]


# --- refunds ----------------------------------------------------------------------------------

REFUND_VIEW = {
    ("rep", "own"),
    ("manager", "own"),
    ("manager", "team"),
    *[
        (role, rel)
        for role in ("director", "legal", "finance", "service", "admin")
        for rel in ("team", "other")
    ],
}


@pytest.mark.parametrize("status", ["requested", "confirmed", "rejected"])
@pytest.mark.parametrize(("role", "relation"), list(EXPECTED))
def test_refund_policy(world, role, relation, status):
    actor, owner = actor_and_owner(world, role, relation)
    contract = contract_in(world, owner, "signed")
    refund = services.refund_request(
        contract=contract, actor=owner, amount=Decimal("10.00"), reason="退课"
    )
    if status != "requested":
        services.refund_decide(refund=refund, actor=world["finance"], confirm=status == "confirmed")
    if (role, relation) not in REFUND_VIEW:
        with pytest.raises(Http404):
            policy.refund_for(actor, refund.pk)
        return
    _refund, perms = policy.refund_for(actor, refund.pk)
    want_decide = role == "finance" and status == "requested"
    assert (perms.view, perms.decide) == (True, want_decide)
    assert (
        service_accepts(lambda: services.refund_decide(refund=refund, actor=actor, confirm=False))
        == want_decide
    )


# --- SPEC §3: terms locked while pending and once signed; a change after approval restarts ---


def test_change_of_an_approved_contract_goes_back_under_review_with_a_fresh_chain(world):
    rep = world["rep"]
    contract = contract_in(world, rep, "approved")
    assert contract.approval_round == 1
    services.contract_update(
        contract=contract,
        actor=rep,
        lines=[{"product": contract.lines.get().product, "quantity": 1, "discount_rate": "0"}],
        instalments=[{"due_on": dt.date(2026, 9, 1), "amount": None}],
        non_standard_terms=False,
    )
    contract.refresh_from_db()
    assert (contract.status, contract.approval_round) == ("pending", 2)
    # the new terms choose the new chain: no discount above authority, standard terms
    assert list(
        contract.steps.filter(round=2).order_by("position").values_list("kind", "decision")
    ) == [("manager", "pending"), ("finance", "pending")]
    # and the change cannot be signed before the chain approves it again
    with pytest.raises(ValidationError, match="Only an approved contract can be signed"):
        services.contract_mark_signed(contract=contract, actor=rep, signed_on=dt.date(2026, 1, 5))


def test_the_dead_terms_locked_rule_is_gone():
    assert not hasattr(Contract, "terms_locked")


def test_saving_an_approved_contract_through_the_page_sends_it_back_for_review(world, client):
    from .test_views import contract_post, messages_of

    rep = world["rep"]
    contract = contract_in(world, rep, "approved")
    client.force_login(rep)
    response = client.post(
        reverse("customers:contract_edit", args=[contract.pk]),
        contract_post(ProductFactory(list_price="500.00")),
        follow=True,
    )
    assert "合同已保存；变更后审批流程重新开始。" in messages_of(response)
    contract.refresh_from_db()
    assert (contract.status, contract.approval_round, contract.total_amount) == (
        "pending",
        2,
        Decimal("950.00"),
    )

"""Pages: scoping (foreign ids are 404), inboxes per reviewer, extra POST fields ignored,
clear messages instead of 500s, and bounded queries with many rows."""

import datetime as dt
from decimal import Decimal

import pytest

from customers import services
from customers.models import ApprovalStep, Contract, Instalment, Payment
from leads.models import Channel

from .conftest import run_chain
from .factories import CustomerFactory, ProductFactory, make_contract

pytestmark = pytest.mark.django_db


def messages_of(response):
    """The messages shown on the page, in the default interface language (Simplified Chinese)."""
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- scoping -------------------------------------------------------------------------------


def test_rep_sees_own_customers_and_contracts_only(rep, teammate, outsider, login):
    mine = make_contract(rep)
    theirs = make_contract(outsider)
    client = login(rep)
    assert client.get(mine.customer.get_absolute_url()).status_code == 200
    assert client.get(theirs.customer.get_absolute_url()).status_code == 404
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(f"/customers/contracts/{theirs.pk}/print/").status_code == 404
    listed = client.get("/customers/contracts/").context["page"].object_list
    assert [c.pk for c in listed] == [mine.pk]
    assert [c.pk for c in client.get("/customers/").context["page"].object_list] == [
        mine.customer.pk
    ]


def test_manager_sees_the_team_but_not_other_teams(rep, manager, outsider, login):
    mine = make_contract(rep)
    other = make_contract(outsider)
    client = login(manager)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404


def test_payments_and_complaints_are_scoped(signed_contract, rep, outsider, service_user, login):
    payment = services.payment_record(
        instalment=signed_contract.instalments.first(),
        actor=rep,
        amount=Decimal("10.00"),
        received_on=dt.date(2026, 1, 10),
        method="cash",
    )
    complaint = services.complaint_open(
        customer=signed_contract.customer,
        actor=service_user,
        severity="low",
        subject="上课时间冲突",
    )
    client = login(outsider)
    assert client.get(payment.get_absolute_url()).status_code == 404
    assert client.get(complaint.get_absolute_url()).status_code == 404
    assert client.get(f"/customers/instalments/{payment.instalment_id}/pay/").status_code == 404
    assert list(client.get("/customers/complaints/").context["page"].object_list) == []
    assert client.get("/customers/receivables/").context["per_rep"] == []
    client = login(rep)
    assert client.get(payment.get_absolute_url()).status_code == 200
    assert client.get(complaint.get_absolute_url()).status_code == 200


def test_legal_and_finance_see_the_contracts_waiting_for_their_step(
    rep, manager, legal, finance, login
):
    contract = make_contract(rep, non_standard_terms=True)
    services.contract_submit(contract=contract, actor=rep)

    def inbox(user):
        return [
            s.contract_id
            for s in login(user).get("/customers/approvals/").context["page"].object_list
        ]

    assert (inbox(manager), inbox(legal), inbox(finance)) == ([contract.pk], [], [])
    run_chain(contract, manager)
    assert (inbox(manager), inbox(legal), inbox(finance)) == ([], [contract.pk], [])
    run_chain(contract, legal)
    assert (inbox(manager), inbox(legal), inbox(finance)) == ([], [], [contract.pk])
    response = login(finance).get("/dashboard/")
    approvals = [
        item for item in response.context["nav_items"] if item["url"] == "/customers/approvals/"
    ]
    assert approvals[0]["badge"] == 1


def test_other_teams_manager_does_not_see_the_step(rep, other_manager, login):
    contract = make_contract(rep)
    services.contract_submit(contract=contract, actor=rep)
    assert list(login(other_manager).get("/customers/approvals/").context["page"].object_list) == []


def test_reps_have_no_inbox(rep, login):
    assert login(rep).get("/customers/approvals/").status_code == 403


# --- forms: extra fields, errors -------------------------------------------------------------


def contract_post(product, **extra):
    data = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(product.pk),
        "lines-0-quantity": "2",
        "lines-0-discount_rate": "0.05",
        "plan-TOTAL_FORMS": "2",
        "plan-INITIAL_FORMS": "0",
        "plan-0-due_on": "2026-09-01",
        "plan-0-amount": "",
        "plan-1-due_on": "2026-10-01",
        "plan-1-amount": "",
        "starts_on": "2026-09-01",
        "ends_on": "2026-12-31",
        "payment_method": "alipay",
        "training_content": "商务英语 48 课时",
    }
    data.update(extra)
    return data


def test_contract_form_ignores_extra_post_fields(rep, outsider, login):
    customer = CustomerFactory(owner=rep)
    product = ProductFactory(list_price="1000.00")
    response = login(rep).post(
        f"/customers/{customer.pk}/contracts/new/",
        contract_post(
            product,
            owner=str(outsider.pk),
            status="approved",
            total_amount="1.00",
            **{"lines-0-list_price": "1.00", "lines-0-amount": "1.00", "signed_on": "2026-01-01"},
        ),
    )
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == contract.get_absolute_url()
    assert (contract.owner, contract.status, contract.total_amount, contract.signed_on) == (
        rep,
        "draft",
        Decimal("1900.00"),
        None,
    )
    assert list(contract.lines.values_list("list_price", "amount")) == [
        (Decimal("1000.00"), Decimal("1900.00"))
    ]
    assert list(contract.instalments.values_list("amount", flat=True)) == [
        Decimal("950.00"),
        Decimal("950.00"),
    ]


def test_contract_form_with_a_plan_that_does_not_add_up_shows_the_message(rep, login):
    customer = CustomerFactory(owner=rep)
    product = ProductFactory(list_price="1000.00")
    response = login(rep).post(
        f"/customers/{customer.pk}/contracts/new/",
        contract_post(product, **{"plan-0-amount": "100.00", "plan-1-amount": "100.00"}),
    )
    assert response.status_code == 200
    assert messages_of(response) == ["分期合计为 200.00，但合同总额为 1900.00。"]
    assert Contract.objects.count() == 0


def test_editing_a_pending_contract_through_the_page_is_refused(draft, rep, login):
    services.contract_submit(contract=draft, actor=rep)
    client = login(rep)
    response = client.post(
        f"/customers/contracts/{draft.pk}/edit/", contract_post(ProductFactory()), follow=True
    )
    assert "合同审批中或已签约，条款已锁定。" in messages_of(response)
    assert Contract.objects.get(pk=draft.pk).total_amount == Decimal("1000.00")


def test_payment_form_ignores_extra_fields_and_refuses_overpayment(
    signed_contract, rep, outsider, login
):
    instalment = signed_contract.instalments.get(sequence=1)
    client = login(rep)
    response = client.post(
        f"/customers/instalments/{instalment.pk}/pay/",
        {
            "amount": "300.00",
            "received_on": "2026-01-10",
            "method": "wechat_pay",
            "recorded_by": str(outsider.pk),
            "contract": "999",
            "instalment": "999",
            "paid_amount": "1000.00",
        },
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.recorded_by, payment.contract_id, payment.instalment_id) == (
        rep,
        signed_contract.pk,
        instalment.pk,
    )
    assert Instalment.objects.get(pk=instalment.pk).paid_amount == Decimal("300.00")
    response = client.post(
        f"/customers/instalments/{instalment.pk}/pay/",
        {"amount": "700.01", "received_on": "2026-01-10", "method": "cash"},
    )
    assert response.status_code == 200
    assert messages_of(response)[-1] == "拒绝超额收款：第 1 期仅剩 700.00 未收。"
    assert Payment.objects.count() == 1


def test_self_approval_through_the_page_is_a_message_not_a_500(manager, login):
    contract = make_contract(manager)
    services.contract_submit(contract=contract, actor=manager)
    step = ApprovalStep.objects.current().get(contract=contract)
    response = login(manager).post(
        f"/customers/steps/{step.pk}/decide/", {"decision": "approve"}, follow=True
    )
    assert response.status_code == 200
    assert "任何人不得审批自己的合同。" in messages_of(response)
    assert ApprovalStep.objects.get(pk=step.pk).decision == "pending"


def test_full_flow_through_the_pages(rep, manager, finance, login):
    contract = make_contract(rep)
    client = login(rep)
    client.post(f"/customers/contracts/{contract.pk}/submit/")
    step = ApprovalStep.objects.current().get(contract=contract)
    login(manager).post(
        f"/customers/steps/{step.pk}/decide/", {"decision": "approve", "next": "inbox"}
    )
    step = ApprovalStep.objects.current().get(contract=contract)
    login(finance).post(f"/customers/steps/{step.pk}/decide/", {"decision": "approve"})
    client = login(rep)
    client.post(f"/customers/contracts/{contract.pk}/sign/", {"signed_on": "2026-09-01"})
    contract.refresh_from_db()
    assert (contract.status, contract.signed_on) == ("signed", dt.date(2026, 9, 1))


def test_customer_create_page_makes_a_won_lead(rep, login):
    response = login(rep).post(
        "/customers/new/",
        {
            "kind": "individual",
            "name": "陈静",
            "phone": "13700001234",
            "channel": str(Channel.objects.get(code="website").pk),
            "status": "won",
            "owner": "1",
        },
    )
    assert response.status_code == 302
    customer = rep.customers.get()
    assert (customer.name, customer.lead.stage) == ("陈静", "won")


def test_refund_confirmation_is_for_finance_only(signed_contract, rep, finance, login):
    services.payment_record(
        instalment=signed_contract.instalments.first(),
        actor=rep,
        amount=Decimal("500.00"),
        received_on=dt.date(2026, 1, 10),
        method="cash",
    )
    refund = services.refund_request(
        contract=signed_contract, actor=rep, amount=Decimal("200.00"), reason="退课"
    )
    assert login(rep).get("/customers/refunds/").status_code == 403
    response = login(finance).post(
        f"/customers/refunds/{refund.pk}/decide/", {"decision": "confirm"}, follow=True
    )
    assert "退费已处理。" in messages_of(response)
    refund.refresh_from_db()
    assert refund.status == "confirmed"


# --- bounded queries ---------------------------------------------------------------------


@pytest.fixture
def busy_customer(rep, manager, finance, service_user):
    """One customer with 6 signed contracts of 3 lines and 3 instalments each, payments,
    complaints and follow-ups."""
    customer = CustomerFactory(owner=rep)
    products = [ProductFactory(list_price="1200.00", lessons=12) for _ in range(3)]
    for n in range(6):
        contract = make_contract(
            rep,
            customer=customer,
            lines=[(p, 1, "0") for p in products],
            plan=[{"due_on": dt.date(2026, m, 5), "amount": None} for m in (1, 2, 3)],
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 6, 30),
        )
        services.contract_submit(contract=contract, actor=rep)
        run_chain(contract, manager, finance)
        services.contract_mark_signed(contract=contract, actor=rep, signed_on=dt.date(2026, 1, 2))
        for instalment in contract.instalments.all():
            services.payment_record(
                instalment=instalment,
                actor=rep,
                amount=Decimal("100.00"),
                received_on=dt.date(2026, 1, 5),
                method="cash",
            )
            services.dunning_record_add(
                instalment=instalment, actor=rep, kind="phone", occurred_on=dt.date(2026, 2, 1)
            )
        services.complaint_open(
            customer=customer,
            actor=service_user,
            severity="low",
            subject=f"投诉{n}",
            contract=contract,
        )
        services.customer_activity_log(
            customer=customer, actor=rep, kind="phone", outcome=f"回访{n}"
        )
    return customer


def test_customer_page_queries_are_bounded(
    busy_customer, rep, login, django_assert_max_num_queries
):
    client = login(rep)
    with django_assert_max_num_queries(20):
        response = client.get(busy_customer.get_absolute_url())
    assert response.status_code == 200 and len(response.context["timeline"]) >= 6 + 18 + 6 + 6
    with django_assert_max_num_queries(15):
        assert client.get(f"/customers/{busy_customer.pk}/ledger/").status_code == 200


def test_contract_page_queries_are_bounded(
    busy_customer, rep, director, login, django_assert_max_num_queries
):
    contract = busy_customer.contracts.first()
    client = login(rep)
    with django_assert_max_num_queries(15):
        assert client.get(contract.get_absolute_url()).status_code == 200
    client = login(director)
    with django_assert_max_num_queries(15):
        assert client.get(f"/customers/contracts/{contract.pk}/history/").status_code == 200


def test_lists_are_bounded(busy_customer, rep, manager, login, django_assert_max_num_queries):
    client = login(manager)
    for url in (
        "/customers/",
        "/customers/contracts/",
        "/customers/receivables/",
        "/customers/complaints/?open=0",
    ):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200, url


def test_approval_inbox_queries_are_bounded(rep, manager, login, django_assert_max_num_queries):
    customer = CustomerFactory(owner=rep)
    for _ in range(30):
        services.contract_submit(contract=make_contract(rep, customer=customer), actor=rep)
    client = login(manager)
    with django_assert_max_num_queries(15):
        response = client.get("/customers/approvals/")
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 25


def test_every_page_renders_for_the_people_who_use_it(
    signed_contract, rep, manager, finance, service_user, director, login
):
    customer = signed_contract.customer
    instalment = signed_contract.instalments.first()
    line = signed_contract.lines.first()
    complaint = services.complaint_open(
        customer=customer, actor=service_user, severity="high", subject="老师迟到"
    )
    pending = make_contract(rep, customer=customer)
    services.contract_submit(contract=pending, actor=rep)
    pages = {
        rep: [
            "/customers/",
            "/customers/new/",
            customer.get_absolute_url(),
            f"/customers/{customer.pk}/ledger/",
            f"/customers/{customer.pk}/contracts/new/",
            signed_contract.get_absolute_url(),
            f"/customers/contracts/{signed_contract.pk}/print/",
            f"/customers/instalments/{instalment.pk}/pay/",
            f"/customers/instalments/{instalment.pk}/dunning/",
            f"/customers/contracts/{signed_contract.pk}/refund/",
            f"/customers/{customer.pk}/complaints/new/",
            f"/customers/{customer.pk}/referrals/new/",
            f"/customers/{customer.pk}/contacts/new/",
            "/customers/receivables/",
            "/customers/contracts/?status=signed",
        ],
        manager: [
            pending.get_absolute_url(),
            "/customers/approvals/",
            f"/customers/contracts/{make_contract(rep).pk}/edit/",
        ],
        finance: ["/customers/refunds/", "/customers/approvals/"],
        service_user: [
            f"/customers/lines/{line.pk}/lessons/",
            complaint.get_absolute_url(),
            f"/customers/{customer.pk}/surveys/new/",
            "/customers/complaints/",
        ],
        director: [
            f"/customers/contracts/{signed_contract.pk}/history/",
            signed_contract.get_absolute_url(),
        ],
    }
    for user, urls in pages.items():
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user.username, url)
    # the manager sees the decision form on the pending contract
    assert login(manager).get(pending.get_absolute_url()).context["perms"].decide


def test_deputy_from_another_team_reviews_and_decides_through_the_pages(rep, manager, login):
    from customers.models import ApprovalDeputy
    from salescrm.roles import Role
    from tests.factories import TeamFactory, UserFactory

    deputy = UserFactory(username="manager_c", role=Role.MANAGER, team=TeamFactory(name="Team C"))
    ApprovalDeputy.objects.create(
        reviewer=manager, deputy=deputy, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2099, 1, 1)
    )
    contract = make_contract(rep)
    services.contract_submit(contract=contract, actor=rep)
    client = login(deputy)
    assert client.get(contract.get_absolute_url()).context["perms"].decide
    step = ApprovalStep.objects.current().get(contract=contract)
    response = client.post(
        f"/customers/steps/{step.pk}/decide/", {"decision": "approve", "next": "inbox"}, follow=True
    )
    assert "审批意见已记录。" in messages_of(response)
    step.refresh_from_db()
    assert (step.decided_by, step.on_behalf_of) == (deputy, manager)
    # once decided, the contract is no longer theirs to see
    assert client.get(contract.get_absolute_url()).status_code == 404

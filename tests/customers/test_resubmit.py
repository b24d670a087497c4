"""Back-and-resubmit, double clicks and two tabs: each creating form saves its row once.

Every page is fetched first and its hidden one-time token posted back twice, as the
browser does when the user goes back and submits the same page again."""

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection

from customers import services
from customers.models import (
    Complaint,
    Contact,
    Contract,
    Customer,
    DunningRecord,
    LessonDelivery,
    Payment,
    Refund,
    SatisfactionSurvey,
)
from leads.models import Activity, Channel
from salescrm.models import SubmissionToken

from .factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

ALREADY_SAVED = "Already saved: this form had been submitted before."


def token_of(response) -> str:
    match = re.search(r'name="submission_token" value="([0-9a-f-]{36})"', response.content.decode())
    assert match, "the form carries no one-time token"
    return match.group(1)


def post_twice(client, url, data):
    token = token_of(client.get(url))
    first = client.post(url, {**data, "submission_token": token})
    assert first.status_code == 302, first.context and [
        form.errors for form in first.context.get("form", []) and [first.context["form"]]
    ]
    second = client.post(url, {**data, "submission_token": token}, follow=True)
    return first, second


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_resubmitted_payment_is_recorded_once_and_shows_the_contract(signed_contract, rep, login):
    instalment = signed_contract.instalments.get(sequence=1)
    first, second = post_twice(
        login(rep),
        f"/customers/instalments/{instalment.pk}/pay/",
        {"amount": "7.00", "received_on": "2026-01-06", "method": "bank_transfer"},
    )
    assert first.status_code == 302, shown(first)
    assert second.redirect_chain[-1][0] == signed_contract.get_absolute_url()
    assert ALREADY_SAVED in shown(second)
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("7.00")]
    instalment.refresh_from_db()
    assert instalment.paid_amount == Decimal("7.00")


def test_two_payment_forms_each_with_their_own_token_record_two_payments(
    signed_contract, rep, login
):
    """The token is per rendered form: paying twice on purpose still works."""
    client = login(rep)
    url = f"/customers/instalments/{signed_contract.instalments.get(sequence=1).pk}/pay/"
    data = {"amount": "7.00", "received_on": "2026-01-06", "method": "bank_transfer"}
    for _ in range(2):
        client.post(url, {**data, "submission_token": token_of(client.get(url))})
    assert Payment.objects.count() == 2


def test_a_refused_payment_leaves_its_token_free_for_the_corrected_form(
    signed_contract, rep, login
):
    client = login(rep)
    url = f"/customers/instalments/{signed_contract.instalments.get(sequence=1).pk}/pay/"
    token = token_of(client.get(url))
    data = {"received_on": "2026-01-06", "method": "bank_transfer", "submission_token": token}
    refused = client.post(url, {**data, "amount": "999999.00"})
    assert refused.status_code == 200
    assert SubmissionToken.objects.count() == 0
    assert client.post(url, {**data, "amount": "7.00"}).status_code == 302
    assert Payment.objects.count() == 1


def test_another_users_token_is_refused_without_showing_their_record(
    signed_contract, rep, manager, login
):
    url = f"/customers/instalments/{signed_contract.instalments.get(sequence=1).pk}/pay/"
    data = {"amount": "7.00", "received_on": "2026-01-06", "method": "bank_transfer"}
    token = token_of(login(rep).get(url))
    login(rep).post(url, {**data, "submission_token": token})
    response = login(manager).post(url, {**data, "submission_token": token})
    assert response.status_code == 200
    assert "This form is no longer valid; reload the page." in shown(response)
    assert Payment.objects.count() == 1


def test_resubmitted_dunning_record_is_saved_once(signed_contract, rep, login):
    instalment = signed_contract.instalments.get(sequence=1)
    post_twice(
        login(rep),
        f"/customers/instalments/{instalment.pk}/dunning/",
        {"kind": "phone", "occurred_on": "2026-01-20"},
    )
    assert DunningRecord.objects.count() == 1


def test_resubmitted_lesson_delivery_is_counted_once(signed_contract, service_user, login):
    line = signed_contract.lines.get()
    post_twice(
        login(service_user),
        f"/customers/lines/{line.pk}/lessons/",
        {"lessons": "2", "delivered_on": "2026-01-20"},
    )
    assert LessonDelivery.objects.count() == 1
    line.refresh_from_db()
    assert line.lessons_delivered == 2


def test_resubmitted_refund_request_is_saved_once(signed_contract, rep, login):
    services.payment_record(
        instalment=signed_contract.instalments.get(sequence=1),
        actor=rep,
        amount=Decimal("500.00"),
        received_on=signed_contract.signed_on,
        method="bank_transfer",
    )
    post_twice(
        login(rep),
        f"/customers/contracts/{signed_contract.pk}/refund/",
        {"amount": "100.00", "reason": "moved away"},
    )
    assert list(Refund.objects.values_list("amount", flat=True)) == [Decimal("100.00")]


def test_resubmitted_customer_follow_up_is_logged_once(rep, login):
    customer = CustomerFactory(owner=rep)
    before = Activity.objects.count()
    client = login(rep)
    token = token_of(client.get(customer.get_absolute_url()))
    url = f"/customers/{customer.pk}/activity/"
    data = {"kind": "phone", "outcome": "called back", "submission_token": token}
    client.post(url, data)
    again = client.post(url, data, follow=True)
    assert ALREADY_SAVED in shown(again)
    assert Activity.objects.count() == before + 1


def test_resubmitted_contact_complaint_and_survey_are_saved_once(rep, service_user, login):
    customer = CustomerFactory(owner=rep)
    post_twice(login(rep), f"/customers/{customer.pk}/contacts/new/", {"name": "李四"})
    post_twice(
        login(service_user),
        f"/customers/{customer.pk}/complaints/new/",
        {"severity": "medium", "subject": "late teacher"},
    )
    post_twice(
        login(service_user),
        f"/customers/{customer.pk}/surveys/new/",
        {"score": "4", "nps": "8", "answered_on": "2026-01-20"},
    )
    assert Contact.objects.filter(customer=customer, name="李四").count() == 1
    assert Complaint.objects.count() == 1
    assert SatisfactionSurvey.objects.count() == 1


def test_resubmitted_new_customer_is_created_once_and_shown(rep, login):
    channel = Channel.objects.get(code="website")
    first, second = post_twice(
        login(rep),
        "/customers/new/",
        {"kind": "individual", "name": "王五", "phone": "13900001111", "channel": channel.pk},
    )
    customer = Customer.objects.get(name="王五")
    assert first.status_code == 302
    assert second.redirect_chain[-1][0] == customer.get_absolute_url()
    assert ALREADY_SAVED in shown(second)
    assert Customer.objects.count() == 1


def test_resubmitted_new_contract_is_drafted_once(rep, login):
    customer = CustomerFactory(owner=rep)
    product = ProductFactory()
    data = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(product.pk),
        "lines-0-quantity": "1",
        "lines-0-discount_rate": "0",
        "plan-TOTAL_FORMS": "1",
        "plan-INITIAL_FORMS": "0",
        "plan-0-due_on": "2026-09-01",
        "plan-0-amount": "",
        "training_content": "Python",
        "payment_method": "bank_transfer",
        "starts_on": "2026-09-01",
        "ends_on": "2026-12-31",
    }
    first, second = post_twice(login(rep), f"/customers/{customer.pk}/contracts/new/", data)
    assert first.status_code == 302, first.context and first.context["terms"].errors
    contract = Contract.objects.get()
    assert second.redirect_chain[-1][0] == contract.get_absolute_url()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_posts_of_one_payment_form_record_one_payment(signed_contract, rep, attempt):
    """Both requests pass every check before either inserts; the token's unique index
    decides, the loser waits for the winner's commit and writes nothing."""
    import uuid

    from salescrm.submissions import AlreadySubmitted

    instalment = signed_contract.instalments.get(sequence=1)
    token = uuid.uuid4()
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=10)
            services.payment_record(
                instalment=instalment,
                actor=rep,
                amount=Decimal("7.00"),
                received_on=signed_contract.signed_on,
                method="bank_transfer",
                submission_token=token,
            )
            outcomes.append("saved")
        except AlreadySubmitted as exc:
            outcomes.append(("already", exc.obj.pk))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    payment = Payment.objects.get()
    assert sorted(outcomes, key=str) == [("already", payment.pk), "saved"]
    instalment.refresh_from_db()
    assert instalment.paid_amount == Decimal("7.00")

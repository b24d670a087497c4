"""Custom fields on customers and contracts, as on leads: defined in admin, on the create/edit
forms, as list columns and list filters, in the CSV/XLSX downloads and in the API (read and
write), validated by the same code (customfields.values) on every side, scoped as the record."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from api.services import token_create
from customers.models import Contract, Customer
from customfields.models import CustomField
from leads.models import Channel
from tests.customers.factories import CustomerFactory, ProductFactory, make_contract
from tests.customers.test_views import contract_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def define(target):
    """Three fields of `target`: a required choice, a number, a yes/no."""
    return [
        CustomField.objects.create(
            target=target,
            key="campus",
            label="校区",
            label_en="Campus",
            kind="choice",
            choices="浦东\n徐汇",
            required=True,
            position=1,
        ),
        CustomField.objects.create(
            target=target,
            key="deposit",
            label="定金",
            label_en="Deposit",
            kind="number",
            position=2,
        ),
        CustomField.objects.create(
            target=target, key="vip", label="贵宾", label_en="VIP", kind="yes_no", position=3
        ),
    ]


def api_client(user, scope="write"):
    from rest_framework.test import APIClient

    _token, raw = token_create(user=user, name="t", scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def downloaded(answer) -> list[list[str]]:
    body = answer.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


# --- admin and forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["customer", "contract"])
def test_admin_creates_a_field_for_the_record(target, client):
    admin = UserFactory(username="cf_admin2", role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    answer = client.post(
        reverse("admin:customfields_customfield_add"),
        {"target": target, "key": "campus", "label": "校区", "kind": "text", "position": 0},
    )
    assert answer.status_code == 302
    assert CustomField.objects.get().target == target


def test_the_customer_form_validates_and_stores_the_values(rep, client):
    define("customer")
    client.force_login(rep)
    website = Channel.objects.get_or_create(code="website", defaults={"name": "官网表单"})[0]
    base = {"kind": "individual", "name": "孙八", "phone": "13900005555", "channel": website.pk}
    page = client.get(reverse("customers:create")).content.decode()
    assert 'name="cf_campus"' in page and 'name="cf_deposit"' in page and 'name="cf_vip"' in page
    # one cent above the bound (MAX_AMOUNT = 99,999,999.99), and a campus that is no option
    refused = client.post(
        reverse("customers:create"),
        {**base, "cf_campus": "浦东", "cf_deposit": "100000000.00"},
    )
    assert refused.status_code == 200 and "cf_deposit" in refused.context["form"].errors
    refused = client.post(reverse("customers:create"), {**base, "cf_campus": "静安"})
    assert refused.status_code == 200 and "cf_campus" in refused.context["form"].errors
    refused = client.post(reverse("customers:create"), base)  # the campus is required
    assert refused.status_code == 200 and "cf_campus" in refused.context["form"].errors
    assert not Customer.objects.filter(name="孙八").exists()
    saved = client.post(
        reverse("customers:create"),
        {**base, "cf_campus": "浦东", "cf_deposit": "99999999.99", "cf_vip": "true"},
    )
    assert saved.status_code == 302
    customer = Customer.objects.get(name="孙八")
    assert customer.custom == {"campus": "浦东", "deposit": "99999999.99", "vip": True}


def test_the_customer_fields_page_edits_within_scope(rep, manager, outsider, legal, client):
    define("customer")
    customer = CustomerFactory(owner=rep, custom={"campus": "浦东", "deposit": "10.00"})
    url = reverse("customers:fields_edit", args=[customer.pk])
    client.force_login(rep)
    detail = client.get(customer.get_absolute_url()).content.decode()
    assert url in detail  # the owner is offered the page
    # emptying the deposit removes it; the number bound refuses 100,000,000.00
    refused = client.post(url, {"cf_campus": "徐汇", "cf_deposit": "-100000000"})
    assert refused.status_code == 200 and "cf_deposit" in refused.context["form"].errors
    customer.refresh_from_db()
    assert customer.custom == {"campus": "浦东", "deposit": "10.00"}
    assert client.post(url, {"cf_campus": "徐汇", "cf_deposit": "", "cf_vip": "false"}).status_code
    customer.refresh_from_db()
    assert customer.custom == {"campus": "徐汇", "vip": False}
    # the rep's manager may; another team's manager does not find the customer; legal sees
    # every customer but may not change one (the matrix)
    client.force_login(manager)
    assert client.post(url, {"cf_campus": "浦东", "cf_vip": "true"}).status_code == 302
    customer.refresh_from_db()
    assert customer.custom == {"campus": "浦东", "vip": True}
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"cf_campus": "徐汇"}).status_code == 404
    client.force_login(legal)
    assert client.post(url, {"cf_campus": "徐汇"}).status_code == 403
    assert url not in client.get(customer.get_absolute_url()).content.decode()
    customer.refresh_from_db()
    assert customer.custom == {"campus": "浦东", "vip": True}


def test_the_contract_form_validates_and_stores_the_values(rep, client):
    define("contract")
    customer = CustomerFactory(owner=rep)
    product = ProductFactory(list_price="1000.00")
    client.force_login(rep)
    url = reverse("customers:contract_create", args=[customer.pk])
    assert 'name="cf_campus"' in client.get(url).content.decode()
    refused = client.post(url, contract_post(product, cf_campus="浦东", cf_deposit="1e9"))
    assert refused.status_code == 200 and "cf_deposit" in refused.context["terms"].errors
    assert not Contract.objects.exists()
    saved = client.post(url, contract_post(product, cf_campus="浦东", cf_deposit="500"))
    assert saved.status_code == 302
    contract = Contract.objects.get()
    assert contract.custom == {"campus": "浦东", "deposit": "500.00"}
    edit = reverse("customers:contract_edit", args=[contract.pk])
    page = client.get(edit).content.decode()
    assert 'value="500.00"' in page  # the edit form shows the stored value
    # (a changed quantity: a line row equal to its initial value counts as left empty)
    answer = client.post(
        edit, contract_post(product, cf_campus="徐汇", **{"lines-0-quantity": "3"})
    )
    assert answer.status_code == 302
    contract.refresh_from_db()
    assert contract.custom == {"campus": "徐汇"}


# --- lists: columns, filters, query count ---------------------------------------------------------


def test_the_customer_list_shows_and_filters_custom_values(rep, client):
    define("customer")
    a = CustomerFactory(owner=rep, name="甲", custom={"campus": "浦东", "deposit": "5.00"})
    b = CustomerFactory(owner=rep, name="乙", custom={"campus": "徐汇", "vip": True})
    CustomerFactory(owner=rep, name="丙")
    client.force_login(rep)
    page = client.get(reverse("customers:list"))
    html = page.content.decode()
    assert "<th>校区</th>" in html and "<th>定金</th>" in html  # the page speaks Chinese
    assert 'name="cf_campus"' in html

    def shown(params):
        return [c.pk for c in client.get(reverse("customers:list"), params).context["page"]]

    assert shown({"cf_campus": "浦东"}) == [a.pk]
    assert shown({"cf_deposit": "5"}) == [a.pk]  # read as the field reads it: 5 is 5.00
    assert shown({"cf_vip": "true"}) == [b.pk]
    assert shown({"cf_campus": "静安"}) == []  # no option: nothing, and no error page
    assert shown({"cf_deposit": "abc"}) == []


def test_the_contract_list_shows_and_filters_custom_values(rep, client):
    define("contract")
    a = make_contract(rep, custom={"campus": "浦东", "vip": True})
    make_contract(rep, custom={"campus": "徐汇"})
    client.force_login(rep)
    html = client.get(reverse("customers:contract_list")).content.decode()
    assert "<th>校区</th>" in html and "<th>贵宾</th>" in html
    shown = [
        c.pk
        for c in client.get(
            reverse("customers:contract_list"), {"cf_vip": "yes", "status": "draft"}
        ).context["page"]
    ]
    assert shown == [a.pk]


@pytest.mark.parametrize("rows", [2, 25])
def test_the_lists_query_count_does_not_grow_with_rows(
    rows, rep, client, django_assert_max_num_queries
):
    define("customer")
    define("contract")
    customer = CustomerFactory(owner=rep, custom={"campus": "浦东"})
    for i in range(rows - 1):
        CustomerFactory(owner=rep, custom={"campus": "浦东", "deposit": f"{i}.00", "vip": True})
    for _ in range(rows):
        make_contract(rep, customer=customer, custom={"campus": "浦东", "deposit": "1.00"})
    client.force_login(rep)
    with django_assert_max_num_queries(12):
        answer = client.get(reverse("customers:list"), {"cf_campus": "浦东"})
    assert len(answer.context["page"].object_list) == min(rows, 25)
    with django_assert_max_num_queries(12):
        answer = client.get(reverse("customers:contract_list"), {"cf_campus": "浦东"})
    assert len(answer.context["page"].object_list) == min(rows, 25)
    # the API lists too (token, throttle, cursor page, the instalments prefetched)
    api = api_client(rep, "read")
    for path in ("/api/v1/customers/", "/api/v1/contracts/"):
        with django_assert_max_num_queries(10):
            answer = api.get(path, {"cf_campus": "浦东"})
        assert len(answer.json()["results"]) == rows, path


# --- downloads ------------------------------------------------------------------------------------


def test_the_downloads_have_a_column_per_field(rep, outsider, client):
    define("customer")
    define("contract")
    customer = CustomerFactory(owner=rep, name="甲", custom={"campus": "浦东", "deposit": "12.50"})
    CustomerFactory(owner=outsider, name="外队", custom={"campus": "浦东"})
    make_contract(rep, customer=customer, custom={"campus": "徐汇", "vip": False})
    client.force_login(rep)
    rows = downloaded(client.get(reverse("customers:export"), {"format": "csv"}))
    assert rows[0][-3:] == ["校区", "定金", "贵宾"]
    assert [row[0] for row in rows[1:]] == ["甲"]  # the reader's scope only
    assert rows[1][-3:] == ["浦东", "12.50", ""]
    rows = downloaded(
        client.get(reverse("customers:contract_export"), {"format": "csv", "cf_campus": "徐汇"})
    )
    assert len(rows) == 2 and rows[1][-3:] == ["徐汇", "", "False"]
    book = load_workbook(
        io.BytesIO(client.get(reverse("customers:export"), {"format": "xlsx"}).content)
    )
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    deposit = header.index("定金")
    # a number stays a number in the workbook, so that it sums
    assert sheet.cell(row=2, column=deposit + 1).value == 12.5
    assert client.get(reverse("customers:export"), {"format": "pdf"}).status_code == 404


# --- API ------------------------------------------------------------------------------------------


def test_the_api_reads_filters_and_writes_customer_values(rep, teammate, manager):
    define("customer")
    customer = CustomerFactory(owner=rep, custom={"campus": "浦东"})
    other = CustomerFactory(owner=rep, custom={"campus": "徐汇"})
    client = api_client(rep)
    url = f"/api/v1/customers/{customer.pk}/"
    assert client.get(url).json()["custom"] == {"campus": "浦东"}
    listed = client.get("/api/v1/customers/", {"cf_campus": "徐汇"}).json()["results"]
    assert [row["id"] for row in listed] == [other.pk]
    for body, named in [
        ({"custom": {"deposit": "100000000.00"}}, "deposit"),  # over MAX_AMOUNT
        ({"custom": {"deposit": "12.5", "vip": "perhaps"}}, "vip"),
        ({"custom": {"campus": "静安"}}, "campus"),
        ({"custom": {"campus": None}}, "campus"),  # required: cannot be cleared
        ({"custom": {"nope": 1}}, "nope"),
        ({"custom": ["浦东"]}, "custom"),
    ]:
        answer = client.patch(url, body, format="json")
        assert answer.status_code == 400 and named in str(answer.json()), (body, answer.json())
    customer.refresh_from_db()
    assert customer.custom == {"campus": "浦东"}  # nothing stored, not even the valid half
    answer = client.patch(url, {"custom": {"deposit": "-99999999.99", "vip": "是"}}, format="json")
    assert answer.status_code == 200
    assert answer.json()["custom"] == {"campus": "浦东", "deposit": "-99999999.99", "vip": True}
    # a read-only token may not; the manager of the team may; a teammate does not see it
    assert api_client(rep, "read").patch(url, {"custom": {}}, format="json").status_code == 403
    assert api_client(teammate).patch(url, {"custom": {}}, format="json").status_code == 404
    answer = api_client(manager).patch(url, {"custom": {"deposit": None}}, format="json")
    assert answer.status_code == 200 and answer.json()["custom"] == {"campus": "浦东", "vip": True}


def test_the_api_writes_contract_values_as_terms(rep):
    define("contract")
    customer = CustomerFactory(owner=rep)
    product = ProductFactory(list_price="1000.00")
    client = api_client(rep)
    body = {
        "customer": customer.pk,
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-31",
        "lines": [{"product": product.pk, "quantity": 1}],
        "instalments": [{"due_on": "2026-12-01"}],
    }
    missing = client.post("/api/v1/contracts/", body, format="json")
    assert missing.status_code == 400 and "campus" in str(missing.json())
    wrong = client.post(
        "/api/v1/contracts/", {**body, "custom": {"campus": "浦东", "deposit": "x"}}, format="json"
    )
    assert wrong.status_code == 400 and "deposit" in str(wrong.json())
    assert not Contract.objects.exists()
    made = client.post(
        "/api/v1/contracts/", {**body, "custom": {"campus": "浦东", "deposit": 7}}, format="json"
    )
    assert made.status_code == 201, made.json()
    assert made.json()["custom"] == {"campus": "浦东", "deposit": "7.00"}
    url = f"/api/v1/contracts/{made.json()['id']}/"
    answer = client.patch(url, {"custom": {"vip": True}}, format="json")
    assert answer.status_code == 200
    assert answer.json()["custom"] == {"campus": "浦东", "deposit": "7.00", "vip": True}
    # signed: the terms, custom values included, are locked
    Contract.objects.filter(pk=made.json()["id"]).update(
        status="signed", signed_on=dt.date(2026, 11, 20)
    )
    locked = client.patch(url, {"custom": {"vip": False}}, format="json")
    assert locked.status_code == 400 and "已签约的合同不能修改" in str(locked.json())
    assert Contract.objects.get().custom["vip"] is True
    assert Contract.objects.get().total_amount == Decimal("1000.00")

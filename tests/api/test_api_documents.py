"""Documents through the API: a record's list, a multipart upload checked on the content with
the page's size limit and types (a renamed executable refused), a scoped download, and the
removal where the page allows it. Another team's ids are walked in test_api_scoping.py."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from customers.models import Contract
from documents.models import Document
from documents.services import document_upload
from tests.customers.factories import CustomerFactory, make_contract
from tests.leads.factories import LeadFactory

from .conftest import PDF

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def a_file(name, content, claimed="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=claimed)


def test_upload_list_download_and_delete_on_each_record(rep, api):
    client = api(rep)
    records = {
        "leads": LeadFactory(owner=rep),
        "customers": CustomerFactory(owner=rep),
        "contracts": make_contract(rep),
    }
    for path, record in records.items():
        url = f"/api/v1/{path}/{record.pk}/documents/"
        made = client.post(url, {"kind": "brochure", "file": a_file("课程.pdf", PDF)})
        assert made.status_code == 201, made.json()
        body = made.json()
        assert (body["name"], body["content_type"], body["size"]) == (
            "课程.pdf",
            "application/pdf",
            len(PDF),
        )
        listed = client.get(url).json()["results"]
        assert [row["id"] for row in listed] == [body["id"]]
        download = client.get(body["download"])
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content) == PDF
    lead_doc = Document.objects.get(lead=records["leads"])
    assert client.delete(f"/api/v1/documents/{lead_doc.pk}/").status_code == 204
    assert not Document.objects.filter(pk=lead_doc.pk).exists()
    assert client.get(f"/api/v1/documents/{lead_doc.pk}/download/").status_code == 404


@pytest.mark.parametrize(
    "name,content,claimed",
    [
        ("contract.pdf", EXE, "application/pdf"),  # an executable renamed to .pdf
        ("scan.png", b"#!/bin/sh\nrm -rf /\n", "image/png"),
        ("empty.pdf", b"", "application/pdf"),
    ],
)
def test_the_content_decides_and_a_refusal_stores_nothing(rep, api, name, content, claimed):
    lead = LeadFactory(owner=rep)
    answer = api(rep).post(
        f"/api/v1/leads/{lead.pk}/documents/",
        {"kind": "other", "file": a_file(name, content, claimed)},
    )
    assert answer.status_code == 400
    assert not Document.objects.exists()


def test_the_name_follows_the_content(rep, api):
    lead = LeadFactory(owner=rep)
    answer = api(rep).post(
        f"/api/v1/leads/{lead.pk}/documents/",
        {"kind": "id_copy", "file": a_file("photo.pdf", PNG)},
    )
    assert answer.status_code == 201
    assert (answer.json()["content_type"], answer.json()["name"]) == ("image/png", "photo.pdf.png")


@override_settings(DOCUMENT_MAX_BYTES=100)
def test_the_size_limit_is_the_pages(rep, api):
    lead = LeadFactory(owner=rep)
    url = f"/api/v1/leads/{lead.pk}/documents/"
    client = api(rep)
    exact = client.post(url, {"kind": "other", "file": a_file("a.pdf", PDF.ljust(100, b" "))})
    assert exact.status_code == 201
    over = client.post(url, {"kind": "other", "file": a_file("b.pdf", PDF.ljust(101, b" "))})
    assert over.status_code == 400 and "MB" in str(over.json())
    assert Document.objects.count() == 1


def test_a_signed_scan_belongs_on_a_contract_and_a_json_body_is_refused(rep, api):
    lead = LeadFactory(owner=rep)
    client = api(rep)
    url = f"/api/v1/leads/{lead.pk}/documents/"
    answer = client.post(url, {"kind": "signed_scan", "file": a_file("s.pdf", PDF)})
    assert answer.status_code == 400
    assert client.post(url, {"kind": "other"}, format="json").status_code == 415
    assert client.post(url, {"kind": "other"}).status_code == 400  # no file
    assert not Document.objects.exists()


def test_roles_and_token_scope(rep, legal, api):
    lead = LeadFactory(owner=rep)
    url = f"/api/v1/leads/{lead.pk}/documents/"
    # a read token lists but may not upload; legal sees every lead but may not upload (matrix)
    assert api(rep, "read").get(url).status_code == 200
    assert (
        api(rep, "read").post(url, {"kind": "other", "file": a_file("a.pdf", PDF)}).status_code
        == 403
    )
    assert api(legal).post(url, {"kind": "other", "file": a_file("a.pdf", PDF)}).status_code == 403
    assert api(legal).get(url).status_code == 200
    assert not Document.objects.exists()


def test_download_scope_follows_the_record(rep, manager, teammate, outsider, director, api):
    lead = LeadFactory(owner=rep)
    document = document_upload(actor=rep, record=lead, uploaded=a_file("a.pdf", PDF), kind="other")
    url = f"/api/v1/documents/{document.pk}/download/"
    assert api(manager, "read").get(url).status_code == 200  # the rep's manager
    assert api(director, "read").get(url).status_code == 200  # sees all
    assert api(teammate, "read").get(url).status_code == 404  # a rep sees their own leads
    assert api(outsider, "read").get(url).status_code == 404
    assert api(outsider).delete(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()


def test_the_scan_of_an_archived_contract_is_kept(rep, api):
    contract = make_contract(rep)
    scan = document_upload(
        actor=rep, record=contract, uploaded=a_file("s.pdf", PDF), kind="signed_scan"
    )
    Contract.objects.filter(pk=contract.pk).update(
        status="archived", signed_on=dt.date(2026, 9, 1), archived_on=dt.date(2026, 11, 1)
    )
    answer = api(rep).delete(f"/api/v1/documents/{scan.pk}/")
    assert answer.status_code == 400
    assert Document.objects.filter(pk=scan.pk).exists()


def test_a_deputy_reviewer_lists_and_downloads_the_contracts_documents(rep, manager, api, clock):
    """The API reads the same rule as the pages (documents.models.DocumentQuerySet)."""
    from customers import services as customer_services
    from customers.models import ApprovalDeputy
    from salescrm.roles import Role
    from tests.factories import TeamFactory, UserFactory

    clock.set(dt.date(2026, 9, 15))
    contract = make_contract(rep)
    customer_services.contract_submit(contract=contract, actor=rep)
    document = document_upload(
        actor=rep, record=contract, uploaded=a_file("terms.pdf", PDF), kind="other"
    )
    deputy = UserFactory(username="manager_c", role=Role.MANAGER, team=TeamFactory(name="C"))
    ApprovalDeputy.objects.create(
        reviewer=manager, deputy=deputy, starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 9, 30)
    )
    client = api(deputy)
    listed = client.get(f"/api/v1/contracts/{contract.pk}/documents/").json()["results"]
    assert [row["id"] for row in listed] == [document.pk]
    download = client.get(f"/api/v1/documents/{document.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    customer_services.contract_recall(contract=contract, actor=rep)
    assert client.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404

"""Documents on records: type and size checked on the content, downloads only through the
scoped view, and the archive that waits for the signed scan when the policy asks for it."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from customers import services as customer_services
from customers.models import ApprovalPolicy, Contract
from documents.models import Document
from documents.services import document_upload
from salescrm.errors import BusinessRuleError
from tests.customers.factories import CustomerFactory, make_contract
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def upload(name, content, claimed="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=claimed)


def test_a_pdf_is_stored_under_a_random_name_with_its_real_type(rep):
    lead = LeadFactory(owner=rep)
    document = document_upload(
        actor=rep, record=lead, uploaded=upload("报价单.pdf", PDF), kind="brochure"
    )
    assert (document.content_type, document.size, document.name) == (
        "application/pdf",
        len(PDF),
        "报价单.pdf",
    )
    assert "报价单" not in document.file.name and document.file.name.startswith("documents/")
    assert document.file.read() == PDF


@pytest.mark.parametrize(
    "name,content", [("contract.pdf", EXE), ("scan.png", ELF), ("a.jpg", b"#!/bin/sh\nrm -rf /\n")]
)
def test_a_renamed_executable_or_script_is_refused(rep, name, content):
    lead = LeadFactory(owner=rep)
    with pytest.raises(BusinessRuleError, match="content is none of them"):
        document_upload(actor=rep, record=lead, uploaded=upload(name, content), kind="other")
    assert Document.objects.count() == 0


def test_the_name_follows_the_content(rep):
    lead = LeadFactory(owner=rep)
    document = document_upload(
        actor=rep, record=lead, uploaded=upload("photo.pdf", PNG), kind="id_copy"
    )
    assert (document.content_type, document.name) == ("image/png", "photo.pdf.png")


@override_settings(DOCUMENT_MAX_BYTES=100)
def test_the_size_limit_is_exact(rep):
    lead = LeadFactory(owner=rep)
    document_upload(
        actor=rep, record=lead, uploaded=upload("a.pdf", PDF.ljust(100, b" ")), kind="other"
    )
    with pytest.raises(BusinessRuleError, match="larger than"):
        document_upload(
            actor=rep, record=lead, uploaded=upload("b.pdf", PDF.ljust(101, b" ")), kind="other"
        )
    assert Document.objects.count() == 1


def test_an_upload_to_another_teams_record_is_refused(rep, outsider):
    lead = LeadFactory(owner=outsider)
    with pytest.raises(BusinessRuleError):
        document_upload(actor=rep, record=lead, uploaded=upload("a.pdf", PDF), kind="other")
    assert Document.objects.count() == 0


def test_download_is_scoped(rep, manager, teammate, outsider, director, client):
    document = document_upload(
        actor=rep, record=CustomerFactory(owner=rep), uploaded=upload("id.pdf", PDF), kind="id_copy"
    )
    url = reverse("documents:download", args=[document.pk])
    for reader, status in (
        (rep, 200),
        (manager, 200),
        (director, 200),
        (teammate, 404),
        (outsider, 404),
    ):
        client.force_login(reader)
        answer = client.get(url)
        assert answer.status_code == status, reader
        if status == 200:
            assert b"".join(answer.streaming_content) == PDF
            assert answer["Content-Type"] == "application/pdf"
            assert answer["Content-Disposition"].startswith("attachment")
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_upload_page_to_another_teams_record_is_404(rep, outsider, client):
    lead = LeadFactory(owner=outsider)
    client.force_login(rep)
    answer = client.post(
        reverse("documents:upload_lead", args=[lead.pk]),
        {"kind": "other", "file": upload("a.pdf", PDF)},
    )
    assert answer.status_code == 404 and Document.objects.count() == 0


def test_upload_through_the_lead_page(rep, client):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)
    answer = client.post(
        reverse("documents:upload_lead", args=[lead.pk]),
        {"kind": "brochure", "file": upload("a.pdf", PDF)},
    )
    assert answer.status_code == 302
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    document = Document.objects.get()
    assert reverse("documents:download", args=[document.pk]) in page
    refused = client.post(
        reverse("documents:upload_lead", args=[lead.pk]),
        {"kind": "other", "file": upload("setup.pdf", EXE)},
    )
    assert refused.status_code == 302 and Document.objects.count() == 1


@pytest.fixture
def signed(rep):
    contract = make_contract(rep)
    Contract.objects.filter(pk=contract.pk).update(status="signed", signed_on=dt.date(2026, 9, 1))
    contract.refresh_from_db()
    return contract


def test_archive_waits_for_the_signed_scan_when_the_policy_asks(signed, rep, director):
    ApprovalPolicy.objects.create(archive_requires_signed_scan=True)
    with pytest.raises(BusinessRuleError, match="scan of the signed contract"):
        customer_services.contract_archive(contract=signed, actor=director)
    signed.refresh_from_db()
    assert signed.status == "signed"
    # an invoice is not the scan
    document_upload(actor=rep, record=signed, uploaded=upload("inv.pdf", PDF), kind="invoice")
    with pytest.raises(BusinessRuleError):
        customer_services.contract_archive(contract=signed, actor=director)
    document_upload(actor=rep, record=signed, uploaded=upload("scan.pdf", PDF), kind="signed_scan")
    customer_services.contract_archive(contract=signed, actor=director)
    signed.refresh_from_db()
    assert signed.status == "archived"


def test_without_the_flag_archive_needs_no_scan(signed, director):
    ApprovalPolicy.objects.create(archive_requires_signed_scan=False)
    customer_services.contract_archive(contract=signed, actor=director)
    signed.refresh_from_db()
    assert signed.status == "archived"


def test_the_archive_button_is_hidden_until_the_scan_is_there(signed, rep, director, client):
    ApprovalPolicy.objects.create(archive_requires_signed_scan=True)
    client.force_login(director)
    url = reverse("customers:contract_detail", args=[signed.pk])
    archive = reverse("customers:contract_archive", args=[signed.pk])
    assert archive not in client.get(url).content.decode()
    document_upload(actor=rep, record=signed, uploaded=upload("scan.pdf", PDF), kind="signed_scan")
    assert archive in client.get(url).content.decode()


def test_a_scan_belongs_on_a_contract(rep):
    with pytest.raises(BusinessRuleError):
        document_upload(
            actor=rep,
            record=LeadFactory(owner=rep),
            uploaded=upload("s.pdf", PDF),
            kind="signed_scan",
        )


# --- a deputy reviewer: the documents follow the rule that takes the uploads ------------------


@pytest.fixture
def under_review(rep, clock):
    """A contract of the rep waiting for the manager's step, with one document on it."""
    clock.set(dt.date(2026, 9, 15))
    contract = make_contract(rep)
    customer_services.contract_submit(contract=contract, actor=rep)
    document = document_upload(
        actor=rep, record=contract, uploaded=upload("terms.pdf", PDF), kind="other"
    )
    return contract, document


def _deputy(reviewer, starts_on, ends_on, username="manager_c"):
    from customers.models import ApprovalDeputy
    from salescrm.roles import Role
    from tests.factories import TeamFactory, UserFactory

    deputy = UserFactory(username=username, role=Role.MANAGER, team=TeamFactory(name=username))
    ApprovalDeputy.objects.create(
        reviewer=reviewer, deputy=deputy, starts_on=starts_on, ends_on=ends_on
    )
    return deputy


def test_a_deputy_reviewer_lists_and_downloads_what_they_may_upload(under_review, manager, client):
    contract, document = under_review
    deputy = _deputy(manager, dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert list(Document.objects.visible_to(deputy)) == [document]
    client.force_login(deputy)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert reverse("documents:download", args=[document.pk]) in page
    answer = client.get(reverse("documents:download", args=[document.pk]))
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == PDF
    # what they upload they see too, and may remove (upload and removal are one action)
    client.post(
        reverse("documents:upload_contract", args=[contract.pk]),
        {"kind": "invoice", "file": upload("memo.pdf", PDF)},
    )
    memo = Document.objects.get(name="memo.pdf")
    assert Document.objects.visible_to(deputy).count() == 2
    assert client.post(reverse("documents:delete", args=[memo.pk])).status_code == 302
    assert list(Document.objects.all()) == [document]


def test_nobody_else_sees_a_contracts_documents(
    under_review, manager, outsider, other_manager, client
):
    contract, document = under_review
    ended = _deputy(manager, dt.date(2026, 8, 1), dt.date(2026, 9, 14), username="ended")
    not_yet = _deputy(manager, dt.date(2026, 9, 16), dt.date(2026, 9, 30), username="not_yet")
    # the deputy of another team's manager: the waiting step is not their reviewer's
    elsewhere = _deputy(other_manager, dt.date(2026, 9, 1), dt.date(2026, 9, 30), "elsewhere")
    url = reverse("documents:download", args=[document.pk])
    for reader in (outsider, other_manager, ended, not_yet, elsewhere):
        assert not Document.objects.visible_to(reader).exists(), reader
        client.force_login(reader)
        assert client.get(url).status_code == 404, reader
        refused = client.post(
            reverse("documents:upload_contract", args=[contract.pk]),
            {"kind": "invoice", "file": upload("memo.pdf", PDF)},
        )
        assert refused.status_code == 404, reader
        removal = client.post(reverse("documents:delete", args=[document.pk]))
        assert removal.status_code == 404, reader
    assert list(Document.objects.all()) == [document]


def test_a_deputy_loses_the_documents_once_the_contract_leaves_review(
    under_review, manager, client
):
    contract, document = under_review
    deputy = _deputy(manager, dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    customer_services.contract_recall(contract=contract, actor=contract.owner)
    client.force_login(deputy)
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    assert client.post(reverse("documents:delete", args=[document.pk])).status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()

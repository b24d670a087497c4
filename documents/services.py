"""Writes on documents. An upload is checked on its content (size, then type from its magic
bytes), stored under a random name, and attached to one record the uploader may see."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from customers.models import ApprovalPolicy, Contract, Customer
from customers.policy import reviewable_q
from leads.models import Lead
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, ensure_may

from .content import EXTENSIONS, sniff
from .models import Document


def max_bytes() -> int:
    return settings.DOCUMENT_MAX_BYTES


def _record_field(record) -> str:
    if isinstance(record, Lead):
        return "lead"
    if isinstance(record, Customer):
        return "customer"
    if isinstance(record, Contract):
        return "contract"
    raise TypeError(record)


def _visible(actor, record) -> bool:
    if isinstance(record, Contract):
        return Contract.objects.filter(reviewable_q(actor), pk=record.pk).exists()
    return type(record).objects.visible_to(actor).filter(pk=record.pk).exists()


@transaction.atomic
def document_upload(*, actor, record, uploaded, kind: str) -> Document:
    ensure_may(actor, Action.DOCUMENT_UPLOAD)
    if not _visible(actor, record):
        raise BusinessRuleError(_("You can only add documents to records you can see."))
    if kind not in Document.Kind.values:
        raise BusinessRuleError(_("Choose what kind of document this is."))
    if kind == Document.Kind.SIGNED_SCAN and not isinstance(record, Contract):
        raise BusinessRuleError(_("A signed contract scan belongs on a contract."))
    size = uploaded.size
    if size == 0:
        raise BusinessRuleError(_("The file is empty."))
    if size > max_bytes():
        raise BusinessRuleError(
            _("The file is larger than %(mb)d MB.") % {"mb": max_bytes() // (1024 * 1024)}
        )
    content_type = sniff(uploaded)
    if content_type is None:
        raise BusinessRuleError(
            _(
                "Only PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx) files are accepted; this file's content is none of them."
            )
        )
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    name = (getattr(uploaded, "name", "") or "document").rsplit("/", 1)[-1][:150]
    if not name.lower().endswith(EXTENSIONS[content_type]):
        name = f"{name}{EXTENSIONS[content_type]}"  # the name follows the content, not the reverse
    document = Document(
        kind=kind,
        name=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        **{_record_field(record): record},
    )
    document.file.save(name, uploaded, save=False)
    document.save()
    return document


@transaction.atomic
def document_delete(*, actor, document: Document) -> None:
    ensure_may(actor, Action.DOCUMENT_UPLOAD)
    if not Document.objects.visible_to(actor).filter(pk=document.pk).exists():
        raise BusinessRuleError(_("You can only remove documents of records you can see."))
    if document.kind == Document.Kind.SIGNED_SCAN and document.contract.status == "archived":
        raise BusinessRuleError(_("The scan of an archived contract is kept."))
    stored = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))


def signed_scan_missing(contract: Contract) -> str:
    """The archive requirement (customers.policy.ARCHIVE_REQUIREMENTS): with the approval
    policy's flag set, a contract is archived only once its signed scan is uploaded."""
    if not ApprovalPolicy.current().archive_requires_signed_scan:
        return ""
    if Document.objects.filter(contract=contract, kind=Document.Kind.SIGNED_SCAN).exists():
        return ""
    return _("Upload the scan of the signed contract before archiving it.")

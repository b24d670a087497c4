"""Uploading to a record, downloading and removing: every id is looked up in the reader's
scope (someone else's document or record is a 404), and the file is streamed by this view
as an attachment, never linked from a public URL."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.models import Contract, Customer
from customers.policy import reviewable_q
from leads.models import Lead
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, action_required

from .forms import DocumentForm
from .models import Document
from .services import document_delete, document_upload


def _upload(request, record, record_kind):
    form = DocumentForm(request.POST, request.FILES, record_kind=record_kind)
    if form.is_valid():
        try:
            document_upload(
                actor=request.user,
                record=record,
                uploaded=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except BusinessRuleError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Document uploaded."))
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect(record)


@require_POST
@action_required(Action.DOCUMENT_UPLOAD)
def upload_lead(request, pk):
    return _upload(request, get_object_or_404(Lead.objects.visible_to(request.user), pk=pk), "lead")


@require_POST
@action_required(Action.DOCUMENT_UPLOAD)
def upload_customer(request, pk):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    return _upload(request, customer, "customer")


@require_POST
@action_required(Action.DOCUMENT_UPLOAD)
def upload_contract(request, pk):
    contract = get_object_or_404(Contract.objects.filter(reviewable_q(request.user)), pk=pk)
    return _upload(request, contract, "contract")


def download(request, pk):
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@action_required(Action.DOCUMENT_UPLOAD)
def delete(request, pk):
    document = get_object_or_404(
        Document.objects.visible_to(request.user).select_related("lead", "customer", "contract"),
        pk=pk,
    )
    record = document.record
    try:
        document_delete(actor=request.user, document=document)
    except BusinessRuleError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Document removed."))
    return redirect(record)

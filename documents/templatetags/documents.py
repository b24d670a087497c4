from django import template

from customers.models import Contract, Customer
from leads.models import Lead
from salescrm.permissions import Action, may

from ..forms import DocumentForm
from ..models import Document

register = template.Library()

KINDS = {Lead: "lead", Customer: "customer", Contract: "contract"}


@register.inclusion_tag("documents/panel.html", takes_context=True)
def documents_panel(context, record):
    """The documents of a lead, customer or contract page (the page has already checked that
    the reader may see the record), with the upload form for those who may upload."""
    kind = KINDS[type(record)]
    documents = Document.objects.filter(**{kind: record}).select_related("uploaded_by")[:100]
    user = context["request"].user
    return {
        "documents": documents,
        "record": record,
        "upload_url": f"documents:upload_{kind}",
        "form": DocumentForm(record_kind=kind) if may(user, Action.DOCUMENT_UPLOAD) else None,
        "can_delete": may(user, Action.DOCUMENT_UPLOAD),
        "request": context["request"],
    }

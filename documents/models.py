"""Files on leads, customers and contracts (signed contract scans, invoices, ID copies,
brochures), kept through Django's storage API: local files by default, an S3-compatible store
by setting (django-storages). Never served from a public URL: only through the scoped
download view."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Contract, Customer
from customers.policy import reviewable_q
from leads.models import Lead
from salescrm.scoping import visible_q


def storage_path(instance, filename):
    """A random name under the month: the uploaded name is kept as data, never as a path."""
    now = timezone.now()
    return f"documents/{now:%Y/%m}/{uuid.uuid4().hex}"


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The documents of the records the user may open: a lead's or a customer's by the
        records' own scoping, a contract's by the rule that opens the contract and takes its
        uploads (``customers.policy.reviewable_q``: its owner's scope, plus a deputy reviewer
        while the contract's step waits for them). So whoever may upload to a record may
        list, download and remove its documents, and nobody else."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_all:
            return self
        return self.filter(
            (Q(lead__isnull=False) & visible_q(user, "lead__owner"))
            | (Q(customer__isnull=False) & visible_q(user, "customer__owner"))
            | (Q(contract__isnull=False) & reviewable_q(user, "contract"))
        )


class Document(models.Model):
    class Kind(models.TextChoices):
        SIGNED_SCAN = "signed_scan", _("Signed contract scan")
        INVOICE = "invoice", _("Invoice")
        ID_COPY = "id_copy", _("ID copy")
        BROCHURE = "brochure", _("Course brochure")
        OTHER = "other", _("Other")

    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=storage_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(lead__isnull=False, customer__isnull=True, contract__isnull=True)
                    | Q(lead__isnull=True, customer__isnull=False, contract__isnull=True)
                    | Q(lead__isnull=True, customer__isnull=True, contract__isnull=False)
                ),
                name="document_on_one_record",
                violation_error_message=_("A document belongs to exactly one record."),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def record(self):
        return self.lead or self.customer or self.contract

"""Extra fields an administrator defines for leads, customers and contracts. Their values live
in the record's own JSONB column ``custom`` (a GIN index serves the list filters), keyed by the
field's ``key``; this app knows the definitions and how to validate and show the values, and
imports nothing but the core, so the record apps can use it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salescrm.models import bilingual


class Target(models.TextChoices):
    LEAD = "lead", _("Lead")
    CUSTOMER = "customer", _("Customer")
    CONTRACT = "contract", _("Contract")


class CustomFieldQuerySet(models.QuerySet):
    def for_target(self, target: str, product_line_id=None):
        """The active fields of a record kind; those of one product line only when the record
        has that line (None: the fields for every line)."""
        fields = self.filter(target=target, is_active=True)
        if product_line_id is None:
            return fields.filter(product_line__isnull=True)
        return fields.filter(
            models.Q(product_line__isnull=True) | models.Q(product_line_id=product_line_id)
        )


class CustomField(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", pgettext_lazy("field type", "Text")
        NUMBER = "number", pgettext_lazy("field type", "Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        YES_NO = "yes_no", _("Yes / no")

    target = models.CharField(_("record"), max_length=16, choices=Target.choices)
    key = models.SlugField(
        _("key"),
        max_length=40,
        help_text=_("Used in the API, exports and list filters (cf_<key>); letters, digits, _."),
    )
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice field: one option per line.")
    )
    required = models.BooleanField(_("required"), default=False)
    product_line = models.ForeignKey(
        "salescrm.ProductLine",
        verbose_name=_("only for product line"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CustomFieldQuerySet.as_manager()

    class Meta:
        ordering = ["target", "position", "id"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        constraints = [
            models.UniqueConstraint(fields=["target", "key"], name="customfield_key_per_target")
        ]

    def __str__(self):
        return bilingual(self.label, self.label_en)

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

"""Customers, their contacts and referrals (SPEC §3)."""

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    F,
    When,
)
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from salescrm.scoping import ScopedQuerySet

from .common import ZERO, money_sum
from .contracts import Contract


class Tier(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    CORE = "core", _("Core")
    ORDINARY = "ordinary", _("Ordinary")


class CustomerQuerySet(ScopedQuerySet):
    def with_money(self):
        return self.annotate(
            signed_total=money_sum(
                Case(
                    When(
                        contracts__status__in=Contract.SIGNED_STATES,
                        then=F("contracts__total_amount"),
                    )
                )
            )
        )


class Customer(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        ENTERPRISE = "enterprise", _("Enterprise")

    lead = models.OneToOneField(
        "leads.Lead",
        verbose_name=_("source lead"),
        on_delete=models.PROTECT,
        related_name="customer",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="customers",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INDIVIDUAL)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language for messages"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: Simplified Chinese."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    territory = models.ForeignKey(
        "leads.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        help_text=_("Where the customer is; empty: the source lead's territory counts."),
    )
    payer_name = models.CharField(_("payer / decision maker"), max_length=100, blank=True)
    payer_phone = models.CharField(_("payer phone"), max_length=32, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.ORDINARY)
    tier_score = models.DecimalField(
        _("value score"), max_digits=12, decimal_places=2, default=ZERO
    )
    tier_override = models.CharField(
        _("tier override"),
        max_length=16,
        choices=Tier.choices,
        null=True,
        blank=True,
        help_text=_("Set by a manager; stays until removed."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    objects = CustomerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["owner", "-created_at"], name="customer_owner_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:detail", args=[self.pk])

    @property
    def effective_tier(self) -> str:
        return self.tier_override or self.tier

    def get_effective_tier_display(self):
        return Tier(self.effective_tier).label


class ContactQuerySet(ScopedQuerySet):
    scope_owner_path = "customer__owner"


class Contact(models.Model):
    """A person at the customer: the learner, a parent, an enterprise's HR or training manager."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title / relation"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_payer = models.BooleanField(_("payer or decision maker"), default=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["customer", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name


class Referral(models.Model):
    """A lead that this customer brought in (老带新). Leads never point at customers, so the
    link lives here; it counts towards the customer's value score."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("referred by"), on_delete=models.CASCADE, related_name="referrals"
    )
    lead = models.OneToOneField(
        "leads.Lead",
        verbose_name=_("referred lead"),
        on_delete=models.CASCADE,
        related_name="referral",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"{self.customer} → {self.lead}"

from django import forms
from django.contrib import admin

from salescrm.admin import BoundedInlineMixin

from .models import (
    AgentCommissionPlan,
    AgentCommissionTier,
    CampaignCost,
    CampaignGoal,
    Event,
    JointOffer,
    LeadOffer,
    Partner,
    PartnerAccount,
    PartnerContact,
    PartnerTier,
    ReferralRewardPolicy,
)


@admin.register(PartnerTier)
class PartnerTierAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "min_quarter_signed"]


class AgentCommissionTierInline(BoundedInlineMixin, admin.TabularInline):
    model = AgentCommissionTier
    extra = 0
    max_num = 20


@admin.register(AgentCommissionPlan)
class AgentCommissionPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "base", "method"]
    inlines = [AgentCommissionTierInline]


class PartnerContactInline(BoundedInlineMixin, admin.TabularInline):
    model = PartnerContact
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "tier", "status", "manager", "plan"]
    list_filter = ["kind", "status", "tier"]
    search_fields = ["name"]
    inlines = [PartnerContactInline]
    readonly_fields = ["tier", "status", "ended_on"]


@admin.register(PartnerAccount)
class PartnerAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "partner"]
    raw_id_fields = ["user"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "capacity", "cost", "campaign"]
    list_filter = ["kind"]


class CampaignCostInline(BoundedInlineMixin, admin.TabularInline):
    model = CampaignCost
    extra = 0


@admin.register(CampaignGoal)
class CampaignGoalAdmin(admin.ModelAdmin):
    list_display = ["campaign", "goal_leads", "goal_attendees", "goal_signed_amount", "budget"]


@admin.register(ReferralRewardPolicy)
class ReferralRewardPolicyAdmin(admin.ModelAdmin):
    list_display = ["kind", "amount", "percent", "lessons"]


class JointOfferAdminForm(forms.ModelForm):
    """The admin refuses what the page refuses (``JointOffer.problems``)."""

    class Meta:
        model = JointOffer
        fields = [
            "partner",
            "title",
            "kind",
            "discount_amount",
            "discount_percent",
            "bundled_service",
            "terms",
            "valid_from",
            "valid_until",
            "product_lines",
            "status",
        ]

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("partner"):
            terms = {f.name: data[f.name] for f in JointOffer._meta.fields if f.name in data}
            candidate = JointOffer(pk=self.instance.pk, **terms)
            for problem in candidate.problems(list(data.get("product_lines") or [])):
                self.add_error(None, problem)
        return data


class LeadOfferInline(BoundedInlineMixin, admin.TabularInline):
    model = LeadOffer
    extra = 0
    raw_id_fields = ["lead"]
    readonly_fields = ["chosen_at", "chosen_by"]


@admin.register(JointOffer)
class JointOfferAdmin(admin.ModelAdmin):
    form = JointOfferAdminForm
    list_display = ["title", "partner", "kind", "valid_from", "valid_until", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "partner__name"]
    filter_horizontal = ["product_lines"]
    inlines = [LeadOfferInline]

from django.contrib import admin

from salescrm.admin import BoundedInlineMixin

from .models import (
    AgentCommissionPlan,
    AgentCommissionTier,
    CampaignCost,
    CampaignGoal,
    Event,
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

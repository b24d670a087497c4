from django.contrib import admin, messages
from django.utils.translation import gettext as _

from salescrm.admin import RowsInlineMixin
from salescrm.tasks import enqueue

from .models import (
    Activity,
    ActivityPlan,
    Assignment,
    Campaign,
    Channel,
    CoachingComment,
    Lead,
    LeadSettings,
    LostReason,
    RoundRobinCursor,
    ScoringRule,
    StageChange,
    Territory,
)
from .tasks import rescore_all_leads


class RescoreOnSave:
    """Scoring rules and thresholds re-grade every lead when an admin changes them: a Celery
    task queued once the change is committed (in-process without Redis, as in the demo, or
    when the broker is unreachable: then the admin waits for it and is told so)."""

    def _rescore(self, request):
        def warn():
            messages.warning(
                request,
                _(
                    "The task queue is unreachable, so the leads were re-graded while you waited. "
                    "Tell the administrator if this persists."
                ),
            )

        enqueue(rescore_all_leads, on_inline=warn)
        messages.info(request, _("The leads are being re-graded with the new rules."))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._rescore(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._rescore(request)


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "quality_points", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = True


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "cost", "starts_on", "ends_on"]
    list_filter = ["channel", "starts_on"]
    search_fields = ["name"]
    list_select_related = ["channel"]


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_en"]
    list_select_related = True


@admin.register(LeadSettings)
class LeadSettingsAdmin(RescoreOnSave, admin.ModelAdmin):
    list_display = [
        "__str__",
        "grade_a_min",
        "grade_b_min",
        "pool_after_days",
        "pool_reminder_days",
        "daily_claim_cap",
        "reclaim_block_days",
    ]
    list_filter = []
    search_fields = []
    list_select_related = True

    def has_add_permission(self, request):
        return not LeadSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoringRule)
class ScoringRuleAdmin(RescoreOnSave, admin.ModelAdmin):
    list_display = ["criterion", "points", "is_active"]
    list_editable = ["points", "is_active"]  # change the points of many rules at once
    list_filter = ["is_active"]
    search_fields = ["criterion"]
    list_select_related = True


class StageChangeInline(RowsInlineMixin, admin.TabularInline):
    model = StageChange
    extra = 0
    fields = ["from_stage", "to_stage", "changed_by", "changed_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "company",
        "phone",
        "owner",
        "team",
        "channel",
        "stage",
        "grade",
        "score",
        "created_at",
    ]
    list_filter = ["stage", "grade", "channel", "team", "product_line"]
    search_fields = ["name", "company", "phone", "email", "wechat"]
    list_select_related = ["owner", "team", "channel"]
    autocomplete_fields = ["owner", "territory"]
    raw_id_fields = ["campaign", "created_by"]
    readonly_fields = [
        "score",
        "grade",
        "score_reasons",
        "created_at",
        "last_activity_at",
        "won_at",
    ]
    inlines = [StageChangeInline]
    date_hierarchy = "created_at"


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["lead", "from_stage", "to_stage", "changed_by", "changed_at"]
    list_filter = ["to_stage", "from_stage"]
    search_fields = ["lead__name", "lead__phone"]
    list_select_related = ["lead", "changed_by"]
    raw_id_fields = ["lead", "changed_by"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["lead", "from_owner", "to_owner", "reason", "changed_by", "changed_at"]
    list_filter = ["reason"]
    search_fields = ["lead__name", "lead__phone"]
    list_select_related = ["lead", "from_owner", "to_owner", "changed_by"]
    raw_id_fields = ["lead", "from_owner", "to_owner", "changed_by"]


@admin.register(RoundRobinCursor)
class RoundRobinCursorAdmin(admin.ModelAdmin):
    list_display = ["team", "last_user"]
    list_filter = ["team"]
    search_fields = ["team__name"]
    list_select_related = ["team", "last_user"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["lead", "kind", "actor", "occurred_at", "outcome", "next_follow_up_on"]
    list_filter = ["kind", "occurred_at"]
    search_fields = ["lead__name", "lead__phone", "outcome", "feedback"]
    list_select_related = ["lead", "actor"]
    raw_id_fields = ["lead", "actor"]
    date_hierarchy = "occurred_at"


class CoachingCommentInline(RowsInlineMixin, admin.TabularInline):
    model = CoachingComment
    extra = 0
    fields = ["author", "body", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(ActivityPlan)
class ActivityPlanAdmin(admin.ModelAdmin):
    list_display = ["rep", "week_start", "calls", "visits", "new_leads", "trial_lessons"]
    list_filter = ["week_start", "rep__team"]
    search_fields = ["rep__username", "rep__first_name", "rep__last_name"]
    list_select_related = ["rep"]
    inlines = [CoachingCommentInline]


@admin.register(CoachingComment)
class CoachingCommentAdmin(admin.ModelAdmin):
    list_display = ["plan", "author", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["body", "author__username"]
    list_select_related = ["plan__rep", "author"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    """Sales territories (issue 20): province → city → district, each the responsibility of a
    team or a rep."""

    list_display = ["name", "name_en", "kind", "parent", "owner_team", "owner_rep"]
    list_filter = ["kind", "owner_team"]
    search_fields = ["name", "name_en"]
    list_select_related = ["parent", "owner_team", "owner_rep"]
    autocomplete_fields = ["parent"]
    raw_id_fields = ["owner_rep"]

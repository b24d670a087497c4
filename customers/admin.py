from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from salescrm.admin import BoundedInlineMixin, RowsInlineMixin

from .models import (
    ApprovalDeputy,
    ApprovalPolicy,
    ApprovalStep,
    Complaint,
    Contact,
    Contract,
    ContractLine,
    Customer,
    DunningRecord,
    Instalment,
    LessonDelivery,
    Payment,
    Product,
    Referral,
    Refund,
    SatisfactionSurvey,
    TierChange,
    TierPolicy,
)


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "legal_above_amount",
        "max_discount_junior",
        "max_discount_intermediate",
        "max_discount_senior",
        "renewal_window_days",
        "archive_requires_signed_scan",
        "created_at",
    ]
    list_filter = ["created_at"]
    search_fields = ["id"]


@admin.register(TierPolicy)
class TierPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "amount_unit",
        "weight_signed",
        "weight_collected",
        "weight_growth",
        "weight_punctuality",
        "weight_referrals",
        "core_min_score",
        "strategic_min_score",
    ]
    list_filter = ["created_at"]
    search_fields = ["id"]


class ContactInline(BoundedInlineMixin, admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "owner", "tier", "tier_override", "tier_score", "created_at"]
    list_filter = ["kind", "tier", "tier_override", "owner__team"]
    list_select_related = ["owner"]
    search_fields = ["name", "phone", "email", "owner__username"]
    raw_id_fields = ["lead", "owner"]
    # the nightly job computes the tier; an override goes through the customer page, which
    # records it as a TierChange with its reason
    readonly_fields = ["tier", "tier_score", "tier_override"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "title", "phone", "is_payer"]
    list_filter = ["is_payer"]
    list_select_related = ["customer"]
    search_fields = ["name", "phone", "customer__name"]
    raw_id_fields = ["customer"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["customer", "lead", "created_at"]
    list_filter = ["created_at"]
    list_select_related = ["customer", "lead"]
    search_fields = ["customer__name", "lead__name"]
    raw_id_fields = ["customer", "lead"]


@admin.register(TierChange)
class TierChangeAdmin(admin.ModelAdmin):
    list_display = [
        "customer",
        "from_tier",
        "to_tier",
        "score",
        "is_override",
        "evaluated_on",
        "changed_by",
    ]
    list_filter = ["to_tier", "is_override", "evaluated_on"]
    list_select_related = ["customer", "changed_by"]
    search_fields = ["customer__name", "reason"]
    raw_id_fields = ["customer", "changed_by"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "product_line", "list_price", "lessons", "is_active"]
    list_filter = ["product_line", "is_active"]
    list_select_related = ["product_line"]
    search_fields = ["name"]


class WorkflowAdmin(SimpleHistoryAdmin):
    """Records written by the workflow services (drafting, approval, payment, refund): the
    admin reads and audits them but cannot create them around the rules."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(RowsInlineMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ContractLineInline(ReadOnlyInline):
    model = ContractLine


class InstalmentInline(ReadOnlyInline):
    model = Instalment


class ApprovalStepInline(ReadOnlyInline):
    model = ApprovalStep


@admin.register(Contract)
class ContractAdmin(WorkflowAdmin):
    """Read-mostly: the workflow (drafting, approval, signing) goes through the app's pages and
    services, so the admin cannot bypass the approval chain."""

    list_display = [
        "number",
        "customer",
        "owner",
        "status",
        "total_amount",
        "signed_on",
        "is_renewal",
    ]
    list_filter = ["status", "is_renewal", "payment_method", "owner__team"]
    list_select_related = ["customer", "owner"]
    search_fields = ["number", "customer__name", "owner__username"]
    readonly_fields = [
        "customer",
        "owner",
        "number",
        "status",
        "total_amount",
        "approval_round",
        "signed_on",
        "archived_on",
        "is_renewal",
        "last_rejection",
        "handed_off_at",
    ]
    inlines = [ContractLineInline, InstalmentInline, ApprovalStepInline]


@admin.register(ContractLine)
class ContractLineAdmin(WorkflowAdmin):
    list_display = [
        "contract",
        "product",
        "quantity",
        "list_price",
        "discount_rate",
        "amount",
        "lessons_total",
        "lessons_delivered",
    ]
    list_filter = ["product__product_line"]
    list_select_related = ["contract", "product"]
    search_fields = ["contract__number", "product__name"]
    readonly_fields = [
        "contract",
        "product",
        "quantity",
        "list_price",
        "discount_rate",
        "amount",
        "lessons_total",
        "lessons_delivered",
    ]


@admin.register(Instalment)
class InstalmentAdmin(WorkflowAdmin):
    list_display = ["contract", "sequence", "due_on", "amount", "paid_amount", "overdue_since"]
    list_filter = ["due_on", "overdue_since"]
    list_select_related = ["contract"]
    search_fields = ["contract__number"]
    readonly_fields = ["contract", "sequence", "due_on", "amount", "paid_amount", "overdue_since"]


@admin.register(Payment)
class PaymentAdmin(WorkflowAdmin):
    list_display = ["contract", "instalment", "amount", "received_on", "method", "recorded_by"]
    list_filter = ["method", "received_on"]
    list_select_related = ["contract", "instalment", "recorded_by"]
    search_fields = ["contract__number", "reference"]
    readonly_fields = [
        "contract",
        "instalment",
        "amount",
        "received_on",
        "method",
        "reference",
        "recorded_by",
    ]


@admin.register(DunningRecord)
class DunningRecordAdmin(admin.ModelAdmin):
    list_display = ["instalment", "kind", "occurred_on", "next_action_on", "actor"]
    list_filter = ["kind", "occurred_on"]
    list_select_related = ["instalment__contract", "actor"]
    search_fields = ["instalment__contract__number", "note"]
    raw_id_fields = ["instalment", "actor"]


@admin.register(LessonDelivery)
class LessonDeliveryAdmin(WorkflowAdmin):
    list_display = ["line", "lessons", "delivered_on", "recorded_by"]
    list_filter = ["delivered_on"]
    list_select_related = ["line__contract", "line__product", "recorded_by"]
    search_fields = ["line__contract__number"]
    readonly_fields = ["line", "lessons", "delivered_on", "recorded_by"]


@admin.register(Refund)
class RefundAdmin(WorkflowAdmin):
    list_display = [
        "contract",
        "amount",
        "proposed_amount",
        "status",
        "requested_by",
        "confirmed_on",
    ]
    list_filter = ["status", "confirmed_on"]
    list_select_related = ["contract", "requested_by"]
    search_fields = ["contract__number", "reason"]
    readonly_fields = [
        "contract",
        "amount",
        "proposed_amount",
        "status",
        "requested_by",
        "decided_by",
        "confirmed_on",
    ]


@admin.register(ApprovalStep)
class ApprovalStepAdmin(WorkflowAdmin):
    list_display = [
        "contract",
        "round",
        "position",
        "kind",
        "decision",
        "decided_by",
        "on_behalf_of",
        "decided_at",
    ]
    list_filter = ["kind", "decision"]
    list_select_related = ["contract", "decided_by", "on_behalf_of"]
    search_fields = ["contract__number", "comment"]
    readonly_fields = [
        "contract",
        "round",
        "position",
        "kind",
        "decision",
        "decided_by",
        "on_behalf_of",
        "decided_at",
        "comment",
    ]


@admin.register(ApprovalDeputy)
class ApprovalDeputyAdmin(admin.ModelAdmin):
    list_display = ["reviewer", "deputy", "starts_on", "ends_on"]
    list_filter = ["starts_on", "ends_on"]
    list_select_related = ["reviewer", "deputy"]
    search_fields = ["reviewer__username", "deputy__username"]
    raw_id_fields = ["reviewer", "deputy"]


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    list_display = [
        "subject",
        "customer",
        "severity",
        "opened_at",
        "first_response_at",
        "resolved_at",
        "escalated_at",
    ]
    list_filter = ["severity", "opened_at"]
    list_select_related = ["customer"]
    search_fields = ["subject", "customer__name"]
    raw_id_fields = ["customer", "contract", "opened_by"]


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(admin.ModelAdmin):
    list_display = ["customer", "contract", "score", "nps", "answered_on"]
    list_filter = ["score", "answered_on"]
    list_select_related = ["customer", "contract"]
    search_fields = ["customer__name", "comment"]
    raw_id_fields = ["customer", "contract", "recorded_by"]

from django.contrib import admin

from .models import (
    AccountPlan,
    CadenceCompliance,
    Feedback,
    RenewalOpportunity,
    ServiceFollowUp,
    ServiceLevel,
    SuccessSettings,
    SurveyInvitation,
)


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = [
        "tier",
        "cadence_days",
        "response_hours",
        "response_in_working_hours",
        "service_team",
        "service_owner",
    ]


@admin.register(SuccessSettings)
class SuccessSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "renewal_lead_days", "no_contact_days", "survey_link_days"]

    def has_add_permission(self, request):
        return not SuccessSettings.objects.exists()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the nightly jobs and the pages write: shown, not edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RenewalOpportunity)
class RenewalOpportunityAdmin(ReadOnlyAdmin):
    list_display = ["customer", "course_ends_on", "stage", "owner", "renewed_on"]
    list_filter = ["stage"]


@admin.register(ServiceFollowUp)
class ServiceFollowUpAdmin(ReadOnlyAdmin):
    list_display = ["customer", "owner", "tier", "due_on", "done_on"]


@admin.register(CadenceCompliance)
class CadenceComplianceAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "owner", "tier", "due", "served"]


@admin.register(AccountPlan)
class AccountPlanAdmin(ReadOnlyAdmin):
    list_display = ["customer", "year", "budget"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = ["customer", "milestone", "created_on", "expires_on", "answered_at"]
    exclude = ["nonce"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["heard_on", "product_line", "kind", "source", "author"]

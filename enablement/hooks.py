"""What the enablement app adds to a lead's page (salescrm.extensions): the library entries
for the lead's stage and product line, one click away, and the "script used" choice on the
follow-up form."""

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from leads.services import LeadError
from salescrm.errors import BusinessRuleError
from salescrm.extensions import activity_extension, record_panel
from salescrm.permissions import Action, may

from .models import STAGES_FOR_LEAD, Script
from .services import script_usage_record


@record_panel("leads.lead", order=10)
def scripts_for_lead(request, lead) -> str:
    entries = list(
        Script.objects.for_lead(lead).select_related("published_version", "product_line")
    )
    return render_to_string(
        "enablement/_lead_scripts.html",
        {"lead": lead, "entries": entries, "stage": (STAGES_FOR_LEAD.get(lead.stage) or [""])[0]},
        request=request,
    )


class ScriptChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_kind_display()} · {obj.title}"


@activity_extension
class ScriptUsed:
    FIELD = "script_used"

    def fields(self, user, lead) -> dict:
        if not may(user, Action.FOLLOW_UP_LOG):
            return {}
        offered = Script.objects.for_lead(lead).filter(
            kind__in=[Script.Kind.SCRIPT, Script.Kind.TOOL, Script.Kind.OBJECTION]
        )
        return {
            self.FIELD: ScriptChoiceField(
                label=_("Script used"),
                queryset=offered,
                required=False,
                empty_label=_("— none —"),
                help_text=_("Mark the script you used: it counts for the usage rate."),
            )
        }

    def saved(self, *, activity, actor, data: dict) -> None:
        script = data.get(self.FIELD)
        if script is None:
            return
        try:
            script_usage_record(activity=activity, actor=actor, script=script)
        except BusinessRuleError as exc:
            raise LeadError(str(exc)) from None

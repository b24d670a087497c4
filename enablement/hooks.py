"""What the enablement app adds to a lead's follow-up form (salescrm.extensions): the "script
used" choice. The library card on the lead page is a page panel (enablement/panels.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leads.services import LeadError
from salescrm.errors import BusinessRuleError
from salescrm.extensions import activity_extension
from salescrm.permissions import Action, may

from .models import Script
from .services import script_usage_record


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

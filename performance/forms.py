from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PeriodKind


class PeriodFilterForm(forms.Form):
    """Filters of the scorecard and statement lists (never widens the user's scope)."""

    period_kind = forms.ChoiceField(
        label=_("Period"), required=False, choices=[("", _("All"))] + PeriodKind.choices
    )
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}),
    )
    person = forms.IntegerField(label=_("Person"), required=False, widget=forms.HiddenInput)

    def filter(self, queryset, *, date_field="period_start", person_field="person"):
        if not self.is_bound or not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("period_kind") and "period_kind" in {
            f.name for f in queryset.model._meta.fields
        }:
            queryset = queryset.filter(period_kind=data["period_kind"])
        if data.get("month"):
            queryset = queryset.filter(**{date_field: data["month"].replace(day=1)})
        if data.get("person"):
            queryset = queryset.filter(**{person_field: data["person"]})
        return queryset

from django import forms
from django.utils.translation import gettext_lazy as _

from performance.forms import DashboardFilterForm, PlainSelect
from performance.models import MARKET_GROWTH_MAX, MARKET_GROWTH_MIN, MarketGrowth
from salescrm.forms import BusinessMonthField
from salescrm.models import User
from salescrm.roles import Role
from salescrm.timeutil import quarter_start, validate_business_date, year_start

from .lost import DIMENSION_LABELS
from .ltv import VIEWS
from .models import AlertAnalysis, ImprovementPlan


class LostDealFilterForm(DashboardFilterForm):
    """The dashboard's filters (period, month, team, rep; a value outside the reader's scope is
    ignored) and the dimension the losses are grouped by."""

    by = forms.ChoiceField(label=_("Group by"), required=False, choices=DIMENSION_LABELS.items())

    def __init__(self, data=None, *, user):
        super().__init__(data, user=user)
        self.fields["by"].widget.attrs["class"] = "form-select form-select-sm"

    def dimension(self) -> str:
        """The chosen dimension; by stage when none or a wrong one was given."""
        if not self.is_bound:
            return "stage"
        self.is_valid()
        return self.cleaned_data.get("by") or "stage"


class LtvFilterForm(DashboardFilterForm):
    """The dashboard's filters and the view: by channel, by product line or top customers."""

    view = forms.ChoiceField(label=_("View"), required=False, choices=VIEWS.items())

    def __init__(self, data=None, *, user):
        super().__init__(data, user=user)
        self.fields["view"].widget.attrs["class"] = "form-select form-select-sm"

    def chosen_view(self) -> str:
        if not self.is_bound:
            return "channel"
        self.is_valid()
        return self.cleaned_data.get("view") or "channel"


class AnalysisFilterForm(forms.Form):
    """Filters of the alert-analysis list: status, kind and (for a leader) the rep; a rep
    outside the reader's scope is an error and is ignored (never a wider scope)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + AlertAnalysis.Status.choices,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All"))] + AlertAnalysis.Kind.choices
    )
    rep = forms.ModelChoiceField(label=_("Rep"), required=False, queryset=None, widget=PlainSelect)

    def __init__(self, data=None, *, user):
        super().__init__(data)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
        if user.role == Role.REP and not user.is_superuser:
            del self.fields["rep"]
        else:
            self.fields["rep"].queryset = User.objects.reps().visible_to(user).order_by("username")

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        found = {
            name: self.cleaned_data.get(name)
            for name in ("status", "kind")
            if name not in self.errors and self.cleaned_data.get(name)
        }
        if "rep" in self.fields and "rep" not in self.errors and self.cleaned_data.get("rep"):
            found["owner"] = self.cleaned_data["rep"]
        return found


class AnalysisForm(forms.Form):
    cause = forms.CharField(
        label=_("Cause"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_("What explains the change: the figures behind it, what happened."),
    )
    actions = forms.CharField(
        label=_("Actions taken"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("What is done about it, by whom and by when."),
    )


class ImprovementPlanForm(forms.Form):
    goals = forms.CharField(
        label=_("Goals"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_("What the rep must reach by the review date, and the support given."),
    )
    review_on = forms.DateField(
        label=_("Review date"),
        required=False,
        validators=[validate_business_date],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ImprovementPlan.Outcome.choices)
    outcome_note = forms.CharField(
        label=_("Outcome note"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].widget.attrs["class"] = "form-select"


class MarketGrowthForm(forms.Form):
    """The market's growth for a period. The month picked stands for its quarter or its year
    when the period is a quarter or a year (the quarter of May is Q2, starting in April)."""

    period_kind = forms.ChoiceField(label=_("Period"), choices=MarketGrowth.Kind.choices)
    month = BusinessMonthField(
        label=_("Month"),
        help_text=_("For a quarter or a year, any month of it."),
    )
    basis = forms.ChoiceField(
        label=_("Whose growth"), choices=MarketGrowth.Basis.choices, initial="industry"
    )
    growth = forms.DecimalField(
        label=_("Growth (%)"),
        max_digits=7,
        decimal_places=2,
        min_value=MARKET_GROWTH_MIN,
        max_value=MARKET_GROWTH_MAX,
        help_text=_("Against the same period a year before, e.g. -20 for a fall of 20 %."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    source = forms.CharField(label=_("Source"), max_length=200)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        kind, month = data.get("period_kind"), data.get("month")
        if kind and month:
            if kind == MarketGrowth.Kind.QUARTER:
                month = quarter_start(month)
            elif kind == MarketGrowth.Kind.YEAR:
                month = year_start(month)
            data["period_start"] = month
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "period_kind": data["period_kind"],
            "period_start": data["period_start"],
            "basis": data["basis"],
            "growth": data["growth"],
            "source": data["source"],
            "note": data["note"],
        }

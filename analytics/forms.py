from django import forms
from django.utils.translation import gettext_lazy as _

from performance.forms import DashboardFilterForm
from performance.models import MARKET_GROWTH_MAX, MARKET_GROWTH_MIN, MarketGrowth
from salescrm.forms import BusinessMonthField
from salescrm.timeutil import quarter_start, year_start

from .lost import DIMENSION_LABELS
from .ltv import VIEWS


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

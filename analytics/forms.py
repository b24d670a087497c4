from django import forms
from django.utils.translation import gettext_lazy as _

from performance.forms import DashboardFilterForm

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

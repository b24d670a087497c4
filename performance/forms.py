from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from leads.forms import TerritoryChoiceField
from salescrm.bounds import MAX_ID
from salescrm.forms import BusinessMonthField
from salescrm.models import Team, User
from salescrm.roles import Role
from salescrm.scoping import managed_team_ids
from salescrm.timeutil import EARLIEST_BUSINESS_DATE, latest_business_date

from .models import PeriodKind


class PeriodFilterForm(forms.Form):
    """Filters of the scorecard and statement lists (never widens the user's scope)."""

    period_kind = forms.ChoiceField(
        label=_("Period"), required=False, choices=[("", _("All"))] + PeriodKind.choices
    )
    month = BusinessMonthField(label=_("Month"), required=False)
    person = forms.IntegerField(
        label=_("Person"), required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )

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


class PlainSelect(forms.Select):
    """A select whose options are written here, not through one template per option: the
    director's rep filter lists every rep of the institution (hundreds), which Django's option
    templates render in tens of milliseconds on every page load."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) == chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html(
            "<select{}>{}</select>",
            flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name})),
            options,
        )


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, kept in the query string so a view can be shared. The team and
    rep choices are only those the reader may see (a rep has none): a value outside them is
    an error of that field, and the dashboard then ignores it (never a wider scope)."""

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))],
    )
    month = BusinessMonthField(label=_("Month"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=None, widget=PlainSelect
    )
    rep = forms.ModelChoiceField(label=_("Rep"), required=False, queryset=None, widget=PlainSelect)
    territory = TerritoryChoiceField(widget=PlainSelect)

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.fields["period"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["territory"].widget.attrs["class"] = "form-select form-select-sm"
        if user.role == Role.REP and not user.is_superuser:
            del self.fields["team"], self.fields["rep"]
            return
        teams = Team.objects.order_by("sort_key", "name")
        if not user.sees_all:
            teams = teams.filter(pk__in=managed_team_ids(user))
        self.fields["team"].queryset = teams
        self.fields["rep"].queryset = User.objects.reps().visible_to(user).order_by("username")
        for name in ("team", "rep"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    # The dashboard writes its month picker by hand (its value is the scope's month, never a
    # refused one), so it reads the accepted range from here.
    @property
    def month_min(self) -> str:
        return f"{EARLIEST_BUSINESS_DATE:%Y-%m}"

    @property
    def month_max(self) -> str:
        return f"{latest_business_date():%Y-%m}"

    def filters(self) -> dict:
        """The valid filters; a field with a bad or out-of-scope value is left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: self.cleaned_data.get(name)
            for name in ("period", "month", "team", "rep", "territory")
            if name in self.fields and name not in self.errors and self.cleaned_data.get(name)
        }


class ManagerRatingForm(forms.Form):
    """The manager's ratings of one rep for one open period: a rating (1 … the line's scale)
    and a comment per KPI rated by the manager in the reps' scheme. A rating left empty is
    left as it is (not rated yet, or the earlier rating)."""

    def __init__(self, *args, items, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            given = current.get(item.kpi)
            self.fields[f"rating_{item.kpi}"] = forms.TypedChoiceField(
                label=item.get_kpi_display(),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("Not rated"))]
                + [(n, f"{n} / {item.rating_scale}") for n in range(1, item.rating_scale + 1)],
                initial=given.rating if given else "",
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"comment_{item.kpi}"] = forms.CharField(
                label=_("Comment on the rating"),
                required=False,
                max_length=2000,
                initial=given.comment if given else "",
                widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
            )

    def pairs(self):
        """[(rating field, comment field)] per rated KPI, for the template."""
        return [(self[f"rating_{i.kpi}"], self[f"comment_{i.kpi}"]) for i in self.items]

    def clean(self):
        data = super().clean()
        if self.items and all(data.get(f"rating_{i.kpi}") is None for i in self.items):
            raise forms.ValidationError(_("Give at least one rating."))
        return data

    def ratings(self) -> tuple[dict[str, int], dict[str, str]]:
        data = self.cleaned_data
        given = {
            i.kpi: data[f"rating_{i.kpi}"]
            for i in self.items
            if data.get(f"rating_{i.kpi}") is not None
        }
        comments = {code: data.get(f"comment_{code}", "") for code in given}
        return given, comments

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from salescrm.bounds import MAX_TARGET, MAX_WEIGHT
from salescrm.models import User
from salescrm.submissions import OneTimeSubmitForm

from .models import TargetPlan, is_month_locked

WEIGHT_FIELD = {"min_value": 0, "max_value": MAX_WEIGHT, "max_digits": 9, "decimal_places": 4}


class PlanCreateForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = TargetPlan
        fields = ["year", "metric", "annual_value"]

    def clean(self):
        cleaned = super().clean()
        metric = cleaned.get("metric")
        value = cleaned.get("annual_value")
        if metric and value is not None and metric not in ("signed_amount", "collected_amount"):
            if value != value.to_integral_value():
                self.add_error("annual_value", _("A count target is a whole number."))
        return cleaned


class PlanWeightsForm(forms.Form):
    """The director's edit of a draft: annual figure, month weights, team and rep weights."""

    annual_value = forms.DecimalField(
        label=_("Annual target"),
        min_value=0,
        max_value=MAX_TARGET,
        max_digits=14,
        decimal_places=2,
    )

    def __init__(
        self,
        *args,
        plan: TargetPlan,
        month_weights,
        team_shares,
        members,
        product_line_shares=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["annual_value"].initial = plan.annual_value
        self.month_names = []
        for row in month_weights:
            name = f"month_{row.month}"
            self.fields[name] = forms.DecimalField(
                label=dt.date(plan.year, row.month, 1).strftime("%Y-%m"),
                initial=row.weight,
                **WEIGHT_FIELD,
            )
            self.month_names.append(name)
        self.team_names = []
        for share in team_shares:
            name = f"team_{share.team_id}"
            self.fields[name] = forms.DecimalField(
                label=str(share.team), initial=share.weight, **WEIGHT_FIELD
            )
            self.team_names.append(name)
        self.line_names = []
        for share in product_line_shares:
            name = f"line_{share.product_line_id}"
            self.fields[name] = forms.DecimalField(
                label=str(share.product_line), initial=share.weight, **WEIGHT_FIELD
            )
            self.line_names.append(name)
        self.member_names = []
        for member in members:
            name = f"member_{member.pk}"
            self.fields[name] = forms.DecimalField(
                label=str(member.rep), initial=member.weight, **WEIGHT_FIELD
            )
            self.fields[f"{name}_activity"] = forms.BooleanField(
                label=_("activity target"), required=False, initial=member.activity_focus
            )
            self.member_names.append((name, member))

    def clean(self):
        cleaned = super().clean()
        if self.month_names and all(
            cleaned.get(name) == 0 for name in self.month_names if name in cleaned
        ):
            raise forms.ValidationError(_("At least one month needs a weight above zero."))
        if self.team_names and all(
            cleaned.get(name) == 0 for name in self.team_names if name in cleaned
        ):
            raise forms.ValidationError(_("At least one team needs a weight above zero."))
        if not self.plan.is_money:
            value = cleaned.get("annual_value")
            if value is not None and value != value.to_integral_value():
                self.add_error("annual_value", _("A count target is a whole number."))
        return cleaned

    # Bound fields grouped for the template.
    def month_fields(self):
        return [self[name] for name in self.month_names]

    def team_fields(self):
        return [self[name] for name in self.team_names]

    def line_fields(self):
        return [self[name] for name in self.line_names]

    def product_line_weights(self) -> dict[int, Decimal]:
        return {int(name.split("_")[1]): self.cleaned_data[name] for name in self.line_names}

    def member_rows(self):
        return [
            (member, self[name], self[f"{name}_activity"]) for name, member in self.member_names
        ]

    def month_weights(self) -> list[Decimal]:
        return [self.cleaned_data[name] for name in self.month_names]

    def team_weights(self) -> dict[int, Decimal]:
        return {int(name.split("_")[1]): self.cleaned_data[name] for name in self.team_names}

    def member_weights(self) -> dict[int, tuple[Decimal, bool]]:
        return {
            member.pk: (self.cleaned_data[name], self.cleaned_data[f"{name}_activity"])
            for name, member in self.member_names
        }


class GridForm(forms.Form):
    """A table of editable targets: one field per unlocked cell, named cell_<target id>.

    Ended months are shown but not offered as fields, so they cannot be posted."""

    spread = forms.BooleanField(
        label=_("Spread the difference over the others in the same month"),
        required=False,
        help_text=_("Unticked, the changed values must add up to the total themselves."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )
    # The split's version when the page was drawn (targets.services.split_version).
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, rows, places: int, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = {}
        for row in rows:
            for target in row["targets"]:
                if is_month_locked(target.month, today):
                    continue
                name = f"cell_{target.pk}"
                self.fields[name] = forms.DecimalField(
                    label=f"{row['label']} {target.month:%Y-%m}",
                    min_value=0,
                    max_value=MAX_TARGET,
                    max_digits=14,
                    decimal_places=places,
                    initial=target.value,
                    localize=False,
                    required=False,
                )
                self.cells[name] = target

    def changes(self, key) -> dict:
        """(owner id, month) -> new value, for the cells whose value changed."""
        result = {}
        for name, target in self.cells.items():
            value = self.cleaned_data.get(name)
            if value is not None and value != target.value:
                result[(key(target), target.month)] = value
        return result


class LeaverForm(forms.Form):
    rep = forms.ModelChoiceField(label=_("Rep who leaves"), queryset=User.objects.none())
    last_month = forms.TypedChoiceField(
        label=_("Last month with a target"),
        coerce=int,
        choices=[(m, f"{m:02d}") for m in range(1, 13)],
    )
    to_reps = forms.ModelMultipleChoiceField(
        label=_("Move the remaining targets to"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("None chosen: to the team's other reps by their weights."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps
        self.fields["to_reps"].queryset = reps


class JoinerForm(forms.Form):
    rep = forms.ModelChoiceField(label=_("Rep who joins"), queryset=User.objects.none())
    weight = forms.DecimalField(
        label=_("Weight"),
        required=False,
        help_text=_("Empty: from the seniority table."),
        **WEIGHT_FIELD,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps

"""Forms of customer success. Each passes cleaned data to one service."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salescrm.bounds import MAX_AMOUNT
from salescrm.forms import BusinessDateField, DateInput
from salescrm.models import ProductLine
from salescrm.submissions import OneTimeSubmitForm
from salescrm.timeutil import latest_business_year

from .models import Feedback, RenewalOpportunity

Stage = RenewalOpportunity.Stage


class RenewalFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("stage"),
        choices=[("", _("Open renewals"))] + list(Stage.choices) + [("all", _("All stages"))],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    at_risk = forms.BooleanField(label=_("at risk only"), required=False)


class RenewalMoveForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("move to"),
        choices=[
            (Stage.TO_CONTACT, Stage.TO_CONTACT.label),
            (Stage.PROPOSAL, Stage.PROPOSAL.label),
            (Stage.LOST, Stage.LOST.label),
        ],
    )
    lost_reason = forms.ChoiceField(
        label=_("reason lost"),
        choices=[("", "—")]
        + [c for c in RenewalOpportunity.LostReason.choices if c[0] != "lapsed"],
        required=False,
    )
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanForm(OneTimeSubmitForm):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    goals = forms.CharField(
        label=_("goals"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    planned_trainings = forms.CharField(
        label=_("planned trainings"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    budget = forms.DecimalField(
        label=_("planned amount"),
        min_value=0,
        max_value=MAX_AMOUNT,
        decimal_places=2,
        max_digits=14,
    )
    contacts = forms.CharField(
        label=_("key contacts"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    review_q1 = BusinessDateField(label=_("Q1 review"), required=False)
    review_q2 = BusinessDateField(label=_("Q2 review"), required=False)
    review_q3 = BusinessDateField(label=_("Q3 review"), required=False)
    review_q4 = BusinessDateField(label=_("Q4 review"), required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["year"]
        else:
            self.fields["year"].initial = latest_business_year()


class ReviewForm(OneTimeSubmitForm):
    quarter = forms.TypedChoiceField(
        label=_("quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int
    )
    held_on = BusinessDateField(label=pgettext_lazy("review", "held on"))
    attendees = forms.CharField(
        label=_("attendees"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcomes = forms.CharField(
        label=_("outcomes"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    action_1 = forms.CharField(
        label=pgettext_lazy("business review", "action item"), max_length=200, required=False
    )
    due_1 = BusinessDateField(label=_("due on"), required=False)
    action_2 = forms.CharField(
        label=pgettext_lazy("business review", "action item"), max_length=200, required=False
    )
    due_2 = BusinessDateField(label=_("due on"), required=False)
    action_3 = forms.CharField(
        label=pgettext_lazy("business review", "action item"), max_length=200, required=False
    )
    due_3 = BusinessDateField(label=_("due on"), required=False)

    def clean(self):
        data = super().clean()
        actions = []
        for i in (1, 2, 3):
            text, due = data.get(f"action_{i}"), data.get(f"due_{i}")
            if text and not due:
                self.add_error(f"due_{i}", _("An action item needs its due date."))
            elif due and not text:
                self.add_error(f"action_{i}", _("Describe the action."))
            elif text and due:
                actions.append({"description": text, "due_on": due})
        data["actions"] = actions
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "quarter": data["quarter"],
            "held_on": data["held_on"],
            "attendees": data["attendees"],
            "outcomes": data["outcomes"],
            "actions": data["actions"],
            "submission_token": data.get("submission_token"),
        }


class FeedbackForm(OneTimeSubmitForm):
    product_line = forms.ModelChoiceField(label=_("product line"), queryset=None)
    kind = forms.ChoiceField(label=_("kind"), choices=Feedback.Kind.choices)
    source = forms.ChoiceField(label=_("source"), choices=Feedback.Source.choices)
    text = forms.CharField(
        label=_("what the customer said"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    heard_on = BusinessDateField(label=_("heard on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_line"].queryset = ProductLine.objects.filter(is_active=True)


class QuarterForm(forms.Form):
    quarter = forms.DateField(
        label=_("quarter of"), required=False, input_formats=["%Y-%m-%d", "%Y-%m"], widget=DateInput
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)


class SurveyAnswerForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the course? (1 = not at all, 5 = very)"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    nps = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend? (0–10)"),
        choices=[(i, str(i)) for i in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ActionItemMarkForm(forms.Form):
    done = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1"
    )

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import Contract
from salescrm.forms import BusinessDateField, BusinessMonthField
from salescrm.models import ProductLine, Team, User
from salescrm.roles import Role
from salescrm.scoping import managed_team_ids
from salescrm.submissions import OneTimeSubmitForm

from .experiments import FUNNEL
from .models import Course, OnboardingPlan, OnboardingTemplate, Script, ScriptStage

TEXT = {"max_length": 5000}


class LibraryFilter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages"))] + ScriptStage.choices
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + Script.Kind.choices
    )
    product_line = forms.ModelChoiceField(
        label=_("Product line"), required=False, queryset=ProductLine.objects.filter(is_active=True)
    )


class VersionTextForm(OneTimeSubmitForm):
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The script, tool, answer to the objection, or the story."),
        **TEXT,
    )
    objection = forms.CharField(
        label=_("Objection (objection cards)"), required=False, max_length=300
    )
    evidence = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}), **TEXT
    )
    customer = forms.CharField(label=_("Customer (case studies)"), required=False, max_length=120)
    problem = forms.CharField(
        label=_("Problem"), required=False, widget=forms.Textarea(attrs={"rows": 2}), **TEXT
    )
    solution = forms.CharField(
        label=_("Solution"), required=False, widget=forms.Textarea(attrs={"rows": 2}), **TEXT
    )
    result = forms.CharField(
        label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 2}), **TEXT
    )
    contract = forms.ModelChoiceField(
        label=_("Won contract (case studies)"),
        required=False,
        queryset=Contract.objects.none(),
        help_text=_("One of your signed contracts the case is about."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = (
            Contract.objects.visible_to(user)
            .filter(status__in=Contract.SIGNED_STATES)
            .select_related("customer")
            .order_by("-signed_on")
        )


class ScriptForm(VersionTextForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Script.Kind.choices)
    title = forms.CharField(label=pgettext_lazy("script", "Title"), max_length=120)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Every stage"))] + ScriptStage.choices
    )
    product_line = forms.ModelChoiceField(
        label=_("Product line"),
        required=False,
        queryset=ProductLine.objects.filter(is_active=True),
        empty_label=_("Every product line"),
    )
    field_order = ["kind", "title", "stage", "product_line", "body"]


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve and publish")), ("0", _("Reject"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class MonthForm(forms.Form):
    month = BusinessMonthField(label=_("Month"), required=False)


class ScriptChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.get_stage_display() or '—'})"


STAGE_CHOICES = [(stage.value, stage.label) for stage in FUNNEL]


class ExperimentForm(OneTimeSubmitForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    script_a = ScriptChoice(label=_("Script A (old)"), queryset=Script.objects.none())
    script_b = ScriptChoice(label=_("Script B (new)"), queryset=Script.objects.none())
    from_stage = forms.ChoiceField(label=_("From stage"), choices=STAGE_CHOICES[:-1])
    to_stage = forms.ChoiceField(label=_("To stage"), choices=STAGE_CHOICES[1:])
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    starts_on = BusinessDateField(label=_("Starts on"))
    ends_on = BusinessDateField(label=_("Ends on"), required=False)
    min_sample = forms.IntegerField(
        label=_("Minimum leads per arm"), required=False, min_value=1, max_value=1_000_000
    )
    alpha = forms.DecimalField(
        label=_("Significance level"),
        initial=Decimal("0.05"),
        min_value=Decimal("0.001"),
        max_value=Decimal("0.2"),
        decimal_places=3,
        max_digits=4,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        published = Script.objects.published().order_by("stage", "title")
        self.fields["script_a"].queryset = published
        self.fields["script_b"].queryset = published
        teams = Team.objects.filter(is_active=True)
        if not user.sees_all:
            teams = teams.filter(pk__in=managed_team_ids(user))
            self.fields["team"].required = True
        self.fields["team"].queryset = teams
        self.fields["team"].empty_label = _("Every team")

    def clean(self):
        data = super().clean()
        if data.get("script_a") and data.get("script_a") == data.get("script_b"):
            self.add_error("script_b", _("Scripts A and B must differ."))
        if data.get("from_stage") and data.get("to_stage"):
            stages = [s.value for s in FUNNEL]
            if stages.index(data["to_stage"]) <= stages.index(data["from_stage"]):
                self.add_error(
                    "to_stage", _("The target stage must come after the starting stage.")
                )
        if not data.get("ends_on") and not data.get("min_sample"):
            self.add_error(None, _("Give an end date or a minimum sample."))
        if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end must not be before the start."))
        return data


def _reps_of(user):
    return User.objects.visible_to(user).filter(role=Role.REP, is_active=True).order_by("username")


class OnboardingForm(OneTimeSubmitForm):
    rep = forms.ModelChoiceField(label=_("New rep"), queryset=User.objects.none())
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=OnboardingTemplate.objects.all()
    )
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=User.objects.none(), required=False)
    hire_date = BusinessDateField(
        label=_("Hire date"), required=False, help_text=_("Empty: the rep's hire date.")
    )
    ramp_activities_per_month = forms.IntegerField(
        label=_("Ramp target: follow-ups per month"), min_value=0, max_value=10_000, initial=40
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = _reps_of(user).filter(onboarding_plan__isnull=True)
        self.fields["mentor"].queryset = User.objects.filter(
            is_active=True, role__in=[Role.REP, Role.MANAGER]
        ).order_by("username")


class ProbationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Probation decision"),
        choices=[c for c in OnboardingPlan.Decision.choices if c[0]],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SessionForm(OneTimeSubmitForm):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.all())
    held_on = BusinessDateField(label=_("Held on"))
    trainer = forms.CharField(label=_("Trainer"), required=False, max_length=120)
    location = forms.CharField(label=_("Location"), required=False, max_length=120)


class AttendanceForm(forms.Form):
    rep = forms.ModelChoiceField(label=_("Rep"), queryset=User.objects.none())
    attended = forms.BooleanField(label=_("Attended"), required=False, initial=True)
    score = forms.IntegerField(
        label=pgettext_lazy("assessment", "Score"), required=False, min_value=0, max_value=100
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = _reps_of(user)


class PlanItemForm(forms.Form):
    rep = forms.ModelChoiceField(label=_("Rep"), queryset=User.objects.none())
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.all())
    due_on = BusinessDateField(label=_("Due on"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = _reps_of(user)


class PromotionDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Decline"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)


class PromotionOpenForm(forms.Form):
    rep = forms.ModelChoiceField(label=_("Rep"), queryset=User.objects.filter(role=Role.REP))

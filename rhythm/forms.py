from django import forms
from django.utils.translation import gettext_lazy as _

from salescrm.forms import BusinessDateField, BusinessMonthField, DateTimeInput
from salescrm.models import Team, User
from salescrm.roles import Role
from salescrm.scoping import managed_team_ids
from salescrm.timeutil import validate_business_date

from .models import AttendanceDay, Meeting, MeetingAttendee, Report


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Report.Kind.choices, widget=forms.HiddenInput)
    period_start = BusinessDateField(label=_("day or week"), widget=forms.HiddenInput)
    wins = forms.CharField(
        label=_("wins"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    problems = forms.CharField(
        label=_("problems"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    help_needed = forms.CharField(
        label=_("help needed"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    plan = forms.CharField(
        label=_("plan for the next day or week"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportFilterForm(forms.Form):
    day = BusinessDateField(label=_("day"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=Report.Kind.choices, required=False)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttendanceRecordForm(forms.Form):
    person = forms.ModelChoiceField(label=_("person"), queryset=User.objects.none())
    day = BusinessDateField(label=_("day"))
    kind = forms.ChoiceField(label=_("kind"), choices=AttendanceDay.Kind.choices)
    reason = forms.CharField(label=_("reason"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            User.objects.visible_to(user)
            .active()
            .filter(role__in=(Role.REP, Role.MANAGER, Role.DIRECTOR))
            .exclude(pk=user.pk)
        )


class MonthFilterForm(forms.Form):
    month = BusinessMonthField(label=_("month"), required=False)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    starts_at = forms.DateTimeField(
        label=_("starts at"),
        widget=DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[validate_business_date],
    )
    team = forms.ModelChoiceField(
        label=_("team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Whole company"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(is_active=True)
        if not user.sees_all:
            teams = teams.filter(pk__in=managed_team_ids(user))
            self.fields["team"].required = True
            self.fields["team"].empty_label = None
        self.fields["team"].queryset = teams


class MeetingNotesForm(forms.Form):
    agenda = forms.CharField(
        label=_("agenda"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    minutes = forms.CharField(
        label=_("minutes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ActionItemForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("owner"), queryset=User.objects.none())
    description = forms.CharField(label=_("action"), max_length=300)
    due_on = BusinessDateField(label=_("due on"))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(meeting_attendance__meeting=meeting)


ATTENDANCE_STATUSES = [
    (value, label)
    for value, label in MeetingAttendee.Status.choices
    if value != MeetingAttendee.Status.INVITED
]

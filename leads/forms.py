import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from customfields import values as custom_values
from salescrm.bounds import MAX_ID
from salescrm.extensions import extension_fields
from salescrm.forms import DateInput, DateTimeInput, PhoneInput
from salescrm.models import ProductLine, Team, User
from salescrm.roles import Role
from salescrm.scoping import managed_team_ids
from salescrm.submissions import OneTimeSubmitForm
from salescrm.timeutil import local_today, monday_of

from .models import (
    Activity,
    ActivityPlan,
    Campaign,
    Channel,
    CoachingComment,
    Lead,
    LostReason,
    Territory,
)
from .normalise import normalise_email, normalise_phone
from .services import find_duplicate

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def duplicate_error(existing: Lead, user) -> ValidationError:
    """The refusal of a phone number or e-mail that another lead holds. A user who may open
    that lead gets a link to it; anyone else learns only that the number is known and whom to
    ask, never the lead's name, or a phone number could be turned into a person's name."""
    if Lead.objects.accessible_to(user).filter(pk=existing.pk).exists():
        message = format_html(
            '{} <a href="{}" class="alert-link">{}</a>',
            _("A lead with this phone number or e-mail already exists:"),
            reverse("leads:detail", args=[existing.pk]),
            existing,
        )
    elif existing.team_id:
        team = Team.objects.select_related("manager").get(pk=existing.team_id)
        message = _(
            "This phone number or e-mail is already known: a lead of team %(team)s holds it. "
            "Ask %(manager)s, the team's manager, before going further."
        ) % {"team": team.name, "manager": team.manager or _("the sales director")}
    else:
        message = _(
            "This phone number or e-mail is already known: a lead outside your team holds it. "
            "Ask the sales director before going further."
        )
    return ValidationError(message, code="duplicate")


def territory_sort_key(territory: Territory) -> tuple:
    """Provinces in name order, each followed by its cities, each by its districts."""
    names, node = [], territory
    while node is not None:
        names.append(node.name)
        node = node.parent
    return tuple(reversed(names))


class _TerritoryTree(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for territory in sorted(self.queryset, key=territory_sort_key):
            yield self.choice(territory)


class TerritoryChoiceField(forms.ModelChoiceField):
    """A territory as a plain select (the phone's own picker), in tree order, each option its
    path ("浙江省 › 杭州 › 西湖区"); one query."""

    iterator = _TerritoryTree

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Territory"))
        kwargs.setdefault("required", False)
        super().__init__(queryset=Territory.objects.select_related("parent__parent"), **kwargs)
        self.widget.attrs.setdefault("class", "form-select")

    def label_from_instance(self, obj):
        return obj.path


class LeadForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = Lead
        fields = [
            "name",
            "company",
            "phone",
            "email",
            "wechat",
            "channel",
            "campaign",
            "product_line",
            "budget",
            "region",
            "territory",
            "needs",
            "decision_maker_reached",
            "is_urgent",
            "payer_name",
            "payer_phone",
            "payer_relation",
        ]
        widgets = {
            "needs": forms.Textarea(attrs={"rows": 3}),
            "phone": PhoneInput(),
            "payer_phone": PhoneInput(),
            "budget": forms.NumberInput(attrs={"inputmode": "decimal"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # who is told about a duplicate, and how much
        self.fields["channel"].queryset = Channel.objects.filter(is_active=True)
        self.fields["campaign"].queryset = Campaign.objects.select_related("channel")
        self.fields["product_line"].queryset = ProductLine.objects.filter(is_active=True)
        self.fields["territory"] = TerritoryChoiceField()
        # the administrator's custom fields for leads (customfields app), after the built-in
        self.custom_names = custom_values.add_form_fields(
            self, "lead", self.instance if self.instance.pk else None
        )

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])

    def clean_payer_phone(self):
        return normalise_phone(self.cleaned_data["payer_phone"])

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        data = super().clean()
        phone, email = data.get("phone", ""), data.get("email", "")
        if not (phone or email or data.get("wechat")) and not self.errors:
            raise ValidationError(_("Give at least a phone number, an e-mail or a WeChat ID."))
        existing = find_duplicate(phone=phone, email=email, exclude_pk=self.instance.pk)
        if existing:
            raise duplicate_error(existing, self.user)
        campaign = data.get("campaign")
        if campaign and data.get("channel") and campaign.channel_id != data["channel"].pk:
            self.add_error("campaign", _("This campaign belongs to another channel."))
        data["custom"] = custom_values.from_form(data, self.custom_names)
        return data


class CaptureForm(forms.Form):
    """The public web-to-lead form. `website` is a honeypot: hidden from people, filled in
    by bots."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=40, required=False, widget=PhoneInput()
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    company = forms.CharField(label=_("Company or school"), max_length=200, required=False)
    region = forms.CharField(label=_("City"), max_length=64, required=False)
    territory = TerritoryChoiceField(label=_("Where are you?"))
    product_line = forms.ModelChoiceField(
        label=_("Interested in"),
        queryset=ProductLine.objects.filter(is_active=True),
        required=False,
    )
    message = forms.CharField(
        label=_("What would you like to learn?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Please tell us your name."))
        return name

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("phone") or data.get("email")):
            raise ValidationError(_("Please give a mobile phone number or an e-mail address."))
        return data

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class ActivityForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "occurred_at", "outcome", "feedback", "next_step", "next_follow_up_on"]
        widgets = {
            "occurred_at": DateTimeInput(),
            "next_follow_up_on": DateInput(),
            "feedback": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            choice for choice in Activity.Kind.choices if choice[0] != Activity.Kind.RE_ENQUIRY
        ]
        # Fields other apps add to a lead's follow-up (salescrm.extensions), e.g. the script
        # used; the service hands their values back to those apps.
        extra = extension_fields(user, lead) if lead is not None else {}
        self.fields.update(extra)
        self.extension_names = list(extra)
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError(_("A follow-up cannot happen in the future."))
        return value

    def clean_next_follow_up_on(self):
        value = self.cleaned_data["next_follow_up_on"]
        if value and value < local_today():
            raise ValidationError(_("The next follow-up must be today or later."))
        return value

    @property
    def extension_inputs(self):
        return [self[name] for name in self.extension_names]

    def split_extensions(self) -> tuple[dict, dict]:
        """(the follow-up's own fields, the extensions' fields) of the cleaned data."""
        data = dict(self.cleaned_data)
        extras = {name: data.pop(name) for name in self.extension_names if name in data}
        return data, extras


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to stage"), choices=Lead.Stage.choices)
    lost_reason = forms.ModelChoiceField(
        label=_("Lost reason"), queryset=LostReason.objects.filter(is_active=True), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("to_stage") == Lead.Stage.LOST and not data.get("lost_reason"):
            self.add_error("lost_reason", _("Choose why the lead was lost."))
        return data


class AssignForm(forms.Form):
    to_owner = forms.ModelChoiceField(
        label=_("New owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— team pool —"),
    )

    def __init__(self, *args, manager: User, **kwargs):
        super().__init__(*args, **kwargs)
        members = User.objects.filter(is_active=True, role__in=[Role.REP, Role.MANAGER])
        if not manager.sees_all:
            members = members.filter(team_id__in=managed_team_ids(manager))
        self.fields["to_owner"].queryset = members.order_by("username")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "Columns: name, phone, email, company, WeChat, channel, region, budget, "
            "notes (Chinese or English headers)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."))
        return upload


class ActivityPlanForm(forms.ModelForm):
    class Meta:
        model = ActivityPlan
        fields = ["week_start", "calls", "visits", "new_leads", "trial_lessons"]
        widgets = {"week_start": DateInput()}

    def __init__(self, *args, rep: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.rep = rep
        if not self.instance.pk:
            self.fields["week_start"].initial = monday_of(local_today())

    def clean_week_start(self):
        value = self.cleaned_data["week_start"]
        if value.weekday() != 0:
            raise ValidationError(_("A week starts on a Monday."))
        taken = ActivityPlan.objects.filter(rep=self.rep, week_start=value)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("You already have a plan for this week."))
        return value


class CoachingCommentForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = CoachingComment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 2})}


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(
        label=_("Number of the duplicate lead"),
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Its follow-ups and history move to this lead; then it is deleted."),
    )

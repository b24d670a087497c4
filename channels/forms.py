from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from leads.models import Campaign
from leads.normalise import normalise_email, normalise_phone
from salescrm.bounds import MAX_AMOUNT
from salescrm.forms import BusinessDateField, DateTimeInput
from salescrm.models import ProductLine
from salescrm.timeutil import EARLIEST_BUSINESS_DATE, latest_business_date

from .models import Event, JointOffer, Partner, PartnerContact, PartnerReview
from .selectors import open_campaigns


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "manager", "plan", "since", "phone", "terms"]
        widgets = {"since": BusinessDateField.widget}
        field_classes = {"since": BusinessDateField}


class PartnerContactForm(forms.ModelForm):
    class Meta:
        model = PartnerContact
        fields = ["name", "title", "phone", "email"]


class CreditLeadForm(forms.Form):
    phone = forms.CharField(label=_("Lead's mobile phone"), max_length=40)

    def clean_phone(self):
        try:
            phone = normalise_phone(self.cleaned_data["phone"])
        except ValidationError:
            raise
        if not phone:
            raise ValidationError(_("Enter the lead's mobile phone."))
        return phone


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=PartnerReview.Decision.choices)
    comment = forms.CharField(
        label=_("comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class _PersonForm(forms.Form):
    """A person's details typed on a public page: a name, and a phone or an e-mail."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(label=_("Mobile phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    company = forms.CharField(label=_("Company or school"), max_length=200, required=False)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name or "\x00" in name:
            raise ValidationError(_("Please tell us your name."))
        return name

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean_company(self):
        return self.cleaned_data["company"].replace("\x00", "").strip()

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("phone") or data.get("email")):
            raise ValidationError(_("Leave a mobile phone or an e-mail so that we can reach you."))
        return data


class RegistrationForm(_PersonForm):
    """The public event registration. `website` is a honeypot: hidden from people."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class PortalLeadForm(_PersonForm):
    name = forms.CharField(label=_("name"), max_length=100)
    note = forms.CharField(
        label=_("needs"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_note(self):
        return self.cleaned_data["note"].replace("\x00", "")


class EventForm(forms.ModelForm):
    link = forms.URLField(label=_("online link"), required=False, assume_scheme="https")

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "starts_at",
            "place",
            "link",
            "capacity",
            "speaker",
            "cost",
            "campaign",
            "channel",
        ]
        widgets = {"starts_at": DateTimeInput}

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        if value and not (EARLIEST_BUSINESS_DATE <= value.date() <= latest_business_date()):
            raise ValidationError(_("Choose a date between 2000 and ten years from now."))
        return value


class CheckInSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or phone"), max_length=40, required=False)


class CampaignGoalForm(forms.Form):
    goal_leads = forms.IntegerField(label=_("goal: leads"), min_value=0, max_value=1_000_000)
    goal_attendees = forms.IntegerField(
        label=_("goal: attendees"), min_value=0, max_value=1_000_000
    )
    goal_signed_amount = forms.DecimalField(
        label=_("goal: signed amount"), min_value=0, max_value=MAX_AMOUNT, decimal_places=2
    )
    budget = forms.DecimalField(
        label=_("budget"), min_value=0, max_value=MAX_AMOUNT, decimal_places=2
    )


class CampaignCostForm(forms.Form):
    spent_on = BusinessDateField(label=_("date"))
    description = forms.CharField(label=_("what"), max_length=200)
    amount = forms.DecimalField(
        label=_("amount"), min_value=Decimal("0.01"), max_value=MAX_AMOUNT, decimal_places=2
    )

    def clean_description(self):
        text = self.cleaned_data["description"].replace("\x00", "").strip()
        if not text:
            raise ValidationError(_("Say what the money was spent on."))
        return text


class RetireForm(forms.Form):
    comment = forms.CharField(label=_("why retired"), max_length=300)


class CampaignChoiceForm(forms.Form):
    """The campaign a list's ticked rows go to (only one that still takes members)."""

    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = open_campaigns()


class PaidForm(forms.Form):
    paid_on = BusinessDateField(label=_("paid on"))


class JointOfferForm(forms.ModelForm):
    """A joint offer's terms; the partner is the page's. The rules (partner company, dates,
    discount within the price, one kind of term filled in) are ``JointOffer.problems``."""

    class Meta:
        model = JointOffer
        fields = [
            "title",
            "kind",
            "discount_amount",
            "discount_percent",
            "bundled_service",
            "terms",
            "valid_from",
            "valid_until",
            "product_lines",
            "status",
        ]
        widgets = {
            "valid_from": BusinessDateField.widget,
            "valid_until": BusinessDateField.widget,
            "product_lines": forms.CheckboxSelectMultiple,
            "terms": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"valid_from": BusinessDateField, "valid_until": BusinessDateField}

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partner = partner
        self.fields["product_lines"].queryset = ProductLine.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if not self.errors:
            terms = {name: data.get(name) for name in self.Meta.fields if name != "product_lines"}
            candidate = JointOffer(pk=self.instance.pk, partner=self.instance.partner, **terms)
            for problem in candidate.problems(list(data.get("product_lines") or [])):
                self.add_error(None, problem)
        return data


class ChooseOfferForm(forms.Form):
    offer = forms.ModelChoiceField(
        label=_("joint offer"), queryset=JointOffer.objects.none(), empty_label=None
    )

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers


class OfferClaimForm(RegistrationForm):
    """The public page of a joint offer: the person's details; `website` is a honeypot."""

"""Forms of the customers app. Model forms name their fields; a view passes cleaned data to
one service, so a field that is not on the form never reaches the database."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from customfields import values as custom_values
from leads.forms import TerritoryChoiceField
from leads.models import Activity, Channel, Lead
from salescrm.bounds import MAX_AMOUNT, MAX_QUANTITY
from salescrm.forms import BusinessDateField, DateInput, DateTimeInput, PhoneInput
from salescrm.models import ProductLine, User
from salescrm.roles import Role
from salescrm.submissions import OneTimeSubmitForm
from salescrm.timeutil import validate_business_date

from .models import (
    Complaint,
    Contact,
    Contract,
    Customer,
    DunningRecord,
    LessonDelivery,
    Payment,
    Product,
    Refund,
    SatisfactionSurvey,
    Tier,
)

DATE = DateInput()


class CustomerFilterForm(forms.Form):
    """The customer list's query string; a bad value (a NUL byte, an unknown tier) is ignored
    rather than sent to the database."""

    q = forms.CharField(max_length=100, required=False)
    tier = forms.ChoiceField(choices=[("", "")] + list(Tier.choices), required=False)


class CustomerCreateForm(OneTimeSubmitForm):
    kind = forms.ChoiceField(label=_("kind"), choices=Customer.Kind.choices)
    name = forms.CharField(
        label=_("customer name"), max_length=200, help_text=_("The person, or the company.")
    )
    contact_name = forms.CharField(label=_("contact person"), max_length=100, required=False)
    phone = forms.CharField(label=_("phone"), max_length=32, required=False, widget=PhoneInput())
    email = forms.EmailField(label=_("email"), required=False)
    channel = forms.ModelChoiceField(label=_("channel"), queryset=None)
    product_line = forms.ModelChoiceField(
        label=_("product line"), queryset=ProductLine.objects.filter(is_active=True), required=False
    )
    payer_name = forms.CharField(label=_("payer / decision maker"), max_length=100, required=False)
    payer_phone = forms.CharField(
        label=_("payer phone"), max_length=32, required=False, widget=PhoneInput()
    )
    territory = TerritoryChoiceField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(is_active=True)
        # the administrator's custom fields for customers (customfields app)
        self.custom_names = custom_values.add_form_fields(self, "customer")

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Give a phone number or an e-mail address."))
        data["custom"] = custom_values.form_input(data, self.custom_names)
        return data


class CustomValuesForm(forms.Form):
    """The custom fields of one customer or contract, alone (the customer page's "Edit
    fields"): the service validates and stores them."""

    def __init__(self, *args, target: str, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.custom_names = custom_values.add_form_fields(self, target, record)

    def clean(self):
        data = super().clean()
        return {"custom": custom_values.form_input(data, self.custom_names)}


class ContactForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "is_payer"]
        widgets = {"phone": PhoneInput()}


class ReferralForm(OneTimeSubmitForm):
    lead = forms.ModelChoiceField(label=_("referred lead"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = (
            Lead.objects.visible_to(user)
            .filter(channel__code="referral", referral__isnull=True)
            .order_by("-created_at")
        )


class ContractTermsForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "starts_on",
            "ends_on",
            "training_content",
            "schedule",
            "payment_method",
            "invoice_needed",
            "invoice_title",
            "non_standard_terms",
            "special_terms",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "training_content": forms.Textarea(attrs={"rows": 3}),
            "schedule": forms.Textarea(attrs={"rows": 2}),
            "special_terms": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the administrator's custom fields for contracts (customfields app): terms too
        self.custom_names = custom_values.add_form_fields(
            self, "contract", self.instance if self.instance.pk else None
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The course cannot end before it starts."))
        data["custom"] = custom_values.form_input(data, self.custom_names)
        return data


class ContractLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("product"),
        queryset=Product.objects.filter(is_active=True).select_related("product_line"),
    )
    quantity = forms.IntegerField(
        label=_("quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )
    discount_rate = forms.DecimalField(
        label=_("discount rate"),
        min_value=0,
        max_value=1,
        decimal_places=4,
        initial=0,
        help_text=_("0.15 means 15 percent off the list price."),
    )


class InstalmentForm(forms.Form):
    due_on = BusinessDateField(label=_("due on"))
    amount = forms.DecimalField(
        label=_("amount"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        required=False,
        help_text=_("Leave empty to share the rest of the total evenly."),
    )


class BaseRowsFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


# A real contract has a handful of lines and at most a few years of monthly instalments; the
# caps also bound a forged TOTAL_FORMS, which Django would otherwise build up to 2,000 forms for.
MAX_LINES = 30
MAX_INSTALMENTS = 60

ContractLineFormSet = forms.formset_factory(
    ContractLineForm,
    formset=BaseRowsFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)
InstalmentFormSet = forms.formset_factory(
    InstalmentForm,
    formset=BaseRowsFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_INSTALMENTS,
    absolute_max=MAX_INSTALMENTS,
    validate_max=True,
)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    comment = forms.CharField(
        label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    on_behalf_of = forms.ModelChoiceField(
        label=_("as deputy of"), queryset=User.objects.all(), required=False
    )
    # Set by the confirmation page: the decision applies only to the contract it named.
    contract_number = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)


class SignForm(forms.Form):
    signed_on = BusinessDateField(label=_("signed on"))


class HandOffForm(forms.Form):
    service_user = forms.ModelChoiceField(
        label=_("after-sales contact"),
        queryset=User.objects.filter(role=Role.SERVICE, is_active=True),
    )


class DeputyForm(forms.Form):
    deputy = forms.ModelChoiceField(label=_("deputy"), queryset=User.objects.none())
    starts_on = BusinessDateField(label=_("first day away"))
    ends_on = BusinessDateField(label=_("last day away"))

    def __init__(self, *args, reviewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = User.objects.filter(
            role=reviewer.role, is_active=True
        ).exclude(pk=reviewer.pk)


class PaymentForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["amount", "received_on", "method", "reference"]
        widgets = {"received_on": DATE}


class DunningForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = DunningRecord
        fields = ["kind", "occurred_on", "note", "next_action_on"]
        widgets = {
            "occurred_on": DATE,
            "next_action_on": DATE,
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class LessonDeliveryForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = LessonDelivery
        fields = ["lessons", "delivered_on", "note"]
        widgets = {"delivered_on": DATE}


class RefundForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = Refund
        fields = ["amount", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class RefundDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("confirm", _("Confirm")), ("reject", _("Reject"))]
    )
    comment = forms.CharField(label=_("comment"), required=False)


class ComplaintForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["contract", "severity", "category", "subject", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = customer.contracts.all()


class ComplaintRouteForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["category", "cause", "department", "department_due_on"]
        widgets = {"department_due_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = True

    def validate_unique(self):  # the form routes an existing row through a service
        pass


class ComplaintTextForm(forms.Form):
    text = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 3}))


class SurveyForm(OneTimeSubmitForm, forms.ModelForm):
    class Meta:
        model = SatisfactionSurvey
        fields = ["contract", "score", "nps", "answered_on", "comment"]
        widgets = {"answered_on": DATE, "comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = customer.contracts.all()
        self.fields["score"].widget = forms.NumberInput(attrs={"min": 1, "max": 5})
        self.fields["nps"].widget = forms.NumberInput(attrs={"min": 0, "max": 10})

    def clean_score(self):
        score = self.cleaned_data["score"]
        if not 1 <= score <= 5:
            raise forms.ValidationError(_("Satisfaction lies between 1 and 5."))
        return score

    def clean_nps(self):
        nps = self.cleaned_data["nps"]
        if not 0 <= nps <= 10:
            raise forms.ValidationError(_("NPS lies between 0 and 10."))
        return nps


class TierOverrideForm(forms.Form):
    tier = forms.ChoiceField(
        label=_("tier override"),
        choices=[("", _("— remove the override —"))] + list(Tier.choices),
        required=False,
    )
    reason = forms.CharField(label=_("reason"), max_length=300)


class ActivityForm(OneTimeSubmitForm):
    kind = forms.ChoiceField(label=_("kind"), choices=())
    occurred_at = forms.DateTimeField(
        label=_("when"),
        required=False,
        widget=DateTimeInput(),
        validators=[validate_business_date],
    )
    outcome = forms.CharField(label=_("outcome"), max_length=200, required=False)
    feedback = forms.CharField(
        label=_("customer feedback and needs"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    next_step = forms.CharField(label=_("next step"), max_length=200, required=False)
    next_follow_up_on = BusinessDateField(label=_("next follow-up on"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Activity.Kind.choices

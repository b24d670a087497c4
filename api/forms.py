from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salescrm.forms import DateInput
from salescrm.timeutil import validate_business_date

from .models import ApiToken, WebhookEndpoint, WebhookEvent


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(
        label=_("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DateInput(),
        validators=[validate_business_date],
        help_text=_("Empty: until revoked. At most one year ahead."),
    )


class WebhookEndpointForm(forms.ModelForm):
    """Admin's form: an https:// address and the events, chosen from the list."""

    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=pgettext_lazy("webhook", "Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "is_active", "secret"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.lower().startswith("https://") and not getattr(
            settings, "WEBHOOK_ALLOW_HTTP", False
        ):
            raise forms.ValidationError(_("A webhook address must start with https://."))
        return url

    def save(self, commit=True):
        endpoint = super().save(commit=False)
        if endpoint.is_active and endpoint.disabled_at:
            # Switched back on by an administrator: count failures afresh.
            endpoint.disabled_at = None
            endpoint.consecutive_failures = 0
        if commit:
            endpoint.save()
        return endpoint

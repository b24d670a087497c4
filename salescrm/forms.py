from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import User


class ProfileForm(forms.ModelForm):
    """What a user may change about themselves: never role, team or flags."""

    language = forms.ChoiceField(
        label=_("language"),
        choices=[("", _("Follow the browser"))] + list(settings.LANGUAGES),
        required=False,
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "language"]

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .bounds import MAX_ID
from .models import User
from .timeutil import EARLIEST_BUSINESS_DATE, latest_business_date, validate_business_date

# --- inputs that speak the browser's machine formats ----------------------------------------
# <input type="date"> and "month" only accept ISO values; Django would localise the value
# (2026/12/22 in Chinese), which the browser drops, leaving the field blank. These widgets
# always write ISO, and offer only the accepted range of business dates.


class _RangedInput(forms.DateInput):
    iso_format = "%Y-%m-%d"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=self.iso_format)

    def get_context(self, name, value, attrs):
        bounds = {
            "min": EARLIEST_BUSINESS_DATE.strftime(self.iso_format),
            "max": latest_business_date().strftime(self.iso_format),
        }
        return super().get_context(name, value, {**bounds, **(attrs or {})})


class DateInput(_RangedInput):
    input_type = "date"


class MonthInput(_RangedInput):
    input_type = "month"
    iso_format = "%Y-%m"


class PhoneInput(forms.TextInput):
    """A phone number field: the phone's number keypad (type=tel), autofill of the number."""

    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "tel", "autocomplete": "tel", **(attrs or {})})


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class BusinessDateField(forms.DateField):
    """A date typed by a user: ISO input whatever the language, within the business range."""

    widget = DateInput
    default_validators = [validate_business_date]


class BusinessMonthField(forms.DateField):
    """A month (its first day) chosen in a month picker or a query string."""

    widget = MonthInput
    default_validators = [validate_business_date]

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m", "%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class ProfileForm(forms.ModelForm):
    """What a user may change about themselves: never role, team or flags."""

    language = forms.ChoiceField(
        label=_("language"),
        choices=[("", _("Follow the browser"))] + list(settings.LANGUAGES),
        required=False,
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "language", "email_alerts"]


class SelectedIdsForm(forms.Form):
    """The ticked rows of a list's bulk form (leads, customers, adding them to a campaign): ids
    that are whole numbers within MAX_ID, at most MAX_SELECTED of them. Anything else posted
    refuses the whole form with a sentence saying what to do, so a list is never half used. A
    subclass adds its actions and says what was not ticked (``nothing_ticked``)."""

    MAX_SELECTED = 200
    nothing_ticked = _("Tick at least one row.")

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        valid = [v for v in raw if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID]
        field = self.fields["ids"]
        field.choices = [(v, v) for v in valid[: self.MAX_SELECTED]]
        # The field's own sentences ("This field is required.", "Select a valid choice. …")
        # say nothing to someone who ticked rows in a list.
        field.error_messages["required"] = self.nothing_ticked
        field.error_messages["invalid_choice"] = (
            _("Tick at most %(count)d rows at once.") % {"count": self.MAX_SELECTED}
            if len(valid) > self.MAX_SELECTED
            else _("The ticked rows could not be read; reload the list and tick them again.")
        )

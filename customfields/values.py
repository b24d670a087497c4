"""Custom field values: form fields for them, and their validation (the same for the page, the
API and the import), stored as JSON: text and choices as strings, numbers as decimal strings,
dates ISO, yes/no as booleans."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from salescrm.bounds import MAX_AMOUNT
from salescrm.forms import DateInput
from salescrm.timeutil import validate_business_date

from .models import CustomField

PREFIX = "cf_"
MAX_TEXT = 500


def fields_for(target: str, product_line_id=None) -> list[CustomField]:
    return list(CustomField.objects.for_target(target, product_line_id).select_related(None))


def form_field(field: CustomField) -> forms.Field:
    common = {"label": str(field), "required": field.required}
    if field.kind == CustomField.Kind.NUMBER:
        return forms.DecimalField(
            max_digits=14, decimal_places=2, min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, **common
        )
    if field.kind == CustomField.Kind.DATE:
        return forms.DateField(widget=DateInput(), validators=[validate_business_date], **common)
    if field.kind == CustomField.Kind.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(o, o) for o in field.options], **common)
    if field.kind == CustomField.Kind.YES_NO:
        return forms.NullBooleanField(
            widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
            label=str(field),
            required=False,
        )
    return forms.CharField(max_length=MAX_TEXT, **common)


def add_form_fields(form, target: str, record=None) -> list[str]:
    """Add the target's custom fields to a Django form (initial values from the record)."""
    names = []
    stored = (getattr(record, "custom", None) or {}) if record is not None else {}
    for field in fields_for(target, getattr(record, "product_line_id", None) if record else None):
        name = PREFIX + field.key
        form.fields[name] = form_field(field)
        if field.key in stored:
            form.fields[name].initial = stored[field.key]
        names.append(name)
    return names


def to_json(field: CustomField, value):
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def from_form(cleaned: dict, names: list[str]) -> dict:
    """The custom values of a form's cleaned data (popped from it), as stored."""
    fields = {
        f.key: f for f in CustomField.objects.filter(key__in=[n[len(PREFIX) :] for n in names])
    }
    values = {}
    for name in names:
        value = cleaned.pop(name, None)
        key = name[len(PREFIX) :]
        converted = to_json(fields.get(key), value)
        if converted is not None:
            values[key] = converted
    return values


def form_input(cleaned: dict, names: list[str]) -> dict:
    """A form's custom values (popped from its cleaned data) by key, None for an emptied one,
    for a service that validates them with `clean` (an emptied value is removed)."""
    return {name[len(PREFIX) :]: cleaned.pop(name, None) for name in names}


def clean(
    target: str,
    data,
    *,
    product_line_id=None,
    partial_base: dict | None = None,
    partial=False,
    definitions: list[CustomField] | None = None,
) -> dict:
    """Validate raw values (API, import): unknown keys, wrong types, missing required fields
    are errors naming the key. Returns the values to store."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError({"custom": [_("Custom fields are an object of key: value.")]})
    if definitions is None:
        definitions = fields_for(target, product_line_id)
    fields = {f.key: f for f in definitions}
    errors, values = {}, dict(partial_base or {})
    for key, raw in data.items():
        field = fields.get(key)
        if field is None:
            errors[key] = [_("Unknown custom field.")]
            continue
        try:
            value = _convert(field, raw)
        except ValidationError as exc:
            errors[key] = exc.messages
            continue
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    for key, field in fields.items():
        if partial:
            break
        if field.required and values.get(key) in (None, "") and key not in errors:
            errors[key] = [_("This field is required.")]
    if errors:
        raise ValidationError({"custom": [f"{k}: {' '.join(v)}" for k, v in errors.items()]})
    return values


def _convert(field: CustomField, raw):
    if raw is None or raw == "":
        return None
    if field.kind == CustomField.Kind.YES_NO:
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("true", "yes", "1", "是"):
            return True
        if str(raw).lower() in ("false", "no", "0", "否"):
            return False
        raise ValidationError(_("Give yes or no."))
    if isinstance(raw, (dict, list, bool)):
        raise ValidationError(_("Enter a valid value."))
    if isinstance(raw, dt.date):  # from a form's DateField
        raw = raw.isoformat()
    text = str(raw).strip()
    if field.kind == CustomField.Kind.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) > MAX_AMOUNT:
            raise ValidationError(_("An amount can be at most 99,999,999.99."))
        return str(number.quantize(Decimal("0.01")))
    if field.kind == CustomField.Kind.DATE:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
        validate_business_date(day)
        return day.isoformat()
    if field.kind == CustomField.Kind.CHOICE:
        if text not in field.options:
            raise ValidationError(
                _("Choose one of: %(options)s.") % {"options": ", ".join(field.options)}
            )
        return text
    if len(text) > MAX_TEXT or "\x00" in text:
        raise ValidationError(_("At most 500 characters."))
    return text


def import_columns(
    headers: list, taken: set, norm, target: str = "lead"
) -> tuple[list[CustomField], dict]:
    """An import's custom columns: a header equal (after `norm`) to a field's key, label or
    English label, among the columns the built-in headers did not take."""
    definitions = fields_for(target)
    columns = {}
    for index, header in enumerate(headers):
        if index in taken:
            continue
        spelled = norm(header)
        for field in definitions:
            names = {norm(field.key), norm(field.label), norm(field.label_en or field.key)}
            if field.key not in columns and spelled in names:
                columns[field.key] = index
                break
    return definitions, columns


def display(record, target: str) -> list[tuple[str, object]]:
    """(label, value) of the record's custom fields, for its page and exports."""
    stored = getattr(record, "custom", None) or {}
    return [
        (str(field), stored.get(field.key, ""))
        for field in fields_for(target, getattr(record, "product_line_id", None))
    ]


# --- lists: filters, columns and export cells (shared by leads, customers and contracts) ---


def filter_by(queryset, target: str, key: str, value, definitions: list[CustomField]):
    """`queryset` narrowed to the records whose custom value `key` equals `value` (read as the
    field reads it: "yes" finds True, "5" finds "5.00"). One containment test, which the GIN
    index on `custom` answers; a value the field could never hold finds nothing."""
    if value in ("", None) or key not in {f.key for f in definitions}:
        return queryset
    try:
        stored = clean(target, {key: value}, partial=True, definitions=definitions)
    except ValidationError:
        return queryset.none()
    if key not in stored:
        return queryset
    return queryset.filter(custom__contains={key: stored[key]})


def filter_list(queryset, target: str, params, definitions: list[CustomField]):
    """Every cf_<key> filter of a list's query string applied; returns the queryset and the
    filters as the list's form shows them ((field, value) per definition)."""
    shown = []
    for field in definitions:
        value = (params.get(PREFIX + field.key) or "").strip()[:MAX_TEXT]
        if "\x00" in value:
            value = ""
        queryset = filter_by(queryset, target, field.key, value, definitions)
        shown.append((field, value))
    return queryset, shown


def cell(field: CustomField, value):
    """A stored value as an export cell: numbers as Decimal and dates as dates (so that a
    spreadsheet sums and sorts them), yes/no as booleans, text as text, missing empty."""
    if value is None or value == "":
        return ""
    try:
        if field.kind == CustomField.Kind.NUMBER:
            return Decimal(value)
        if field.kind == CustomField.Kind.DATE:
            return dt.date.fromisoformat(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return value


def export_header(definitions: list[CustomField]) -> list[str]:
    return [str(field) for field in definitions]


def export_cells(record, definitions: list[CustomField]) -> list:
    stored = getattr(record, "custom", None) or {}
    return [cell(field, stored.get(field.key)) for field in definitions]

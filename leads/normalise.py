"""Normalised identity of a lead: the phone and e-mail that duplicates are found by."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-().·/]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# Landlines: area code with its trunk 0 (010, 021, 0755 ...) and a 7-8 digit number.
_LANDLINE = re.compile(r"0\d{9,11}")


def normalise_phone(raw: str) -> str:
    """'+86 138-1234-5678', '0086 13812345678', '８６１３８１２３４５６７８' -> '13812345678'.

    Empty input gives ''. Anything that is not a Chinese mobile or landline number raises
    ValidationError."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return ""
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("86"):
            raise ValidationError(_("Only Chinese phone numbers (+86) are accepted."), code="phone")
        digits = digits[2:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    raise ValidationError(
        _("“%(value)s” is not a valid Chinese phone number."),
        code="phone",
        params={"value": raw[:40]},
    )


def normalise_email(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "").strip().lower()
    if not text:
        return ""
    validate_email(text)
    return text

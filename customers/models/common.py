"""Amounts: the money field shape and the sum that reads 0 for no rows."""

from decimal import Decimal

from django.db.models import (
    DecimalField,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
TOO_LARGE = _("An amount can be at most 99,999,999.99.")


def money_sum(expression):
    return Coalesce(Sum(expression), Value(ZERO), output_field=DecimalField(**MONEY))

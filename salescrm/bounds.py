"""The accepted range of every number a user types (README, "Accepted ranges").

Models carry these as validators (so ModelForms and the admin refuse a value with a message),
plain forms as min_value/max_value, and the database as CheckConstraints where a stored value
feeds money arithmetic. Storage keeps max_digits=14 for money: sums over many contracts need the
headroom, a single typed amount does not.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator

# One contract, payment, refund, budget or price: up to ¥99,999,999.99.
MAX_AMOUNT = Decimal("99999999.99")
# A yearly target (company-wide, summed over teams and months): up to ¥9,999,999,999.99.
MAX_TARGET = Decimal("9999999999.99")
# Units of one product on one contract line, and lessons of one product.
MAX_QUANTITY = 10_000
MAX_LESSONS = 10_000
# Day counts (pool clock, reminders, renewal windows, "untouched for" filters): ten years.
MAX_DAYS = 3650
# Planned activities of one rep in one week, and effective visits in one month.
MAX_ACTIVITIES = 1_000
# Weights and shares (targets, KPI schemes, tier policies).
MAX_WEIGHT = Decimal("10000")


def amount_validators(*, positive: bool = False) -> list:
    low = MinValueValidator(Decimal("0.01")) if positive else MinValueValidator(Decimal(0))
    return [low, MaxValueValidator(MAX_AMOUNT)]


# A row id typed or posted by hand (a PostgreSQL bigint).
MAX_ID = 2**63 - 1

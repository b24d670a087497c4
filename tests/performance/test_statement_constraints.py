"""The database refuses a statement whose total is not commission + team bonus, to the cent,
and accepts one that adds up with amounts that are not exact in binary floating point."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from performance.models import CommissionPlan, CommissionStatement

pytestmark = pytest.mark.django_db


def _create(rep, commission, bonus, total):
    plan, _ = CommissionPlan.objects.get_or_create(
        name="v1", defaults={"effective_from": dt.date(2026, 1, 1)}
    )
    return CommissionStatement.objects.create(
        rep=rep,
        month=dt.date(2026, 11, 1),
        plan=plan,
        base_kind="collected",
        base_amount=D("1000.00"),
        commission=D(commission),
        team_bonus=D(bonus),
        total=D(total),
        computed_at=timezone.now(),
    )


def test_total_that_adds_up_is_stored(rep):
    assert _create(rep, "0.10", "0.20", "0.30").total == D("0.30")


@pytest.mark.parametrize("total", ["0.31", "0.29", "30.00"])
def test_total_off_by_a_cent_or_more_is_refused(rep, total):
    with pytest.raises(IntegrityError), transaction.atomic():
        _create(rep, "0.10", "0.20", total)
    assert not CommissionStatement.objects.exists()

import datetime as dt
import random
from decimal import Decimal

import pytest

from salescrm.demo import DemoContext
from salescrm.org_demo import seed_organisation
from targets.demo import seed_targets
from targets.models import Adjustment, Target, TargetPlan

pytestmark = pytest.mark.django_db


def test_demo_seeds_last_and_this_years_plans_once():
    ctx = DemoContext(today=dt.date(2026, 11, 22), rng=random.Random(1), log=lambda s: None)
    seed_organisation(ctx)
    seed_targets(ctx)
    seed_targets(ctx)
    assert sorted(TargetPlan.objects.values_list("year", "metric")) == [
        (2025, "signed_amount"),
        (2026, "collected_amount"),
        (2026, "new_customers"),
        (2026, "signed_amount"),
    ]
    plan = TargetPlan.objects.get(year=2026, metric="signed_amount")
    assert Target.objects.filter(plan=plan, level="rep").total() == Decimal("18000000.00")
    # no contract history in this test: this year's months are even, 1,500,000.00 each
    assert Target.objects.get(
        plan=plan, level="company", month=dt.date(2026, 2, 1)
    ).value == Decimal("1500000.00")
    # last year's typical season sums to 12.0; February is 0.6 of it: 15,600,000.00 x 0.05
    last = TargetPlan.objects.get(year=2025, metric="signed_amount")
    assert Target.objects.get(
        plan=last, level="company", month=dt.date(2025, 2, 1)
    ).value == Decimal("780000.00")
    adjustment = Adjustment.objects.get()
    assert adjustment.actor.username == "manager1"
    assert adjustment.lines.count() == 2

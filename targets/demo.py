"""Demo targets: last year's and this year's plans, published, with a manager's adjustment."""

import datetime as dt
from decimal import Decimal

from salescrm.demo import DemoContext, demo_seeder
from salescrm.money import round_places

from . import selectors, services
from .models import MONEY_METRICS, Metric, Target, TargetPlan

# A training institution's year: quiet around the Spring Festival and National Day, busy in
# spring term sign-up, the summer holidays and September.
TYPICAL_SEASON = [
    Decimal(w)
    for w in ("0.9", "0.6", "1.1", "1.0", "0.9", "1.0", "1.2", "1.2", "1.2", "0.8", "1.0", "1.1")
]

PLANS = [
    # (years back, metric, growth on the last twelve months' actual, annual value without any)
    (1, Metric.SIGNED_AMOUNT, Decimal("0.95"), Decimal("15600000.00")),
    (0, Metric.SIGNED_AMOUNT, Decimal("1.15"), Decimal("18000000.00")),
    (0, Metric.COLLECTED_AMOUNT, Decimal("1.15"), Decimal("16500000.00")),
    (0, Metric.NEW_CUSTOMERS, Decimal("1.20"), Decimal("600")),
]


def _annual_value(ctx: DemoContext, metric: str, growth: Decimal, fallback: Decimal) -> Decimal:
    """A target the demo's own history makes plausible: the last twelve months' actual with
    some growth, rounded to 10,000 yuan (or a whole count); the fixed figure without history."""
    trailing = sum(
        selectors.actuals(metric, ctx.today - dt.timedelta(days=365), ctx.today).values(),
        Decimal(0),
    )
    if not trailing:
        return fallback
    step = Decimal("10000") if metric in MONEY_METRICS else Decimal(1)
    return round_places(Decimal(trailing) * growth / step, 0) * step


@demo_seeder(order=40)
def seed_targets(ctx: DemoContext) -> None:
    director = ctx.users["director"]
    for back, metric, growth, fallback in PLANS:
        year = ctx.today.year - back
        if TargetPlan.objects.filter(year=year, metric=metric).exists():
            continue
        value = _annual_value(ctx, metric, growth, fallback)
        # Last year's plan: a typical season; this year's: proposed from last year's actuals
        # (the customers demo holds a year of history), even when there are none.
        plan = services.plan_create(
            actor=director,
            year=year,
            metric=metric,
            annual_value=value,
            month_weights=TYPICAL_SEASON if back else None,
            seasonality_source="典型淡旺季" if back else "",
        )
        plan = services.plan_publish(plan=plan, actor=director)
        if back == 0 and metric == Metric.SIGNED_AMOUNT:
            _manager_moves_target(ctx, plan)
    ctx.log(f"  target plans: {TargetPlan.objects.count()}")


def _manager_moves_target(ctx: DemoContext, plan: TargetPlan) -> None:
    """manager1 gives rep2 part of rep1's current month (a big account changed hands)."""
    month = dt.date(plan.year, ctx.today.month, 1)
    rep1, rep2 = ctx.users["rep1"], ctx.users["rep2"]
    rows = {
        t.rep_id: t
        for t in Target.objects.filter(
            plan=plan, level=Target.Level.REP, rep__in=[rep1, rep2], month=month
        )
    }
    moved = min(Decimal("20000.00"), rows[rep1.pk].value)
    services.targets_adjust_reps(
        plan=plan,
        team=rep1.team,
        actor=ctx.users["manager1"],
        reason="复旦大学企业内训项目转由同组同事跟进",
        changes={
            (rep1.pk, month): rows[rep1.pk].value - moved,
            (rep2.pk, month): rows[rep2.pk].value + moved,
        },
        today=ctx.today,
    )

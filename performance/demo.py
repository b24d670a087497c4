"""Demo rules of the performance app: a KPI scheme per sales role and two versions of the
commission plan (the rates went up this month). The nightly run then fills the scorecards and
statements of the demo year (it catches up on every month that has none)."""

import datetime as dt
from decimal import Decimal

from salescrm.demo import DemoContext, demo_seeder

from .models import CommissionPlan, CommissionTier, KpiScheme, KpiSchemeItem

# (KPI, weight %, target, rule, cap, steps) — seed 002/003: results first, then process.
SCHEMES = {
    "rep": [
        ("target_achievement", 30, 100, "linear", 120, ""),
        ("collected_amount", 15, 30000, "linear", 120, ""),
        ("lead_conversion", 10, 20, "linear", 120, ""),
        ("effective_visits", 10, 20, "linear", 120, ""),
        ("on_time_collection_rate", 10, 90, "steps", 120, "60=60, 80=80, 90=100, 100=110"),
        ("referral_share", 10, 20, "linear", 120, ""),
        ("satisfaction", 10, Decimal("4.5"), "linear", 110, ""),
        ("activity_plan_completion", 5, 100, "linear", 110, ""),
    ],
    "manager": [
        ("target_achievement", 40, 100, "linear", 120, ""),
        ("renewal_rate", 15, 60, "linear", 120, ""),
        ("overdue_ratio", 15, 10, "linear", 120, ""),
        ("complaint_response_24h", 10, 100, "steps", 100, "80=60, 90=80, 100=100"),
        ("nps", 10, 40, "linear", 120, ""),
        ("sales_cycle_days", 10, 45, "linear", 120, ""),
    ],
    "director": [
        ("target_achievement", 50, 100, "linear", 120, ""),
        ("refund_rate", 20, 5, "linear", 120, ""),
        ("referral_share", 15, 20, "linear", 120, ""),
        ("satisfaction", 15, Decimal("4.5"), "linear", 110, ""),
    ],
}
NAMES = {"rep": "课程顾问考核方案", "manager": "销售经理考核方案", "director": "销售总监考核方案"}

# SPEC §5's example table, then this month a richer top band.
PLANS = [
    ("阶梯提成 2025 版", "marginal", [(0, 3), (80, 5), (100, 7), (120, 9)], 100, 1),
    ("阶梯提成 新版", "marginal", [(0, 3), (80, 5), (100, 8), (120, 10)], 100, 1),
]


@demo_seeder(order=50)
def seed_performance_rules(ctx: DemoContext) -> None:
    first = dt.date(ctx.today.year - 1, 1, 1)
    for role, items in SCHEMES.items():
        scheme, created = KpiScheme.objects.get_or_create(
            role=role, effective_from=first, defaults={"name": NAMES[role]}
        )
        if created:
            KpiSchemeItem.objects.bulk_create(
                KpiSchemeItem(
                    scheme=scheme,
                    kpi=kpi,
                    weight=weight,
                    target_value=target,
                    rule=rule,
                    cap=cap,
                    steps=steps,
                )
                for kpi, weight, target, rule, cap, steps in items
            )
    starts = [first, ctx.today.replace(day=1)]
    for (name, method, tiers, threshold, bonus), effective_from in zip(PLANS, starts, strict=True):
        plan, created = CommissionPlan.objects.get_or_create(
            effective_from=effective_from,
            defaults={
                "name": name,
                "method": method,
                "team_bonus_threshold": threshold,
                "team_bonus_rate": bonus,
            },
        )
        if created:
            CommissionTier.objects.bulk_create(
                CommissionTier(plan=plan, threshold=floor, rate=rate) for floor, rate in tiers
            )
    ctx.log(
        f"  KPI schemes: {KpiScheme.objects.count()}, commission plans: {CommissionPlan.objects.count()}"
    )


SERVICE_MARK = "最佳服务奖演示"  # the comment that finds these surveys on a second run


@demo_seeder(order=65)
def seed_service_surveys(ctx: DemoContext) -> None:
    """A few surveys of this month for two reps of the first team, so the leaderboard names a
    best-service award (``performance.awards``: three surveys at least): rep1 5, 5, 4 (4.67),
    rep2 5, 5, 5, 4 with one complaint (4.75 − 0.5 = 4.25)."""
    from customers.models import Complaint, Customer, SatisfactionSurvey
    from salescrm.timeutil import SHANGHAI

    if SatisfactionSurvey.objects.filter(comment=SERVICE_MARK).exists():
        return
    day = ctx.today.replace(day=1)
    for username, scores, complaints in (("rep1", [5, 5, 4], 0), ("rep2", [5, 5, 5, 4], 1)):
        rep = ctx.users.get(username)
        customer = Customer.objects.filter(owner=rep).order_by("pk").first() if rep else None
        if customer is None:
            continue
        SatisfactionSurvey.objects.bulk_create(
            SatisfactionSurvey(
                customer=customer, score=score, nps=9, answered_on=day, comment=SERVICE_MARK
            )
            for score in scores
        )
        for _k in range(complaints):
            # routed like the customer-success demo's complaints (success/demo.py runs
            # before this seeder, so it cannot categorise this one)
            opened_at = dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)
            Complaint.objects.create(
                customer=customer,
                subject="上课时间调整不及时",
                opened_by=rep,
                opened_at=opened_at,
                category="schedule",
                cause="internal_process",
                department="teaching",
                department_due_on=day + dt.timedelta(days=3),
                routed_at=opened_at + dt.timedelta(hours=2),
            )


# issue 20: from this month the reps' scheme weighs two KPIs rated by the manager (seed 002:
# 团队协作、工作态度), each 1–5; the results KPIs give up the weight.
RATED_SCHEME = [
    ("target_achievement", 30, 100, "linear", 120, "", 5),
    ("collected_amount", 15, 30000, "linear", 120, "", 5),
    ("lead_conversion", 10, 20, "linear", 120, "", 5),
    ("effective_visits", 10, 20, "linear", 120, "", 5),
    ("on_time_collection_rate", 5, 90, "steps", 120, "60=60, 80=80, 90=100, 100=110", 5),
    ("referral_share", 5, 20, "linear", 120, "", 5),
    ("satisfaction", 5, Decimal("4.5"), "linear", 110, "", 5),
    ("activity_plan_completion", 5, 100, "linear", 110, "", 5),
    ("teamwork", 10, 0, "linear", 100, "", 5),
    ("attitude", 5, 0, "linear", 100, "", 5),
]
# (teamwork, attitude, comment) of the first reps; the others stay "not rated"
DEMO_RATINGS = [
    (5, 4, "主动分享成交话术，带教新人"),
    (4, 5, "工作积极，跟进及时"),
    (4, 3, "配合团队活动，但周报偶有拖延"),
    (3, 4, "与同事交接客户时沟通不足"),
    (5, 5, "团队协作和工作态度都很好"),
    (2, 3, "本月多次错过晨会，需改进"),
]


@demo_seeder(order=51)
def seed_manager_ratings(ctx: DemoContext) -> None:
    """This month's reps' scheme with teamwork and attitude rated by the manager, and the
    ratings of six reps by their team's manager, so their scorecards show them (the others
    show "not rated")."""
    from django.utils import timezone

    from salescrm.models import Team

    from .models import ManagerRating

    month = ctx.today.replace(day=1)
    scheme, created = KpiScheme.objects.get_or_create(
        role="rep", effective_from=month, defaults={"name": "课程顾问考核方案（含经理评分）"}
    )
    if created:
        KpiSchemeItem.objects.bulk_create(
            KpiSchemeItem(
                scheme=scheme,
                kpi=kpi,
                weight=weight,
                target_value=target,
                rule=rule,
                cap=cap,
                steps=steps,
                rating_scale=scale,
            )
            for kpi, weight, target, rule, cap, steps, scale in RATED_SCHEME
        )
    managers = dict(Team.objects.values_list("id", "manager_id"))
    now = timezone.now()
    rows = 0
    for rep, (teamwork, attitude, comment) in zip(ctx.reps(), DEMO_RATINGS, strict=False):
        manager_id = managers.get(rep.team_id)
        for kpi, value in (("teamwork", teamwork), ("attitude", attitude)):
            _row, made = ManagerRating.objects.get_or_create(
                person=rep,
                period_kind="month",
                period_start=month,
                kpi=kpi,
                defaults={
                    "rating": value,
                    "scale": 5,
                    "comment": comment if kpi == "teamwork" else "",
                    "rated_by_id": manager_id,
                    "rated_at": now,
                },
            )
            rows += made
    ctx.log(f"  manager ratings: {rows} new")

"""Demo data of the channels app: partners of each kind credited with a year of the demo's
customers (their settlements and tiers computed, the older months closed by finance), a
partner portal login, past events with registrations and attendance, upcoming ones, and the
campaigns' goals, budgets and cost lines. Idempotent: a second run finds the demo partners
and leaves everything as it is."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from customers.models import Customer, Product, Referral
from leads.models import Campaign, Channel, Lead
from salescrm.demo import DemoContext, demo_password_hash, demo_seeder
from salescrm.models import ProductLine, User
from salescrm.roles import Role
from salescrm.services import user_set_role
from salescrm.timeutil import SHANGHAI, add_months, month_start, quarter_start

from .models import (
    AgentCommissionPlan,
    CampaignCost,
    CampaignGoal,
    CampaignMember,
    Event,
    EventRegistration,
    JointOffer,
    LeadOffer,
    Partner,
    PartnerAccount,
    PartnerContact,
    PartnerLead,
    PartnerReview,
    PartnerSettlement,
    PartnerTier,
)
from .services import partner_tiers_compute, settlements_compute

PORTAL_LOGIN = "partner1"
PARTNERS = [
    # name, kind, share of the demo customers credited to it (per mille), manager
    ("星辰教育代理", Partner.Kind.AGENT, 110, "manager1"),
    ("蓝海职业培训代理", Partner.Kind.AGENT, 70, "manager2"),
    ("优学在线分销", Partner.Kind.RESELLER, 60, "manager3"),
    ("华信科技（异业合作）", Partner.Kind.COMPANY, 40, "manager1"),
    ("东方大学继续教育学院", Partner.Kind.SCHOOL_HR, 50, "manager2"),
    ("启航人力资源", Partner.Kind.SCHOOL_HR, 10, "manager3"),
]
EVENTS = [
    # kind, title, days from today, capacity, cost
    (Event.Kind.OPEN_CLASS, "商务英语公开课", -320, 60, "3000.00"),
    (Event.Kind.LIVE_STREAM, "Python 数据分析直播", -260, 300, "5000.00"),
    (Event.Kind.TRIAL_DAY, "少儿编程试听日", -200, 40, "2500.00"),
    (Event.Kind.SEMINAR, "企业领导力研讨会", -150, 80, "12000.00"),
    (Event.Kind.OPEN_DAY, "校区开放日", -90, 100, "4000.00"),
    (Event.Kind.LIVE_STREAM, "雅思冲刺直播课", -45, 300, "3500.00"),
    (Event.Kind.TRIAL_DAY, "职场技能试听日", -14, 40, "2000.00"),
    (Event.Kind.OPEN_CLASS, "数据分析公开课", 10, 60, "3000.00"),
    (Event.Kind.SEMINAR, "HR 培训负责人沙龙", 24, 50, "8000.00"),
]


def _portal_user(ctx: DemoContext, partner: Partner) -> None:
    user, created = User.objects.get_or_create(username=PORTAL_LOGIN)
    if created:
        user.password = demo_password_hash()
    user.last_name, user.first_name = "赵", "代理"
    user.email = f"{PORTAL_LOGIN}@demo.salescrm.local"
    user.save()
    user_set_role(user=user, role=Role.PARTNER)
    PartnerAccount.objects.update_or_create(user=user, defaults={"partner": partner})
    ctx.users[PORTAL_LOGIN] = user


@demo_seeder(order=60)
def seed_channels(ctx: DemoContext) -> None:
    if Partner.objects.filter(name=PARTNERS[0][0]).exists():
        return
    rng, today = ctx.rng, ctx.today
    # the demo institution is small: its thresholds (admin-set) fit its volume
    for code, floor in (("gold", "120000.00"), ("silver", "40000.00")):
        PartnerTier.objects.filter(code=code).update(min_quarter_signed=Decimal(floor))
    users = {u.username: u for u in User.objects.filter(username__startswith="manager")}
    standard = AgentCommissionPlan.objects.order_by("pk").first()
    signed_plan, created = AgentCommissionPlan.objects.get_or_create(
        name="异业合作·签约额阶梯（追溯）",
        defaults={"base": "signed", "method": "retroactive"},
    )
    if created:
        for floor, rate in (("0", "0.03"), ("50000", "0.05"), ("150000", "0.07")):
            signed_plan.tiers.create(floor=Decimal(floor), rate=Decimal(rate))
    partners = []
    for index, (name, kind, _share, manager) in enumerate(PARTNERS):
        partners.append(
            Partner(
                name=name,
                kind=kind,
                manager=users.get(manager) or User.objects.filter(role=Role.DIRECTOR).first(),
                plan=signed_plan if kind == Partner.Kind.COMPANY else standard,
                since=today - dt.timedelta(days=400 + 30 * index),
                phone=f"021-6{index}88{rng.randint(1000, 9999)}",
                terms="代理商阶梯佣金；季度业绩达标提供讲师培训与联合招生支持。",
            )
        )
    Partner.objects.bulk_create(partners)
    PartnerContact.objects.bulk_create(
        PartnerContact(partner=p, name=f"{p.name[:2]}经理", title="渠道负责人", phone=p.phone)
        for p in partners
    )
    # credit a share of the year's customers (and some open leads) to the partners
    customers = list(Customer.objects.order_by("pk").values_list("lead_id", "lead__created_at"))
    open_leads = list(
        Lead.objects.filter(customer__isnull=True)
        .order_by("pk")
        .values_list("pk", "created_at")[:3000]
    )
    links, taken = [], set()
    for lead_id, created_at in customers + open_leads:
        draw = rng.randint(0, 999)
        threshold = 0
        for partner, (_name, _kind, share, _manager) in zip(partners, PARTNERS, strict=True):
            threshold += share
            if draw < threshold and lead_id not in taken:
                taken.add(lead_id)
                links.append(PartnerLead(lead_id=lead_id, partner=partner, credited_at=created_at))
                break
    PartnerLead.objects.bulk_create(links, batch_size=2000)
    _portal_user(ctx, partners[0])
    # a year of settlements; finance has closed all but the last two months
    this_month = month_start(today)
    for back in range(12, -1, -1):
        settlements_compute(month=add_months(this_month, -back))
    finance = User.objects.filter(role=Role.FINANCE).first()
    PartnerSettlement.objects.filter(month__lt=add_months(this_month, -1)).update(
        status=PartnerSettlement.Status.CLOSED, closed_by=finance, closed_at=timezone.now()
    )
    last_quarter = add_months(quarter_start(today), -3)
    for back in (3, 2, 1, 0):
        partner_tiers_compute(quarter=add_months(last_quarter, -3 * back))
    director = User.objects.filter(role=Role.DIRECTOR).first()
    if director:
        PartnerReview.objects.bulk_create(
            [
                PartnerReview(
                    partner=partners[0],
                    quarter=last_quarter,
                    decision="keep",
                    comment="签约稳定，继续合作并提供讲师培训。",
                    decided_by=director,
                ),
                PartnerReview(
                    partner=partners[5],
                    quarter=last_quarter,
                    decision="end",
                    comment="连续两个季度贡献低、投诉偏多，终止合作。",
                    decided_by=director,
                ),
                PartnerReview(
                    partner=partners[2],
                    quarter=last_quarter,
                    decision="warn",
                    comment="转化率偏低，下季度观察。",
                    decided_by=director,
                ),
            ]
        )
        Partner.objects.filter(pk=partners[5].pk).update(status="ended", ended_on=today)
        Partner.objects.filter(pk=partners[2].pk).update(status="warned")
    _events(ctx)
    _campaign_goals(ctx)
    _referrals(ctx)
    offers = _joint_offers(ctx, partners[3])
    ctx.log(
        f"  channels: {len(partners)} partners, {len(links)} credited leads, "
        f"{offers} joint offers, "
        f"{PartnerSettlement.objects.count()} settlements, {Event.objects.count()} events, "
        f"{EventRegistration.objects.count()} registrations; portal login {PORTAL_LOGIN}"
    )


def _events(ctx: DemoContext) -> None:
    rng, today = ctx.rng, ctx.today
    channels = {c.code: c for c in Channel.objects.all()}
    campaigns = list(Campaign.objects.order_by("starts_on"))
    organiser = User.objects.filter(role=Role.MANAGER).order_by("username").first()
    if organiser is None:
        return
    events = []
    for kind, title, days, capacity, cost in EVENTS:
        day = today + dt.timedelta(days=days)
        starts_at = dt.datetime.combine(day, dt.time(14, 0), tzinfo=SHANGHAI)
        campaign = next((c for c in campaigns if c.starts_on <= day <= (c.ends_on or day)), None)
        events.append(
            Event(
                kind=kind,
                title=title,
                starts_at=starts_at,
                place="" if kind == Event.Kind.LIVE_STREAM else "上海市徐汇区漕溪北路 88 号 3 楼",
                link="https://live.example.com/room/2026" if kind == Event.Kind.LIVE_STREAM else "",
                capacity=capacity,
                speaker=rng.choice(["王老师", "李教授", "陈顾问", "Emma Liu"]),
                cost=Decimal(cost),
                campaign=campaign,
                channel=channels.get("livestream") or next(iter(channels.values())),
                owner=organiser,
                follow_ups_made_at=starts_at + dt.timedelta(hours=4) if days < 0 else None,
            )
        )
    Event.objects.bulk_create(events)
    leads = list(Lead.objects.order_by("pk").values_list("pk", "name", "phone", "created_at"))
    registrations = []
    for event in events:
        past = event.starts_at.date() < today
        # people who registered: leads that existed by the event (the registration is how some
        # of them came in)
        pool = [lead for lead in leads if lead[3] <= event.starts_at]
        count = min(len(pool), rng.randint(event.capacity // 3, max(event.capacity * 2 // 3, 2)))
        for lead_id, name, phone, created_at in rng.sample(pool, count):
            registered = max(created_at, event.starts_at - dt.timedelta(days=rng.randint(1, 20)))
            attended = past and rng.random() < 0.68
            registrations.append(
                EventRegistration(
                    event=event,
                    lead_id=lead_id,
                    name=name,
                    phone=phone,
                    registered_at=registered,
                    checked_in_at=event.starts_at + dt.timedelta(minutes=rng.randint(-20, 15))
                    if attended
                    else None,
                    checked_in_by=event.owner if attended else None,
                )
            )
    EventRegistration.objects.bulk_create(registrations, batch_size=2000)


def _campaign_goals(ctx: DemoContext) -> None:
    rng = ctx.rng
    goals, costs = [], []
    for campaign in Campaign.objects.order_by("pk"):
        goals.append(
            CampaignGoal(
                campaign=campaign,
                goal_leads=rng.choice([80, 120, 200]),
                goal_attendees=rng.choice([40, 60, 100]),
                goal_signed_amount=Decimal(rng.choice([150000, 300000, 500000])),
                budget=(campaign.cost * Decimal("1.5")).quantize(Decimal("1")),
            )
        )
        for n, what in enumerate(["物料与海报", "线上投放", "场地与讲师"]):
            costs.append(
                CampaignCost(
                    campaign=campaign,
                    spent_on=campaign.starts_on + dt.timedelta(days=3 * n),
                    description=what,
                    amount=Decimal(rng.randint(8, 60) * 100),
                )
            )
    CampaignGoal.objects.bulk_create(goals)
    CampaignCost.objects.bulk_create(costs)
    if goals:
        worst = goals[-1]
        worst.retired_on = ctx.today
        worst.retire_comment = "投入产出比低于预期，明年不再举办。"
        worst.save(update_fields=["retired_on", "retire_comment"])
    # the newest campaign's invitation list, from the lists' "add to campaign" (no rng: the
    # rest of the demo keeps its random sequence)
    newest = Campaign.objects.order_by("-starts_on", "pk").first()
    if newest is not None:
        lead_ids = Lead.objects.open().order_by("pk").values_list("pk", flat=True)[:24]
        customer_ids = Customer.objects.order_by("pk").values_list("pk", flat=True)[:12]
        CampaignMember.objects.bulk_create(
            [CampaignMember(campaign=newest, lead_id=pk) for pk in lead_ids]
            + [CampaignMember(campaign=newest, customer_id=pk) for pk in customer_ids]
        )


def _referrals(ctx: DemoContext) -> None:
    """Old customers bring new ones (老带新): the customers whose lead came through the
    referral channel are linked to an earlier customer, so the nightly job proposes their
    referrers' rewards."""
    rng = ctx.rng
    earlier = list(
        Customer.objects.order_by("lead__created_at", "pk").values_list("pk", "lead__created_at")
    )
    referred = Customer.objects.filter(
        lead__channel__code="referral", lead__referral__isnull=True
    ).order_by("pk")
    rows = []
    for customer in referred.values("lead_id", "created_at", "pk"):
        candidates = [
            pk for pk, at in earlier if at < customer["created_at"] and pk != customer["pk"]
        ]
        if candidates:
            rows.append(Referral(customer_id=rng.choice(candidates), lead_id=customer["lead_id"]))
    Referral.objects.bulk_create(rows)


def _joint_offers(ctx: DemoContext, company: Partner) -> int:
    """The partner company's joint offers (异业合作): one over last year, one running with a
    percentage off, one running with an amount off (within the cheapest price it applies to),
    and a bundled service; the leads credited to the company carry the offer running on the
    day they came in."""
    today = ctx.today
    lines = list(ProductLine.objects.filter(is_active=True).order_by("code"))
    first_lines = lines[:2]
    cheapest = (
        Product.objects.filter(is_active=True, product_line__in=first_lines)
        .order_by("list_price")
        .values_list("list_price", flat=True)
        .first()
    ) or Decimal("1000.00")
    specs = [
        # title, kind, amount, percent, bundle, from (days), until (days), lines
        ("员工进修九折", JointOffer.Kind.PERCENT, 0, 10, "", -400, -181, []),
        ("华信员工专享八五折", JointOffer.Kind.PERCENT, 0, 15, "", -180, 90, first_lines),
        (
            "华信家属立减",
            JointOffer.Kind.AMOUNT,
            min(Decimal("800.00"), cheapest),
            0,
            "",
            -120,
            60,
            first_lines,
        ),
        ("签约赠送职业测评", JointOffer.Kind.BUNDLE, 0, 0, "免费职业能力测评一次", -60, 120, []),
    ]
    offers = []
    for title, kind, amount, percent, bundle, start, end, applies_to in specs:
        offer = JointOffer.objects.create(
            partner=company,
            title=title,
            kind=kind,
            discount_amount=Decimal(amount),
            discount_percent=Decimal(percent),
            bundled_service=bundle,
            terms="凭华信科技工牌或在职证明享受；不与其他优惠同享。",
            valid_from=today + dt.timedelta(days=start),
            valid_until=today + dt.timedelta(days=end),
        )
        offer.product_lines.set(applies_to)
        offers.append(offer)
    links = []
    for lead_id, credited_at in PartnerLead.objects.filter(partner=company).values_list(
        "lead_id", "credited_at"
    ):
        day = credited_at.astimezone(SHANGHAI).date()
        running = [o for o in offers if o.valid_from <= day <= o.valid_until]
        if running and ctx.rng.random() < 0.7:
            links.append(
                LeadOffer(lead_id=lead_id, offer=ctx.rng.choice(running), chosen_at=credited_at)
            )
    LeadOffer.objects.bulk_create(links, batch_size=2000)
    return len(offers)

"""Demo data (SPEC §6): a year of customers and contracts in every state, payments on time and
late, a few refunds, complaints and surveys. Written with bulk_create, so seeding stays fast;
a second run finds the demo contracts and leaves everything as it is."""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from leads.demo import won_histories
from leads.models import Activity, Channel, Lead, StageChange
from salescrm.demo import DemoContext, demo_seeder
from salescrm.models import ProductLine, User
from salescrm.timeutil import SHANGHAI

from . import money, services
from .models import (
    ApprovalStep,
    Complaint,
    Contact,
    Contract,
    ContractLine,
    Customer,
    DunningRecord,
    Instalment,
    LessonDelivery,
    Payment,
    Product,
    Refund,
    SatisfactionSurvey,
)

PRODUCTS = [
    ("courses", "商务英语（48课时）", "12800.00", 48),
    ("courses", "雅思冲刺班（32课时）", "9800.00", 32),
    ("courses", "Python 数据分析（40课时）", "8600.00", 40),
    ("courses", "少儿编程（60课时）", "15000.00", 60),
    ("corporate", "企业内训·领导力（16学时）", "48000.00", 16),
    ("corporate", "企业内训·销售技巧（8学时）", "26000.00", 8),
    ("online", "在线学习会员年卡", "3600.00", None),
    ("online", "在线职场技能课（20课时）", "1980.00", 20),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = [
    "子涵",
    "欣怡",
    "梓轩",
    "浩然",
    "雨桐",
    "宇航",
    "思远",
    "佳怡",
    "俊杰",
    "诗涵",
    "晨曦",
    "一鸣",
    "婉清",
    "博文",
    "嘉怡",
]
COMPANIES = [
    "华星科技",
    "恒通物流",
    "锦程教育",
    "蓝海医药",
    "瑞丰制造",
    "新纪元传媒",
    "中联建设",
    "天宇电子",
    "海川贸易",
    "博远咨询",
    "盛世餐饮",
    "云帆软件",
    "东方能源",
    "长江汽车零部件",
    "鼎盛金融",
]
COMPLAINTS = [
    "老师临时调课",
    "教材未按时发放",
    "上课时间冲突",
    "线上平台卡顿",
    "课程进度太快",
    "发票开具延迟",
]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def _flag_renewals(contracts: list[Contract]) -> None:
    """Flag the renewals by the app's own rule (``ContractQuerySet.continued_by``), as
    contract_create and contract_mark_signed would have. One query and one update."""
    continues = (
        Contract.objects.filter(customer=OuterRef("customer_id"))
        .exclude(pk=OuterRef("pk"))
        .continued_by(starts_on=OuterRef("starts_on"))
    )
    renewals = Contract.objects.filter(pk__in=[c.pk for c in contracts]).filter(Exists(continues))
    renewals.update(is_renewal=True)
    flagged = set(renewals.values_list("pk", flat=True))
    for contract in contracts:
        contract.is_renewal = contract.pk in flagged


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    """What the seeder decided about one demo customer before writing it."""

    rep: User
    enterprise: bool
    person: str  # the contact's name
    company: str  # "" for an individual
    created: dt.date


@dataclass(frozen=True, slots=True)
class DemoContract:
    """An unsaved demo contract with its unsaved lines and its instalment plan."""

    contract: Contract
    lines: list[ContractLine]
    plan: list[tuple[dt.date, Decimal]]  # (due on, amount) per instalment


@demo_seeder(order=30)
def seed_customers(ctx: DemoContext) -> None:
    """The demo's customers and everything that happens to them, step by step. The steps draw
    from ``ctx.rng`` in a fixed order, so one seed gives one demo."""
    if Contract.objects.filter(number__startswith="DEMO-").exists():
        ctx.log("  customers: demo contracts exist, nothing to do")
        return
    products = _seed_products()
    specs, leads = _won_leads(ctx)
    _seed_leads(ctx, leads)
    customers = _seed_customers_and_contacts(ctx, specs, leads)
    drafts = _draft_contracts(ctx, customers, specs, products)
    contracts = _seed_contracts(drafts)
    line_rows, instalments = _seed_lines_and_instalments(drafts)
    _seed_approval_steps(ctx, contracts)
    payments = _seed_payments_and_dunning(ctx, instalments)
    _seed_lessons(ctx, line_rows)
    refunds = _seed_refunds(ctx, contracts, payments)
    signed_contracts = [c for c in contracts if c.status in Contract.SIGNED_STATES]
    complaints = _seed_complaints(ctx, signed_contracts)
    _seed_surveys(ctx, signed_contracts)
    services.tiers_reevaluate(as_of=ctx.today.replace(day=1))
    ctx.log(
        f"  customers: {len(customers)} customers, {len(contracts)} contracts, {len(payments)} payments, "
        f"{len(refunds)} refunds, {len(complaints)} complaints"
    )


def _seed_products() -> list[Product]:
    lines_by_code = {pl.code: pl for pl in ProductLine.objects.all()}
    products = []
    for code, name, price, lessons in PRODUCTS:
        product, _created = Product.objects.get_or_create(
            name=name,
            defaults={
                "product_line": lines_by_code[code],
                "list_price": Decimal(price),
                "lessons": lessons,
            },
        )
        products.append(product)
    return products


# -- a won lead and a customer per demo customer -----------------------------------------------


# Three years of history with the institution's season (seed 000: 预测季度招生规模), on a
# growing business, so that next quarter's seasonal forecast has a pattern to learn and its
# back-test error stays well under the "usable" threshold (performance.dashboards.manager.
# USABLE_MAPE): sign-ups peak before the spring term (January, March) and the autumn term
# (September) and are low around the Spring Festival (February) and in the summer holidays.
HISTORY_DAYS = 1095
SEASON = {
    1: 1.2,
    2: 0.5,
    3: 1.3,
    4: 1.0,
    5: 0.9,
    6: 0.8,
    7: 0.6,
    8: 0.8,
    9: 1.4,
    10: 0.9,
    11: 1.0,
    12: 1.1,
}  # relative intake per month of the year
FIRST_MONTHLY = 10  # customers in an average month three years ago …
LAST_MONTHLY = 22.0  # … growing linearly to this many in an average month today
ENTERPRISE_SHARE = 0.3
LEAD_LEAD_DAYS = 40  # a customer's lead was created up to this many days before it


def _monthly_intake(today: dt.date) -> list[tuple[dt.date, dt.date, int]]:
    """(first day, last day, customers) per month of the history, oldest first: the season ×
    the linear growth, rounded with the remainder carried to the next month (systematic
    rounding: the counts follow the curve without the noise of independent draws). The month
    of today counts up to today."""
    first = (today - dt.timedelta(days=HISTORY_DAYS)).replace(day=1)
    months = []
    month = first
    while month <= today:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        months.append((month, min(following - dt.timedelta(days=1), today)))
        month = following
    result, carry = [], 0.0
    for index, (start, end) in enumerate(months):
        growth = FIRST_MONTHLY + (LAST_MONTHLY - FIRST_MONTHLY) * index / max(len(months) - 1, 1)
        full = ((start + dt.timedelta(days=32)).replace(day=1) - start).days
        expected = growth * SEASON[start.month] * ((end - start).days + 1) / full + carry
        count = int(expected)
        carry = expected - count
        result.append((start, end, count))
    return result


def _won_leads(ctx: DemoContext) -> tuple[list[DemoCustomer], list[Lead]]:
    """The demo's customers, each with the won lead it came from (unsaved): so many a month
    (``_monthly_intake``), each on a random day of the month, with a rep already hired
    ``LEAD_LEAD_DAYS`` before it (drawn), every
    third or so an enterprise (systematically, so no month is all individuals)."""
    rng, today = ctx.rng, ctx.today
    channels = list(Channel.objects.filter(is_active=True))
    reps = list(ctx.reps())
    specs, leads = [], []
    n = 0
    for start, end, count in _monthly_intake(today):
        for _ in range(count):
            created = start + dt.timedelta(days=rng.randint(0, (end - start).days))
            eligible = [
                rep
                for rep in reps
                if rep.hire_date is None
                or rep.hire_date <= created - dt.timedelta(days=LEAD_LEAD_DAYS)
            ]
            if not eligible:
                continue
            rep = rng.choice(eligible)
            n += 1
            enterprise = int(n * ENTERPRISE_SHARE) > int((n - 1) * ENTERPRISE_SHARE)
            person = rng.choice(SURNAMES) + rng.choice(GIVEN)
            company = f"{rng.choice(COMPANIES)}有限公司" if enterprise else ""
            channel = rng.choice(channels)
            leads.append(
                Lead(
                    owner=rep,
                    team_id=rep.team_id,
                    channel=channel,
                    name=person,
                    company=company,
                    phone=f"199{n:08d}",
                    stage=Lead.Stage.WON,
                    created_at=_at(created - dt.timedelta(days=rng.randint(5, LEAD_LEAD_DAYS))),
                    won_at=_at(created),
                    assigned_at=_at(created),
                    created_by=rep,
                )
            )
            specs.append(DemoCustomer(rep, enterprise, person, company, created))
    return specs, leads


def _seed_leads(ctx: DemoContext, leads: list[Lead]) -> None:
    """The won leads with their way through the funnel (stages, follow-ups, trial lesson,
    score), drawn like the leads demo's won leads (``leads.demo.won_histories``), so the
    win-probability model learns from customers that look like the other won leads. The draws
    come from a generator of their own, seeded from ``ctx.rng``'s state without drawing from
    it: the customers and contracts after this step stay the same."""
    rng = random.Random(repr(ctx.rng.getstate()))  # a str seed: the same in every process
    now = dt.datetime.combine(ctx.today, dt.time(9), tzinfo=SHANGHAI)
    changes, activities = won_histories(rng, leads, days=LEAD_LEAD_DAYS - 2, now=now)
    Lead.objects.bulk_create(leads)
    StageChange.objects.bulk_create(changes, batch_size=2000)
    Activity.objects.bulk_create(activities, batch_size=2000)


def _seed_customers_and_contacts(
    ctx: DemoContext, specs: list[DemoCustomer], leads: list[Lead]
) -> list[Customer]:
    rng = ctx.rng
    customers = Customer.objects.bulk_create(
        [
            Customer(
                lead=lead,
                owner=spec.rep,
                name=spec.company or spec.person,
                phone=lead.phone,
                kind=Customer.Kind.ENTERPRISE if spec.enterprise else Customer.Kind.INDIVIDUAL,
                payer_name=""
                if spec.enterprise
                else rng.choice(SURNAMES) + rng.choice(["先生", "女士"]),
            )
            for lead, spec in zip(leads, specs, strict=True)
        ]
    )
    for customer, spec in zip(customers, specs, strict=True):
        customer.created_at = _at(spec.created)  # auto_now_add stamped "now"
    Customer.objects.bulk_update(customers, ["created_at"], batch_size=500)
    Contact.objects.bulk_create(
        [
            Contact(
                customer=customer,
                name=spec.person,
                phone=customer.phone,
                title="培训经理" if spec.enterprise else "学员",
                is_payer=spec.enterprise,
            )
            for customer, spec in zip(customers, specs, strict=True)
        ]
    )
    return customers


# -- contracts: one or two per customer, in every state ----------------------------------------


def _draft_contracts(
    ctx: DemoContext,
    customers: list[Customer],
    specs: list[DemoCustomer],
    products: list[Product],
) -> list[DemoContract]:
    """One contract per customer, a renewal after it for about a third, unsaved.

    Which customer's deal is still in the works, which renews and which products they buy go
    round in turn rather than by independent draws (systematic sampling), so every month holds
    a representative mix and the monthly signed amounts follow the season with modest noise."""
    rng, today = ctx.rng, ctx.today
    service = ctx.users["service"]
    drafts = []
    seq = 0
    turns = {True: 0, False: 0}  # contracts drafted so far per kind (enterprise or not)
    for index, (customer, spec) in enumerate(zip(customers, specs, strict=True)):
        starts = spec.created + dt.timedelta(days=rng.randint(3, 20))
        if index % 7 == 3:  # a deal still in the works: drafted, in review or approved
            starts = today + dt.timedelta(days=rng.randint(3, 30))
        for _k in range(2 if index % 3 == 1 else 1):
            seq += 1
            turn = turns[spec.enterprise]
            turns[spec.enterprise] += 1
            if spec.enterprise:
                chosen = [products[4 + turn % 2]]
            else:
                pool = products[:4] + products[6:]
                chosen = [pool[turn % len(pool)]]
                if turn % 2:  # every other individual adds a second course
                    chosen.append(pool[(turn + 3) % len(pool)])
            rows = _contract_lines(rng, chosen, enterprise=spec.enterprise, seats=1 + turn // 2 % 3)
            total = sum((r.amount for r in rows), Decimal("0.00"))
            parts = rng.choice([1, 2, 3])
            plan = [
                (starts + dt.timedelta(days=30 * i), amount)
                for i, amount in enumerate(money.split_evenly(total, parts))
            ]
            ends = starts + dt.timedelta(days=rng.choice([90, 120, 180]))
            status = _contract_status(rng, age=(today - starts).days)
            signed = status in Contract.SIGNED_STATES
            contract = Contract(
                customer=customer,
                owner=spec.rep,
                number=f"DEMO-{starts:%Y%m}-{seq:05d}",
                status=status,
                total_amount=total,
                starts_on=starts,
                ends_on=ends,
                training_content="、".join(p.name for p in chosen),
                schedule=rng.choice(
                    ["周末班，每周六上午", "晚班，每周二、四 19:00", "集中授课两天"]
                ),
                payment_method=rng.choice(Contract.PaymentMethod.values),
                invoice_needed=spec.enterprise,
                invoice_title=spec.company,
                approval_round=0 if status == Contract.Status.DRAFT else 1,
                signed_on=starts - dt.timedelta(days=rng.randint(0, 3)) if signed else None,
                archived_on=starts + dt.timedelta(days=30)
                if status == Contract.Status.ARCHIVED
                else None,
                service_user=service if signed else None,
            )
            drafts.append(DemoContract(contract, rows, plan))
            # the customer continues around the end of the course: a few days before or after
            starts = ends + dt.timedelta(days=rng.choice([-7, 1, 14]))
            if starts > today - dt.timedelta(days=5):
                break
    return drafts


def _contract_lines(
    rng, chosen: list[Product], *, enterprise: bool, seats: int = 1
) -> list[ContractLine]:
    """A line per chosen product at a random discount; companies buy `seats` (up to three)."""
    rows = []
    for product in chosen:
        discount = rng.choice(
            [Decimal("0"), Decimal("0.05"), Decimal("0.10"), Decimal("0.15"), Decimal("0.20")]
        )
        quantity = seats if enterprise else 1
        amount = money.line_amount(
            quantity=quantity, list_price=product.list_price, discount_rate=discount
        )
        rows.append(
            ContractLine(
                product=product,
                quantity=quantity,
                list_price=product.list_price,
                discount_rate=discount,
                amount=amount,
                lessons_total=product.lessons * quantity if product.lessons else None,
            )
        )
    return rows


def _contract_status(rng, *, age: int) -> str:
    """A state that fits a contract starting `age` days ago (negative: not started yet)."""
    if age > 60:
        return Contract.Status.ARCHIVED if rng.random() < 0.4 else Contract.Status.SIGNED
    if age > 20:
        return rng.choice(
            [Contract.Status.SIGNED, Contract.Status.SIGNED, Contract.Status.APPROVED]
        )
    if age >= 3:
        # this month's deals: most are through the chain and signed within days
        return rng.choice(
            [
                Contract.Status.SIGNED,
                Contract.Status.SIGNED,
                Contract.Status.SIGNED,
                Contract.Status.PENDING,
                Contract.Status.APPROVED,
            ]
        )
    return rng.choice(
        [
            Contract.Status.DRAFT,
            Contract.Status.PENDING,
            Contract.Status.PENDING,
            Contract.Status.APPROVED,
        ]
    )


def _seed_contracts(drafts: list[DemoContract]) -> list[Contract]:
    contracts = [draft.contract for draft in drafts]
    Contract.objects.bulk_create(contracts)
    _flag_renewals(contracts)
    for contract in contracts:
        contract.created_at = _at(contract.starts_on - dt.timedelta(days=7))
    Contract.objects.bulk_update(contracts, ["created_at"], batch_size=500)
    return contracts


def _seed_lines_and_instalments(
    drafts: list[DemoContract],
) -> tuple[list[ContractLine], list[Instalment]]:
    line_rows, instalments = [], []
    for draft in drafts:
        for row in draft.lines:
            row.contract = draft.contract
            line_rows.append(row)
        for i, (due, amount) in enumerate(draft.plan, start=1):
            instalments.append(
                Instalment(contract=draft.contract, sequence=i, due_on=due, amount=amount)
            )
    ContractLine.objects.bulk_create(line_rows)
    Instalment.objects.bulk_create(instalments)
    return line_rows, instalments


def _seed_approval_steps(ctx: DemoContext, contracts: list[Contract]) -> None:
    """The chain of every contract past its draft: the manager, legal above 50,000, finance;
    decided up to a random step for a pending contract, all of it for the others."""
    rng, users = ctx.rng, ctx.users
    managers = {team.pk: team.manager for team in ctx.teams}
    now = timezone.now()
    steps = []
    for contract in contracts:
        if contract.status == Contract.Status.DRAFT:
            continue
        kinds = (
            ["manager"]
            + (["legal"] if contract.total_amount > Decimal("50000") else [])
            + ["finance"]
        )
        pending_from = (
            rng.randint(0, len(kinds) - 1)
            if contract.status == Contract.Status.PENDING
            else len(kinds)
        )
        decided = _at(contract.starts_on - dt.timedelta(days=5))
        for position, kind in enumerate(kinds, start=1):
            reviewer = {
                "manager": managers.get(contract.owner.team_id),
                "legal": users["legal"],
                "finance": users["finance"],
            }[kind]
            done = position - 1 < pending_from
            steps.append(
                ApprovalStep(
                    contract=contract,
                    round=1,
                    position=position,
                    kind=kind,
                    decision="approved" if done else "pending",
                    decided_by=reviewer if done else None,
                    decided_at=min(decided + dt.timedelta(hours=position * 3), now)
                    if done
                    else None,
                )
            )
    ApprovalStep.objects.bulk_create(steps)


# -- payments: mostly on time, some late, some still open; dunning on the overdue --------------


def _seed_payments_and_dunning(ctx: DemoContext, instalments: list[Instalment]) -> list[Payment]:
    rng, today = ctx.rng, ctx.today
    payments, dunning, paid_updates = [], [], []
    for instalment in instalments:
        contract = instalment.contract
        if (
            contract.status not in Contract.SIGNED_STATES
            or instalment.due_on > today + dt.timedelta(days=20)
        ):
            continue
        roll = rng.random()
        if roll < 0.65:
            received = instalment.due_on - dt.timedelta(days=rng.randint(0, 7))
        elif roll < 0.85:
            received = instalment.due_on + dt.timedelta(days=rng.randint(5, 75))
        else:
            received = None
        if received is not None and received <= today:
            amount = (
                instalment.amount if rng.random() < 0.9 else money.to_cents(instalment.amount / 2)
            )
            payments.append(
                Payment(
                    contract=contract,
                    instalment=instalment,
                    amount=amount,
                    received_on=received,
                    method=contract.payment_method,
                    recorded_by=contract.owner,
                )
            )
            instalment.paid_amount = amount
            paid_updates.append(instalment)
        if instalment.paid_amount < instalment.amount and instalment.due_on < today:
            dunning.append(
                DunningRecord(
                    instalment=instalment,
                    kind=rng.choice(DunningRecord.Kind.values[:3]),
                    occurred_on=min(instalment.due_on + dt.timedelta(days=7), today),
                    note="客户承诺月底前付清",
                    next_action_on=today + dt.timedelta(days=rng.randint(1, 10)),
                    actor=contract.owner,
                )
            )
    Payment.objects.bulk_create(payments)
    Instalment.objects.bulk_update(paid_updates, ["paid_amount"], batch_size=500)
    DunningRecord.objects.bulk_create(dunning)
    return payments


# -- lessons delivered, refunds, complaints, surveys -------------------------------------------


def _seed_lessons(ctx: DemoContext, line_rows: list[ContractLine]) -> None:
    """Lessons delivered on the signed contracts' lines, in step with the time elapsed."""
    rng, today = ctx.rng, ctx.today
    deliveries, delivered_lines = [], []
    for line in line_rows:
        contract = line.contract
        if (
            contract.status in Contract.SIGNED_STATES
            and line.lessons_total
            and contract.starts_on < today
        ):
            share = min(
                (today - contract.starts_on).days
                / max((contract.ends_on - contract.starts_on).days, 1),
                1,
            )
            line.lessons_delivered = int(line.lessons_total * share * rng.uniform(0.7, 1))
            if line.lessons_delivered:
                delivered_lines.append(line)
                deliveries.append(
                    LessonDelivery(
                        line=line,
                        lessons=line.lessons_delivered,
                        delivered_on=min(contract.ends_on, today),
                        note="考勤汇总",
                        recorded_by=ctx.users["service"],
                    )
                )
    ContractLine.objects.bulk_update(delivered_lines, ["lessons_delivered"], batch_size=500)
    LessonDelivery.objects.bulk_create(deliveries)


def _seed_refunds(
    ctx: DemoContext, contracts: list[Contract], payments: list[Payment]
) -> list[Refund]:
    """Up to six refunds of part of what was paid, most of them confirmed by finance."""
    rng, today = ctx.rng, ctx.today
    paid_by_contract = {}
    for payment in payments:
        paid_by_contract[payment.contract.pk] = (
            paid_by_contract.get(payment.contract.pk, Decimal("0")) + payment.amount
        )
    refund_candidates = [c for c in contracts if paid_by_contract.get(c.pk, 0) > Decimal("2000")]
    refunds = []
    for contract in rng.sample(refund_candidates, min(6, len(refund_candidates))):
        amount = money.to_cents(
            paid_by_contract[contract.pk] * Decimal(rng.choice(["0.2", "0.3", "0.5"]))
        )
        confirmed = rng.random() < 0.7
        refunds.append(
            Refund(
                contract=contract,
                amount=amount,
                proposed_amount=amount,
                reason=rng.choice(["工作调动，无法继续上课", "孩子转学", "课程时间不合适"]),
                status=Refund.Status.CONFIRMED if confirmed else Refund.Status.REQUESTED,
                requested_by=contract.owner,
                decided_by=ctx.users["finance"] if confirmed else None,
                confirmed_on=min(contract.starts_on + dt.timedelta(days=45), today)
                if confirmed
                else None,
            )
        )
    Refund.objects.bulk_create(refunds)
    return refunds


def _seed_complaints(ctx: DemoContext, signed_contracts: list[Contract]) -> list[Complaint]:
    """Fifteen complaints: most answered, some resolved, a few neither."""
    rng, today = ctx.rng, ctx.today
    complaints = []
    for contract in rng.sample(signed_contracts, min(15, len(signed_contracts))):
        opened = _at(
            min(contract.starts_on + dt.timedelta(days=rng.randint(5, 40)), today),
            hour=rng.randint(9, 18),
        )
        state = rng.random()
        complaints.append(
            Complaint(
                customer=contract.customer,
                contract=contract,
                severity=rng.choice(Complaint.Severity.values),
                subject=rng.choice(COMPLAINTS),
                description="客户来电反映，需要尽快处理。",
                opened_by=ctx.users["service"],
                opened_at=opened,
                first_response_at=opened + dt.timedelta(hours=rng.randint(1, 30))
                if state < 0.8
                else None,
                response="已致电客户说明情况" if state < 0.8 else "",
                resolved_at=opened + dt.timedelta(hours=rng.randint(20, 70))
                if state < 0.6
                else None,
                resolution="已协调调课并补课" if state < 0.6 else "",
            )
        )
    Complaint.objects.bulk_create(complaints)
    return complaints


def _seed_surveys(ctx: DemoContext, signed_contracts: list[Contract]) -> None:
    rng, today = ctx.rng, ctx.today
    SatisfactionSurvey.objects.bulk_create(
        [
            SatisfactionSurvey(
                customer=c.customer,
                contract=c,
                score=rng.choice([3, 4, 4, 5, 5, 5]),
                nps=rng.choice([6, 7, 8, 9, 9, 10]),
                answered_on=min(c.starts_on + dt.timedelta(days=30), today),
                recorded_by=ctx.users["service"],
            )
            for c in rng.sample(signed_contracts, min(40, len(signed_contracts)))
        ]
    )

"""Demo data of customer success: the renewal pipeline in every stage, account plans with a
business review, categorised and routed complaints, survey answers given through the link,
feedback for course development, and last night's service follow-ups. Runs after the
customers seeder; a second run finds the demo plans and leaves everything as it is."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from customers.models import Complaint, Customer, SatisfactionSurvey, Tier
from leads.models import Activity
from salescrm.demo import DemoContext, demo_seeder
from salescrm.models import ProductLine
from salescrm.timeutil import SHANGHAI

from .models import (
    AccountPlan,
    ActionItem,
    BusinessReview,
    Feedback,
    RenewalOpportunity,
    SurveyInvitation,
)
from .services import cadence_refresh, renewals_refresh

FEEDBACK = [
    ("need", "visit", "希望商务英语增加周末晚班"),
    ("need", "survey", "想要课程录播回放，方便复习"),
    ("suggestion", "complaint", "排课通知太晚，建议提前一周发出"),
    ("suggestion", "trial_lesson", "试听课可以加入真实工作场景案例"),
    ("need", "review", "企业希望内训后有线上测评和证书"),
    ("suggestion", "visit", "教材部分内容过时，建议更新到最新版本"),
    ("need", "visit", "家长希望每月收到学习报告"),
    ("suggestion", "survey", "希望助教答疑响应更快"),
]
ROUTES = [
    ("schedule", "internal_process", "teaching"),
    ("teacher", "teacher", "teaching"),
    ("billing", "internal_process", "finance"),
    ("course_quality", "course_content", "course_development"),
    ("service_attitude", "internal_process", "service"),
    ("process", "internal_process", "sales"),
    ("schedule", "customer_expectation", "teaching"),
]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


@demo_seeder(order=60)
def seed_success(ctx: DemoContext) -> None:
    if AccountPlan.objects.exists():
        ctx.log("  success: demo account plans exist, nothing to do")
        return
    today = ctx.today
    renewals_refresh(as_of=today)
    _stages(ctx)
    plans = _account_plans(ctx)
    _complaints(ctx)
    answered = _surveys(ctx)
    _feedback(ctx)
    cadence_refresh(as_of=today)
    stages = dict(
        RenewalOpportunity.objects.order_by().values_list("stage").annotate(n=Count("pk"))
    )
    ctx.log(f"  success: renewals by stage {stages}, {plans} account plans, {answered} answers")


def _stages(ctx: DemoContext) -> None:
    """Some open renewals moved on by their owners: a third to proposal, a few lost."""
    rng = ctx.rng
    open_rows = list(RenewalOpportunity.objects.open().order_by("pk"))
    for row in open_rows:
        draw = rng.random()
        if draw < 0.35:
            row.stage = RenewalOpportunity.Stage.PROPOSAL
        elif draw < 0.45:
            row.stage = RenewalOpportunity.Stage.LOST
            row.lost_reason = rng.choice(["price", "goal_reached", "competitor", "budget"])
            row.closed_on = ctx.today
    RenewalOpportunity.objects.bulk_update(open_rows, ["stage", "lost_reason", "closed_on"])


def _account_plans(ctx: DemoContext) -> int:
    today, rng = ctx.today, ctx.rng
    strategic = list(
        Customer.objects.filter(
            Q(tier_override=Tier.STRATEGIC) | Q(tier_override__isnull=True, tier=Tier.STRATEGIC)
        )
        .select_related("owner", "lead")
        .order_by("pk")[:6]
    )
    year = today.year
    plans = AccountPlan.objects.bulk_create(
        [
            AccountPlan(
                customer=customer,
                year=year,
                goals="核心团队完成管理与销售技能提升；年度续约",
                planned_trainings="领导力内训（Q2）、销售技巧内训（Q3）、在线课程年卡",
                budget=Decimal(rng.choice([150000, 200000, 300000, 500000])),
                contacts="HR 总监；培训经理",
                review_q1=dt.date(year, 3, 20),
                review_q2=dt.date(year, 6, 20),
                review_q3=dt.date(year, 9, 20),
                review_q4=dt.date(year, 12, 15),
                created_by=customer.owner,
            )
            for customer in strategic
        ]
    )
    quarter = (today.month - 1) // 3 + 1
    reviews = []
    for plan in plans:
        for q in range(1, quarter):
            reviews.append(
                BusinessReview(
                    plan=plan,
                    quarter=q,
                    held_on=dt.date(year, 3 * q, 20),
                    attendees="HR 总监、培训经理、课程顾问、教学主管",
                    outcomes="回顾培训效果，满意度良好；确认下季度课程安排",
                    recorded_by=plan.created_by,
                )
            )
    BusinessReview.objects.bulk_create(reviews)
    activities, items = [], []
    for review in reviews:
        due = review.held_on + dt.timedelta(days=14)
        activity = Activity(
            lead=review.plan.customer.lead,
            actor=review.recorded_by,
            kind=Activity.Kind.NOTE,
            occurred_at=_at(review.held_on, 16),
            outcome=f"季度业务复盘 Q{review.quarter}",
            next_step="发送下季度培训方案",
            next_follow_up_on=due,
        )
        activities.append(activity)
        items.append((review, due))
    Activity.objects.bulk_create(activities)
    # each plan's latest action is open; the earlier ones are done (by whoever recorded the
    # review, the day before they fell due)
    latest = {}
    for review, due in items:
        latest[review.plan_id] = max(latest.get(review.plan_id, due), due)
    ActionItem.objects.bulk_create(
        ActionItem(
            review=review,
            description="发送下季度培训方案",
            due_on=due,
            activity=activity,
            **(
                {}
                if due == latest[review.plan_id]
                else {"done_at": _at(due - dt.timedelta(days=1), 15), "done_by": review.recorded_by}
            ),
        )
        for (review, due), activity in zip(items, activities, strict=True)
    )
    return len(plans)


def _complaints(ctx: DemoContext) -> None:
    rng = ctx.rng
    rows = list(Complaint.objects.order_by("pk"))
    for row in rows:
        row.category, row.cause, row.department = rng.choice(ROUTES)
        row.department_due_on = (row.opened_at.astimezone(SHANGHAI) + dt.timedelta(days=3)).date()
        row.routed_at = row.opened_at + dt.timedelta(hours=2)
        if row.resolved_at and rng.random() < 0.7:
            row.confirmed_at = row.resolved_at + dt.timedelta(hours=20)
    Complaint.objects.bulk_update(
        rows,
        ["category", "cause", "department", "department_due_on", "routed_at", "confirmed_at"],
    )


def _surveys(ctx: DemoContext) -> int:
    """Links sent when courses ended in the last months; most answered through the link."""
    today, rng = ctx.today, ctx.rng
    ended = list(
        RenewalOpportunity.objects.filter(
            course_ends_on__range=(today - dt.timedelta(days=120), today)
        )
        .select_related("contract")
        .order_by("pk")[:30]
    )
    # the demo's customers have no e-mail address yet: three in four get one (one in five of
    # those reads English), the others keep none, so each e-mail state shows
    customers = sorted({row.customer_id for row in ended})
    updates = []
    for index, pk in enumerate(customers):
        if index % 4 != 3:
            updates.append(
                Customer(
                    pk=pk,
                    email=f"customer{pk}@example.com",
                    language="en" if index % 5 == 4 else "",
                )
            )
    Customer.objects.bulk_update(updates, ["email", "language"])
    emails = dict(
        Customer.objects.filter(pk__in=[row.customer_id for row in ended]).values_list(
            "pk", "email"
        )
    )
    Delivery = SurveyInvitation.Delivery
    invitations, answers = [], []
    for index, row in enumerate(ended):
        sent = row.course_ends_on
        address = emails.get(row.customer_id, "") or ""
        # e-mailed the night the course ended; one in eight refused by the mail server;
        # customers without an address show "no e-mail address" (staff sent the link)
        if not address:
            delivery = {"delivery": Delivery.NO_ADDRESS}
        elif index % 8 == 7:
            delivery = {
                "delivery": Delivery.FAILED,
                "delivery_error": "SMTPRecipientsRefused: 550 mailbox unavailable",
            }
        else:
            delivery = {
                "delivery": Delivery.SENT,
                "emailed_at": _at(sent + dt.timedelta(days=1), 1),
                "emailed_to": address,
            }
        invitation = SurveyInvitation(
            customer_id=row.customer_id,
            contract_id=row.contract_id,
            milestone=SurveyInvitation.Milestone.COURSE_ENDED,
            created_on=sent,
            expires_on=sent + dt.timedelta(days=14),
            **delivery,
        )
        if rng.random() < 0.75:
            answer = SatisfactionSurvey(
                customer_id=row.customer_id,
                contract_id=row.contract_id,
                score=rng.choice([2, 3, 4, 4, 5, 5, 5]),
                nps=rng.choice([4, 6, 7, 8, 9, 9, 10]),
                comment=rng.choice(["", "老师很专业", "希望课程安排更灵活", "性价比不错"]),
                answered_on=min(sent + dt.timedelta(days=rng.randint(0, 6)), today),
                recorded_by=None,
            )
            answers.append(answer)
            invitation.survey = answer
            invitation.answered_at = _at(answer.answered_on, 20)
        invitations.append(invitation)
    SatisfactionSurvey.objects.bulk_create(answers)
    for invitation in invitations:
        if invitation.survey is not None:
            invitation.survey_id = invitation.survey.pk
    SurveyInvitation.objects.bulk_create(invitations, ignore_conflicts=True)
    return len(answers)


def _feedback(ctx: DemoContext) -> None:
    today, rng = ctx.today, ctx.rng
    lines = list(ProductLine.objects.filter(is_active=True).order_by("code"))
    authors = [ctx.users[name] for name in ("service", "rep1", "rep6", "manager1", "rep11")]
    customers = list(Customer.objects.order_by("pk")[:40])
    Feedback.objects.bulk_create(
        Feedback(
            author=rng.choice(authors),
            customer=rng.choice(customers) if customers else None,
            product_line=rng.choice(lines),
            kind=kind,
            source=source,
            text=text,
            heard_on=today - dt.timedelta(days=rng.randint(0, 300)),
            created_at=timezone.now(),
        )
        for _ in range(4)
        for kind, source, text in FEEDBACK
    )

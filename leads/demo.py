"""Demo leads: a year of enquiries across the channels, worked through the funnel with a
realistic drop-off at each stage, their follow-ups, a few pool leads and weekly activity
plans. Everything is written with bulk_create; a second run leaves the data as it is."""

import datetime as dt
import random
from decimal import Decimal

from salescrm.demo import DemoContext, demo_seeder
from salescrm.models import ProductLine
from salescrm.timeutil import monday_of, start_of_day

from .models import (
    Activity,
    ActivityPlan,
    Assignment,
    Campaign,
    Channel,
    CoachingComment,
    Lead,
    LeadSettings,
    LostReason,
    StageChange,
)
from .scoring import active_rules, score_row

LEADS_PER_REP = 180
# channel code -> relative volume
CHANNEL_MIX = {
    "website": 18,
    "social_media": 14,
    "search_ads": 12,
    "livestream": 10,
    "exhibition": 8,
    "ground_promotion": 8,
    "phone_in": 8,
    "partner": 7,
    "referral": 9,
    "enterprise_school": 6,
}
# chance to move on from each stage (seed 000's funnel shape)
FUNNEL = [
    ("new", "contacted", 0.85),
    ("contacted", "needs_analysis", 0.65),
    ("needs_analysis", "trial", 0.55),
    ("trial", "proposal", 0.62),
    ("proposal", "negotiation", 0.68),
    ("negotiation", "won", 0.62),
]
STAGE_KINDS = {
    "contacted": ["phone", "wechat"],
    "needs_analysis": ["phone", "online_meeting", "visit"],
    "trial": ["trial_lesson", "campus_tour"],
    "proposal": ["visit", "online_meeting"],
    "negotiation": ["phone", "visit"],
    "won": ["visit"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = [
    "子涵",
    "欣怡",
    "浩然",
    "梓萱",
    "宇轩",
    "雨桐",
    "俊杰",
    "思彤",
    "明轩",
    "一诺",
    "晓东",
    "丽华",
    "建国",
    "海燕",
    "志强",
    "秀兰",
    "文博",
    "佳琪",
    "天宇",
    "若曦",
]
COMPANIES = [
    "华腾科技",
    "星河教育",
    "锦程物流",
    "蓝海医药",
    "恒信银行",
    "新元制造",
    "博雅传媒",
    "中远电子",
    "天诚地产",
    "汇丰食品",
    "云启软件",
    "明德中学",
    "育才实验学校",
    "东方航空服务",
]
REGIONS = ["上海", "北京", "杭州", "苏州", "南京", "深圳", "广州", "成都", "武汉", "天津"]
OUTCOMES = {
    "phone": ["接通，有兴趣", "未接通，稍后再打", "约好下周面谈"],
    "wechat": ["已加微信，发送课程资料", "客户回复询问价格"],
    "visit": ["上门拜访，见到负责人", "拜访HR，了解培训需求"],
    "online_meeting": ["线上会议演示课程体系", "视频沟通学习目标"],
    "trial_lesson": ["参加试听课，反馈良好", "试听后希望调整上课时间"],
    "campus_tour": ["参观校区，满意教学环境"],
}


def _office_time(rng, moment: dt.datetime) -> dt.datetime:
    """The same Shanghai day at a working hour: reps log follow-ups 09:00-17:59."""
    return moment.replace(hour=rng.randint(9, 17), minute=rng.randint(0, 59), second=0)


@demo_seeder(order=20)
def seed_leads(ctx: DemoContext) -> None:
    rng = random.Random(ctx.rng.randrange(1 << 30))
    if Lead.objects.exists():
        ctx.log("  leads already seeded; left as they are")
        return
    channels = {c.code: c for c in Channel.objects.all()}
    reasons = list(LostReason.objects.all())
    product_lines = list(ProductLine.objects.all())
    _campaigns(ctx, channels)
    reps = ctx.reps()
    now = start_of_day(ctx.today) + dt.timedelta(hours=9)
    phones: set[str] = set()

    leads, plans_for = [], []
    for rep in reps:
        # a rep works leads from their hire date on, never before
        reach = 365 if rep.hire_date is None else min(365, (ctx.today - rep.hire_date).days)
        for _n in range(LEADS_PER_REP):
            days_back = int(rng.triangular(1, max(reach, 1), min(60, reach)))
            created = _office_time(rng, now - dt.timedelta(days=days_back))
            channel = channels[
                rng.choices(list(CHANNEL_MIX), weights=list(CHANNEL_MIX.values()))[0]
            ]
            phone = _phone(rng, phones)
            is_company = channel.code in ("enterprise_school", "partner") or rng.random() < 0.2
            family = rng.choice(SURNAMES)
            lead = Lead(
                owner=rep,
                team_id=rep.team_id,
                channel=channel,
                name=family + rng.choice(GIVEN),
                company=rng.choice(COMPANIES) if is_company else "",
                phone=phone,
                wechat=f"wx_{phone[-6:]}" if rng.random() < 0.6 else "",
                product_line=rng.choice(product_lines)
                if product_lines and rng.random() < 0.8
                else None,
                budget=Decimal(rng.choice([3800, 6800, 9800, 12800, 19800, 49800]))
                if rng.random() < 0.5
                else None,
                region=rng.choice(REGIONS),
                decision_maker_reached=rng.random() < 0.4,
                is_urgent=rng.random() < 0.25,
                payer_name=(rng.choice(SURNAMES) + rng.choice(GIVEN)) if rng.random() < 0.4 else "",
                payer_relation=("employer_hr" if is_company else "parent")
                if rng.random() < 0.4
                else "",
                created_by=rep,
                created_at=created,
                assigned_at=created,
            )
            leads.append(lead)
            plans_for.append(rep)

    rules = active_rules()
    settings = LeadSettings.load()
    changes, activities, assignments = [], [], []
    for index, (lead, rep) in enumerate(zip(leads, plans_for, strict=True)):
        assignments.append(
            Assignment(
                lead=lead,
                to_owner=rep,
                reason="created",
                changed_by=rep,
                changed_at=lead.created_at,
            )
        )
        changes.append(
            StageChange(
                lead=lead, from_stage="", to_stage="new", changed_by=rep, changed_at=lead.created_at
            )
        )
        moment, stage, trial = lead.created_at, "new", False
        for from_stage, to_stage, chance in FUNNEL:
            step = _office_time(rng, moment + dt.timedelta(days=rng.randint(1, 12)))
            if step > now or step <= moment or rng.random() > chance:
                break
            moment = step
            kind = rng.choice(STAGE_KINDS[to_stage])
            trial = trial or kind == "trial_lesson"
            activities.append(
                Activity(
                    lead=lead,
                    actor=rep,
                    kind=kind,
                    occurred_at=moment,
                    outcome=rng.choice(OUTCOMES[kind]),
                    feedback=rng.choice(
                        ["关注上课时间", "比较价格", "希望有证书", "需要分期付款", ""]
                    ),
                    next_step=rng.choice(["发送报价", "安排试听", "再次回访", ""]),
                )
            )
            changes.append(
                StageChange(
                    lead=lead,
                    from_stage=from_stage,
                    to_stage=to_stage,
                    changed_by=rep,
                    changed_at=moment,
                )
            )
            stage = to_stage
        lead.stage, lead.last_activity_at = stage, moment if stage != "new" else None
        if stage == "won":
            lead.won_at = moment
        elif (now - moment).days > 30 and rng.random() < 0.75:
            lead.stage, lead.lost_reason = "lost", rng.choice(reasons)
            changes.append(
                StageChange(
                    lead=lead,
                    from_stage=stage,
                    to_stage="lost",
                    changed_by=rep,
                    changed_at=moment + dt.timedelta(days=3),
                )
            )
        elif stage != "new":
            # open and being worked: a recent follow-up, the next one due around today
            touched = _office_time(rng, now - dt.timedelta(days=rng.randint(1, 12)))
            lead.last_activity_at = max(moment, touched)
            lead.next_follow_up_on = ctx.today + dt.timedelta(days=rng.randint(-3, 7))
            if stage == "trial":  # the calendar's trial lessons: booked in the next fortnight
                lead.trial_lesson_on = ctx.today + dt.timedelta(days=rng.randint(0, 14))
            activities.append(
                Activity(
                    lead=lead,
                    actor=rep,
                    kind="phone",
                    occurred_at=lead.last_activity_at,
                    outcome="电话回访",
                    next_follow_up_on=lead.next_follow_up_on,
                )
            )
        elif index % 9 == 0:
            # a few never-worked leads went back to the team pool
            assignments.append(
                Assignment(
                    lead=lead,
                    from_owner=rep,
                    reason="reclaim",
                    changed_at=now - dt.timedelta(days=1),
                )
            )
            lead.owner = None
        row = {
            "budget": lead.budget,
            "decision_maker_reached": lead.decision_maker_reached,
            "is_urgent": lead.is_urgent,
            "product_line_id": lead.product_line_id,
            "payer_name": lead.payer_name,
            "payer_phone": lead.payer_phone,
            "last_activity_at": lead.last_activity_at,
            "channel_points": lead.channel.quality_points,
            "trial_attended": trial,
        }
        lead.score, lead.grade, lead.score_reasons = score_row(row, rules, settings, now)
    Lead.objects.bulk_create(leads, batch_size=1000)
    StageChange.objects.bulk_create(changes, batch_size=2000)
    Activity.objects.bulk_create(activities, batch_size=2000)
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    _plans(ctx, rng, reps)
    won = sum(1 for lead in leads if lead.stage == "won")
    ctx.log(f"  {len(leads)} leads ({won} won), {len(activities)} follow-ups")


def _phone(rng, taken: set) -> str:
    while True:
        phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
        if phone not in taken:
            taken.add(phone)
            return phone


def _campaigns(ctx, channels) -> None:
    year = ctx.today.year
    Campaign.objects.bulk_create(
        [
            Campaign(
                channel=channels["livestream"],
                name=f"{year}春季直播公开课",
                cost=Decimal("18000.00"),
                starts_on=dt.date(year, 3, 1),
                ends_on=dt.date(year, 4, 30),
            ),
            Campaign(
                channel=channels["exhibition"],
                name=f"{year}上海教育展",
                cost=Decimal("45000.00"),
                starts_on=dt.date(year, 5, 10),
                ends_on=dt.date(year, 5, 12),
            ),
            Campaign(
                channel=channels["search_ads"],
                name="百度搜索推广",
                cost=Decimal("60000.00"),
                starts_on=dt.date(year, 1, 1),
            ),
            Campaign(
                channel=channels["referral"],
                name="老带新双重礼",
                cost=Decimal("12000.00"),
                starts_on=dt.date(year, 9, 1),
                ends_on=dt.date(year, 10, 31),
            ),
        ]
    )


def _plans(ctx, rng, reps) -> None:
    monday = monday_of(ctx.today)
    plans = [
        ActivityPlan(
            rep=rep,
            week_start=monday - dt.timedelta(weeks=week),
            calls=rng.choice([30, 40, 50]),
            visits=rng.choice([4, 6, 8]),
            new_leads=rng.choice([8, 10, 15]),
            trial_lessons=rng.choice([2, 3, 4]),
        )
        for rep in reps
        for week in range(8)
    ]
    ActivityPlan.objects.bulk_create(plans)
    managers = {team.pk: team.manager_id for team in ctx.teams}
    CoachingComment.objects.bulk_create(
        [
            CoachingComment(
                plan=plan,
                author_id=managers[plan.rep.team_id],
                body=rng.choice(
                    [
                        "电话量不错，拜访要跟上",
                        "试听转化偏低，注意需求分析",
                        "本周表现很好，继续保持",
                        "多跟进A类线索",
                    ]
                ),
            )
            for plan in plans
            if plan.rep.team_id in managers and managers[plan.rep.team_id] and rng.random() < 0.3
        ]
    )

"""Demo leads: a year of enquiries across the channels, worked through the funnel with a
realistic drop-off at each stage, their follow-ups, a few pool leads and weekly activity
plans. Everything is written with bulk_create; a second run leaves the data as it is."""

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from salescrm.demo import DemoContext, demo_seeder
from salescrm.models import ProductLine
from salescrm.timeutil import SHANGHAI, monday_of, start_of_day

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
# -- the won and lost history (issue 20) --------------------------------------------------------
# Whether a demo lead moves on, signs or drops out depends on what the win-probability model
# can see — its channel, a budget, the decision maker reached, urgency, a trial lesson
# attended, its rep's follow-ups — and on what it cannot (the family's plans, a competitor's
# offer): INTENT_NOISE. So the model's back-test on the demo finds a real but imperfect signal,
# as on an institution's own history, not the certainty of a scripted funnel. Individuals sign
# after a trial lesson or a proposal as well as after a negotiation, and a lead can drop out at
# any stage.
# channel code -> intent (log-odds) it brings: referrals and partner schools sign more
CHANNEL_INTENT = {
    "referral": 0.8,
    "enterprise_school": 0.6,
    "phone_in": 0.4,
    "partner": 0.3,
    "exhibition": 0.1,
    "website": 0.0,
    "search_ads": -0.1,
    "livestream": -0.3,
    "ground_promotion": -0.4,
    "social_media": -0.5,
}
BUDGET_INTENT = 0.6
DECISION_MAKER_INTENT = 0.5
URGENT_INTENT = 0.4
INTENT_NOISE = 1.8  # the standard deviation of what the model cannot see
REP_SKILL_SPREAD = 0.3  # the standard deviation of the reps' closing skill (log-odds)
TRIAL_LIFT = 0.4  # log-odds a trial lesson attended adds to signing
FOLLOW_UP_LIFT = 0.15  # log-odds each extra follow-up in a stage adds to signing from it
# stage -> (log-odds of moving on, log-odds of signing from it) for an average lead, the
# seed 000 funnel's shape; None: not from this stage
FUNNEL = {
    "new": ("contacted", 3.0, None),
    "contacted": ("needs_analysis", 1.3, -5.0),
    "needs_analysis": ("trial", 0.8, -4.8),
    "trial": ("proposal", 0.2, -4.7),
    "proposal": ("negotiation", 0.2, -4.6),
    "negotiation": (None, None, -3.6),
}
STAGE_DAYS = (1, 9)  # days in a stage before the next step
LOST_AFTER_DAYS = (2, 12)  # days from the last step to the lead marked lost
LOST_SHARE = 0.85  # of the leads that dropped out that long ago, the share marked lost
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


def prospect(rng, lead: Lead, product_lines) -> None:
    """What a demo lead says about itself when it comes in: the product line it asks about,
    a budget, whether the decision maker is on the line, urgency."""
    lead.product_line = rng.choice(product_lines) if product_lines and rng.random() < 0.8 else None
    lead.budget = (
        Decimal(rng.choice([3800, 6800, 9800, 12800, 19800, 49800])) if rng.random() < 0.5 else None
    )
    lead.decision_maker_reached = rng.random() < 0.4
    lead.is_urgent = rng.random() < 0.25


def lead_score(lead: Lead, trial: bool, rules, settings, now: dt.datetime) -> None:
    """Score and grade `lead` (unsaved) by the active rules, as the app would."""
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


def won_histories(rng, leads: list[Lead], *, days: int, now: dt.datetime) -> tuple[list, list]:
    """A history for each won lead (unsaved, owner, channel and won_at set) whose win is
    decided elsewhere (the customers' demo): a lead and journey drawn from the same funnel as
    the other demo leads, again until it signs within `days` of its creation, moved to end on
    its won day. So the customers' won leads look like the other won leads (by rejection: the
    won among leads drawn alike). Sets the lead's creation, win, prospect fields, score and
    grade; returns its unsaved stage changes and follow-ups, the creation's included."""
    product_lines = list(ProductLine.objects.all())
    rules, settings = active_rules(), LeadSettings.load()
    changes, activities = [], []
    for lead in leads:
        skill, diligence = rep_traits(lead.owner)
        won_on = lead.won_at.astimezone(SHANGHAI).date()
        start = _office_time(rng, lead.won_at - dt.timedelta(days=days))
        for _attempt in range(1000):
            prospect(rng, lead, product_lines)
            way = journey(rng, start, now, lead_intent(rng, lead, skill), diligence)
            if way.stage == "won" and way.moment < start + dt.timedelta(days=days):
                break
        else:  # pragma: no cover - a won journey is one draw in ten or so
            raise RuntimeError("no won journey drawn for a demo customer's lead")
        shift = dt.timedelta(days=(won_on - way.moment.astimezone(SHANGHAI).date()).days)
        way.moves = [(a, b, at + shift) for a, b, at in way.moves]
        way.visits = [(kind, at + shift) for kind, at in way.visits]
        lead.created_at = lead.assigned_at = start + shift
        lead.won_at = lead.last_activity_at = way.moment + shift
        lead_score(lead, way.trial, rules, settings, now)
        lead_changes, lead_activities = journey_rows(rng, lead, lead.owner, way)
        changes.append(
            StageChange(
                lead=lead,
                from_stage="",
                to_stage="new",
                changed_by=lead.owner,
                changed_at=lead.created_at,
            )
        )
        changes += lead_changes
        activities += lead_activities
    return changes, activities


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def rep_traits(rep) -> tuple[float, float]:
    """(closing skill in log-odds, chance of an extra follow-up) of a demo rep: drawn from the
    rep's login, so the leads and the customers seeders give a rep the same habits."""
    rng = random.Random(f"demo-rep-{rep.username}")
    return rng.gauss(0, REP_SKILL_SPREAD), rng.uniform(0.15, 0.55)


def lead_intent(rng, lead: Lead, skill: float) -> float:
    """The log-odds a lead brings to every step: what the model sees, plus noise."""
    return (
        CHANNEL_INTENT.get(lead.channel.code, 0.0)
        + BUDGET_INTENT * (lead.budget is not None)
        + DECISION_MAKER_INTENT * lead.decision_maker_reached
        + URGENT_INTENT * lead.is_urgent
        + skill
        + rng.gauss(0, INTENT_NOISE)
        - 0.6  # an average lead
    )


@dataclass
class Journey:
    """A lead's way through the funnel from its creation: the stage changes and follow-ups
    (unsaved), where it ended (an open stage or "won") and whether it dropped out there."""

    moves: list = field(default_factory=list)  # (from stage, to stage, at)
    visits: list = field(default_factory=list)  # (kind, at)
    stage: str = "new"
    moment: dt.datetime | None = None  # the last step
    dropped: bool = False
    lost_at: dt.datetime | None = None  # marked lost then (it dropped out long enough ago)
    trial: bool = False


def journey(rng, created: dt.datetime, now: dt.datetime, intent: float, diligence: float):
    """Step through the funnel from `created` until the lead signs, drops out or the next step
    would fall after `now`. At each stage the rep follows up (each of three chances
    `diligence`), then the lead signs (more likely from later stages, with intent, a trial
    lesson and those follow-ups), moves on or drops out."""
    way = Journey(moment=created)
    while True:
        following, move_odds, sign_odds = FUNNEL[way.stage]
        days = rng.randint(*STAGE_DAYS)
        step = _office_time(rng, way.moment + dt.timedelta(days=days))
        if step > now or step <= way.moment:
            return way
        extra = 0
        if way.stage != "new":
            extra = sum(rng.random() < diligence for _n in range(3))
            for _n in range(extra):
                at = _office_time(rng, way.moment + dt.timedelta(days=rng.randint(0, days)))
                if way.moment < at < step:
                    way.visits.append((rng.choice(["phone", "wechat"]), at))
        sign = 0.0
        if sign_odds is not None:
            sign = _sigmoid(sign_odds + intent + TRIAL_LIFT * way.trial + FOLLOW_UP_LIFT * extra)
        move = _sigmoid(move_odds + 0.7 * intent) if following else 0.0
        draw = rng.random()
        if draw < sign:
            to_stage = "won"
        elif draw < sign + (1 - sign) * move:
            to_stage = following
        else:
            way.dropped = True
            lost_at = _office_time(
                rng, way.moment + dt.timedelta(days=rng.randint(*LOST_AFTER_DAYS))
            )
            if lost_at < now and rng.random() < LOST_SHARE:
                # the rep chases it, then marks it lost after the call where it says no
                for _n in range(sum(rng.random() < diligence for _n in range(3))):
                    at = _office_time(rng, way.moment + (lost_at - way.moment) * rng.random())
                    if way.moment < at < lost_at:
                        way.visits.append((rng.choice(["phone", "wechat"]), at))
                way.visits.append(("phone", lost_at))
                way.lost_at = lost_at
            return way
        kind = rng.choice(STAGE_KINDS[to_stage])
        if to_stage == "trial":
            # not every family booked on a trial lesson comes to it
            kind = "trial_lesson" if rng.random() < _sigmoid(0.8 + intent) else "campus_tour"
        way.trial = way.trial or kind == "trial_lesson"
        way.visits.append((kind, step))
        way.moves.append((way.stage, to_stage, step))
        way.stage, way.moment = to_stage, step
        if to_stage == "won":
            return way


def journey_rows(rng, lead: Lead, rep, way: Journey) -> tuple[list, list]:
    """The unsaved stage changes and follow-ups of `lead`'s journey (its creation's change
    written by the caller)."""
    changes = [
        StageChange(lead=lead, from_stage=a, to_stage=b, changed_by=rep, changed_at=at)
        for a, b, at in way.moves
    ]
    activities = [
        Activity(
            lead=lead,
            actor=rep,
            kind=kind,
            occurred_at=at,
            outcome=rng.choice(OUTCOMES[kind]),
            feedback=rng.choice(["关注上课时间", "比较价格", "希望有证书", "需要分期付款", ""]),
            next_step=rng.choice(["发送报价", "安排试听", "再次回访", ""]),
        )
        for kind, at in way.visits
    ]
    return changes, activities


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
                region=rng.choice(REGIONS),
                payer_name=(rng.choice(SURNAMES) + rng.choice(GIVEN)) if rng.random() < 0.4 else "",
                payer_relation=("employer_hr" if is_company else "parent")
                if rng.random() < 0.4
                else "",
                created_by=rep,
                created_at=created,
                assigned_at=created,
            )
            prospect(rng, lead, product_lines)
            leads.append(lead)
            plans_for.append(rep)

    rules = active_rules()
    settings = LeadSettings.load()
    changes, activities, assignments = [], [], []
    traits = {rep.pk: rep_traits(rep) for rep in reps}
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
        skill, diligence = traits[rep.pk]
        way = journey(rng, lead.created_at, now, lead_intent(rng, lead, skill), diligence)
        moment, stage, trial = way.moment, way.stage, way.trial
        lead_changes, lead_activities = journey_rows(rng, lead, rep, way)
        changes += lead_changes
        activities += lead_activities
        lead.stage, lead.last_activity_at = stage, moment if stage != "new" else None
        if stage == "won":
            lead.won_at = moment
        elif way.lost_at:
            lead.stage, lead.lost_reason = "lost", rng.choice(reasons)
            lead.last_activity_at = way.lost_at
            changes.append(
                StageChange(
                    lead=lead,
                    from_stage=stage,
                    to_stage="lost",
                    changed_by=rep,
                    changed_at=way.lost_at,
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
        lead_score(lead, trial, rules, settings, now)
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

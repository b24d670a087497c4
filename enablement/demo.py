"""Demo enablement data: a script library in Chinese (scripts and tools for each step of
seed 004, objection cards, case studies), script usage on the demo follow-ups, one finished
and one running A/B experiment, onboarding plans for the newest reps, training sessions
with attendance and personal plans. Written through the services where a rule applies
(approval, the arms' split, the measurement); a second run leaves everything as it is."""

import datetime as dt
import random

from leads.models import Activity
from salescrm.demo import DemoContext, demo_seeder
from salescrm.models import ProductLine
from salescrm.timeutil import day_bounds

from . import services
from .experiments import experiment_create, experiment_measure
from .models import (
    Attendance,
    Course,
    EnablementSettings,
    OnboardingTemplate,
    Script,
    ScriptUsage,
    TrainingPlanItem,
    TrainingSession,
)

# (stage, product line code or "", title, text)
SCRIPTS = [
    (
        "contact",
        "",
        "首次电话接触话术",
        "您好，我是XX教育的课程顾问小王。看到您在官网留言咨询职场英语课程，想花两分钟了解一下您的学习目标，方便吗？",
    ),
    (
        "contact",
        "",
        "微信添加后的第一句话",
        "您好，我是刚才和您通话的顾问小王。这是我们课程的介绍和近期开班时间，您先看看，有任何问题随时找我。",
    ),
    (
        "contact",
        "corporate",
        "企业客户首次拜访开场",
        "李经理您好，感谢您抽出时间。今天主要想了解贵公司今年的人才培养重点，再看看我们能不能帮上忙，大概占用您二十分钟。",
    ),
    (
        "contact",
        "online",
        "直播课留资回访话术",
        "您好，您昨晚参加了我们的直播公开课，老师讲的时间管理方法您觉得哪一部分最有用？我们正好有配套的系统课程。",
    ),
    (
        "contact",
        "courses",
        "转介绍客户接触话术",
        "您好，我是XX教育的小王，您的朋友张女士在我们这里学完了会计课程，她说您也在考虑考证，特意让我联系您。",
    ),
    (
        "needs_analysis",
        "",
        "需求分析五问",
        "1. 您希望通过学习解决什么问题？\n2. 计划什么时候达成？\n3. 之前尝试过哪些方法？\n4. 每周能投入多少时间？\n5. 学费由谁决定、预算大概多少？",
    ),
    (
        "needs_analysis",
        "corporate",
        "企业培训需求调研提纲",
        "请对方描述：培训对象和人数、业务痛点、期望的考核指标、过去的培训效果、预算审批流程和决策人。",
    ),
    (
        "needs_analysis",
        "courses",
        "学员学习目标确认话术",
        "我理解您的目标是三个月内通过中级考试，同时工作日只能晚上学习，对吗？那我们一起看看哪个班型最合适。",
    ),
    (
        "trial",
        "",
        "试听课邀约话术",
        "这周六上午十点有一节免费试听课，是主讲老师亲自上，您可以带着今天聊到的问题来，听完再决定也不迟。",
    ),
    (
        "trial",
        "",
        "试听课后跟进话术",
        "昨天试听感觉怎么样？老师讲的内容和您的需求匹配吗？我把课堂笔记发您，同时帮您预留了开班名额。",
    ),
    (
        "trial",
        "online",
        "在线试听账号开通说明",
        "试听账号已经开好了，七天内可以看三节完整课程，建议先看第二节实操课，有问题我随时在线。",
    ),
    (
        "proposal",
        "",
        "课程方案讲解话术",
        "根据您的目标，我建议选择进阶班：共48课时，每周两次，包含一对一答疑和模拟考试，总价一万二，可以分三期付款。",
    ),
    (
        "proposal",
        "corporate",
        "企业内训方案呈现要点",
        "先复述客户的三个痛点，再逐一对应课程模块和考核方式，最后给出效果评估方案和两种报价组合。",
    ),
    (
        "proposal",
        "",
        "报价单说明工具",
        "报价单模板：课程名称、课时、班型、单价、优惠、合计、付款方式、有效期。讲解时先讲价值，后讲价格。",
    ),
    (
        "negotiation",
        "",
        "价格谈判让步原则",
        "每次让步都要换取对方的承诺：例如同意优惠，前提是本周内签约或一次性付款；让步幅度逐次递减。",
    ),
    (
        "negotiation",
        "corporate",
        "大客户谈判关键问题清单",
        "谁是最终决策人？采购流程有几步？竞争对手是谁？对方最在意的是价格、效果还是服务？",
    ),
    (
        "closing",
        "",
        "促成签约话术",
        "那我们今天就把名额定下来，您选分期还是一次付清？一次付清可以再送一套配套教材。",
    ),
    (
        "closing",
        "",
        "假设成交法",
        "开班前我会把学习计划和教材寄到您家里，您看寄到公司还是家里方便？",
    ),
    (
        "closing",
        "courses",
        "限时优惠促成",
        "本期早鸟价到周日截止，之后恢复原价，差价八百元，我先帮您锁定名额好吗？",
    ),
    (
        "closing",
        "corporate",
        "企业合同推进话术",
        "方案您和人力总监都认可了，我这边把合同草稿今天发您法务审阅，下周一我们约个时间确认细节。",
    ),
]
OBJECTIONS = [
    (
        "proposal",
        "太贵了",
        "理解您的顾虑。我们算一下：按48课时计算，每节课二百五十元，比一对一辅导便宜一半，而且包含模拟考试和答疑。",
        "往期学员平均三个月通过考试，通过率86%。",
    ),
    (
        "negotiation",
        "我再考虑考虑",
        "当然可以。方便告诉我您主要在考虑哪一点吗？是时间安排、费用，还是对效果有疑问？",
        "大部分学员犹豫的是时间，我们有周末班和录播回看。",
    ),
    (
        "negotiation",
        "别家更便宜",
        "价格确实不一样，您可以对比一下课时数、师资和售后服务，我这里有一份对比表给您参考。",
        "我们的讲师平均教龄八年，提供课后一年答疑。",
    ),
    (
        "trial",
        "没时间上课",
        "我们有晚班、周末班和在线录播，可以根据您的时间灵活安排，缺课还可以免费补课。",
        "在职学员占我们学员的七成以上。",
    ),
    (
        "proposal",
        "效果没保障",
        "我们有阶段测评，如果第一阶段测评不达标，可以免费重修一次。",
        "合同条款中写明重修政策。",
    ),
    (
        "contact",
        "我不需要",
        "好的，打扰您了。方便问一下您现在是已经报了其他课程，还是暂时没有学习计划？我可以先发您一份免费资料。",
        "免费资料领取后的转化率约15%。",
    ),
    (
        "negotiation",
        "要和家人商量",
        "理解，这是重要的决定。要不要我约个时间，和您家人一起视频沟通一下，把课程和费用讲清楚？",
        "家长共同参与的签约率更高。",
    ),
    (
        "proposal",
        "预算不够（企业）",
        "我们可以把项目分两期实施，第一期先覆盖核心岗位，费用可以计入下个预算周期。",
        "某制造企业分两期实施，第二期追加了30%的人数。",
    ),
]
CASES = [
    (
        "corporate",
        "制造企业班组长管理培训",
        "某汽车零部件制造企业",
        "班组长多为技术骨干提拔，缺乏管理方法，一线员工流失率高。",
        "为期三个月的班组长管理训练营，线下集训加线上作业，结合企业真实案例。",
        "参训班组员工流失率下降40%，客户续签第二期并扩大到三个厂区。",
    ),
    (
        "courses",
        "在职会计考证学员",
        "在职会计张女士",
        "工作繁忙，两次自学未通过中级考试。",
        "晚班加周末冲刺班，配一对一答疑和三次模拟考试。",
        "四个月后一次通过两科，并转介绍两位同事报名。",
    ),
    (
        "online",
        "互联网公司新员工在线学习",
        "某互联网公司人力资源部",
        "新员工分布在五个城市，集中培训成本高。",
        "定制在线课程包和学习地图，按月出具学习数据报告。",
        "新员工试用期通过率从78%提升到91%，年度续约。",
    ),
    (
        "corporate",
        "连锁零售门店销售技巧",
        "某连锁零售品牌",
        "门店销售转化率低，店长缺少带教工具。",
        "门店销售话术工作坊加店长带教手册，配套神秘顾客评估。",
        "试点门店三个月客单价提升18%。",
    ),
]
COURSES = [
    ("产品知识培训", Course.Kind.INTERNAL, 60),
    ("话术通关考核", Course.Kind.CERTIFICATION, 80),
    ("谈判技巧认证", Course.Kind.CERTIFICATION, 75),
    ("大客户销售方法", Course.Kind.INTERNAL, 60),
]
ONBOARDING_ITEMS = [
    ("产品知识学习与考试", 7),
    ("话术通关", 14),
    ("陪同拜访三次（导师带教）", 21),
    ("独立邀约第一节试听课", 21),
    ("谈判技巧培训", 21),
]
KIND_STAGE = {
    "phone": "contact",
    "wechat": "contact",
    "online_meeting": "needs_analysis",
    "visit": "proposal",
    "trial_lesson": "trial",
    "campus_tour": "trial",
}


@demo_seeder(order=60)
def seed_enablement(ctx: DemoContext) -> None:
    if Script.objects.exists():
        ctx.log("  enablement already seeded; left as it is")
        return
    rng = random.Random(ctx.rng.randrange(1 << 30))
    EnablementSettings.objects.get_or_create(pk=1)
    scripts = _library(ctx, rng)
    _usage(ctx, rng, scripts)
    _experiments(ctx, rng, scripts)
    _onboarding(ctx, rng)
    _training(ctx, rng)


def _publish(ctx, rng, author, approver, **fields):
    script = services.script_create(actor=author, **fields)
    services.version_decide(actor=approver, version=script.versions.get(), approve=True)
    script.refresh_from_db()
    return script


def _library(ctx: DemoContext, rng) -> dict[str, list[Script]]:
    lines = {line.code: line for line in ProductLine.objects.all()}
    authors = [ctx.users[f"rep{n}"] for n in (1, 2, 6, 7, 11, 12)] + [
        ctx.users[f"manager{n}"] for n in (1, 2, 3)
    ]
    approvers = [ctx.users["manager1"], ctx.users["manager2"], ctx.users["director"]]

    def pair():
        author = rng.choice(authors)
        approver = rng.choice([a for a in approvers if a != author])
        return author, approver

    by_stage: dict[str, list[Script]] = {}
    for stage, line, title, body in SCRIPTS:
        author, approver = pair()
        kind = Script.Kind.TOOL if "工具" in title or "清单" in title else Script.Kind.SCRIPT
        script = _publish(
            ctx,
            rng,
            author,
            approver,
            kind=kind,
            title=title,
            stage=stage,
            product_line=lines.get(line),
            body=body,
        )
        by_stage.setdefault(stage, []).append(script)
    for stage, objection, answer, evidence in OBJECTIONS:
        author, approver = pair()
        script = _publish(
            ctx,
            rng,
            author,
            approver,
            kind=Script.Kind.OBJECTION,
            title=f"异议：{objection}",
            stage=stage,
            objection=objection,
            body=answer,
            evidence=evidence,
        )
        by_stage.setdefault(stage, []).append(script)
    for line, title, customer, problem, solution, result in CASES:
        author, approver = pair()
        _publish(
            ctx,
            rng,
            author,
            approver,
            kind=Script.Kind.CASE,
            title=title,
            stage="",
            product_line=lines.get(line),
            body=solution,
            customer=customer,
            problem=problem,
            solution=solution,
            result=result,
        )
    # a revision waiting for approval, and a new entry not yet approved
    first = by_stage["trial"][0]
    services.script_revise(
        actor=ctx.users["rep3"],
        script=first,
        body="这周六上午十点有一节免费试听课，主讲老师会现场答疑，名额只剩五个，我先帮您登记？",
    )
    services.script_create(
        actor=ctx.users["rep8"], kind=Script.Kind.SCRIPT, title="老学员续费提醒话术",
        stage="closing", body="您的课程下个月结束，续报进阶班可以享受老学员九折，还能保留原班主任。",
    )  # fmt: skip
    ctx.log(f"  script library: {Script.objects.count()} entries")
    return by_stage


def _usage(ctx: DemoContext, rng, scripts) -> None:
    """Scripts marked on the reps' follow-ups of the last 60 days, each rep with their own
    habit (from about half the time to nearly always)."""
    start, end = day_bounds(ctx.today - dt.timedelta(days=60), ctx.today)
    habit = {rep.pk: rng.uniform(0.5, 0.97) for rep in ctx.reps()}
    rows = []
    activities = Activity.objects.filter(
        occurred_at__gte=start,
        occurred_at__lt=end,
        actor__in=list(habit),
        kind__in=list(KIND_STAGE),
    ).values_list("pk", "actor_id", "kind", "occurred_at")
    for pk, actor, kind, occurred in activities:
        offered = scripts.get(KIND_STAGE[kind])
        if not offered or rng.random() > habit[actor]:
            continue
        script = rng.choice(offered)
        rows.append(
            ScriptUsage(
                activity_id=pk,
                script=script,
                version_id=script.published_version_id,
                rep_id=actor,
                used_at=occurred,
            )
        )
    ScriptUsage.objects.bulk_create(rows, batch_size=2000)
    ctx.log(f"  script usage: {len(rows)} follow-ups")


def _experiments(ctx: DemoContext, rng, scripts) -> None:
    finished = experiment_create(
        actor=ctx.users["manager1"],
        name="试听邀约话术 A/B",
        script_a=scripts["trial"][0],
        script_b=scripts["trial"][1],
        from_stage="trial",
        to_stage="proposal",
        team=ctx.teams[0],
        starts_on=ctx.today - dt.timedelta(days=150),
        ends_on=ctx.today - dt.timedelta(days=30),
        rng=random.Random(rng.random()),
    )
    experiment_measure(finished, ctx.today, EnablementSettings.load().min_uplift_percent)
    running = experiment_create(
        actor=ctx.users["director"],
        name="首次接触话术 A/B",
        script_a=scripts["contact"][0],
        script_b=scripts["contact"][1],
        from_stage="contacted",
        to_stage="needs_analysis",
        team=None,
        starts_on=ctx.today - dt.timedelta(days=20),
        min_sample=400,
        rng=random.Random(rng.random()),
    )
    experiment_measure(running, ctx.today, EnablementSettings.load().min_uplift_percent)


def _onboarding(ctx: DemoContext, rng) -> None:
    template = OnboardingTemplate.objects.create(name="新人入职三周计划")
    for order, (title, days) in enumerate(ONBOARDING_ITEMS, start=1):
        template.items.create(title=title, due_days=days, order=order)
    for team_index, team in enumerate(ctx.teams):
        newest = ctx.reps(team_index)[-1]  # rep5, rep10, rep15 joined this autumn
        mentor = ctx.reps(team_index)[0]
        manager = team.manager
        plan = services.onboarding_plan_start(
            actor=manager, rep=newest, template=template, mentor=mentor,
            ramp_activities_per_month=30,
        )  # fmt: skip
        for item in plan.items.all():
            if item.due_on < ctx.today and rng.random() < 0.8:
                services.onboarding_sign_off(
                    actor=rng.choice([mentor, manager]), item=item, today=item.due_on
                )


def _training(ctx: DemoContext, rng) -> None:
    courses = [
        Course.objects.create(title=title, kind=kind, pass_score=score)
        for title, kind, score in COURSES
    ]
    reps = ctx.reps()
    sessions = []
    for months_back in (5, 4, 3, 2, 1, 0):
        for course in rng.sample(courses, 2):
            held = ctx.today - dt.timedelta(days=30 * months_back + rng.randint(1, 20))
            sessions.append(
                TrainingSession.objects.create(
                    course=course, held_on=held, trainer=rng.choice(["周老师", "吴经理", "外聘讲师"]),
                    location=rng.choice(["总部培训室", "线上", "二楼会议室"]),
                )
            )  # fmt: skip
    rows = []
    for session in sessions:
        for rep in reps:
            if rep.hire_date and rep.hire_date > session.held_on:
                continue
            if rng.random() < 0.6:
                score = (
                    rng.randint(55, 98)
                    if session.course.kind == Course.Kind.CERTIFICATION
                    else None
                )
                rows.append(Attendance(session=session, rep=rep, attended=True, score=score))
    Attendance.objects.bulk_create(rows)
    plan_rows = []
    for rep in reps:
        for course in rng.sample(courses, 2):
            due = ctx.today + dt.timedelta(days=rng.randint(-120, 60))
            if rep.hire_date:  # never due before the rep could have been trained
                due = max(due, rep.hire_date + dt.timedelta(days=21))
            plan_rows.append(TrainingPlanItem(rep=rep, course=course, due_on=due))
    TrainingPlanItem.objects.bulk_create(plan_rows)
    ctx.log(f"  training: {len(sessions)} sessions, {len(rows)} attendances")

"""Script A/B experiments: splitting the reps into two arms, and the nightly measurement.

**Assignment.** The active reps in the experiment's scope (its team, or every team) are
ranked by their past conversion of the same stage transition (the 180 days before the start,
from the stage history, one query). Walking down the ranking two by two, a coin decides which
of each pair goes to A and which to B (an odd last rep gets a coin of their own). So the arms
are chosen at random but their past conversions are balanced.

**Measurement** (nightly, ``experiments_measure``). A lead counts in an arm when a rep of
that arm moved it into the experiment's *from* stage between the start and the cut-off (the
end date, or the night measured if earlier); it converted when its history shows it reaching
the *to* stage or any later stage of the funnel (never "lost") after that, by the cut-off.
Each experiment is its members and one aggregate query over the stage history, whatever the
number of reps; the result replaces the experiment's figures, so a rerun of a night writes the
same values.
The statistics are ``stats.compare`` and ``stats.verdict``.
"""

import datetime as dt
import random

from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Value, When
from django.utils.translation import gettext as _

from leads.models import Lead, StageChange
from salescrm.errors import BusinessRuleError
from salescrm.models import Team, User
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.scoping import managed_team_ids
from salescrm.submissions import submitted_once
from salescrm.timeutil import day_bounds, local_today

from . import stats
from .models import EnablementSettings, Experiment, ExperimentMember, Script

FUNNEL = [
    Lead.Stage.NEW,
    Lead.Stage.CONTACTED,
    Lead.Stage.NEEDS_ANALYSIS,
    Lead.Stage.TRIAL,
    Lead.Stage.PROPOSAL,
    Lead.Stage.NEGOTIATION,
    Lead.Stage.WON,
]
PAST_DAYS = 180


def reached(stage: str) -> list[str]:
    """The stages that count as having reached `stage`: it and every later one."""
    return FUNNEL[FUNNEL.index(stage) :]


def _converted(to_stage: str, cut_off_end: dt.datetime):
    return Exists(
        StageChange.objects.filter(
            lead=OuterRef("lead"),
            changed_at__gt=OuterRef("changed_at"),
            changed_at__lt=cut_off_end,
            to_stage__in=reached(to_stage),
        )
    )


def conversions_by_rep(
    from_stage: str, to_stage: str, first: dt.date, last: dt.date, reps: list[int]
) -> dict[int, tuple[int, int]]:
    """{rep: (leads moved into `from_stage` by them, of which converted)} over the days
    first..last, conversions counted to the end of `last`. One query."""
    start, end = day_bounds(first, last)
    rows = (
        StageChange.objects.filter(
            to_stage=from_stage, changed_at__gte=start, changed_at__lt=end, changed_by_id__in=reps
        )
        .annotate(converted=_converted(to_stage, end))
        .values("changed_by_id")
        .annotate(
            n=Count("lead", distinct=True),
            x=Count("lead", distinct=True, filter=Q(converted=True)),
        )
        .order_by()
    )
    return {row["changed_by_id"]: (row["n"], row["x"]) for row in rows}


def assign_arms(rep_ids: list[int], past: dict[int, float | None], rng: random.Random):
    """[(rep, arm)]: ranked by past conversion (none: last), a coin for each pair."""
    ranked = sorted(rep_ids, key=lambda rep: (past.get(rep) is None, -(past.get(rep) or 0), rep))
    arms = []
    for index in range(0, len(ranked), 2):
        pair = ranked[index : index + 2]
        coin = ["A", "B"]
        rng.shuffle(coin)
        arms += list(zip(pair, coin, strict=False))
    return arms


def _check_stages(from_stage: str, to_stage: str) -> None:
    if from_stage not in FUNNEL or to_stage not in FUNNEL:
        raise BusinessRuleError(_("Choose stages of the funnel (not lost)."))
    if FUNNEL.index(to_stage) <= FUNNEL.index(from_stage):
        raise BusinessRuleError(_("The target stage must come after the starting stage."))


@submitted_once
@transaction.atomic
def experiment_create(
    *,
    actor: User,
    name: str,
    script_a: Script,
    script_b: Script,
    from_stage: str,
    to_stage: str,
    starts_on: dt.date,
    team: Team | None = None,
    ends_on: dt.date | None = None,
    min_sample: int | None = None,
    alpha=None,
    rng: random.Random | None = None,
) -> Experiment:
    """Define an experiment and split its reps into the two arms (see the module's doc).
    A manager runs experiments in a team they lead; the director in any team or all."""
    ensure_may(actor, Action.EXPERIMENT_MANAGE)
    _check_stages(from_stage, to_stage)
    if script_a.pk == script_b.pk:
        raise BusinessRuleError(_("Scripts A and B must differ."))
    if not Script.objects.published().filter(pk__in=[script_a.pk, script_b.pk]).count() == 2:
        raise BusinessRuleError(_("Both scripts must be published."))
    if ends_on is None and min_sample is None:
        raise BusinessRuleError(_("Give an end date or a minimum sample."))
    if ends_on is not None and ends_on < starts_on:
        raise BusinessRuleError(_("The end must not be before the start."))
    if not actor.sees_all:
        if team is None or team.pk not in managed_team_ids(actor):
            raise BusinessRuleError(_("Run experiments in a team you lead."))
    reps = User.objects.filter(role=Role.REP, is_active=True)
    if team is not None:
        reps = reps.filter(team=team)
    rep_ids = list(reps.order_by("pk").values_list("pk", flat=True))
    if len(rep_ids) < 2:
        raise BusinessRuleError(_("An experiment needs at least two reps."))
    experiment = Experiment.objects.create(
        name=name,
        script_a=script_a,
        script_b=script_b,
        from_stage=from_stage,
        to_stage=to_stage,
        team=team,
        starts_on=starts_on,
        ends_on=ends_on,
        min_sample=min_sample,
        created_by=actor,
        **({"alpha": alpha} if alpha is not None else {}),
    )
    history = conversions_by_rep(
        from_stage,
        to_stage,
        starts_on - dt.timedelta(days=PAST_DAYS),
        starts_on - dt.timedelta(days=1),
        rep_ids,
    )
    past = {rep: (x / n if n else None) for rep, (n, x) in history.items()}
    ExperimentMember.objects.bulk_create(
        ExperimentMember(experiment=experiment, rep_id=rep, arm=arm, past_conversion=past.get(rep))
        for rep, arm in assign_arms(rep_ids, past, rng or random.SystemRandom())
    )
    return experiment


def arm_counts(experiment: Experiment, cut_off: dt.date) -> dict[str, tuple[int, int]]:
    """{arm: (leads, conversions)} up to the end of `cut_off`. Two queries: the members, then
    the stage changes counted per arm (the arm named by the mover's id in a list, not by a
    subquery per stage change: 74,000 of them in an all-teams experiment on 1 M leads)."""
    start, end = day_bounds(experiment.starts_on, cut_off)
    members = dict(
        ExperimentMember.objects.filter(experiment=experiment)
        .order_by()
        .values_list("rep_id", "arm")
    )
    arms = sorted(set(members.values()))
    rows = (
        (
            StageChange.objects.filter(
                to_stage=experiment.from_stage,
                changed_at__gte=start,
                changed_at__lt=end,
                changed_by_id__in=list(members),
            )
            .annotate(
                arm=Case(
                    *[
                        When(
                            changed_by_id__in=[rep for rep, own in members.items() if own == arm],
                            then=Value(arm),
                        )
                        for arm in arms
                    ],
                    default=Value(""),
                    output_field=CharField(),
                ),
                converted=_converted(experiment.to_stage, end),
            )
            .values("arm")
            .annotate(
                n=Count("lead", distinct=True),
                x=Count("lead", distinct=True, filter=Q(converted=True)),
            )
            .order_by()
        )
        if members
        else []
    )
    counts = {"A": (0, 0), "B": (0, 0)}
    counts.update({row["arm"]: (row["n"], row["x"]) for row in rows})
    return counts


def experiment_measure(experiment: Experiment, business_date: dt.date, min_uplift) -> Experiment:
    cut_off = min(business_date, experiment.ends_on or business_date)
    counts = arm_counts(experiment, cut_off)
    (n_a, x_a), (n_b, x_b) = counts["A"], counts["B"]
    alpha = float(experiment.alpha)
    result = stats.compare(n_a, x_a, n_b, x_b, alpha=alpha)
    experiment.computed_for = cut_off
    experiment.n_a, experiment.conversions_a, experiment.n_b, experiment.conversions_b = (
        n_a,
        x_a,
        n_b,
        x_b,
    )
    experiment.uplift, experiment.p_value = result.uplift, result.p_value
    experiment.ci_low, experiment.ci_high = result.ci_low, result.ci_high
    experiment.min_uplift = min_uplift
    experiment.verdict = stats.verdict(result, min_uplift=min_uplift / 100, alpha=alpha)
    ended = experiment.ends_on is not None and business_date >= experiment.ends_on
    sampled = experiment.min_sample is not None and min(n_a, n_b) >= experiment.min_sample
    experiment.status = (
        Experiment.Status.FINISHED if ended or sampled else Experiment.Status.RUNNING
    )
    experiment.save()
    return experiment


def experiments_measure(business_date: dt.date | None = None) -> dict:
    """The nightly job's body: every running experiment that has started (and one finished
    by this very night, when the night is run again) measured afresh."""
    business_date = business_date or local_today()
    min_uplift = EnablementSettings.load().min_uplift_percent
    experiments = Experiment.objects.filter(starts_on__lte=business_date).filter(
        Q(status=Experiment.Status.RUNNING) | Q(computed_for=business_date)
    )
    measured = 0
    for experiment in experiments:
        experiment_measure(experiment, business_date, min_uplift)
        measured += 1
    return {"experiments": measured}

"""Writes of the targets app: creating and publishing plans, adjusting the split, leavers and
joiners. Every write keeps each level equal to the sum of its children, to the cent, and
records who changed what, when and why."""

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from salescrm.errors import BusinessRuleError
from salescrm.models import ProductLine, Team, User
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.scoping import managed_team_ids
from salescrm.submissions import submitted_once
from salescrm.timeutil import add_months, local_today, month_end, next_month_start

from . import allocation, selectors
from .models import (
    Adjustment,
    AdjustmentLine,
    MonthWeight,
    PlanMember,
    ProductLineShare,
    ProductLineTarget,
    SeniorityWeight,
    Target,
    TargetPlan,
    TeamShare,
    is_month_locked,
)


def _month_label(month: dt.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def _fmt(value: Decimal) -> str:
    return f"{value:,}"


def full_months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def seniority_band(*, hire_date: dt.date | None, on: dt.date, bands: list[SeniorityWeight]):
    """The band of a rep hired on `hire_date`, on day `on`; no hire date counts as long
    service. `bands` is ordered by min_months; None when the table is empty."""
    months = 10**4 if hire_date is None else full_months_between(hire_date, on)
    chosen = None
    for band in bands:
        if band.min_months <= months:
            chosen = band
    return chosen


def _member_defaults(rep: User, on: dt.date, bands: list[SeniorityWeight]) -> dict:
    band = seniority_band(hire_date=rep.hire_date, on=on, bands=bands)
    if band is None:
        return {"weight": Decimal(1), "activity_focus": False, "monthly_visits": 0}
    return {
        "weight": band.weight,
        "activity_focus": band.activity_focus,
        "monthly_visits": band.monthly_visits,
    }


# --- plans --------------------------------------------------------------------------------


def seasonality_proposal(
    *, metric: str, year: int, today: dt.date | None = None
) -> tuple[list[Decimal], str]:
    """Month weights for a plan of `year`: each calendar month's share of the metric's actuals
    over the twelve months before the plan (percent, summing to 100.00), else twelve equal
    weights.

    Those twelve months are last year's, or, while last year is still running (a director
    plans next year in November), the twelve complete months before this one. Only a history
    that covers all twelve (it began in the first of them or earlier) counts."""
    today = today or local_today()
    last = min(dt.date(year - 1, 12, 1), add_months(today, -1))
    first = add_months(last, -11)
    weights = None
    began = selectors.first_actual_on(metric)
    if began is not None and began <= month_end(first):
        weights = allocation.seasonality_from_history(
            selectors.monthly_actuals(metric, first, last)
        )
    if weights is None:
        return [Decimal(1)] * 12, _("even (no history)")
    if first.month == 1:
        return weights, _("actual monthly share of %(year)s") % {"year": first.year}
    return weights, _("actual monthly share of %(first)s to %(last)s") % {
        "first": f"{first:%Y-%m}",
        "last": f"{last:%Y-%m}",
    }


@submitted_once
@transaction.atomic
def plan_create(
    *,
    actor: User,
    year: int,
    metric: str,
    annual_value: Decimal,
    month_weights: list[Decimal] | None = None,
    seasonality_source: str = "",
    today: dt.date | None = None,
) -> TargetPlan:
    """A draft plan with its default weights: months as given (else proposed from last year's
    actuals, see seasonality_proposal), each active rep of an active team weighted by the
    seniority table on 1 January, each team by the sum of its reps' weights. A rep hired
    during the year gets targets from their hire month (weighted by the table then), like a
    joiner of a published plan; one hired after the year is not in its plan."""
    ensure_may(actor, Action.TARGET_PLAN_EDIT)
    if TargetPlan.objects.filter(year=year, metric=metric).exists():
        raise BusinessRuleError(_("There is already a plan for this year and metric."))
    weights = month_weights
    if weights is None:
        weights, seasonality_source = seasonality_proposal(metric=metric, year=year, today=today)
    if len(weights) != 12 or any(w < 0 for w in weights) or not any(weights):
        raise BusinessRuleError(_("Twelve month weights are needed, not negative, not all zero."))
    plan = TargetPlan.objects.create(
        year=year,
        metric=metric,
        annual_value=annual_value,
        created_by=actor,
        seasonality_source=seasonality_source,
    )
    MonthWeight.objects.bulk_create(
        MonthWeight(plan=plan, month=m, weight=w) for m, w in enumerate(weights, start=1)
    )
    bands = list(SeniorityWeight.objects.all())
    start = dt.date(year, 1, 1)
    reps = (
        User.objects.reps()
        .active()
        .filter(team__isnull=False, team__is_active=True)
        .select_related("team")
        .order_by("team__sort_key", "username")
    )
    members = []
    for rep in reps:
        hired = rep.hire_date
        if hired is not None and hired.year > year:
            continue
        first = hired.month if hired is not None and hired.year == year else 1
        on = start.replace(month=first)
        members.append(
            PlanMember(
                plan=plan,
                rep=rep,
                team=rep.team,
                first_month=first,
                **_member_defaults(rep, on, bands),
            )
        )
    PlanMember.objects.bulk_create(members)
    team_weights: dict[int, Decimal] = defaultdict(Decimal)
    for member in members:
        team_weights[member.team_id] += member.amount_weight(metric)
    TeamShare.objects.bulk_create(
        TeamShare(plan=plan, team_id=team_id, weight=weight)
        for team_id, weight in team_weights.items()
    )
    # The product line split is optional: every line starts at zero (= no split).
    ProductLineShare.objects.bulk_create(
        ProductLineShare(plan=plan, product_line=line, weight=Decimal(0))
        for line in ProductLine.objects.filter(is_active=True)
    )
    return plan


@transaction.atomic
def plan_update_weights(
    *,
    plan: TargetPlan,
    actor: User,
    annual_value: Decimal,
    month_weights: list[Decimal],
    team_weights: dict[int, Decimal],
    member_weights: dict[int, tuple[Decimal, bool]],
    product_line_weights: dict[int, Decimal] | None = None,
) -> TargetPlan:
    """Replace the draft's weights (the director edits them before publishing)."""
    ensure_may(actor, Action.TARGET_PLAN_EDIT)
    plan = TargetPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_published:
        raise BusinessRuleError(_("A published plan is changed by adjustments, not by weights."))
    if not any(month_weights):
        raise BusinessRuleError(_("At least one month needs a weight above zero."))
    plan.annual_value = annual_value
    plan.save(update_fields=["annual_value"])
    rows = {w.month: w for w in plan.month_weights.all()}
    for month, weight in enumerate(month_weights, start=1):
        rows[month].weight = weight
    MonthWeight.objects.bulk_update(rows.values(), ["weight"])
    shares = list(plan.team_shares.filter(team_id__in=team_weights))
    for share in shares:
        share.weight = team_weights[share.team_id]
    TeamShare.objects.bulk_update(shares, ["weight"])
    members = list(plan.members.filter(pk__in=member_weights))
    for member in members:
        member.weight, member.activity_focus = member_weights[member.pk]
    PlanMember.objects.bulk_update(members, ["weight", "activity_focus"])
    product_line_weights = product_line_weights or {}
    lines = list(plan.product_line_shares.filter(product_line_id__in=product_line_weights))
    for line in lines:
        line.weight = product_line_weights[line.product_line_id]
    ProductLineShare.objects.bulk_update(lines, ["weight"])
    return plan


@dataclass
class Breakdown:
    """The figures of a plan: company months, team months and rep months (12 each)."""

    company: list[Decimal]
    teams: dict[int, list[Decimal]]
    reps: dict[int, list[Decimal]]  # rep id -> months
    rep_team: dict[int, int]
    product_lines: dict[int, list[Decimal]]  # product line id -> months (empty: no split)


def _active_in(member: PlanMember, month: int) -> bool:
    return member.first_month <= month and (
        member.left_after_month is None or month <= member.left_after_month
    )


def plan_breakdown(plan: TargetPlan) -> Breakdown:
    """Compute the split of a draft from its weights (3 queries); raises ValidationError with
    the place that is wrong when the weights cannot carry the target."""
    places = plan.places
    month_weights = [w.weight for w in plan.month_weights.order_by("month")]
    shares = list(plan.team_shares.select_related("team").order_by("team__sort_key"))
    members = list(plan.members.select_related("rep").order_by("team_id", "rep__username"))
    _check_value(plan.annual_value, places, _("Annual target"))
    if not any(month_weights):
        raise BusinessRuleError(_("At least one month needs a weight above zero."))
    if not any(s.weight for s in shares):
        raise BusinessRuleError(_("At least one team needs a weight above zero."))
    company = allocation.split_year(plan.annual_value, month_weights, places=places)
    by_team: dict[int, list[PlanMember]] = defaultdict(list)
    for member in members:
        by_team[member.team_id].append(member)
    teams = {s.team_id: [] for s in shares}
    reps = {m.rep_id: [] for m in members}
    for index, month_total in enumerate(company):
        month = index + 1
        team_values = allocation.allocate(month_total, [s.weight for s in shares], places=places)
        for share, team_value in zip(shares, team_values, strict=True):
            teams[share.team_id].append(team_value)
            team_members = by_team.get(share.team_id, [])
            weights = [
                m.amount_weight(plan.metric) if _active_in(m, month) else Decimal(0)
                for m in team_members
            ]
            if team_value == 0:
                rep_values = [team_value] * len(team_members)
            elif not any(weights):
                raise BusinessRuleError(
                    _("Team %(team)s has a share but no rep with a weight above zero.")
                    % {"team": share.team}
                )
            else:
                rep_values = allocation.allocate(team_value, weights, places=places)
            for member, value in zip(team_members, rep_values, strict=True):
                reps[member.rep_id].append(value)
    line_shares = [s for s in plan.product_line_shares.order_by("product_line__code")]
    product_lines: dict[int, list[Decimal]] = {}
    if any(s.weight for s in line_shares):
        for month_total in company:
            values = allocation.allocate(
                month_total, [s.weight for s in line_shares], places=places
            )
            for share, value in zip(line_shares, values, strict=True):
                product_lines.setdefault(share.product_line_id, []).append(value)
    return Breakdown(
        company=company,
        teams=teams,
        reps=reps,
        rep_team={m.rep_id: m.team_id for m in members},
        product_lines=product_lines,
    )


@transaction.atomic
def plan_publish(*, plan: TargetPlan, actor: User) -> TargetPlan:
    """Write the breakdown as Target rows; from now on only adjustments change them."""
    ensure_may(actor, Action.TARGET_PLAN_EDIT)
    plan = TargetPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_published:
        raise BusinessRuleError(_("This plan is already published."))
    result = plan_breakdown(plan)
    months = plan.months()
    rows = [
        Target(plan=plan, level=Target.Level.COMPANY, month=months[i], value=value)
        for i, value in enumerate(result.company)
    ]
    for team_id, values in result.teams.items():
        rows += [
            Target(plan=plan, level=Target.Level.TEAM, team_id=team_id, month=months[i], value=v)
            for i, v in enumerate(values)
        ]
    for rep_id, values in result.reps.items():
        team_id = result.rep_team[rep_id]
        rows += [
            Target(
                plan=plan,
                level=Target.Level.REP,
                team_id=team_id,
                rep_id=rep_id,
                month=months[i],
                value=v,
            )
            for i, v in enumerate(values)
        ]
    Target.objects.bulk_create(rows)
    ProductLineTarget.objects.bulk_create(
        ProductLineTarget(plan=plan, product_line_id=line_id, month=months[i], value=v)
        for line_id, values in result.product_lines.items()
        for i, v in enumerate(values)
    )
    plan.status = TargetPlan.Status.PUBLISHED
    plan.published_at = timezone.now()
    plan.save(update_fields=["status", "published_at"])
    return plan


# --- adjustments --------------------------------------------------------------------------


def can_edit_team(user: User, team_id: int) -> bool:
    if user.has_role(Role.DIRECTOR, Role.ADMIN):
        return True
    return user.role == Role.MANAGER and team_id in managed_team_ids(user)


def _check_edit(*, plan: TargetPlan, reason: str, months: set[dt.date], today: dt.date):
    if not plan.is_published:
        raise BusinessRuleError(_("Only a published plan can be adjusted."))
    if not reason.strip():
        raise BusinessRuleError(_("Give a reason for the change."))
    locked = sorted(m for m in months if is_month_locked(m, today))
    if locked:
        raise BusinessRuleError(
            _("%(months)s ended and is locked; it cannot change.")
            % {"months": ", ".join(_month_label(m) for m in locked)}
        )


def _check_value(value: Decimal, places: int, where: str) -> None:
    if value < 0:
        raise BusinessRuleError(_("%(where)s: a target cannot be negative.") % {"where": where})
    if value != value.quantize(allocation.unit(places)):
        raise BusinessRuleError(
            _("%(where)s: at most %(places)s decimal places.") % {"where": where, "places": places}
        )


def _record(
    *, plan, kind, actor, reason, team=None, changes: list[tuple[Target, Decimal]]
) -> Adjustment:
    """Save the changed rows and one history entry with old and new values."""
    changed = [(t, new) for t, new in changes if t.value != new]
    if not changed:
        raise BusinessRuleError(_("Nothing changed."))
    adjustment = Adjustment.objects.create(
        plan=plan, kind=kind, actor=actor, reason=reason.strip(), team=team
    )
    lines = []
    for target, new in changed:
        lines.append(
            AdjustmentLine(
                adjustment=adjustment, target=target, old_value=target.value, new_value=new
            )
        )
        target.value = new
    Target.objects.bulk_update([t for t, _new in changed], ["value"])
    AdjustmentLine.objects.bulk_create(lines)
    return adjustment


def split_version(targets) -> str:
    """The version of a split as an adjustment form showed it: a digest of its rows' values.

    Any change of one of them (another adjustment, a leaver, a joiner) gives another
    version, so a form rendered before it is refused instead of writing its stale values
    back over the change (optimistic locking, with no counter to keep up in every writer)."""
    digest = hashlib.sha256()
    for pk, value in sorted((t.pk, t.value) for t in targets):
        digest.update(f"{pk}={value};".encode())
    return digest.hexdigest()[:32]


def _check_version(version: str | None, targets) -> None:
    if version is not None and version != split_version(targets):
        raise BusinessRuleError(
            _(
                "These targets were changed meanwhile by someone else; nothing was saved. "
                "Reload the page and make your change again."
            )
        )


def _rows_by_month(rows, key):
    grid: dict[dt.date, dict] = defaultdict(dict)
    for row in rows:
        grid[row.month][key(row)] = row
    return grid


def _month_values(
    current: list[Decimal],
    edits: list[Decimal | None],
    *,
    spread: bool,
    expected: Decimal,
    places: int,
    cannot_absorb: str,
    mismatch: str,
    month: dt.date,
) -> tuple[list[Decimal], str | None]:
    """One month of a split edit (reps of a team, or teams of the company): `edits` holds the
    new value of each position or None. With `spread`, the difference goes to the unedited
    positions; without it, the values must already add up to `expected`. Returns the new
    values, or an error message."""
    if spread:
        positions = {i: value for i, value in enumerate(edits) if value is not None}
        try:
            return allocation.spread_difference(current, positions, places=places), None
        except ValueError:
            return [], cannot_absorb % {"month": _month_label(month)}
    new_values = [old if new is None else new for old, new in zip(current, edits, strict=True)]
    total = sum(new_values, Decimal(0))
    if total != expected:
        return [], mismatch % {
            "month": _month_label(month),
            "total": _fmt(total),
            "expected": _fmt(expected),
            "difference": _fmt(total - expected),
        }
    return new_values, None


@transaction.atomic
def targets_adjust_reps(
    *,
    plan: TargetPlan,
    team: Team,
    actor: User,
    changes: dict[tuple[int, dt.date], Decimal],
    reason: str,
    spread: bool = False,
    today: dt.date | None = None,
    version: str | None = None,
) -> Adjustment:
    """Change reps' targets inside one team; each month's team total stays as it is.

    `changes` maps (rep id, month) to the new value. With `spread`, the difference of each
    month goes to the team's other reps in proportion to their targets; without it, the new
    values must already add up to the team's target (the manager placed it explicitly).
    `version` is the ``split_version`` of the team's rows the form was rendered from."""
    ensure_may(actor, Action.TARGET_ADJUST_REPS)
    today = today or local_today()
    if not can_edit_team(actor, team.pk):
        raise PermissionDenied
    _check_edit(plan=plan, reason=reason, months={m for _r, m in changes}, today=today)
    rows = list(
        Target.objects.select_for_update(of=("self",))
        .filter(plan=plan, team=team, level__in=[Target.Level.TEAM, Target.Level.REP])
        .select_related("rep")
        .order_by("month", "rep__username")
    )
    _check_version(version, rows)
    team_rows = {r.month: r for r in rows if r.level == Target.Level.TEAM}
    rep_grid = _rows_by_month([r for r in rows if r.level == Target.Level.REP], lambda r: r.rep_id)
    by_month: dict[dt.date, dict[int, Decimal]] = defaultdict(dict)
    for (rep_id, month), value in changes.items():
        if month not in team_rows or rep_id not in rep_grid[month]:
            raise BusinessRuleError(_("The rep is not in this team's plan."))
        rep = rep_grid[month][rep_id].rep
        _check_value(value, plan.places, f"{rep} · {_month_label(month)}")
        by_month[month][rep_id] = value
    updates: list[tuple[Target, Decimal]] = []
    errors = []
    for month, edits in sorted(by_month.items()):
        reps = rep_grid[month]
        ids = list(reps)
        new_values, error = _month_values(
            [reps[i].value for i in ids],
            [edits.get(i) for i in ids],
            spread=spread,
            expected=team_rows[month].value,
            places=plan.places,
            cannot_absorb=_("%(month)s: the other reps cannot absorb the difference."),
            mismatch=_(
                "%(month)s: the reps add up to %(total)s but the team target is "
                "%(expected)s (difference %(difference)s)."
            ),
            month=month,
        )
        if error:
            errors.append(error)
            continue
        updates += [(reps[i], v) for i, v in zip(ids, new_values, strict=True)]
    if errors:
        raise BusinessRuleError(errors)
    return _record(
        plan=plan,
        kind=Adjustment.Kind.REP_SPLIT,
        actor=actor,
        reason=reason,
        team=team,
        changes=updates,
    )


def _resplit_reps(
    reps: list[Target], members: dict[int, PlanMember], new_total: Decimal, plan: TargetPlan
) -> list[Decimal]:
    """The reps' values after their team's total changed: the difference is taken from them in
    proportion to their targets (or by their plan weights when they all hold zero)."""
    current = [r.value for r in reps]
    difference = sum(current, Decimal(0)) - new_total
    if any(current):
        return allocation.take_from(current, difference, places=plan.places)
    month = reps[0].month.month if reps else 1
    weights = [
        members[r.rep_id].amount_weight(plan.metric)
        if r.rep_id in members and _active_in(members[r.rep_id], month)
        else Decimal(0)
        for r in reps
    ]
    if not any(weights):
        raise ValueError("no rep can take the team's target")
    return allocation.allocate(new_total, weights, places=plan.places)


@transaction.atomic
def targets_adjust_teams(
    *,
    plan: TargetPlan,
    actor: User,
    changes: dict[tuple[int, dt.date], Decimal],
    reason: str,
    spread: bool = False,
    today: dt.date | None = None,
    version: str | None = None,
) -> Adjustment:
    """The director changes team totals; each month's company total stays fixed. The reps of
    a changed team are re-split in proportion to their current targets. `version` is the
    ``split_version`` of the company and team rows the form was rendered from (the reps'
    rows are not on that form, so a change inside a team does not refuse it)."""
    ensure_may(actor, Action.TARGET_ADJUST_TEAMS)
    today = today or local_today()
    if not actor.has_role(Role.DIRECTOR, Role.ADMIN):
        raise PermissionDenied
    _check_edit(plan=plan, reason=reason, months={m for _t, m in changes}, today=today)
    rows = list(
        Target.objects.select_for_update(of=("self",))
        .filter(plan=plan)
        .select_related("team")
        .order_by("month", "team__sort_key", "rep_id")
    )
    _check_version(version, [r for r in rows if r.level != Target.Level.REP])
    company = {r.month: r for r in rows if r.level == Target.Level.COMPANY}
    team_grid = _rows_by_month(
        [r for r in rows if r.level == Target.Level.TEAM], lambda r: r.team_id
    )
    rep_rows: dict[tuple[int, dt.date], list[Target]] = defaultdict(list)
    for r in rows:
        if r.level == Target.Level.REP:
            rep_rows[(r.team_id, r.month)].append(r)
    members = {m.rep_id: m for m in plan.members.all()}
    by_month: dict[dt.date, dict[int, Decimal]] = defaultdict(dict)
    for (team_id, month), value in changes.items():
        if team_id not in team_grid.get(month, {}):
            raise BusinessRuleError(_("The team is not in this plan."))
        _check_value(
            value, plan.places, f"{team_grid[month][team_id].team} · {_month_label(month)}"
        )
        by_month[month][team_id] = value
    updates: list[tuple[Target, Decimal]] = []
    errors = []
    for month, edits in sorted(by_month.items()):
        teams = team_grid[month]
        ids = list(teams)
        new_values, error = _month_values(
            [teams[i].value for i in ids],
            [edits.get(i) for i in ids],
            spread=spread,
            expected=company[month].value,
            places=plan.places,
            cannot_absorb=_("%(month)s: the other teams cannot absorb the difference."),
            mismatch=_(
                "%(month)s: the teams add up to %(total)s but the company target is "
                "%(expected)s (difference %(difference)s)."
            ),
            month=month,
        )
        if error:
            errors.append(error)
            continue
        for team_id, new in zip(ids, new_values, strict=True):
            team_row = teams[team_id]
            if team_row.value == new:
                continue
            updates.append((team_row, new))
            reps = rep_rows[(team_id, month)]
            try:
                rep_values = _resplit_reps(reps, members, new, plan)
            except ValueError:
                errors.append(
                    _("%(team)s · %(month)s: no rep in the team can take the target.")
                    % {"team": team_row.team, "month": _month_label(month)}
                )
                continue
            updates += list(zip(reps, rep_values, strict=True))
    if errors:
        raise BusinessRuleError(errors)
    return _record(
        plan=plan, kind=Adjustment.Kind.TEAM_SPLIT, actor=actor, reason=reason, changes=updates
    )


# --- leavers and joiners -------------------------------------------------------------------


@transaction.atomic
def plan_member_leave(
    *,
    year: int,
    rep: User,
    actor: User,
    last_month: int,
    reason: str,
    to_reps: list[User] | None = None,
    today: dt.date | None = None,
) -> list[Adjustment]:
    """A rep leaves after `last_month`: in every published plan of `year`, their targets of
    the later months move to the named reps of the same team (evenly) or, with none named,
    to the team's other reps (by their plan weights). Team and company totals stay."""
    ensure_may(actor, Action.TARGET_MEMBER_CHANGE)
    today = today or local_today()
    if rep.team_id is None or not can_edit_team(actor, rep.team_id):
        raise PermissionDenied
    if not reason.strip():
        raise BusinessRuleError(_("Give a reason for the change."))
    moving = [dt.date(year, m, 1) for m in range(last_month + 1, 13)]
    if not moving:
        raise BusinessRuleError(_("December is the last month of the year; nothing moves."))
    _check_months_open(moving, today)
    to_ids = [r.pk for r in to_reps or []]
    if rep.pk in to_ids:
        raise BusinessRuleError(_("The leaver cannot receive their own targets."))
    adjustments = []
    plans = list(
        TargetPlan.objects.published().filter(year=year, members__rep=rep).select_for_update()
    )
    if not plans:
        raise BusinessRuleError(
            _("%(rep)s has no target in a published plan of %(year)s.") % {"rep": rep, "year": year}
        )
    for plan in plans:
        member = plan.members.select_for_update().get(rep=rep)
        team_members = {
            m.rep_id: m for m in plan.members.filter(team_id=member.team_id).exclude(rep=rep)
        }
        if to_ids and not set(to_ids) <= set(team_members):
            raise BusinessRuleError(_("Targets can move only to reps of the leaver's team."))
        rows = list(
            Target.objects.select_for_update(of=("self",))
            .filter(plan=plan, level=Target.Level.REP, team_id=member.team_id, month__in=moving)
            .order_by("month", "rep_id")
        )
        grid = _rows_by_month(rows, lambda r: r.rep_id)
        updates: list[tuple[Target, Decimal]] = []
        for month in moving:
            row = grid[month].get(rep.pk)
            if row is None or row.value == 0:
                continue
            if to_ids:
                receivers = to_ids
                weights = [Decimal(1)] * len(receivers)
            else:
                receivers = [i for i, m in team_members.items() if _active_in(m, month.month)]
                weights = [team_members[i].amount_weight(plan.metric) for i in receivers]
                if receivers and not any(weights):
                    weights = [Decimal(1)] * len(receivers)
            if not receivers:
                raise BusinessRuleError(
                    _("Nobody in the team can take over the targets of %(month)s.")
                    % {"month": _month_label(month)}
                )
            shares = allocation.allocate(row.value, weights, places=plan.places)
            for rep_id, share in zip(receivers, shares, strict=True):
                receiver = grid[month][rep_id]
                updates.append((receiver, receiver.value + share))
            updates.append((row, Decimal(0)))
        member.left_after_month = last_month
        member.save(update_fields=["left_after_month"])
        if updates:
            adjustments.append(
                _record(
                    plan=plan,
                    kind=Adjustment.Kind.LEAVER,
                    actor=actor,
                    reason=reason,
                    team=member.team,
                    changes=updates,
                )
            )
    return adjustments


def _check_months_open(months: list[dt.date], today: dt.date) -> None:
    locked = [m for m in months if is_month_locked(m, today)]
    if locked:
        raise BusinessRuleError(
            _("%(months)s ended and is locked; it cannot change.")
            % {"months": ", ".join(_month_label(m) for m in locked)}
        )


@transaction.atomic
def plan_member_join(
    *,
    year: int,
    rep: User,
    actor: User,
    reason: str,
    weight: Decimal | None = None,
    today: dt.date | None = None,
) -> list[Adjustment]:
    """A rep joins mid-year: from next month, in every published plan of `year`, they get
    their weight's share of their team's target, taken from the teammates in proportion to
    their targets. The team total stays."""
    ensure_may(actor, Action.TARGET_MEMBER_CHANGE)
    today = today or local_today()
    if rep.team_id is None or not can_edit_team(actor, rep.team_id):
        raise PermissionDenied
    if not reason.strip():
        raise BusinessRuleError(_("Give a reason for the change."))
    next_month = next_month_start(today)
    if next_month.year != year:
        raise BusinessRuleError(
            _("No month of %(year)s is left to give targets in.") % {"year": year}
        )
    first = next_month.month
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    bands = list(SeniorityWeight.objects.all())
    defaults = _member_defaults(rep, next_month, bands)
    if weight is not None:
        defaults["weight"] = weight
    adjustments = []
    plans = TargetPlan.objects.published().filter(year=year).select_for_update()
    for plan in plans:
        if plan.members.filter(rep=rep).exists():
            raise BusinessRuleError(
                _("%(rep)s is already in the plan %(plan)s.") % {"rep": rep, "plan": plan}
            )
        member = PlanMember.objects.create(
            plan=plan, rep=rep, team_id=rep.team_id, first_month=first, **defaults
        )
        team_members = {
            m.rep_id: m for m in plan.members.filter(team_id=rep.team_id).exclude(rep=rep)
        }
        new_rows = Target.objects.bulk_create(
            Target(
                plan=plan,
                level=Target.Level.REP,
                team_id=rep.team_id,
                rep=rep,
                month=m,
                value=Decimal(0),
            )
            for m in months
        )
        mine = {row.month: row for row in new_rows}
        rows = list(
            Target.objects.select_for_update(of=("self",))
            .filter(plan=plan, level=Target.Level.REP, team_id=rep.team_id, month__gte=next_month)
            .exclude(rep=rep)
            .order_by("month", "rep_id")
        )
        grid = _rows_by_month(rows, lambda r: r.rep_id)
        updates: list[tuple[Target, Decimal]] = []
        joiner_weight = member.amount_weight(plan.metric)
        for month in months[first - 1 :]:
            others = [
                r for r in grid[month].values() if _active_in(team_members[r.rep_id], month.month)
            ]
            total = sum((r.value for r in others), Decimal(0))
            others_weight = sum(
                (team_members[r.rep_id].amount_weight(plan.metric) for r in others), Decimal(0)
            )
            if total == 0 or joiner_weight == 0:
                continue
            if others_weight == 0:
                share = total
            else:
                _rest, share = allocation.allocate(
                    total, [others_weight, joiner_weight], places=plan.places
                )
            taken = allocation.take_from([r.value for r in others], share, places=plan.places)
            updates += list(zip(others, taken, strict=True))
            updates.append((mine[month], share))
        if updates:
            adjustments.append(
                _record(
                    plan=plan,
                    kind=Adjustment.Kind.JOINER,
                    actor=actor,
                    reason=reason,
                    team=rep.team,
                    changes=updates,
                )
            )
    return adjustments

"""The funnel charts every sales dashboard shows (rep, manager, director): the stage counts of
the nightly funnel snapshot and, per rep, the stage that converts worst against the team."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext as _

from leads.models import Lead

from ..services import FUNNEL_STAGES
from .data import Data
from .figures import Chart, Figure, cells
from .scope import percent


def stage_label(stage: str) -> str:
    return str(Lead.Stage(stage).label)


def _reached(rows) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.stage] += row.reached
    return totals


def _conversions(reached: dict[str, int]) -> dict[str, Decimal | None]:
    """Stage → reached the next stage ÷ reached this one × 100 (summed counts, never an
    average of ratios)."""
    return {
        stage: percent(reached.get(FUNNEL_STAGES[i + 1], 0), reached.get(stage, 0))
        for i, stage in enumerate(FUNNEL_STAGES[:-1])
    }


# --- funnel ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FunnelRow:
    stage: str
    reached: int
    open_leads: int
    conversion: Decimal | None  # to the next stage; None at the last stage
    drop_off: int | None


def funnel_rows(data: Data) -> list[FunnelRow]:
    rows_in_scope = [r for r in data.funnel if r.rep_id in set(data.scope.rep_ids)]
    reached = _reached(rows_in_scope)
    open_leads: dict[str, int] = defaultdict(int)
    for row in rows_in_scope:
        open_leads[row.stage] += row.open_leads
    conversion = _conversions(reached)
    rows = []
    for i, stage in enumerate(FUNNEL_STAGES):
        following = reached.get(FUNNEL_STAGES[i + 1], 0) if i + 1 < len(FUNNEL_STAGES) else None
        rows.append(
            FunnelRow(
                stage=stage_label(stage),
                reached=reached.get(stage, 0),
                open_leads=open_leads.get(stage, 0),
                conversion=conversion.get(stage),
                drop_off=reached.get(stage, 0) - following if following is not None else None,
            )
        )
    return rows if any(row.reached for row in rows) else []


def draw_funnel(rows: list[FunnelRow]) -> Figure:
    figure = Figure().add(
        "funnel",
        y=[row.stage for row in rows],
        x=[row.reached for row in rows],
        textinfo="value+percent previous",
        name=_("Reached (90-day cohort)"),
    )
    return figure.axes(x=_("Leads reached (90-day cohort)"), y=_("Stage"))


def snapshot_period(data: Data) -> str:
    day = getattr(data, "funnel_day", None)
    return _("Snapshot of %(day)s") % {"day": day} if day else f"{data.scope.label}"


def chart_funnel(data: Data) -> Chart:
    rows = funnel_rows(data)
    day = getattr(data, "funnel_day", None)
    return Chart(
        "funnel",
        _("Funnel and stage conversion"),
        [
            _("Stage"),
            _("Reached (90-day cohort)"),
            _("At this stage now"),
            _("Conversion to next stage (%)"),
            _("Drop-off"),
        ],
        [cells(row) for row in rows],
        partial(draw_funnel, rows),
        note=_("Snapshot of %(day)s.") % {"day": day} if day else "",
        period=snapshot_period(data),
    )


# --- diagnosis -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiagnosisRow:
    """A rep's weakest stage; every figure None (and the stage "") when no stage of theirs
    converts below the team's."""

    rep: str
    team: str
    stage: str = ""
    reached: int | None = None
    reached_next: int | None = None
    conversion: Decimal | None = None
    team_conversion: Decimal | None = None
    points_below: Decimal | None = None
    top_lost_reasons: str = ""  # the rep's three most frequent lost reasons of the period


def diagnosis_rows(data: Data) -> list[DiagnosisRow]:
    """Seed 000 (销售漏斗漏洞诊断): for each rep, the stage whose conversion falls furthest below
    their team's, with both conversions. A rep with no stage below the team is listed with
    none."""
    by_team: dict = defaultdict(list)
    by_rep: dict = defaultdict(list)
    for row in data.funnel:
        by_team[row.team_id].append(row)
        by_rep[row.rep_id].append(row)
    team_conversion = {team: _conversions(_reached(rows)) for team, rows in by_team.items()}
    lost = data.top_lost_reasons
    rows = []
    for rep in data.scope.reps:
        reached = _reached(by_rep.get(rep.pk, []))
        own = _conversions(reached)
        team = team_conversion.get(rep.team_id, {})
        worst = None
        for i, stage in enumerate(FUNNEL_STAGES[:-1]):
            if own.get(stage) is None or team.get(stage) is None:
                continue
            gap = team[stage] - own[stage]
            if gap > 0 and (worst is None or gap > worst[1]):
                worst = (i, gap)
        if worst is None:
            rows.append(
                DiagnosisRow(
                    rep=str(rep), team=str(rep.team or ""), top_lost_reasons=lost.get(rep.pk, "")
                )
            )
            continue
        i, gap = worst
        stage = FUNNEL_STAGES[i]
        rows.append(
            DiagnosisRow(
                rep=str(rep),
                team=str(rep.team or ""),
                stage=stage_label(stage),
                reached=reached.get(stage, 0),
                reached_next=reached.get(FUNNEL_STAGES[i + 1], 0),
                conversion=own[stage],
                team_conversion=team[stage],
                points_below=gap,
                top_lost_reasons=lost.get(rep.pk, ""),
            )
        )
    return rows


def draw_diagnosis(rows: list[DiagnosisRow]) -> Figure:
    shown = [row for row in rows if row.points_below is not None]
    figure = Figure().add_bar(
        x=[row.rep for row in shown],
        y=[float(row.points_below) for row in shown],
        text=[row.stage for row in shown],
        name=_("Points below the team"),
    )
    return figure.axes(
        x=_("Rep (bar label: weakest stage)"),
        y=_("Conversion below the team (percentage points)"),
    )


def chart_diagnosis(data: Data) -> Chart:
    rows = diagnosis_rows(data)
    return Chart(
        "diagnosis",
        _("Funnel diagnosis"),
        [
            _("Rep"),
            _("Team"),
            _("Weakest stage"),
            _("Reached the stage"),
            _("Reached the next stage"),
            _("Rep's conversion (%)"),
            _("Team's conversion (%)"),
            _("Points below the team"),
            _("Top lost reasons of the period (leads, amount lost)"),
        ],
        [cells(row) for row in rows],
        partial(draw_diagnosis, rows),
        note=_("For each rep, the stage whose conversion falls furthest below the team's.")
        + " "
        + _("Lost reasons: leads lost in %(period)s.") % {"period": data.scope.label},
        period=snapshot_period(data),
        empty=_("No rep converts below the team at any stage."),
    )


CHARTS = {"funnel": chart_funnel, "diagnosis": chart_diagnosis}

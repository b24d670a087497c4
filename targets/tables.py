"""The year x month tables of a plan (company, teams, reps) as the pages and exports show
them, built from one query over the plan's targets and scoped to the reader."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from salescrm.models import Team, User

from .allocation import quarter_sums
from .models import ProductLineTarget, Target, TargetPlan


@dataclass
class Row:
    label: str
    months: list[Decimal]
    kind: str = "row"  # row | subtotal | total
    url: str = ""
    team_id: int | None = None
    rep_id: int | None = None
    target_ids: list[int] = field(default_factory=list)

    @property
    def quarters(self) -> list[Decimal]:
        return quarter_sums(self.months)

    @property
    def total(self) -> Decimal:
        return sum(self.months, Decimal(0))

    def cells(self):
        """Month values with the quarter sums after every third month (the page layout)."""
        out = []
        for q, quarter_total in enumerate(self.quarters):
            out += [("month", v) for v in self.months[q * 3 : q * 3 + 3]]
            out.append(("quarter", quarter_total))
        return out


@dataclass
class PlanTable:
    company: list[Row]
    teams: list[Row]
    rep_groups: list[tuple[str, list[Row]]]
    product_lines: list[Row] = field(default_factory=list)

    def all_rows(self) -> list[Row]:
        rows = self.company + self.product_lines + self.teams
        for _team, reps in self.rep_groups:
            rows += reps
        return rows


def _sum_row(label: str, rows: list[Row], kind: str) -> Row:
    months = [sum((r.months[i] for r in rows), Decimal(0)) for i in range(12)]
    return Row(label=label, months=months, kind=kind)


def plan_table(plan: TargetPlan, user: User, *, targets=None) -> PlanTable:
    """The published figures the user may see. `targets` (for tests and drafts) defaults to
    the plan's Target rows visible to the user (one query)."""
    if targets is None:
        targets = (
            Target.objects.filter(plan=plan)
            .visible_to(user)
            .select_related("team", "rep")
            .order_by("level", "team__sort_key", "rep__username", "month")
        )
    company: dict = {}
    teams: dict[int, Row] = {}
    reps: dict[int, Row] = {}
    rep_team: dict[int, Team] = {}
    for target in targets:
        index = target.month.month - 1
        if target.level == Target.Level.COMPANY:
            row = company.setdefault(0, Row(label=_("Company"), months=[Decimal(0)] * 12))
        elif target.level == Target.Level.TEAM:
            row = teams.setdefault(
                target.team_id,
                Row(label=str(target.team), months=[Decimal(0)] * 12, team_id=target.team_id),
            )
        else:
            row = reps.setdefault(
                target.rep_id,
                Row(
                    label=str(target.rep),
                    months=[Decimal(0)] * 12,
                    team_id=target.team_id,
                    rep_id=target.rep_id,
                ),
            )
            rep_team[target.rep_id] = target.team
        row.months[index] = target.value
        row.target_ids.append(target.pk)
    table = _assemble(list(company.values()), teams, reps, rep_team)
    if user.sees_all:
        lines: dict[int, Row] = {}
        for target in ProductLineTarget.objects.filter(plan=plan).select_related("product_line"):
            row = lines.setdefault(
                target.product_line_id,
                Row(label=str(target.product_line), months=[Decimal(0)] * 12),
            )
            row.months[target.month.month - 1] = target.value
        table.product_lines = _with_total(list(lines.values()))
    return table


def _with_total(rows: list[Row]) -> list[Row]:
    if len(rows) > 1:
        rows = rows + [_sum_row(_("Total of the product lines"), rows, "total")]
    return rows


def draft_table(plan: TargetPlan, breakdown) -> PlanTable:
    """The preview of a draft: the same table, computed from the weights."""
    team_names = {s.team_id: s.team for s in plan.team_shares.select_related("team")}
    members = {m.rep_id: m for m in plan.members.select_related("rep", "team")}
    company = [Row(label=_("Company"), months=list(breakdown.company))]
    teams = {
        team_id: Row(label=str(team_names[team_id]), months=list(values), team_id=team_id)
        for team_id, values in breakdown.teams.items()
    }
    reps = {
        rep_id: Row(
            label=str(members[rep_id].rep),
            months=list(values),
            team_id=members[rep_id].team_id,
            rep_id=rep_id,
        )
        for rep_id, values in breakdown.reps.items()
    }
    rep_team = {rep_id: members[rep_id].team for rep_id in reps}
    table = _assemble(company, teams, reps, rep_team)
    if breakdown.product_lines:
        names = {
            s.product_line_id: s.product_line
            for s in plan.product_line_shares.select_related("product_line")
        }
        table.product_lines = _with_total(
            [
                Row(label=str(names[line_id]), months=list(v))
                for line_id, v in breakdown.product_lines.items()
            ]
        )
    return table


def _assemble(company, teams, reps, rep_team) -> PlanTable:
    team_rows = sorted(teams.values(), key=lambda r: r.label)
    if len(team_rows) > 1:
        team_rows.append(_sum_row(_("Total of the teams"), team_rows, "total"))
    groups: dict[int, list[Row]] = {}
    for rep_id, row in sorted(reps.items(), key=lambda item: item[1].label):
        groups.setdefault(rep_team[rep_id].pk, []).append(row)
    rep_groups = []
    for _team_id, rows in sorted(groups.items(), key=lambda item: str(rep_team[item[1][0].rep_id])):
        team = rep_team[rows[0].rep_id]
        if len(rows) > 1:
            rows = rows + [_sum_row(_("Total of %(team)s") % {"team": team}, rows, "subtotal")]
        rep_groups.append((str(team), rows))
    return PlanTable(company=company, teams=team_rows, rep_groups=rep_groups)


# --- export ------------------------------------------------------------------------------


def columns(year: int) -> list[tuple[str, str]]:
    """The page's column heads: three months, then their quarter, four times."""
    cols = []
    for q in range(4):
        cols += [(f"{m:02d}", "month") for m in range(q * 3 + 1, q * 3 + 4)]
        cols.append((_("Q%(quarter)s") % {"quarter": q + 1}, "quarter"))
    return cols


def header(year: int) -> list[str]:
    cols = [_("Level"), pgettext("entity", "Name")]
    for q in range(4):
        cols += [f"{year}-{m:02d}" for m in range(q * 3 + 1, q * 3 + 4)]
        cols.append(_("Q%(quarter)s") % {"quarter": q + 1})
    return cols + [pgettext("annual total", "Year")]


def table_lines(table: PlanTable) -> list[list]:
    lines = []
    sections = [(_("Company"), table.company), (_("Product line"), table.product_lines)]
    sections += [(_("Team"), table.teams)]
    sections += [(_("Rep"), rows) for _team, rows in table.rep_groups]
    for level, rows in sections:
        for row in rows:
            lines.append([level, row.label] + [v for _k, v in row.cells()] + [row.total])
    return lines

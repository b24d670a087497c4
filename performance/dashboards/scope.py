"""Who sees what on a dashboard: the reader's scope narrowed by the filters, and the
period."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Q

from leads.models import Territory
from salescrm.models import Team, User
from salescrm.money import round_money, round_places
from salescrm.roles import Role
from salescrm.timeutil import (
    business_date,
    local_today,
    month_start,
    period_end,
    period_start,
    quarter_label,
)

from ..models import PeriodKind

ZERO = Decimal(0)
HUNDRED = Decimal(100)
HISTORY_MONTHS = 36


def percent(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return round_places(Decimal(numerator) * HUNDRED / Decimal(denominator), 1)


def money(value) -> Decimal:
    return round_money(value or 0)


def dashboard_kind(user) -> str:
    """Which dashboard the user gets: rep, manager, director (also admins), legal, finance,
    service."""
    if user.is_superuser or user.role in (Role.DIRECTOR, Role.ADMIN):
        return "director"
    return user.role


# --- scope ---------------------------------------------------------------------------------


@dataclass
class Scope:
    """What the dashboard shows: the reps whose numbers are summed (never wider than what the
    reader may see), the period, and whether that is the whole company."""

    user: User
    kind: str
    period: str
    month: dt.date
    reps: list[User]
    team: Team | None = None
    rep: User | None = None
    today: dt.date = field(default_factory=local_today)
    # the territory filter: the reps responsible for it or any of its cities and districts
    # (themselves, or through their team), within what the reader may see
    territory: Territory | None = None
    territory_ids: list[int] = field(default_factory=list)
    # the reps in scope before the territory filter (None: no territory filter)
    unnarrowed_rep_ids: list[int] | None = None

    @property
    def start(self) -> dt.date:
        return period_start(self.period, self.month)

    @property
    def end(self) -> dt.date:
        return period_end(self.period, self.month)

    @property
    def as_of(self) -> dt.date:
        """The period's end, or today while the period runs."""
        return min(self.end, self.today)

    @cached_property
    def rep_ids(self) -> list[int]:
        return [rep.pk for rep in self.reps]

    @property
    def whole_company(self) -> bool:
        return (
            self.user.sees_all and self.team is None and self.rep is None and self.territory is None
        )

    def owned(self, path: str) -> Q:
        """Rows owned (through `path`) by the reps in scope; no filter for the whole company."""
        if self.whole_company:
            return Q()
        return Q(**{f"{path}__in": self.rep_ids})

    def owned_unnarrowed(self, path: str) -> Q:
        """As ``owned``, without the territory filter's narrowing to the responsible reps (for
        figures placed by where the rows are)."""
        if self.user.sees_all and self.team is None and self.rep is None:
            return Q()
        ids = self.rep_ids if self.unnarrowed_rep_ids is None else self.unnarrowed_rep_ids
        return Q(**{f"{path}__in": ids})

    @cached_property
    def team_ids(self) -> set[int]:
        return {rep.team_id for rep in self.reps if rep.team_id}

    @property
    def label(self) -> str:
        if self.period == PeriodKind.QUARTER:
            return quarter_label(self.month)
        if self.period == "year":
            return str(self.month.year)
        return f"{self.month:%Y-%m}"


def default_month() -> dt.date:
    """The month of the latest business date (the day the nightly snapshots describe)."""
    return month_start(business_date())


def territory_subtree(territory: Territory) -> list[int]:
    """The territory and its descendants (cities, districts): one query, three levels."""
    return list(
        Territory.objects.filter(
            Q(pk=territory.pk) | Q(parent=territory) | Q(parent__parent=territory)
        ).values_list("pk", flat=True)
    )


def responsible_q(territory: Territory, territory_ids: list[int]) -> Q:
    """Reps responsible for the territory, one of its descendants or one of its ancestors
    (a province's team answers for its districts that have no owner of their own), themselves
    or through their team. The places are one subquery."""
    places = Territory.objects.filter(
        Q(pk__in=territory_ids) | Q(children=territory) | Q(children__children=territory)
    ).values("pk")
    return Q(territories__in=places) | Q(team__territories__in=places)


def scope_for(
    user, *, period="month", month=None, team=None, rep=None, territory=None, today=None
) -> Scope:
    """The scope of `user` with the (already validated) filters. A rep's scope is always
    themselves; the team, rep and territory choices only ever narrow what the user may see
    (scoping first, then the filters)."""
    kind = dashboard_kind(user)
    month = month_start(month) if month else default_month()
    today = today or local_today()
    territory_ids = territory_subtree(territory) if territory is not None else []
    if user.role == Role.REP and not user.is_superuser:
        reps = [user]
        if territory is not None and not (
            User.objects.filter(pk=user.pk).filter(responsible_q(territory, territory_ids)).exists()
        ):
            reps = []
        return Scope(
            unnarrowed_rep_ids=[user.pk] if territory is not None else None,
            user=user,
            kind=kind,
            period=period,
            month=month,
            reps=reps,
            today=today,
            territory=territory,
            territory_ids=territory_ids,
        )
    reps = User.objects.reps().visible_to(user).select_related("team").order_by("username")
    if team is not None:
        reps = reps.filter(team=team)
    if rep is not None:
        reps = reps.filter(pk=rep.pk)
    reps = list(reps)
    unnarrowed = None
    if territory is not None:
        unnarrowed = [rep.pk for rep in reps]
        responsible = set(
            User.objects.filter(responsible_q(territory, territory_ids)).values_list(
                "pk", flat=True
            )
        )
        reps = [rep for rep in reps if rep.pk in responsible]
    return Scope(
        unnarrowed_rep_ids=unnarrowed,
        user=user,
        kind=kind,
        period=period,
        month=month,
        reps=reps,
        team=team,
        rep=rep,
        today=today,
        territory=territory,
        territory_ids=territory_ids,
    )

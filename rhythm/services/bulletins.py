"""The sales bulletin (销售战报): every night, from the day's facts, one bulletin per team and
one for the company, shown at the top of the dashboard and sent to the inbox.

Figures of the day: signed amount and contracts, collected amount (payments less confirmed
refunds), new A/B prospect cards (leads created that day graded A or B), trial lessons held;
of the month to date: signed amount against the month's signed-amount target (achievement),
and the leaderboard by signed amount with each rep's move since the day before (▲2 = two
places up). Computed in a constant number of queries whatever the number of reps; a rerun
replaces the day's bulletins with the same figures and sends no notification twice.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Contract
from leads.models import Activity, Lead
from performance.kpis import targets_by
from salescrm.models import Team, User
from salescrm.money import round_percent
from salescrm.roles import Role
from salescrm.services import notify_many
from salescrm.timeutil import day_bounds, month_start
from targets import selectors

from ..models import Bulletin

ZERO = Decimal("0.00")
LEADERBOARD_SIZE = 5


def _ranks(amounts: dict[int, Decimal], people: list[int]) -> dict[int, int]:
    """1-based rank by amount (highest first, ties by id), of `people`."""
    order = sorted(people, key=lambda pk: (-amounts.get(pk, ZERO), pk))
    return {pk: index + 1 for index, pk in enumerate(order)}


def _block(members, reps, names, day_figures, month_signed, month_before, targets) -> dict:
    signed_today, collected, cards, trials, contracts = day_figures
    total = lambda values: sum((values.get(pk, 0) for pk in members), start=0)  # noqa: E731
    month_total = sum((month_signed.get(pk, ZERO) for pk in members), ZERO)
    target_total = sum((targets.get(pk, ZERO) for pk in members), ZERO)
    ranked = [pk for pk in members if pk in reps]  # the leaderboard ranks the reps
    now_rank = _ranks(month_signed, ranked)
    before_rank = _ranks(month_before, ranked)
    leaders = sorted(ranked, key=lambda pk: now_rank[pk])[:LEADERBOARD_SIZE]
    return {
        "signed": str(sum((signed_today.get(pk, ZERO) for pk in members), ZERO)),
        "contracts": total(contracts),
        "collected": str(sum((collected.get(pk, ZERO) for pk in members), ZERO)),
        "new_prospect_cards": total(cards),
        "trial_lessons": total(trials),
        "month_signed": str(month_total),
        "month_target": str(target_total),
        "achievement": str(round_percent(month_total * 100 / target_total))
        if target_total
        else None,
        "leaders": [
            {
                "name": names[pk],
                "signed": str(month_signed.get(pk, ZERO)),
                "rank": now_rank[pk],
                "move": before_rank[pk] - now_rank[pk],
            }
            for pk in leaders
            if month_signed.get(pk, ZERO) > 0
        ],
    }


def bulletins_build(day: dt.date) -> dict:
    """Build (replace) the bulletins of `day` and notify the teams; the nightly job."""
    low, high = day_bounds(day, day)
    people = list(
        User.objects.filter(is_active=True, role__in=(Role.REP, Role.MANAGER)).values_list(
            "pk", "team_id", "first_name", "last_name", "username", "role"
        )
    )
    reps = {pk for pk, *_rest, role in people if role == Role.REP}
    names = {
        pk: User(first_name=first, last_name=last, username=username).get_full_name() or username
        for pk, _team, first, last, username, _role in people
    }
    signed_today = selectors.signed_amount(day, day)
    contracts = dict(
        Contract.objects.signed_between(day, day)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
        .order_by()
    )
    collected = selectors.collected_amount(day, day)
    cards = dict(
        Lead.objects.filter(created_at__gte=low, created_at__lt=high, grade__in=("A", "B"))
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
        .order_by()
    )
    trials = dict(
        Activity.objects.filter(
            occurred_at__gte=low, occurred_at__lt=high, kind=Activity.Kind.TRIAL_LESSON
        )
        .values("actor_id")
        .annotate(n=Count("id"))
        .values_list("actor_id", "n")
        .order_by()
    )
    first = month_start(day)
    month_signed = selectors.signed_amount(first, day)
    month_before = selectors.signed_amount(first, day - dt.timedelta(days=1)) if day > first else {}
    targets = targets_by("signed_amount", first, day)
    day_figures = (signed_today, collected, cards, trials, contracts)
    teams = dict(Team.objects.filter(is_active=True).values_list("pk", "name"))
    by_team = defaultdict(list)
    for pk, team_id, *_rest in people:
        if team_id in teams:
            by_team[team_id].append(pk)
    now = timezone.now()
    rows = [
        Bulletin(
            day=day,
            team=None,
            figures=_block(
                [pk for pk, *_r in people],
                reps,
                names,
                day_figures,
                month_signed,
                month_before,
                targets,
            ),
            built_at=now,
        )
    ] + [
        Bulletin(
            day=day,
            team_id=team_id,
            figures=_block(members, reps, names, day_figures, month_signed, month_before, targets),
            built_at=now,
        )
        for team_id, members in sorted(by_team.items())
    ]
    Bulletin.objects.filter(day=day).delete()
    Bulletin.objects.bulk_create(rows)
    url = reverse("rhythm:bulletin_list") + f"?day={day:%Y-%m-%d}"
    notes = []
    for row in rows[1:]:
        figures = row.figures
        title = _(
            "Sales bulletin %(day)s · %(team)s: signed ¥%(signed)s, collected ¥%(collected)s"
        ) % {
            "day": f"{day:%Y-%m-%d}",
            "team": teams[row.team_id],
            "signed": figures["signed"],
            "collected": figures["collected"],
        }
        for pk in by_team[row.team_id]:
            notes.append(
                {
                    "recipient_id": pk,
                    "kind": "bulletin",
                    "key": f"bulletin:{day:%Y-%m-%d}",
                    "title": title,
                    "url": url,
                }
            )
    # the company's bulletin goes to those who lead the whole sales side
    company = rows[0].figures
    company_title = _(
        "Sales bulletin %(day)s · %(team)s: signed ¥%(signed)s, collected ¥%(collected)s"
    ) % {
        "day": f"{day:%Y-%m-%d}",
        "team": _("Company"),
        "signed": company["signed"],
        "collected": company["collected"],
    }
    for pk in User.objects.filter(is_active=True, role=Role.DIRECTOR).values_list("pk", flat=True):
        notes.append(
            {
                "recipient_id": pk,
                "kind": "bulletin",
                "key": f"bulletin:{day:%Y-%m-%d}",
                "title": company_title,
                "url": url,
            }
        )
    sent = notify_many(notes)
    return {"bulletins": len(rows), "notified": sent}

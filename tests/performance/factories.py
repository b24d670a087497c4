"""Source rows for the performance tests, written straight to the tables with the exact
timestamps a test needs (the apps' services stamp "now")."""

import datetime as dt
import itertools
from decimal import Decimal

from leads.models import Channel, Lead, LostReason, StageChange
from salescrm.timeutil import SHANGHAI

_phones = itertools.count(1)


def at(day: str, time: str = "10:00") -> dt.datetime:
    """An aware Shanghai datetime from "2026-11-10" and "15:30"."""
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=SHANGHAI)


def lead_with_history(
    owner, stages: list[tuple[str, str]], *, budget=None, channel="website", name="学员"
):
    """A lead owned by `owner` that went through `stages` [(stage, "YYYY-MM-DD HH:MM")], the
    first being its creation."""
    moments = [at(*when.split(" ")) if " " in when else at(when) for _stage, when in stages]
    final = stages[-1][0]
    lead = Lead.objects.create(
        owner=owner,
        team_id=owner.team_id if owner else None,
        channel=Channel.objects.get(code=channel),
        name=name,
        phone=f"139{next(_phones):08d}",
        stage=final,
        budget=Decimal(budget) if budget is not None else None,
        created_at=moments[0],
        won_at=moments[-1] if final == Lead.Stage.WON else None,
        lost_reason=LostReason.objects.first() if final == Lead.Stage.LOST else None,
    )
    previous = ""
    for (stage, _when), moment in zip(stages, moments, strict=True):
        StageChange.objects.create(
            lead=lead, from_stage=previous, to_stage=stage, changed_at=moment
        )
        previous = stage
    return lead

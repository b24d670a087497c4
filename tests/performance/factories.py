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
        # get_or_create: a transactional test elsewhere may have flushed the seeded channels
        channel=Channel.objects.get_or_create(code=channel, defaults={"name": channel})[0],
        name=name,
        # 135: apart from LeadFactory (139), the customers factory (137) and the numbers tests
        # write out (136, 139), which share tests with these leads
        phone=f"135{next(_phones):08d}",
        stage=final,
        budget=Decimal(budget) if budget is not None else None,
        created_at=moments[0],
        won_at=moments[-1] if final == Lead.Stage.WON else None,
        lost_reason=LostReason.objects.get_or_create(name="其他")[0]
        if final == Lead.Stage.LOST
        else None,
    )
    previous = ""
    for (stage, _when), moment in zip(stages, moments, strict=True):
        StageChange.objects.create(
            lead=lead, from_stage=previous, to_stage=stage, changed_at=moment
        )
        previous = stage
    return lead


def first_contact(lead, when: str, kind="wechat"):
    """Log the lead's first contact ("YYYY-MM-DD HH:MM"), where the sales cycle starts; a
    WeChat message counts neither as a call nor as a visit."""
    from leads.models import Activity

    return Activity.objects.create(
        lead=lead, actor=lead.owner, kind=kind, occurred_at=at(*when.split(" "))
    )


_numbers = itertools.count(1)


def contract(
    owner,
    amount,
    signed_on: str,
    *,
    number=None,
    status="signed",
    ends_on=None,
    is_renewal=False,
    channel="website",
    customer=None,
    starts_on=None,
):
    """A signed contract of `owner`, with a new customer (whose lead was won long before, so
    it does not touch the lead KPIs of the test's period) unless `customer` is given."""
    from customers.models import Contract, Customer

    signed = dt.date.fromisoformat(signed_on)
    if customer is None:
        lead = lead_with_history(
            owner, [("new", "2025-01-01"), ("won", "2025-01-02")], channel=channel
        )
        customer = Customer.objects.create(lead=lead, owner=owner, name=f"客户{lead.pk}")
    return Contract.objects.create(
        customer=customer,
        owner=owner,
        number=number or f"HT-{next(_numbers):04d}",
        status=status,
        total_amount=Decimal(amount),
        signed_on=signed if status in ("signed", "archived") else None,
        starts_on=dt.date.fromisoformat(starts_on) if starts_on else signed,
        ends_on=dt.date.fromisoformat(ends_on) if ends_on else signed + dt.timedelta(days=180),
        is_renewal=is_renewal,
    )


def instalment(contract, amount, due_on: str, sequence=1):
    from customers.models import Instalment

    return Instalment.objects.create(
        contract=contract,
        sequence=sequence,
        due_on=dt.date.fromisoformat(due_on),
        amount=Decimal(amount),
    )


def payment(contract, amount, received_on: str, *, instalment_=None):
    from customers.models import Instalment, Payment

    target = (
        instalment_ or Instalment.objects.filter(contract=contract).order_by("sequence").first()
    )
    if target is None:
        target = instalment(contract, contract.total_amount, received_on)
    return Payment.objects.create(
        contract=contract,
        instalment=target,
        amount=Decimal(amount),
        received_on=dt.date.fromisoformat(received_on),
        method="bank_transfer",
        recorded_by=contract.owner,
    )


def refund(contract, amount, confirmed_on: str):
    from customers.models import Refund

    return Refund.objects.create(
        contract=contract,
        amount=Decimal(amount),
        reason="课程无法继续",
        status="confirmed",
        requested_by=contract.owner,
        confirmed_on=dt.date.fromisoformat(confirmed_on),
    )


def targets(metric, rows, *, year=2026, created_by):
    """Published targets: rows [(level, team, rep, "YYYY-MM", value)]."""
    from targets.models import Target, TargetPlan

    plan = TargetPlan.objects.create(
        year=year,
        metric=metric,
        annual_value=Decimal("0"),
        status="published",
        created_by=created_by,
    )
    for level, team, rep, month, value in rows:
        Target.objects.create(
            plan=plan,
            level=level,
            team=team,
            rep=rep,
            month=dt.date.fromisoformat(f"{month}-01"),
            value=Decimal(value),
        )
    return plan


def nightly_facts(day=dt.date(2026, 11, 9), history_months=14):
    """Run the dashboard-facts job the way the nightly run does, for business date `day`
    (the night before the dashboards' "today", 2026-11-10): the open month, quarter and year,
    and every earlier period of the last `history_months` months."""
    from performance.facts import dashboard_facts_compute

    return dashboard_facts_compute(day=day, history_months=history_months)


def commission_lines(*fields) -> list[tuple]:
    """Every commission line as (rep's username, month, *fields), in statement order."""
    from performance.models import CommissionLine

    return list(
        CommissionLine.objects.order_by(
            "statement__rep__username", "statement__month", "position"
        ).values_list("statement__rep__username", "statement__month", *fields)
    )


def assert_set_based_and_idempotent(world, night, snapshot):
    """The night (`night()`) costs as many queries on `world(1)` (rolled back) as on
    `world(4)`, and a second night on `world(4)` leaves `snapshot()` unchanged. Returns what
    `world(4)` made."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            night()
        return len(captured.captured_queries)

    with transaction.atomic():
        world(1)
        night()
        one = queries()
        transaction.set_rollback(True)
    made = world(4)
    night()
    rows = snapshot()
    assert queries() == one
    assert snapshot() == rows
    return made

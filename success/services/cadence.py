"""Service levels: the nightly follow-ups the cadence asks for, and cadence compliance."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce, TruncDate

from customers.models import Customer
from salescrm.timeutil import SHANGHAI

from ..models import CadenceCompliance, ServiceFollowUp, ServiceLevel
from .renewals import CONTACT_KINDS


def customers_with_last_contact():
    """Every customer with a tier: (id, owner, effective tier, customer since, last contact
    day), in one query. Days are Shanghai days."""
    return (
        Customer.objects.annotate(
            effective=Coalesce("tier_override", "tier"),
            since=TruncDate("created_at", tzinfo=SHANGHAI),
            last_contact=TruncDate(
                Max(
                    "lead__activities__occurred_at",
                    filter=Q(lead__activities__kind__in=CONTACT_KINDS),
                ),
                tzinfo=SHANGHAI,
            ),
        )
        .order_by()
        .values_list("pk", "owner_id", "effective", "since", "last_contact")
    )


def served_on_cadence(*, since: dt.date, last_contact: dt.date | None, cadence: int, day: dt.date):
    """(due, served) of one customer on `day`. The cadence window is the `cadence` days ending
    on `day`; a customer is *due* once they have been a customer for a whole window (since
    before it starts), and *served* when contacted inside it. Cadence 14 on 30 June: the window
    is 17–30 June; a customer since 16 June is due, one since 17 June not yet; a contact on
    17 June serves, one on 16 June does not."""
    window_start = day - dt.timedelta(days=cadence - 1)
    due = since < window_start
    served = due and last_contact is not None and window_start <= last_contact <= day
    return due, served


@transaction.atomic
def cadence_refresh(*, as_of: dt.date) -> dict:
    """The nightly service-level job, idempotent: one read of the customers with their last
    contact, then (a) the follow-ups the cadence asks for are opened for the service owner
    (the tier's named owner, else the customer's rep) once the next contact is due (last
    contact, or becoming a customer, plus the cadence), (b) open follow-ups of customers
    contacted since are closed on the contact's day, (c) the day's compliance rows per owner
    and tier are replaced."""
    levels = {level.tier: level for level in ServiceLevel.objects.all()}
    rows = [row for row in customers_with_last_contact() if row[2] in levels]
    open_by_customer = dict(ServiceFollowUp.objects.open().values_list("customer_id", "opened_on"))

    to_open, to_close = [], defaultdict(list)
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for customer_id, owner_id, tier, since, last_contact in rows:
        level = levels[tier]
        next_due = (last_contact or since) + dt.timedelta(days=level.cadence_days)
        opened_on = open_by_customer.get(customer_id)
        if opened_on is not None and last_contact is not None and last_contact >= opened_on:
            to_close[last_contact].append(customer_id)
            opened_on = None
        if opened_on is None and next_due <= as_of:
            to_open.append(
                ServiceFollowUp(
                    customer_id=customer_id,
                    owner_id=level.service_owner_id or owner_id,
                    tier=tier,
                    due_on=next_due,
                    opened_on=as_of,
                )
            )
        due, served = served_on_cadence(
            since=since, last_contact=last_contact, cadence=level.cadence_days, day=as_of
        )
        if due:
            counts[(owner_id, tier)][0] += 1
            counts[(owner_id, tier)][1] += served

    closed = 0
    for day, ids in to_close.items():
        closed += ServiceFollowUp.objects.open().filter(customer_id__in=ids).update(done_on=day)
    opened = len(ServiceFollowUp.objects.bulk_create(to_open, ignore_conflicts=True))
    CadenceCompliance.objects.filter(business_date=as_of).delete()
    CadenceCompliance.objects.bulk_create(
        CadenceCompliance(business_date=as_of, owner_id=owner, tier=tier, due=due, served=served)
        for (owner, tier), (due, served) in counts.items()
    )
    return {"opened": opened, "closed": closed, "compliance_rows": len(counts)}

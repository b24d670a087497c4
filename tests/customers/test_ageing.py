"""The ageing buckets are one definition (customers.ageing) read by the SQL annotation, the
receivables ledger and the dashboard chart."""

import datetime as dt

import pytest

from customers import ageing
from customers.models import Instalment
from performance.dashboards.backoffice import BUCKETS as CHART_BUCKETS

DUE = dt.date(2026, 1, 10)  # instalment 1 of `signed_contract`


@pytest.mark.parametrize(
    "days_late,code",
    [(0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"), (61, "61-90")]
    + [(90, "61-90"), (91, "90+"), (400, "90+")],
)
def test_an_instalment_falls_in_the_bucket_of_its_days_late(signed_contract, days_late, code):
    as_of = DUE + dt.timedelta(days=days_late)
    row = Instalment.objects.with_ageing(as_of).get(contract=signed_contract, sequence=1)
    assert row.bucket == code


def test_the_buckets_are_not_due_then_four_overdue_ranges():
    assert [b.code for b in ageing.BUCKETS] == ["current", "1-30", "31-60", "61-90", "90+"]
    assert [b.max_days for b in ageing.BUCKETS] == [0, 30, 60, 90, None]
    assert [key for key, _label in CHART_BUCKETS] == [b.key for b in ageing.BUCKETS]


@pytest.mark.django_db
def test_the_ledger_offers_a_filter_per_overdue_bucket(client, finance):
    client.force_login(finance)
    page = client.get("/customers/receivables/").content.decode()
    for query in ("?bucket=1-30", "?bucket=31-60", "?bucket=61-90", "?bucket=90%2B"):
        assert f'href="{query}"' in page

"""Key-customer churn per quarter (goal ≤ 5 %), renewal window 30 days, worked by hand for
Q3 2026 (1 July – 30 September) with renewals at the window's edge."""

import datetime as dt

import pytest

from customers.models import Tier
from success import selectors

from .factories import course, renewal

pytestmark = pytest.mark.django_db
Q3 = dt.date(2026, 7, 1), dt.date(2026, 9, 30)


@pytest.fixture
def book(rep):
    def key(tier, ends_on, **kwargs):
        row = course(rep, ends_on, **kwargs)
        row.customer.tier = tier
        row.customer.save()
        return row.customer

    return {
        # held on 30 September: its window (31 August + 30) closes that very day
        "k1": key(Tier.STRATEGIC, "2026-08-31"),
        # one day earlier: the window closed on 29 September
        "k2": key(Tier.CORE, "2026-08-30"),
        # renewed by 30 September (starting 15 September, inside the window)
        "k3": key(Tier.STRATEGIC, "2026-08-30"),
        # renewed only on 1 October: churned in Q3, back in Q4
        "k4": key(Tier.CORE, "2026-08-30"),
        # not a key customer
        "o": key(Tier.ORDINARY, "2026-08-01"),
        # its window closed on 30 June: not held on 1 July, not in the base
        "k6": key(Tier.STRATEGIC, "2026-05-31"),
        # held on 1 July (window until 1 July), gone by 30 September
        "k7": key(Tier.STRATEGIC, "2026-06-01"),
        # a new customer signed in the quarter: not in the base
        "k8": key(Tier.CORE, "2026-12-31", signed_on="2026-07-10"),
    }


@pytest.fixture
def renewals(book, rep):
    renewal(rep, book["k3"], signed_on="2026-09-30", starts_on="2026-09-15")
    renewal(rep, book["k4"], signed_on="2026-10-01", starts_on="2026-09-20")


def test_churn_of_the_quarter(book, renewals):
    churn = selectors.key_customer_churn(*Q3)
    # base k1, k2, k3, k4, k7; churned k2, k4, k7: 3 of 5
    assert (churn.base, churn.churned) == (5, 3)
    assert set(churn.churned_ids) == {book["k2"].pk, book["k4"].pk, book["k7"].pk}
    assert str(churn.rate.percent) == "60.00"


def test_the_next_quarter_starts_from_who_is_held(book, renewals):
    quarters = selectors.churn_by_quarter(2026, dt.date(2026, 10, 15))
    assert [q.start for q in quarters] == [
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 7, 1),
        dt.date(2026, 10, 1),
    ]
    q4 = quarters[3]
    # on 1 October: k3 and k4 (their renewals run), k8; k1's window closed 30 September
    assert (q4.cut_off, q4.base, q4.churned) == (dt.date(2026, 10, 15), 3, 0)


def test_a_manager_override_makes_a_key_customer(book, renewals):
    book["o"].tier_override = Tier.CORE
    book["o"].save()
    churn = selectors.key_customer_churn(*Q3)
    assert (churn.base, churn.churned) == (6, 4)


def test_churn_reads_the_readers_customers(book, renewals, teammate):
    from customers.models import Customer

    assert (
        selectors.key_customer_churn(*Q3, customers=Customer.objects.visible_to(teammate)).base == 0
    )

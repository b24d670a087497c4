"""How long the quick search (the box in the navigation, salescrm.search) takes on a large
database: per query kind and role, the median of --runs searches, in milliseconds. Prints a
Markdown table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a copy of the bench database> \\
        python bench/quick_search.py --runs 11

The queries are taken from the database itself (deterministically: the rows in the middle of
each table), so that each one finds something: a lead's full name, the first two characters
of a name (a prefix typed), a fragment from the middle of a name, a phone number as stored, as
typed with spaces, with dashes and with +86, a contract number (upper and lower case), a
customer's e-mail, and a word that matches nothing. Each is searched as the director (the
whole company), a manager (a team) and a rep (own rows). Two timings: ``search`` is
``quick_search()`` (every provider's SQL and the ranking), ``page`` the whole request through
Django's test client (middleware, session, template). One warm-up search precedes each row.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")

import django  # noqa: E402

django.setup()
logging.disable(logging.INFO)  # the login of the test client is logged by axes

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from customers.models import Contract, Customer  # noqa: E402
from leads.models import Lead  # noqa: E402
from salescrm.models import User  # noqa: E402
from salescrm.search import quick_search  # noqa: E402


def middle(queryset):
    count = queryset.count()
    return queryset.order_by("pk")[count // 2] if count else None


def queries() -> list[tuple[str, str]]:
    lead = middle(Lead.objects.exclude(phone="").exclude(name=""))
    contract = middle(Contract.objects.all())
    customer = middle(Customer.objects.exclude(email=""))
    phone = lead.phone  # stored normalised: 11 digits for a mobile number
    rows = [
        ("lead name, full", lead.name),
        ("name prefix (2 characters)", lead.name[:2]),
        ("name fragment (middle)", lead.name[1:3] if len(lead.name) > 3 else lead.name[-2:]),
        ("phone as stored", phone),
        ("phone with spaces", f"{phone[:3]} {phone[3:7]} {phone[7:]}"),
        ("phone with dashes", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"),
        ("phone with +86", f"+86 {phone}"),
    ]
    if contract:
        rows += [
            ("contract number", contract.number),
            ("contract number, lower case", contract.number.lower()),
        ]
    if customer:
        rows.append(("customer e-mail", customer.email))
    rows.append(("no match", "zzqx-none"))
    return rows


def people() -> list[tuple[str, User]]:
    director = User.objects.filter(role="director", is_active=True).order_by("pk").first()
    manager = User.objects.filter(role="manager", is_active=True).order_by("pk").first()
    rep = User.objects.filter(role="rep", is_active=True, team=manager.team).order_by("pk").first()
    return [("director", director), ("manager", manager), ("rep", rep)]


def timed(func, runs: int) -> float:
    func()  # warm-up: plans cached, connection open
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    print(
        f"{Lead.objects.count():,} leads, {Customer.objects.count():,} customers, "
        f"{Contract.objects.count():,} contracts; medians of {args.runs} runs (ms); "
        "load average %.2f %.2f %.2f at the start\n" % os.getloadavg()
    )
    cast = people()
    header = " | ".join(f"{who}: search | {who}: page" for who, _ in cast)
    print(f"| query | typed | {header} | hits (director) | SQL queries |")
    print("|" + " --- |" * 2 + " ---: |" * (2 * len(cast) + 2))
    clients = {}
    for who, user in cast:
        clients[who] = Client()
        clients[who].force_login(user)
    for label, text in queries():
        cells = []
        for who, user in cast:
            cells.append(timed(lambda u=user, t=text: quick_search(u, t), args.runs))
            client = clients[who]
            cells.append(timed(lambda c=client, t=text: c.get("/search/", {"q": t}), args.runs))
        with CaptureQueriesContext(connection) as captured:
            hits = sum(len(section) for _, section in quick_search(cast[0][1], text))
        print(
            f"| {label} | `{text}` | "
            + " | ".join(f"{ms:.1f}" for ms in cells)
            + f" | {hits} | {len(captured)} |"
        )
    print("\nload average {:.2f} {:.2f} {:.2f} at the end".format(*os.getloadavg()))


if __name__ == "__main__":
    main()

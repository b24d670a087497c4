"""Pagination for million-row lists (issue 21): a count that stops at a cap, and keyset pages
after it.

A director's lead list has 1 M rows: `COUNT(*)` over them is a scan of the table on every
page load, and `OFFSET 500000` reads half a million rows to throw them away. So:

- ``CappedPaginator`` counts at most ``cap`` rows (`SELECT COUNT(*) FROM (… ORDER BY … LIMIT
  cap + 1)`: the list's own index, a bounded read); past the cap the page says "more than
  1,000" and the page numbers stop there (20 pages of 50). A small cap keeps the planner on
  the list's index: for 10,000 of 100,000 rows it would rather scan the table;
- ``keyset_page`` serves the pages after a row (``?after=<cursor>``): `WHERE (created_at, id)
  < (…)` on the list's order index, whatever the depth. The last numbered page links to it.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Q

COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` rows; ``capped`` tells that more exist."""

    def __init__(self, object_list, per_page, cap=COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self):
        counted = self.object_list[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


def encode_cursor(moment: dt.datetime, pk: int) -> str:
    """A row's place in a (moment, id) order, URL-safe: microseconds since 1970 and the id."""
    return f"{(moment - EPOCH) // MICROSECOND}_{pk}"


def decode_cursor(text: str) -> tuple[dt.datetime, int] | None:
    """(moment, pk) from a cursor, or None for anything else (a hand-edited URL)."""
    micros, _sep, pk = (text or "")[:40].partition("_")
    if not (micros.isascii() and micros.isdigit() and pk.isascii() and pk.isdigit()):
        return None
    if len(pk) > 18:  # beyond a bigint
        return None
    try:
        return EPOCH + int(micros) * MICROSECOND, int(pk)
    except OverflowError:
        return None


@dataclass
class KeysetPage:
    """A page after a cursor: what the pagination template needs, without numbers."""

    object_list: list
    next_cursor: str | None
    number = None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self):
        return self.next_cursor is not None

    def has_other_pages(self):
        return True


def keyset_page(queryset, cursor: str, per_page: int, *, field="created_at", descending=True):
    """The `per_page` rows after `cursor` in the order (field, id) (descending by default),
    or None when the cursor cannot be read. One query (per_page + 1 rows)."""
    decoded = decode_cursor(cursor)
    if decoded is None:
        return None
    moment, pk = decoded
    before, after = ("lt", "lte") if descending else ("gt", "gte")
    # the first condition is the index range; the second only breaks ties at its edge
    queryset = queryset.filter(
        Q(**{f"{field}__{after}": moment})
        & (Q(**{f"{field}__{before}": moment}) | Q(**{f"pk__{before}": pk}))
    )
    sign = "-" if descending else ""
    rows = list(queryset.order_by(f"{sign}{field}", f"{sign}pk")[: per_page + 1])
    following = rows[per_page - 1] if len(rows) > per_page else None
    return KeysetPage(
        object_list=rows[:per_page],
        next_cursor=encode_cursor(getattr(following, field), following.pk) if following else None,
    )


def next_cursor_after(page, *, field="created_at") -> str | None:
    """The cursor that continues a numbered page past the cap (its last row), else None."""
    paginator = page.paginator
    if page.has_next() or not getattr(paginator, "capped", False) or not page.object_list:
        return None
    last = list(page.object_list)[-1]
    return encode_cursor(getattr(last, field), last.pk)

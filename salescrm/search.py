"""Quick search from the navigation (issue 18): leads, customers and contracts by name,
phone (any format, normalised), number or e-mail, within what the user may see, best match
first.

Each app registers a provider in its ``search.py`` with ``@search_provider``; a provider takes
``(user, terms, limit)`` and returns ``Hit`` rows. The queries are written so that indexes
serve them on a large table: a name is matched with ``ILIKE '%…%'`` on the bare column (what a
``gin_trgm_ops`` trigram index answers), a phone and an e-mail by equality on the normalised
column, a contract number by equality; the rank is computed in SQL (``Case``) and only the
first rows are read.

A text shorter than ``MIN_CONTAINS`` characters has no trigram, so "contains" could only be
answered by reading every visible row (2 s for the director on 1 M leads). Such a text is
matched as the *beginning* of a name instead: ``name_key(name) LIKE 'X%'`` ordered by the same
key, which a btree index on ``(UPPER(name) COLLATE "C")`` answers by reading the first rows
in order and stopping at the limit (leads 0015, customers 0015)."""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import CharField, EmailField, Func, Lookup
from django.shortcuts import render
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

MAX_QUERY = 100
PER_KIND = 8
MIN_CONTAINS = 3  # pg_trgm needs three characters; shorter texts are matched as a prefix


class NameKey(Func):
    """The sort and prefix key of a name: ``(UPPER(name::text) COLLATE "C")`` on PostgreSQL,
    the expression of the btree indexes lead_name_prefix_idx and customer_name_prefix_idx.
    The "C" collation compares bytes, so the planner turns ``LIKE 'X%'`` into an index range
    and ``ORDER BY`` this key into an index scan (the database's C.UTF-8 is not "C" to it).
    ``UPPER(name)`` elsewhere (SQLite)."""

    function = "UPPER"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, **extra_context)
        return f'({sql[:-1]}::text) COLLATE "C")', params


def name_prefix(text: str) -> str:
    """What ``NameKey(...)__startswith`` is compared with (Django escapes % and _)."""
    return text.upper()


@CharField.register_lookup
@EmailField.register_lookup
class ILikeContains(Lookup):
    """``name__ilike_contains=q``: ``name ILIKE '%q%'`` on PostgreSQL, on the bare column so
    that a trigram index applies (Django's ``icontains`` wraps both sides in ``UPPER()``,
    which such an index does not serve); ``LIKE`` elsewhere (case-insensitive for ASCII)."""

    lookup_name = "ilike_contains"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        escaped = [
            "%" + str(p).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            for p in rhs_params
        ]
        operator = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
        escape = " ESCAPE '\\'" if connection.vendor != "postgresql" else ""
        return f"{lhs} {operator} {rhs}{escape}", [*lhs_params, *escaped]


@dataclass(frozen=True)
class Terms:
    text: str  # as typed, trimmed
    phone: str  # normalised, "" when the text is no phone number
    email: str  # lower-cased, "" when the text is no e-mail address

    @property
    def short(self) -> bool:
        """Too short for a trigram: matched as the beginning of a name only."""
        return len(self.text) < MIN_CONTAINS


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    detail: str
    url: str
    rank: int  # 0 best


Provider = Callable[[object, Terms, int], list[Hit]]
_PROVIDERS: list[tuple[int, str, Provider]] = []


def search_provider(order: int, label):
    """Register `func(user, terms, limit) -> [Hit]` under the section `label`."""

    def register(func):
        _PROVIDERS.append((order, label, func))
        _PROVIDERS.sort(key=lambda row: row[0])
        return func

    return register


@functools.cache
def _discover() -> None:
    autodiscover_modules("search")


_PHONE_NORMALISERS: list[Callable[[str], str]] = []


def phone_normaliser(func):
    """The leads app registers its phone normaliser (the core does not import apps)."""
    _PHONE_NORMALISERS.append(func)
    return func


def parse(query: str) -> Terms:
    _discover()
    # control characters (NUL above all: PostgreSQL refuses it) are no search words
    printable = "".join(ch if ch.isprintable() else " " for ch in (query or "")[: MAX_QUERY * 2])
    text = " ".join(printable.split())[:MAX_QUERY]
    phone = ""
    if sum(ch.isdigit() for ch in text) >= 7:
        for normalise in _PHONE_NORMALISERS:
            try:
                phone = normalise(text)
            except Exception:  # not a phone number: searched as text only
                phone = ""
    email = text.lower() if "@" in text and " " not in text else ""
    return Terms(text=text, phone=phone, email=email)


def quick_search(user, query: str, limit: int = PER_KIND) -> list[tuple[str, list[Hit]]]:
    _discover()
    terms = parse(query)
    if not terms.text:
        return []
    sections = []
    for _order, label, provider in _PROVIDERS:
        hits = sorted(provider(user, terms, limit), key=lambda hit: (hit.rank, len(hit.title)))
        if hits:
            sections.append((str(label), hits[:limit]))
    return sections


def quick_search_view(request):
    query = request.GET.get("q", "")
    terms = parse(query)
    sections = quick_search(request.user, query)
    return render(
        request,
        "salescrm/search.html",
        {
            "query": terms.text,
            "short": terms.short,
            "min_contains": MIN_CONTAINS,
            "sections": sections,
            "label": _("Search"),
        },
    )

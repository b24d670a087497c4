"""Quick search from the navigation (issue 18): leads, customers and contracts by name,
phone (any format, normalised), number or e-mail, within what the user may see, best match
first.

Each app registers a provider in its ``search.py`` with ``@search_provider``; a provider takes
``(user, terms, limit)`` and returns ``Hit`` rows. The queries are written so that indexes
serve them on a large table: a name is matched with ``ILIKE '%…%'`` on the bare column (what a
``gin_trgm_ops`` trigram index answers), a phone and an e-mail by equality on the normalised
column, a contract number by equality; the rank is computed in SQL (``Case``) and only the
first rows are read."""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import CharField, EmailField, Lookup
from django.shortcuts import render
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

MAX_QUERY = 100
PER_KIND = 8


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
    sections = quick_search(request.user, query)
    return render(
        request,
        "salescrm/search.html",
        {"query": parse(query).text, "sections": sections, "label": _("Search")},
    )

"""The registry of page panels: a block of another app's content shown on a page.

A page names a slot in its template (``{% page_panels "leads:my_day" %}``); an app that has
something to show there registers a panel in its own ``panels.py``, the way it registers
nightly jobs and navigation badges, so the page's app never imports the app that fills it::

    @page_panel("leads:my_day", order=10)
    def action_items(request, **context) -> str:
        return render_to_string("rhythm/panels/action_items.html", {...}, request=request)

A panel returns HTML (an empty string when it has nothing to say). The keyword arguments are
those the page passes in its tag (e.g. ``person=statement.rep month=statement.month``).
"""

import functools
from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules
from django.utils.safestring import SafeString, mark_safe

_PANELS: dict[str, list[tuple[int, str, Callable[..., str]]]] = {}


def page_panel(slot: str, *, order: int = 100):
    """Register `func(request, **context) -> str` as a panel of the page slot `slot`."""

    def register(func):
        key = f"{func.__module__}.{func.__name__}"
        panels = _PANELS.setdefault(slot, [])
        if all(existing != key for _order, existing, _func in panels):
            panels.append((order, key, func))
            panels.sort(key=lambda entry: (entry[0], entry[1]))
        return func

    return register


@functools.cache
def _discover() -> None:
    autodiscover_modules("panels")


def registered_panels(slot: str) -> list[Callable[..., str]]:
    _discover()
    return [func for _order, _key, func in _PANELS.get(slot, [])]


def render_panels(slot: str, request, **context) -> SafeString:
    """The HTML of every panel of `slot`, in order."""
    parts = [func(request, **context) for func in registered_panels(slot)]
    return mark_safe("".join(part for part in parts if part))  # each part is a rendered template


# --- row notes: a few words of another app's beside each row of a list ----------------------
#
# A list names a slot and attaches the notes to the objects of its page; an app registers a
# provider that answers for all of them at once (one query, never one per row)::
#
#     @row_note("leads:lead_row")
#     def win_probability(request, objects) -> dict[int, str]:  # {pk: HTML}
#         ...
#
# The template shows ``{{ obj.row_notes }}`` (empty when no provider has anything to say).

_ROW_NOTES: dict[str, list[tuple[int, str, Callable[..., dict]]]] = {}


def row_note(slot: str, *, order: int = 100):
    """Register `func(request, objects) -> {pk: html}` as a provider of the row slot `slot`."""

    def register(func):
        key = f"{func.__module__}.{func.__name__}"
        providers = _ROW_NOTES.setdefault(slot, [])
        if all(existing != key for _order, existing, _func in providers):
            providers.append((order, key, func))
            providers.sort(key=lambda entry: (entry[0], entry[1]))
        return func

    return register


def attach_row_notes(slot: str, request, objects) -> None:
    """Set ``row_notes`` (HTML) on each of `objects`; each provider is called once for all."""
    _discover()
    objects = list(objects)
    notes: dict = {}
    for _order, _key, func in _ROW_NOTES.get(slot, []):
        for pk, html in func(request, objects).items():
            if html:
                notes.setdefault(pk, []).append(html)
    for obj in objects:
        obj.row_notes = mark_safe(" ".join(notes.get(obj.pk, [])))  # each part is escaped HTML

"""The registry of page panels: a box an app adds to another app's page (My day, the
dashboards) without that page importing it, the way badges, nightly jobs and demo seeders
are registered. An app registers in its own ``panels.py``::

    @page_panel("my_day", order=10)
    def renewals_due(request, **context) -> str | None:
        return render_to_string("success/panels/renewals.html", {...}, request)

``panels_for(page, request, **context)`` gives the HTML of every panel of the page, in
``order``; a panel returns None (or "") when it has nothing for this reader.
"""

import functools
from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

_PANELS: dict[str, list[tuple[int, str, Callable]]] = {}


def page_panel(page: str, *, order: int = 100):
    def register(func):
        key = f"{func.__module__}.{func.__name__}"
        entries = _PANELS.setdefault(page, [])
        if all(existing != key for _order, existing, _func in entries):
            entries.append((order, key, func))
        return func

    return register


@functools.cache
def _discover() -> None:
    autodiscover_modules("panels")


def panels_for(page: str, request, **context) -> list[str]:
    _discover()
    rendered = []
    for _order, _key, func in sorted(_PANELS.get(page, []), key=lambda entry: entry[:2]):
        html = func(request, **context)
        if html:
            rendered.append(html)
    return rendered

"""Extension points, so an app built on another can add to it without the app underneath
importing it (the layers of tests/foundation/test_import_graph.py): the follow-up form, and
the expected value of the open pipeline.

Registered in the contributing app's ``hooks.py`` (discovered once, like ``badges.py``): an
**activity extension** — extra fields on the follow-up form of a lead, and what to save from
them once the follow-up is saved (inside the same transaction, so a refusal leaves nothing
behind)::

    @activity_extension
    class ScriptUsed:
        def fields(self, user, lead) -> dict[str, forms.Field]: ...
        def saved(self, *, activity, actor, data: dict) -> None: ...

The app owning the form (leads) calls ``extension_fields`` and ``extensions_saved``; it never
names the contributing apps. A card on another app's page is a page panel
(``salescrm/panels.py``).

A **pipeline value** — what the open leads are expected to bring, Σ budget × weight per
owner — for the forecast (performance), from the app that knows the weights (analytics: the
win probability, else the stage's learned weight)::

    @pipeline_value
    def weighted_open_pipeline(owned: Q) -> dict[int, Decimal] | None: ...
"""

import functools
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Q
from django.utils.module_loading import autodiscover_modules

_ACTIVITY_EXTENSIONS: list = []


def activity_extension(cls):
    if all(type(existing) is not cls for existing in _ACTIVITY_EXTENSIONS):
        _ACTIVITY_EXTENSIONS.append(cls())
    return cls


@functools.cache
def _discover() -> None:
    autodiscover_modules("hooks")


def activity_extensions() -> list:
    _discover()
    return list(_ACTIVITY_EXTENSIONS)


def extension_fields(user, lead) -> dict:
    """The extra fields of the follow-up form of `lead` for `user`, by name."""
    fields = {}
    for extension in activity_extensions():
        fields.update(extension.fields(user, lead))
    return fields


def extensions_saved(*, activity, actor, data: dict) -> None:
    """Let every extension save what it needs from `data` (the extra fields' cleaned values)."""
    for extension in activity_extensions():
        extension.saved(activity=activity, actor=actor, data=data)


# --- pipeline value -------------------------------------------------------------------------

_PIPELINE_VALUE: list[Callable[[Q], dict[int, Decimal] | None]] = []


def pipeline_value(func):
    """Register `func(owned) -> {owner_id: Σ budget × weight} | None` as the provider of the
    open pipeline's expected value: `owned` filters the leads (``Scope.owned("owner_id")``);
    None means there is nothing to weigh with yet (no model, no stage weights). One provider
    answers (the first registered); a bounded number of queries, whatever the leads."""
    if func not in _PIPELINE_VALUE:
        _PIPELINE_VALUE.append(func)
    return func


def open_pipeline_value(owned: Q) -> dict[int, Decimal] | None:
    """{owner_id: expected value} of the open leads matching `owned`; None when no app
    provides the figure or its provider has no weights yet (the caller says "not available",
    never 0)."""
    _discover()
    if not _PIPELINE_VALUE:
        return None
    return _PIPELINE_VALUE[0](owned)

"""Extension points of record pages, so an app built on another can add to its pages without
the app underneath importing it (the layers of tests/foundation/test_import_graph.py).

Two kinds, registered in the contributing app's ``hooks.py`` (discovered once, like
``badges.py``):

- a **record panel** — a card on a record's page::

      @record_panel("leads.lead", order=10)
      def scripts(request, lead) -> str:     # rendered HTML, "" for nothing
          ...

  the page's template says where: ``{% record_panels "leads.lead" lead %}``;

- an **activity extension** — extra fields on the follow-up form of a lead, and what to
  save from them once the follow-up is saved (inside the same transaction, so a refusal
  leaves nothing behind)::

      @activity_extension
      class ScriptUsed:
          def fields(self, user, lead) -> dict[str, forms.Field]: ...
          def saved(self, *, activity, actor, data: dict) -> None: ...

The app owning the form (leads) calls ``extension_fields`` and ``extensions_saved``; it
never names the contributing apps.
"""

import functools
from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

_PANELS: dict[str, list[tuple[int, Callable]]] = {}
_ACTIVITY_EXTENSIONS: list = []


def record_panel(record: str, *, order: int = 100):
    def register(func):
        panels = _PANELS.setdefault(record, [])
        if all(existing is not func for _order, existing in panels):
            panels.append((order, func))
            panels.sort(key=lambda entry: entry[0])
        return func

    return register


def activity_extension(cls):
    if all(type(existing) is not cls for existing in _ACTIVITY_EXTENSIONS):
        _ACTIVITY_EXTENSIONS.append(cls())
    return cls


@functools.cache
def _discover() -> None:
    autodiscover_modules("hooks")


def panels_for(record: str) -> list[Callable]:
    _discover()
    return [func for _order, func in _PANELS.get(record, [])]


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

"""Extension points of the follow-up form, so an app built on another can add to it without
the app underneath importing it (the layers of tests/foundation/test_import_graph.py).

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
"""

import functools

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

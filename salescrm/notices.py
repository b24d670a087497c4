"""How an alert reads, in the reader's language.

A notification stores its kind and its parameters (``Notification.params``); the words are
made when the alert is shown, by the renderer registered for the kind, in the language of
the person reading it. Each app registers its renderers in its ``notices.py`` with
``@notice_text("kind")``; a renderer takes the parameters and returns ``(title, body)``.
The stored ``title``/``body`` are the default-language rendering, kept for Django admin and
for alerts sent before parameters existed."""

import functools
from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

Renderer = Callable[[dict], tuple[str, str]]
_RENDERERS: dict[str, Renderer] = {}


def notice_text(kind: str):
    """Register `func(params) -> (title, body)` as the wording of alerts of `kind`."""

    def register(func):
        _RENDERERS[kind] = func
        return func

    return register


@functools.cache
def _discover() -> None:
    autodiscover_modules("notices")


def renderer_for(kind: str) -> Renderer | None:
    _discover()
    return _RENDERERS.get(kind)


def render(kind: str, params: dict) -> tuple[str, str] | None:
    """The (title, body) of an alert in the active language; None when the kind has no
    renderer or the parameters do not fit it (an old or foreign row: show what is stored)."""
    func = renderer_for(kind)
    if func is None or not params:
        return None
    try:
        title, body = func(params)
    except (KeyError, TypeError, ValueError):
        return None
    return str(title), str(body or "")


def stored_text(kind: str, params: dict) -> tuple[str, str]:
    """The default-language rendering, stored on the row (admin, fallback)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render(kind, params) or ("", "")


@notice_text("login_locked")
def _login_locked(params):
    return (
        _("Log-in to account %(username)s locked after repeated failed attempts") % params,
        _(
            "Wrong passwords were tried for this account from several addresses; "
            "log-in is locked for an hour. If it was not you, tell an administrator; "
            "an administrator can lift the lock in admin (Axes, access attempts)."
        ),
    )

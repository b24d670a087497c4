"""The partner portal's fence: a partner login reaches the portal's pages and its own
account's (logout, password, language); every other page answers 404, as if it did not
exist, and the dashboard sends it to the portal."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from salescrm.roles import Role

PORTAL_NAMESPACE = "channels"
PORTAL_PREFIX = "portal_"
ACCOUNT_PAGES = {
    "logout",
    "password_change",
    "password_change_done",
    "set_language",
    "login",
    "healthz",
    "channels:event_register",
    "channels:event_registered",
}


class PartnerPortalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.role == Role.PARTNER:
            if not user.is_superuser:
                response = self._fence(request)
                if response is not None:
                    return response
        return self.get_response(request)

    def _fence(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None  # a 404 anyway
        name = match.view_name
        if name in ("dashboard", "") or request.path_info == "/":
            return redirect("channels:portal_home")
        allowed = name in ACCOUNT_PAGES or (
            match.namespace == PORTAL_NAMESPACE and (match.url_name or "").startswith(PORTAL_PREFIX)
        )
        if not allowed:
            raise Http404
        return None

"""API access on top of the role matrix and the record scoping (which the services and the
querysets apply): a signed-in user, and a write-scoped token for any change."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .models import ApiToken


class TokenScope(permissions.BasePermission):
    message = _("This token may only read; create a read-and-write token to make changes.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        if isinstance(token, ApiToken):
            return token.scope == ApiToken.Scope.WRITE
        return True  # the browser session: the user's own rights

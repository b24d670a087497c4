"""View-level access: a role check, and scoped fetching (re-exported from scoping)."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from .scoping import get_visible_or_404

__all__ = ["role_required", "get_visible_or_404"]


def role_required(*roles):
    """Allow the view only to users holding one of `roles` (superusers always pass).

    Login itself is enforced by LoginRequiredMiddleware for every view."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

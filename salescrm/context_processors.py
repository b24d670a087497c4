from django.conf import settings

from .navigation import items_for
from .permissions import Allowed


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "password_reset_by_email": settings.PASSWORD_RESET_BY_EMAIL}
    return {"nav_items": items_for(user)}


def permissions(request):
    """``may.<action>`` in every template: the role × action matrix of salescrm.permissions."""
    return {"may": Allowed(getattr(request, "user", None))}

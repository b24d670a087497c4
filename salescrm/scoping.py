"""Record scoping (SPEC §1): which rows of an owned model a user may see.

Every owned model's manager is built from ``ScopedQuerySet`` and names the path from the row
to its owner in ``scope_owner_path`` ("owner" by default, "contract__owner" for a payment,
"" for a user row itself). ``visible_to(user)`` then answers:

- director, legal, finance, service, admin (and superusers): every row;
- manager: rows owned by a member of a team they lead (and its sub-teams), and their own;
- rep (and anyone else): rows they own.

Views fetch through ``get_visible_or_404`` so a guessed id of someone else's record is a 404.
"""

from django.shortcuts import get_object_or_404

# The rule's code sits in the models: every owned model's manager, the user's own among them,
# is built from ScopedQuerySet, so it lives below them and the models need nothing from here.
from .models import ScopedQuerySet, managed_team_ids, visible_q

__all__ = ["ScopedQuerySet", "get_visible_or_404", "managed_team_ids", "visible_q"]


def get_visible_or_404(queryset_or_model, user, **lookup):
    """Fetch one row the user may see, else 404 (never 403: that would confirm it exists)."""
    qs = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type)
        else queryset_or_model
    )
    return get_object_or_404(qs.visible_to(user), **lookup)

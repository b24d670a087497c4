"""Record scoping (SPEC §1): which rows of an owned model a user may see.

Every owned model's manager is built from ``ScopedQuerySet`` and names the path from the row
to its owner in ``scope_owner_path`` ("owner" by default, "contract__owner" for a payment,
"" for a user row itself). ``visible_to(user)`` then answers:

- director, legal, finance, service, admin (and superusers): every row;
- manager: rows owned by a member of a team they lead (and its sub-teams), and their own;
- rep (and anyone else): rows they own.

Views fetch through ``get_visible_or_404`` so a guessed id of someone else's record is a 404.
"""

from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404

from .roles import Role


def _join(path: str, field: str) -> str:
    return f"{path}__{field}" if path else field


def managed_team_ids(user) -> list[int]:
    """Ids of the teams `user` leads, with their sub-teams (one query over the team table)."""
    from .models import Team  # the model module imports this one

    cached = getattr(user, "_managed_team_ids", None)
    if cached is not None:
        return cached
    rows = list(Team.objects.values_list("id", "parent_id", "manager_id"))
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id, _manager in rows:
        children.setdefault(parent_id, []).append(team_id)
    result: list[int] = []
    stack = [team_id for team_id, _parent, manager_id in rows if manager_id == user.pk]
    while stack:
        team_id = stack.pop()
        if team_id not in result:
            result.append(team_id)
            stack.extend(children.get(team_id, []))
    user._managed_team_ids = result
    return result


def visible_q(user, owner_path: str = "owner") -> Q:
    """A Q object selecting the rows whose owner (reached by `owner_path`) `user` may see."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.sees_all:
        return Q()
    own = Q(**{_join(owner_path, "pk"): user.pk})
    if user.role == Role.MANAGER and owner_path:
        # One IN-subquery on the owner column, not "own OR owner's team" across a join: the
        # planner answers it from the row's owner index (a semi-join over the team's members)
        # instead of joining every row to its owner (issue 21: a scan of 1 M leads).
        from .models import User  # the model module imports this one

        members = User.objects.filter(Q(team_id__in=managed_team_ids(user)) | Q(pk=user.pk))
        return Q(**{f"{owner_path}__in": members.values("pk")})
    if user.role == Role.MANAGER:
        return own | Q(team_id__in=managed_team_ids(user))
    return own


class ScopedQuerySet(models.QuerySet):
    scope_owner_path = "owner"

    def visible_to(self, user):
        return self.filter(visible_q(user, self.scope_owner_path))


def get_visible_or_404(queryset_or_model, user, **lookup):
    """Fetch one row the user may see, else 404 (never 403: that would confirm it exists)."""
    qs = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type)
        else queryset_or_model
    )
    return get_object_or_404(qs.visible_to(user), **lookup)

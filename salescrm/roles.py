"""The roles of SPEC §1 and what each may see. One place, imported by every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REP = "rep", _("Sales rep")
    MANAGER = "manager", _("Sales manager")
    DIRECTOR = "director", _("Sales director")
    LEGAL = "legal", _("Legal reviewer")
    FINANCE = "finance", _("Finance reviewer")
    SERVICE = "service", _("After-sales service")
    ADMIN = "admin", _("Administrator")
    # channels: an outside partner's portal login, scoped to its own partner (issue 16)
    PARTNER = "partner", _("Partner (portal)")


# Roles that see every row of owned models (SPEC §1). Legal and finance only *act* on the
# approval steps they own; the approval services check that, not the scoping.
SEES_ALL = frozenset({Role.DIRECTOR, Role.LEGAL, Role.FINANCE, Role.SERVICE, Role.ADMIN})
# Roles that work leads and targets (role_required(*SALES), the navigation).
SALES = (Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN)
LEADERS = (Role.MANAGER, Role.DIRECTOR, Role.ADMIN)
# The institution's own people: every role but the partner portal's.
STAFF = tuple(role for role in Role if role != Role.PARTNER)

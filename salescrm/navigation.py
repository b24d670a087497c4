"""The main navigation: which sections each role sees.

Each app's pages appear here by URL name; an entry whose URL does not exist (yet) is left
out, so an app can be built without touching the base template.

A count beside an entry (a badge) is registered by the app that owns the page, in its own
``badges.py``, the way nightly jobs and demo seeders are, so the core imports no app::

    @nav_badge("customers:approval_inbox")
    def approval_inbox(user) -> int:
        return ...
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .permissions import ALLOWED, Action
from .roles import LEADERS, SALES, STAFF, Role

ALL = tuple(role.value for role in STAFF)
_SUCCESS = (Role.REP, Role.MANAGER, Role.DIRECTOR, Role.SERVICE, Role.ADMIN)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple
    section: str = ""


NAV_ITEMS = [
    NavItem(_("Dashboard"), "dashboard", ALL),
    NavItem(_("Alerts"), "notifications", ALL),
    NavItem(_("My day"), "leads:my_day", (Role.REP, Role.MANAGER), _("Leads")),
    NavItem(_("Leads"), "leads:list", SALES, _("Leads")),
    NavItem(_("Pipeline board"), "leads:board", SALES, _("Leads")),
    NavItem(_("Calendar"), "rhythm:calendar", SALES, _("Leads")),
    NavItem(_("Lead pool"), "leads:pool", (Role.REP, Role.MANAGER, Role.DIRECTOR), _("Leads")),
    NavItem(_("Activity plans"), "leads:activity_plans", SALES, _("Leads")),
    NavItem(_("Import leads"), "leads:import", tuple(ALLOWED[Action.LEAD_IMPORT]), _("Leads")),
    NavItem(_("Customers"), "customers:list", ALL, _("Customers")),
    NavItem(_("Contracts"), "customers:contract_list", ALL, _("Customers")),
    NavItem(
        _("Approval inbox"),
        "customers:approval_inbox",
        (Role.MANAGER, Role.DIRECTOR, Role.LEGAL, Role.FINANCE, Role.ADMIN),
        _("Customers"),
    ),
    NavItem(_("Receivables"), "customers:receivables", ALL, _("Customers")),
    NavItem(
        _("Refunds"), "customers:refunds", (Role.FINANCE, Role.DIRECTOR, Role.ADMIN), _("Customers")
    ),
    NavItem(_("Complaints"), "customers:complaints", ALL, _("Customers")),
    NavItem(_("Targets"), "targets:plan_list", SALES, _("Performance")),
    NavItem(_("Target progress"), "targets:progress", SALES, _("Performance")),
    NavItem(_("Scorecards"), "performance:scorecards", SALES, _("Performance")),
    NavItem(_("Commission"), "performance:statements", SALES + (Role.FINANCE,), _("Performance")),
    NavItem(_("Lost deals"), "analytics:lost_deals", SALES, _("Performance")),
    NavItem(_("Money over time"), "analytics:money", SALES, _("Performance")),
    NavItem(_("Days to collect"), "analytics:collection", SALES, _("Performance")),
    NavItem(_("Customer lifetime value"), "analytics:ltv", SALES, _("Performance")),
    NavItem(_("Pipeline coverage"), "analytics:coverage", SALES, _("Performance")),
    NavItem(_("Alert analyses"), "analytics:analyses", SALES, _("Performance")),
    NavItem(_("Improvement plans"), "analytics:plans", SALES, _("Performance")),
    NavItem(_("Annual scorecards"), "analytics:annual_scorecards", SALES, _("Performance")),
    NavItem(_("By territory"), "analytics:territories", SALES, _("Performance")),
    NavItem(
        _("Market growth"),
        "analytics:market",
        tuple(ALLOWED[Action.MARKET_GROWTH_RECORD]),
        _("Performance"),
    ),
    NavItem(_("Team members"), "member_list", LEADERS, _("Organisation")),
    # enablement
    NavItem(_("Script library"), "enablement:library", SALES, _("Enablement")),
    NavItem(_("Script approvals"), "enablement:approvals", LEADERS, _("Enablement")),
    NavItem(_("Script usage"), "enablement:usage", SALES, _("Enablement")),
    NavItem(_("Script experiments"), "enablement:experiments", SALES, _("Enablement")),
    NavItem(_("Onboarding"), "enablement:onboarding", SALES, _("Enablement")),
    NavItem(_("Training"), "enablement:training", SALES, _("Enablement")),
    NavItem(
        _("Promotion eligibility"),
        "enablement:promotion",
        (Role.MANAGER, Role.DIRECTOR, Role.ADMIN),
        _("Enablement"),
    ),
    # channels (issue 16)
    NavItem(_("Events"), "channels:event_list", SALES, _("Channels")),
    NavItem(_("Campaigns"), "channels:campaign_list", SALES, _("Channels")),
    NavItem(_("Partners"), "channels:partner_list", SALES + (Role.FINANCE,), _("Channels")),
    NavItem(_("Partner review"), "channels:partner_review", SALES, _("Channels")),
    NavItem(
        _("Partner settlements"), "channels:settlement_list", SALES + (Role.FINANCE,), _("Channels")
    ),
    NavItem(
        _("Referral rewards"), "channels:referral_rewards", SALES + (Role.FINANCE,), _("Channels")
    ),
    # team rhythm (rhythm/)
    NavItem(_("Attendance"), "rhythm:attendance", SALES, _("Team rhythm")),
    NavItem(_("Reports"), "rhythm:report_list", SALES, _("Team rhythm")),
    NavItem(_("Meetings"), "rhythm:meeting_list", SALES, _("Team rhythm")),
    NavItem(_("Sales bulletin"), "rhythm:bulletin_list", ALL, _("Team rhythm")),
    # customer success (issue 17)
    NavItem(_("Renewals"), "success:renewals", _SUCCESS, _("Customer success")),
    NavItem(_("Service levels"), "success:service", _SUCCESS, _("Customer success")),
    NavItem(_("Account plans"), "success:plans", _SUCCESS, _("Customer success")),
    NavItem(_("Surveys"), "success:surveys", _SUCCESS, _("Customer success")),
    NavItem(_("Churn"), "success:churn", LEADERS, _("Customer success")),
    NavItem(
        _("Course feedback"), "success:feedback", (Role.DIRECTOR, Role.ADMIN), _("Customer success")
    ),
    NavItem(_("Record feedback"), "success:feedback_create", ALL, _("Customer success")),
]


_BADGES: dict[str, Callable[[object], int]] = {}


def nav_badge(url_name: str):
    """Register `func(user) -> int` as the badge of the navigation entry `url_name`."""

    def register(func):
        _BADGES[url_name] = func
        return func

    return register


@functools.cache
def _discover() -> None:
    # once per process: the menu is built on every page
    autodiscover_modules("badges")


def registered_badges() -> dict[str, Callable[[object], int]]:
    _discover()
    return dict(_BADGES)


def items_for(user) -> list[dict]:
    """The menu of `user`, with its badges. Kept on the user object, which lives for one
    request: the base template and a page may both ask, and the badges cost queries."""
    cached = getattr(user, "_nav_items", None)
    if cached is not None:
        return cached
    items = []
    badges = registered_badges()
    for item in NAV_ITEMS:
        if not user.has_role(*item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        badge = badges[item.url_name](user) if item.url_name in badges else 0
        items.append({"label": item.label, "url": url, "section": item.section, "badge": badge})
    user._nav_items = items
    return items

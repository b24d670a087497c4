"""The navigation badges of the customers app (registered with ``salescrm.navigation``)."""

from salescrm.navigation import nav_badge

from .selectors import approval_badge

nav_badge("customers:approval_inbox")(approval_badge)

"""Shared by the customers app's writes: the contract and step states, the contract terms
and the team scope of a customer.
"""

from django.utils.translation import gettext as _

from customers import policy
from customers.models import (
    ApprovalStep,
    Contract,
    Customer,
)
from salescrm.errors import BusinessRuleError

Status = Contract.Status
Decision = ApprovalStep.Decision
TERM_FIELDS = (
    "training_content",
    "schedule",
    "payment_method",
    "invoice_needed",
    "invoice_title",
    "non_standard_terms",
    "special_terms",
    "starts_on",
    "ends_on",
)


def _ensure_in_scope(actor, customer: Customer):
    """The rows a role that passed the matrix may act on: reps and managers their own and their
    team's customers, the company-wide roles (service, director) any."""
    if actor.sees_all or policy.acts_for_owner(actor, customer.owner):
        return
    raise BusinessRuleError(_("This customer belongs to another team."))

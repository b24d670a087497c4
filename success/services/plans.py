"""Account plans of strategic customers, their quarterly business reviews and action items;
feedback to course development."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer, Tier
from customers.services import customer_activity_log
from leads.models import Activity, Lead
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, ensure_may
from salescrm.scoping import visible_q
from salescrm.submissions import submitted_once
from salescrm.timeutil import local_today

from ..models import AccountPlan, ActionItem, BusinessReview, Feedback


def _ensure_visible(actor, customer: Customer) -> None:
    if not Customer.objects.filter(visible_q(actor), pk=customer.pk).exists():
        raise BusinessRuleError(_("You can only act on your own or your team's customers."))


PLAN_FIELDS = (
    "goals",
    "planned_trainings",
    "budget",
    "contacts",
    "review_q1",
    "review_q2",
    "review_q3",
    "review_q4",
)


def _check_review_dates(year: int, fields: dict) -> None:
    for quarter in range(1, 5):
        day = fields.get(f"review_q{quarter}")
        if day is None:
            continue
        first = dt.date(year, 3 * quarter - 2, 1)
        last = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
        if not first <= day < last:
            raise BusinessRuleError(
                _("The Q%(quarter)s review must fall in Q%(quarter)s of %(year)s.")
                % {"quarter": quarter, "year": year}
            )


@submitted_once
@transaction.atomic
def account_plan_create(*, customer: Customer, actor, year: int, **fields) -> AccountPlan:
    """An annual plan, for a strategic customer only (a manager's override counts)."""
    ensure_may(actor, Action.ACCOUNT_PLAN_EDIT)
    _ensure_visible(actor, customer)
    if customer.effective_tier != Tier.STRATEGIC:
        raise BusinessRuleError(_("Account plans are kept for strategic customers."))
    if fields.get("budget") is not None and Decimal(fields["budget"]) < 0:
        raise BusinessRuleError(_("The planned amount cannot be negative."))
    _check_review_dates(year, fields)
    try:
        with transaction.atomic():
            return AccountPlan.objects.create(
                customer=customer,
                year=year,
                created_by=actor,
                **{k: v for k, v in fields.items() if k in PLAN_FIELDS},
            )
    except IntegrityError:
        raise BusinessRuleError(_("This customer already has a plan for that year.")) from None


@transaction.atomic
def account_plan_update(*, plan: AccountPlan, actor, **fields) -> AccountPlan:
    ensure_may(actor, Action.ACCOUNT_PLAN_EDIT)
    _ensure_visible(actor, plan.customer)
    _check_review_dates(plan.year, fields)
    for name in PLAN_FIELDS:
        if name in fields:
            setattr(plan, name, fields[name])
    plan.save(update_fields=[name for name in PLAN_FIELDS if name in fields])
    return plan


@submitted_once
@transaction.atomic
def business_review_record(
    *,
    plan: AccountPlan,
    actor,
    quarter: int,
    held_on: dt.date,
    attendees: str,
    outcomes: str,
    actions: list[dict] = (),
) -> BusinessReview:
    """A quarterly business review with its action items; each action becomes a follow-up on
    the customer's timeline (a note whose next follow-up date is the action's due day)."""
    ensure_may(actor, Action.BUSINESS_REVIEW_RECORD)
    _ensure_visible(actor, plan.customer)
    if not 1 <= quarter <= 4:
        raise BusinessRuleError(_("A quarter is 1 to 4."))
    if held_on.year != plan.year or (held_on.month - 1) // 3 + 1 != quarter:
        raise BusinessRuleError(_("The review date must fall in the quarter of the plan's year."))
    if held_on > local_today():
        raise BusinessRuleError(_("A review is recorded once it has been held."))
    review = BusinessReview.objects.create(
        plan=plan,
        quarter=quarter,
        held_on=held_on,
        attendees=attendees,
        outcomes=outcomes,
        recorded_by=actor,
    )
    # the latest-due first, so that the customer's next follow-up date ends on the earliest
    for action in sorted(actions, key=lambda action: action["due_on"], reverse=True):
        activity = customer_activity_log(
            customer=plan.customer,
            actor=actor,
            kind=Activity.Kind.NOTE,
            occurred_at=timezone.now(),
            outcome=_("Business review Q%(quarter)s") % {"quarter": quarter},
            next_step=action["description"],
            next_follow_up_on=action["due_on"],
        )
        ActionItem.objects.create(
            review=review,
            description=action["description"],
            due_on=action["due_on"],
            activity=activity,
        )
    return review


@submitted_once
@transaction.atomic
def feedback_record(
    *,
    actor,
    product_line,
    kind: str,
    source: str,
    text: str,
    heard_on: dt.date,
    customer: Customer | None = None,
) -> Feedback:
    ensure_may(actor, Action.FEEDBACK_RECORD)
    if customer is not None:
        _ensure_visible(actor, customer)
    if kind not in Feedback.Kind.values or source not in Feedback.Source.values:
        raise BusinessRuleError(_("Choose a kind and a source from the lists."))
    if not text.strip():
        raise BusinessRuleError(_("Write what the customer said."))
    if heard_on > local_today():
        raise BusinessRuleError(_("Feedback is recorded once it has been heard."))
    return Feedback.objects.create(
        author=actor,
        customer=customer,
        product_line=product_line,
        kind=kind,
        source=source,
        text=text.strip(),
        heard_on=heard_on,
    )


@transaction.atomic
def action_item_mark(*, item: ActionItem, actor, done: bool) -> ActionItem:
    """Mark a review's action item done (who, when) or undone, scoped like the plan (the
    customer's owner, their manager, the director). Done closes the follow-up it created:
    the customer's next follow-up date leaves My day when it is this action's due day (it
    moves to the next open action's, if any). Undone opens it again: the next follow-up
    date becomes the action's due day unless an earlier one is planned. Marking done twice
    keeps the first who and when."""
    ensure_may(actor, Action.BUSINESS_REVIEW_ACTION_DONE)
    customer = item.review.plan.customer
    _ensure_visible(actor, customer)
    lead = Lead.objects.select_for_update().get(pk=customer.lead_id)
    if done:
        changed = ActionItem.objects.filter(pk=item.pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=actor
        )
        if changed and lead.next_follow_up_on == item.due_on:
            following = (
                ActionItem.objects.open()
                .filter(review__plan__customer=customer)
                .order_by("due_on")
                .values_list("due_on", flat=True)
                .first()
            )
            Lead.objects.filter(pk=lead.pk).update(next_follow_up_on=following)
    else:
        changed = ActionItem.objects.filter(pk=item.pk, done_at__isnull=False).update(
            done_at=None, done_by=None
        )
        if changed and (lead.next_follow_up_on is None or lead.next_follow_up_on > item.due_on):
            Lead.objects.filter(pk=lead.pk).update(next_follow_up_on=item.due_on)
    item.refresh_from_db(fields=["done_at", "done_by"])
    return item

"""Who may make which change (SPEC §1): the role × action matrix, in one place.

Every write service calls ``ensure_may(actor, Action.X)`` before it changes anything; views
decorate themselves with ``action_required(Action.X)`` and templates read ``may.x`` (the
``permissions`` context processor) to hide the buttons of actions the reader cannot take. So a
role's rights are read from this table by the service, the page and the button alike.

The table answers only "may this role ever do this?". Which rows a person may act on (their own
leads, their team's contracts, the step their role owns) is the scoping and the service's own
rules on top of it: a rep may record a payment, but only on a contract they own.
"""

from enum import StrEnum
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .errors import BusinessRuleError
from .roles import Role

REP, MANAGER, DIRECTOR = Role.REP, Role.MANAGER, Role.DIRECTOR
LEGAL, FINANCE, SERVICE, ADMIN = Role.LEGAL, Role.FINANCE, Role.SERVICE, Role.ADMIN
PARTNER = Role.PARTNER
EVERYONE = frozenset(Role)


class Action(StrEnum):
    # leads
    LEAD_CREATE = "lead_create"
    LEAD_IMPORT = "lead_import"
    LEAD_UPDATE = "lead_update"
    LEAD_CHANGE_STAGE = "lead_change_stage"
    LEAD_CONVERT = "lead_convert"
    FOLLOW_UP_LOG = "follow_up_log"
    LEAD_ASSIGN = "lead_assign"
    LEAD_MERGE = "lead_merge"
    LEAD_CLAIM = "lead_claim"
    ACTIVITY_PLAN_SAVE = "activity_plan_save"
    COACHING_COMMENT_ADD = "coaching_comment_add"
    # customers
    CUSTOMER_CREATE = "customer_create"
    CONTACT_ADD = "contact_add"
    REFERRAL_ADD = "referral_add"
    TIER_OVERRIDE = "tier_override"
    # contracts and their approval
    CONTRACT_DRAFT = "contract_draft"
    CONTRACT_SUBMIT = "contract_submit"
    CONTRACT_RECALL = "contract_recall"
    APPROVAL_DECIDE = "approval_decide"
    APPROVAL_DEPUTY_SET = "approval_deputy_set"
    CONTRACT_SIGN = "contract_sign"
    CONTRACT_ARCHIVE = "contract_archive"
    CONTRACT_HAND_OFF = "contract_hand_off"
    # money
    PAYMENT_RECORD = "payment_record"
    DUNNING_RECORD = "dunning_record"
    REFUND_REQUEST = "refund_request"
    REFUND_DECIDE = "refund_decide"
    STATEMENT_CLOSE = "statement_close"
    # service
    LESSONS_RECORD = "lessons_record"
    COMPLAINT_OPEN = "complaint_open"
    COMPLAINT_RESPOND = "complaint_respond"
    COMPLAINT_RESOLVE = "complaint_resolve"
    SURVEY_RECORD = "survey_record"
    # targets
    TARGET_PLAN_EDIT = "target_plan_edit"
    TARGET_ADJUST_REPS = "target_adjust_reps"
    TARGET_ADJUST_TEAMS = "target_adjust_teams"
    TARGET_MEMBER_CHANGE = "target_member_change"
    # one's own account
    OWN_SETTINGS = "own_settings"
    # enablement (scripts, experiments, onboarding, training, promotion)
    SCRIPT_WRITE = "script_write"
    SCRIPT_APPROVE = "script_approve"
    EXPERIMENT_MANAGE = "experiment_manage"
    ONBOARDING_MANAGE = "onboarding_manage"
    ONBOARDING_SIGN_OFF = "onboarding_sign_off"
    TRAINING_RECORD = "training_record"
    PROMOTION_DECIDE = "promotion_decide"
    # channels (issue 16): partners, settlements, events, campaigns, referral rewards
    PARTNER_MANAGE = "partner_manage"
    PARTNER_REVIEW = "partner_review"
    PARTNER_SETTLEMENT_CLOSE = "partner_settlement_close"
    PARTNER_LEAD_SUBMIT = "partner_lead_submit"
    EVENT_MANAGE = "event_manage"
    EVENT_CHECK_IN = "event_check_in"
    CAMPAIGN_MANAGE = "campaign_manage"
    CAMPAIGN_RETIRE = "campaign_retire"
    REFERRAL_REWARD_APPROVE = "referral_reward_approve"
    REFERRAL_REWARD_PAY = "referral_reward_pay"
    # rhythm (team rhythm: attendance, reports, meetings)
    ATTENDANCE_CHECK_IN = "attendance_check_in"
    ATTENDANCE_RECORD = "attendance_record"
    REPORT_SUBMIT = "report_submit"
    REPORT_COMMENT = "report_comment"
    MEETING_MANAGE = "meeting_manage"
    ACTION_ITEM_DONE = "action_item_done"
    # customer success (success app, and the complaint loop in customers; issue 17)
    RENEWAL_UPDATE = "renewal_update"
    ACCOUNT_PLAN_EDIT = "account_plan_edit"
    BUSINESS_REVIEW_RECORD = "business_review_record"
    SURVEY_SEND = "survey_send"
    FEEDBACK_RECORD = "feedback_record"
    COMPLAINT_ROUTE = "complaint_route"
    COMPLAINT_CONFIRM = "complaint_confirm"
    # api (REST API tokens and webhooks)
    API_TOKEN_MANAGE = "api_token_manage"
    WEBHOOK_MANAGE = "webhook_manage"
    # documents (files on leads, customers, contracts)
    DOCUMENT_UPLOAD = "document_upload"
    # analytics (issue 20): the written analysis a KPI alert asks for
    ALERT_ANALYSIS_WRITE = "alert_analysis_write"
    IMPROVEMENT_PLAN_EDIT = "improvement_plan_edit"
    # customer success: a business review's action item done or undone (issue 17)
    BUSINESS_REVIEW_ACTION_DONE = "business_review_action_done"
    # analytics (issue 20): the market's growth beside the institution's
    MARKET_GROWTH_RECORD = "market_growth_record"
    # the daily tool (issue 18)
    LEAD_GRADE_OVERRIDE = "lead_grade_override"
    CAMPAIGN_ADD_MEMBERS = "campaign_add_members"
    CUSTOMER_ASSIGN = "customer_assign"
    CALENDAR_FEED_MANAGE = "calendar_feed_manage"
    # performance (issue 20): a KPI rated by the rep's manager (teamwork, attitude)
    MANAGER_RATING_RECORD = "manager_rating_record"


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.LEAD_CREATE: frozenset({REP, MANAGER, DIRECTOR, ADMIN}),
    Action.LEAD_IMPORT: frozenset({REP, MANAGER, DIRECTOR, ADMIN}),
    Action.LEAD_UPDATE: frozenset({REP, MANAGER, DIRECTOR, ADMIN}),
    Action.LEAD_CHANGE_STAGE: frozenset({REP, MANAGER, DIRECTOR, ADMIN}),
    Action.LEAD_CONVERT: frozenset({REP, MANAGER, DIRECTOR, ADMIN}),
    # A follow-up resets the lead's pool clock: only the sales side that works the lead logs it.
    Action.FOLLOW_UP_LOG: frozenset({REP, MANAGER, DIRECTOR, ADMIN}),
    Action.LEAD_ASSIGN: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.LEAD_MERGE: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.LEAD_CLAIM: frozenset({REP, MANAGER}),
    Action.ACTIVITY_PLAN_SAVE: frozenset({REP, MANAGER}),
    Action.COACHING_COMMENT_ADD: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.CUSTOMER_CREATE: frozenset({REP, MANAGER}),
    Action.CONTACT_ADD: frozenset({REP, MANAGER}),
    Action.REFERRAL_ADD: frozenset({REP, MANAGER}),
    Action.TIER_OVERRIDE: frozenset({MANAGER, DIRECTOR}),
    Action.CONTRACT_DRAFT: frozenset({REP, MANAGER}),
    Action.CONTRACT_SUBMIT: frozenset({REP, MANAGER}),
    Action.CONTRACT_RECALL: frozenset({REP, MANAGER}),
    # Which step each reviewer decides is the approval table's business (customers.policy).
    Action.APPROVAL_DECIDE: frozenset({MANAGER, DIRECTOR, LEGAL, FINANCE}),
    Action.APPROVAL_DEPUTY_SET: frozenset({MANAGER, DIRECTOR, LEGAL, FINANCE}),
    Action.CONTRACT_SIGN: frozenset({REP, MANAGER}),
    Action.CONTRACT_ARCHIVE: frozenset({DIRECTOR, ADMIN}),
    Action.CONTRACT_HAND_OFF: frozenset({REP, MANAGER, DIRECTOR}),
    Action.PAYMENT_RECORD: frozenset({REP, MANAGER, FINANCE}),
    Action.DUNNING_RECORD: frozenset({REP, MANAGER, FINANCE}),
    Action.REFUND_REQUEST: frozenset({REP, MANAGER}),
    Action.REFUND_DECIDE: frozenset({FINANCE}),
    Action.STATEMENT_CLOSE: frozenset({FINANCE}),
    Action.LESSONS_RECORD: frozenset({SERVICE}),
    Action.COMPLAINT_OPEN: frozenset({REP, MANAGER, SERVICE}),
    Action.COMPLAINT_RESPOND: frozenset({REP, MANAGER, DIRECTOR, SERVICE}),
    # Resolving closes the case the director is escalated to; the rep is the party complained
    # about and does not close it.
    Action.COMPLAINT_RESOLVE: frozenset({DIRECTOR, SERVICE}),
    # A survey scores the rep (satisfaction KPI): never recorded by the rep who is scored.
    Action.SURVEY_RECORD: frozenset({MANAGER, DIRECTOR, SERVICE}),
    Action.TARGET_PLAN_EDIT: frozenset({DIRECTOR, ADMIN}),
    Action.TARGET_ADJUST_REPS: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.TARGET_ADJUST_TEAMS: frozenset({DIRECTOR, ADMIN}),
    Action.TARGET_MEMBER_CHANGE: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.OWN_SETTINGS: EVERYONE,
    # enablement: anyone in sales may write or revise a library entry; a manager, the
    # director or an admin approves it (never their own version) before reps see it.
    Action.SCRIPT_WRITE: frozenset({REP, MANAGER, DIRECTOR, ADMIN}),
    Action.SCRIPT_APPROVE: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.EXPERIMENT_MANAGE: frozenset({MANAGER, DIRECTOR}),
    Action.ONBOARDING_MANAGE: frozenset({MANAGER, DIRECTOR, ADMIN}),
    # the mentor is usually an experienced rep; the service checks they mentor that plan
    Action.ONBOARDING_SIGN_OFF: frozenset({REP, MANAGER, DIRECTOR, ADMIN}),
    Action.TRAINING_RECORD: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.PROMOTION_DECIDE: frozenset({DIRECTOR}),
    # channels (issue 16)
    Action.PARTNER_MANAGE: frozenset({MANAGER, DIRECTOR, ADMIN}),
    # Keep / warn / end a partner: the director's quarterly call (SPEC: 淘汰低效合作方).
    Action.PARTNER_REVIEW: frozenset({DIRECTOR}),
    Action.PARTNER_SETTLEMENT_CLOSE: frozenset({FINANCE}),
    # Only a partner's own portal login submits leads in its name.
    Action.PARTNER_LEAD_SUBMIT: frozenset({PARTNER}),
    Action.EVENT_MANAGE: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.EVENT_CHECK_IN: frozenset({REP, MANAGER, DIRECTOR, ADMIN}),
    Action.CAMPAIGN_MANAGE: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.CAMPAIGN_RETIRE: frozenset({DIRECTOR}),
    Action.REFERRAL_REWARD_APPROVE: frozenset({MANAGER}),
    Action.REFERRAL_REWARD_PAY: frozenset({FINANCE}),
    # rhythm: the sales side checks in and reports; leaders record leave and corrections,
    # comment on reports and run meetings; an action item is closed by its owner (or leader).
    Action.ATTENDANCE_CHECK_IN: frozenset({REP, MANAGER, DIRECTOR}),
    Action.ATTENDANCE_RECORD: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.REPORT_SUBMIT: frozenset({REP, MANAGER}),
    Action.REPORT_COMMENT: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.MEETING_MANAGE: frozenset({MANAGER, DIRECTOR}),
    Action.ACTION_ITEM_DONE: frozenset({REP, MANAGER, DIRECTOR}),
    # customer success (issue 17): the owner works the renewal and the strategic account;
    # a survey scores the rep, so the rep never sends it (as SURVEY_RECORD); routing and the
    # customer's confirmation belong to after-sales and the director, as resolving does.
    Action.RENEWAL_UPDATE: frozenset({REP, MANAGER}),
    Action.ACCOUNT_PLAN_EDIT: frozenset({REP, MANAGER}),
    Action.BUSINESS_REVIEW_RECORD: frozenset({REP, MANAGER, DIRECTOR}),
    Action.SURVEY_SEND: frozenset({MANAGER, DIRECTOR, SERVICE}),
    Action.FEEDBACK_RECORD: EVERYONE - {PARTNER},  # staff: a partner login has the portal only
    Action.COMPLAINT_ROUTE: frozenset({MANAGER, DIRECTOR, SERVICE}),
    Action.COMPLAINT_CONFIRM: frozenset({DIRECTOR, SERVICE}),
    # api: everyone may hold personal tokens (they act with the holder's own rights);
    # webhooks send data of every team out of the system, so only administrators set them.
    # staff only: a partner's portal login has no API (the portal middleware answers 404)
    Action.API_TOKEN_MANAGE: EVERYONE - {PARTNER},
    Action.WEBHOOK_MANAGE: frozenset({ADMIN}),
    # documents: whoever works the records (legal reads the scans, does not file them)
    Action.DOCUMENT_UPLOAD: frozenset({REP, MANAGER, DIRECTOR, FINANCE, SERVICE, ADMIN}),
    # the rep the alert is about, or the manager of their team (analytics.services.may_write)
    Action.ALERT_ANALYSIS_WRITE: frozenset({REP, MANAGER}),
    # the rep's own manager (analytics.services.may_edit_plan) or the director
    Action.IMPROVEMENT_PLAN_EDIT: frozenset({MANAGER, DIRECTOR}),
    # those who record the review work its actions (the customer's owner, their manager)
    Action.BUSINESS_REVIEW_ACTION_DONE: frozenset({REP, MANAGER, DIRECTOR}),
    # analytics: the market figure moves every market-adjusted scorecard, so only the director
    # (who answers for the targets) and administrators record it
    Action.MARKET_GROWTH_RECORD: frozenset({DIRECTOR, ADMIN}),
    # the daily tool: a grade set by hand overrules the score, so a leader sets it (a rep
    # asks); a rep puts the leads and customers they work on a campaign's list; reassigning
    # customers is the managers' like reassigning leads
    Action.LEAD_GRADE_OVERRIDE: frozenset({MANAGER, DIRECTOR, ADMIN}),
    Action.CAMPAIGN_ADD_MEMBERS: frozenset({REP, MANAGER, DIRECTOR, ADMIN}),
    Action.CUSTOMER_ASSIGN: frozenset({MANAGER, DIRECTOR, ADMIN}),
    # the calendar is the sales team's (the back office would see the whole company's)
    Action.CALENDAR_FEED_MANAGE: frozenset({REP, MANAGER, DIRECTOR}),
    # performance: the rep's own manager (their team, scoped in the service) or the director
    # rates teamwork and attitude; never the rep, the back office or an administrator
    Action.MANAGER_RATING_RECORD: frozenset({MANAGER, DIRECTOR}),
}


# What each action is, for the README's table (salescrm.permissions.matrix_markdown).
WHAT = {
    Action.LEAD_CREATE: "create a lead",
    Action.LEAD_IMPORT: "import leads from CSV/XLSX",
    Action.LEAD_UPDATE: "edit a lead's details",
    Action.LEAD_CHANGE_STAGE: "move a lead along the funnel",
    Action.LEAD_CONVERT: "convert a won lead into a customer",
    Action.FOLLOW_UP_LOG: "log a follow-up or visit (resets the pool clock)",
    Action.LEAD_ASSIGN: "reassign a lead, or put it in the pool",
    Action.LEAD_MERGE: "merge duplicate leads",
    Action.LEAD_CLAIM: "claim a lead from the team pool",
    Action.ACTIVITY_PLAN_SAVE: "plan one's own week of activities",
    Action.COACHING_COMMENT_ADD: "comment on a rep's weekly plan",
    Action.CUSTOMER_CREATE: "create a customer directly",
    Action.CONTACT_ADD: "add a customer's contact",
    Action.REFERRAL_ADD: "record a referral",
    Action.TIER_OVERRIDE: "override a customer's tier",
    Action.CONTRACT_DRAFT: "draft or change a contract",
    Action.CONTRACT_SUBMIT: "submit one's contract for approval",
    Action.CONTRACT_RECALL: "recall one's contract from review",
    Action.APPROVAL_DECIDE: "decide an approval step (only the step of one's role)",
    Action.APPROVAL_DEPUTY_SET: "name a deputy reviewer",
    Action.CONTRACT_SIGN: "mark an approved contract signed",
    Action.CONTRACT_ARCHIVE: "archive a signed contract",
    Action.CONTRACT_HAND_OFF: "hand a signed contract to after-sales",
    Action.PAYMENT_RECORD: "record a payment",
    Action.DUNNING_RECORD: "record dunning",
    Action.REFUND_REQUEST: "request a refund",
    Action.REFUND_DECIDE: "confirm or reject a refund",
    Action.STATEMENT_CLOSE: "close a paid commission statement",
    Action.LESSONS_RECORD: "record lessons delivered",
    Action.COMPLAINT_OPEN: "open a complaint",
    Action.COMPLAINT_RESPOND: "give a complaint its first response",
    Action.COMPLAINT_RESOLVE: "resolve a complaint",
    Action.SURVEY_RECORD: "record a satisfaction survey (scores the rep)",
    Action.TARGET_PLAN_EDIT: "create, weight and publish a target plan",
    Action.TARGET_ADJUST_REPS: "adjust reps' targets inside a team",
    Action.TARGET_ADJUST_TEAMS: "adjust team targets",
    Action.TARGET_MEMBER_CHANGE: "move targets of a leaver or joiner",
    Action.OWN_SETTINGS: "own language, mark own notifications read",
    Action.SCRIPT_WRITE: "write or revise a script, objection card or case study",
    Action.SCRIPT_APPROVE: "approve or reject a library version (not one's own)",
    Action.EXPERIMENT_MANAGE: "define a script A/B experiment",
    Action.ONBOARDING_MANAGE: "start an onboarding plan, record the probation decision",
    Action.ONBOARDING_SIGN_OFF: "sign off an onboarding item (the plan's mentor or a leader)",
    Action.TRAINING_RECORD: "record training sessions, attendance, scores and plans",
    Action.PROMOTION_DECIDE: "open a team-lead application and record its decision",
    Action.PARTNER_MANAGE: "create or edit a partner, its contacts and terms",
    Action.PARTNER_REVIEW: "review a partner for the quarter (keep, warn, end)",
    Action.PARTNER_SETTLEMENT_CLOSE: "close a paid partner settlement",
    Action.PARTNER_LEAD_SUBMIT: "submit a lead through the partner portal",
    Action.EVENT_MANAGE: "create an event, make its follow-up tasks",
    Action.EVENT_CHECK_IN: "check in an event's attendees",
    Action.CAMPAIGN_MANAGE: "set a campaign's goals and budget, add cost lines",
    Action.CAMPAIGN_RETIRE: "mark a campaign for retirement",
    Action.REFERRAL_REWARD_APPROVE: "approve or reject a proposed referral reward",
    Action.REFERRAL_REWARD_PAY: "record a referral reward as paid",
    Action.ATTENDANCE_CHECK_IN: "check in and out of one's working day",
    Action.ATTENDANCE_RECORD: "record leave, a business trip or a correction of attendance",
    Action.REPORT_SUBMIT: "write and submit one's daily or weekly report",
    Action.REPORT_COMMENT: "comment on a report of the team (notifies the author)",
    Action.MEETING_MANAGE: "schedule a meeting, edit its agenda, take attendance, add action items",
    Action.ACTION_ITEM_DONE: "mark a meeting's action item done",
    Action.RENEWAL_UPDATE: "move a renewal opportunity along, or mark it lost",
    Action.ACCOUNT_PLAN_EDIT: "write a strategic customer's account plan",
    Action.BUSINESS_REVIEW_RECORD: "record a quarterly business review and its action items",
    Action.SURVEY_SEND: "send a customer a satisfaction survey link",
    Action.FEEDBACK_RECORD: "record feedback for course development",
    Action.COMPLAINT_ROUTE: "classify a complaint and route it to a department",
    Action.COMPLAINT_CONFIRM: "record the customer's confirmation, or reopen a complaint",
    Action.API_TOKEN_MANAGE: "create and revoke one's personal API tokens",
    Action.WEBHOOK_MANAGE: "register webhook endpoints, replay deliveries",
    Action.DOCUMENT_UPLOAD: "upload or remove a document on a record one sees",
    Action.ALERT_ANALYSIS_WRITE: "write the analysis of a KPI alert (its owner or their manager)",
    Action.IMPROVEMENT_PLAN_EDIT: "set an improvement plan's goals, review date and outcome",
    Action.BUSINESS_REVIEW_ACTION_DONE: "mark a business review's action item done or undone",
    Action.MARKET_GROWTH_RECORD: "record the industry's or a competitor's growth for a period",
    Action.LEAD_GRADE_OVERRIDE: "set a lead's grade by hand (or return it to the score's)",
    Action.CAMPAIGN_ADD_MEMBERS: "add leads or customers to a campaign's list",
    Action.CUSTOMER_ASSIGN: "reassign a customer to another rep",
    Action.CALENDAR_FEED_MANAGE: "create, replace or revoke one's calendar feed address",
    Action.MANAGER_RATING_RECORD: "rate a rep's manager-rated KPIs (teamwork, attitude) for an open period",
}


def role_of(user) -> str | None:
    """The role the matrix reads; a superuser acts as an administrator."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return Role.ADMIN if user.is_superuser else user.role


def may(user, action: Action) -> bool:
    return role_of(user) in ALLOWED[action]


class ActionRefused(PermissionDenied, BusinessRuleError):
    """A refusal by the matrix. It is a PermissionDenied (a page answers 403) and also a
    ValidationError carrying the service's sentence, so a view that shows a service's
    ValidationError as a message shows this one the same way."""

    def __init__(self, message):
        BusinessRuleError.__init__(self, message)


def ensure_may(user, action: Action, message=None) -> None:
    """Raise ActionRefused unless the user's role may take `action`; `message` says who may."""
    if not may(user, action):
        raise ActionRefused(message or _("Your role may not do this."))


def action_required(action: Action):
    """The view is refused (403) to roles the matrix does not allow `action`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            ensure_may(request.user, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class Allowed:
    """``may.survey_record`` in a template: whether the reader's role may take that action."""

    def __init__(self, user):
        self.role = role_of(user)

    def __getitem__(self, name: str) -> bool:
        try:
            return self.role in ALLOWED[Action(name)]
        except ValueError:
            raise KeyError(name) from None


def matrix_markdown() -> str:
    """The matrix as the README's table (kept in step by a test)."""
    roles = list(Role)
    lines = [
        "| action | what | " + " | ".join(role.value for role in roles) + " |",
        "| --- | --- |" + " :-: |" * len(roles),
    ]
    for action, allowed in ALLOWED.items():
        marks = " | ".join("✓" if role in allowed else "–" for role in roles)
        lines.append(f"| `{action.value}` | {WHAT[action]} | {marks} |")
    return "\n".join(lines)

"""Lead score and grade (SPEC §2): the active rules each give points when their criterion
holds; the grade follows from the admin-set thresholds (defaults A >= 20, B 15-19, C <= 14).

The same pure function scores one lead after an edit and every lead in the nightly job, which
reads all leads in one query and writes back only the changed ones."""

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from .models import Activity, Lead, LeadSettings, ScoringRule

ENGAGED_DAYS = 14
_FIELDS = [
    "pk",
    "budget",
    "decision_maker_reached",
    "is_urgent",
    "product_line_id",
    "payer_name",
    "payer_phone",
    "last_activity_at",
    "score",
    "grade",
    "score_reasons",
    "grade_override",
]


def _engaged(row: dict, now: dt.datetime) -> bool:
    last = row["last_activity_at"]
    return last is not None and last >= now - dt.timedelta(days=ENGAGED_DAYS)


# One test per criterion, evaluated only for the rules that are active (a dict of every
# criterion's value per lead cost four times as much in the import and the nightly job).
_CRITERIA = {
    ScoringRule.Criterion.BUDGET_CONFIRMED: lambda row, now: (
        row["budget"] is not None and row["budget"] > 0
    ),
    ScoringRule.Criterion.DECISION_MAKER: lambda row, now: row["decision_maker_reached"],
    ScoringRule.Criterion.URGENT: lambda row, now: row["is_urgent"],
    ScoringRule.Criterion.CHANNEL_QUALITY: lambda row, now: row["channel_points"] > 0,
    ScoringRule.Criterion.TRIAL_ATTENDED: lambda row, now: row["trial_attended"],
    ScoringRule.Criterion.ENGAGED_RECENTLY: _engaged,
    ScoringRule.Criterion.PRODUCT_CHOSEN: lambda row, now: row["product_line_id"] is not None,
    ScoringRule.Criterion.PAYER_KNOWN: lambda row, now: bool(
        row["payer_name"] or row["payer_phone"]
    ),
}


def _fires(criterion: str, row: dict, now: dt.datetime) -> bool:
    return bool(_CRITERIA[criterion](row, now))


def active_rules() -> list[ScoringRule]:
    """The rules that score a lead now, in a stable order (the order of the reasons shown)."""
    return list(ScoringRule.objects.filter(is_active=True).order_by("criterion"))


def score_row(row: dict, rules: list[ScoringRule], settings: LeadSettings, now: dt.datetime):
    """(score, grade, reasons) of one lead given as a dict of the fields in _FIELDS plus
    channel_points and trial_attended."""
    score, reasons = 0, []
    for rule in rules:
        if not _fires(rule.criterion, row, now):
            continue
        points = (
            row["channel_points"]
            if rule.criterion == ScoringRule.Criterion.CHANNEL_QUALITY
            else rule.points
        )
        score += points
        reasons.append({"criterion": rule.criterion, "points": points})
    return score, settings.grade_for(score), reasons


def _rows(queryset):
    trial = Exists(Activity.objects.filter(lead=OuterRef("pk"), kind=Activity.Kind.TRIAL_LESSON))
    return queryset.annotate(
        channel_points=F("channel__quality_points"), trial_attended=trial
    ).values(*_FIELDS, "channel_points", "trial_attended")


def leads_rescore(queryset=None, *, now: dt.datetime | None = None) -> int:
    """Recompute score, grade and reasons of the leads in `queryset` (default: all). One read
    query, then batched updates of the leads whose result changed. Returns that count."""
    now = now or timezone.now()
    queryset = Lead.objects.all() if queryset is None else queryset
    rules = active_rules()
    settings = LeadSettings.load()
    changed = []
    for row in _rows(queryset.order_by()).iterator(chunk_size=5000):
        score, grade, reasons = score_row(row, rules, settings, now)
        grade = row["grade_override"] or grade  # a grade set by hand stays (lead_grade_override)
        if (score, grade, reasons) != (row["score"], row["grade"], row["score_reasons"]):
            changed.append(Lead(pk=row["pk"], score=score, grade=grade, score_reasons=reasons))
    Lead.objects.bulk_update(changed, ["score", "grade", "score_reasons"], batch_size=2000)
    return len(changed)


def engagement_stale(queryset, *, now: dt.datetime):
    """The leads whose "engaged in the last 14 days" criterion no longer matches the reasons
    stored with their score. That criterion is the only part of a score that changes with
    time alone: every other change of a lead or its activities re-scores it at once, and a
    rule or threshold change in admin re-scores all leads. So the nightly refresh reads these
    few rows instead of every lead (1,000,000 leads: ~40 s -> well under a second)."""
    rule_active = ScoringRule.objects.filter(
        criterion=ScoringRule.Criterion.ENGAGED_RECENTLY, is_active=True
    ).exists()
    # The reasons as text, matched as written (the criterion is a lowercase constant): a
    # plain LIKE over the million leads, cheaper than the upper-casing of icontains.
    queryset = queryset.alias(reasons_text=Cast("score_reasons", TextField()))
    flagged = Q(reasons_text__contains=ScoringRule.Criterion.ENGAGED_RECENTLY.value)
    if not rule_active:
        return queryset.filter(flagged)
    engaged = Q(last_activity_at__gte=now - dt.timedelta(days=ENGAGED_DAYS))
    return queryset.filter((engaged & ~flagged) | (~engaged & flagged))


def lead_rescore(lead: Lead) -> Lead:
    """Score one lead and keep the in-memory instance in step."""
    leads_rescore(Lead.objects.filter(pk=lead.pk))
    lead.refresh_from_db(fields=["score", "grade", "score_reasons"])
    return lead

"""Reads across leads and activities that pages share: activity-plan actuals (seed 004), the
lead search."""

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Count, DateField, Q
from django.db.models.functions import Lower, Trunc
from django.db.models.lookups import Contains

from salescrm.timeutil import SHANGHAI, day_bounds

from .models import Activity, Lead
from .normalise import normalise_phone

ACTUAL_FIELDS = ["calls", "visits", "new_leads", "trial_lessons"]


def plan_actuals(rep_ids, first_week: dt.date, last_week: dt.date) -> dict:
    """{(rep_id, week_start): {"calls", "visits", "new_leads", "trial_lessons"}} counted from
    logged activities (calls = phone calls, visits = effective visits) and the leads each rep
    created, for the weeks first_week..last_week (Mondays). Two queries in all."""
    start, end = day_bounds(first_week, last_week + dt.timedelta(days=6))
    result: dict = {}

    def slot(rep_id, week):
        return result.setdefault((rep_id, week), dict.fromkeys(ACTUAL_FIELDS, 0))

    activities = (
        Activity.objects.filter(actor_id__in=rep_ids, occurred_at__gte=start, occurred_at__lt=end)
        .annotate(week=Trunc("occurred_at", "week", output_field=DateField(), tzinfo=SHANGHAI))
        .values("actor_id", "week")
        .annotate(
            calls=Count("pk", filter=Q(kind=Activity.Kind.PHONE)),
            visits=Count("pk", filter=Q(kind__in=Activity.EFFECTIVE_VISIT_KINDS)),
            trial_lessons=Count("pk", filter=Q(kind=Activity.Kind.TRIAL_LESSON)),
        )
        .order_by()
    )
    for row in activities:
        counts = slot(row["actor_id"], row["week"])
        counts.update(calls=row["calls"], visits=row["visits"], trial_lessons=row["trial_lessons"])
    created = (
        Lead.objects.filter(created_by_id__in=rep_ids, created_at__gte=start, created_at__lt=end)
        .annotate(week=Trunc("created_at", "week", output_field=DateField(), tzinfo=SHANGHAI))
        .values("created_by_id", "week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in created:
        slot(row["created_by_id"], row["week"])["new_leads"] = row["n"]
    return result


# --- lead search (the lead list's `q`, shared with the quick search) -------------------------

_PHONE_LIKE = re.compile(r"[\d\s\-().·/+＋]+")
MIN_PHONE_DIGITS = 3


def lead_search_q(value: str) -> Q:
    """The leads matching a search box's text, by lookups an index answers on 1 M leads:

    - a whole phone number (digits with separators, +86 or not): the normalised phone,
      exactly (the unique index lead_unique_phone);
    - part of a phone number (at least three digits): the phones containing them, as typed
      without separators and country code (the trigram GIN index lead_phone_trgm_idx);
    - an e-mail address (contains "@"): the normalised address, exactly (unique index);
    - anything else: the name or the company containing the text, case-insensitively (the
      trigram GIN indexes lead_name_trgm_idx and lead_company_trgm_idx).
    An empty text matches everything; a phone-like text of fewer than three digits nothing."""
    value = unicodedata.normalize("NFKC", value or "").strip()[:100]
    if not value:
        return Q()
    if _PHONE_LIKE.fullmatch(value):
        try:
            phone = normalise_phone(value)
        except ValidationError:
            digits = re.sub(r"\D", "", value)
            if value.lstrip().startswith("+86") or (digits.startswith("0086")):
                digits = digits[2:] if digits.startswith("86") else digits[4:]
            if len(digits) < MIN_PHONE_DIGITS:
                return Q(pk__in=[])
            # the expression of lead_phone_trgm_idx (see migration leads 0010)
            return Q(Contains(Lower("phone"), digits))
        return Q(phone=phone)
    if "@" in value:
        return Q(email=value.lower())
    return Q(name__icontains=value) | Q(company__icontains=value)

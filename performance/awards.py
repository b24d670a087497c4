"""The best-service award (最佳服务奖, seed 001: beside the sales champions), per month and per
quarter, among the reps of a view.

Service score = the average satisfaction score (1–5) of the surveys the rep's customers answered
in the period − 0.5 for each complaint opened in the period about one of the rep's customers.
Eligible: at least ``MIN_SURVEYS`` surveys in the period (one glowing survey wins nothing).
The highest score wins; a tie goes to fewer complaints, then more surveys, then the name. No
eligible rep: no award. Two grouped queries give the month and the quarter together."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from customers.models import Complaint, SatisfactionSurvey
from salescrm.timeutil import day_bounds

MIN_SURVEYS = 3
COMPLAINT_PENALTY = Decimal("0.5")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ServiceFigure:
    rep_id: int
    surveys: int
    average: Decimal  # satisfaction 1–5, to the cent
    complaints: int

    @property
    def score(self) -> Decimal:
        return self.average - COMPLAINT_PENALTY * self.complaints


def service_figures(rep_ids, periods: dict) -> dict[str, dict[int, ServiceFigure]]:
    """{period name: {rep id: figure}} for `periods` {name: (first day, last day)}, every period
    inside the span of the first (the quarter holding the month): two queries."""
    rep_ids = list(rep_ids)
    first, last = min(p[0] for p in periods.values()), max(p[1] for p in periods.values())
    survey_aggregates, complaint_aggregates = {}, {}
    for name, (start, end) in periods.items():
        inside = Q(answered_on__range=(start, end))
        survey_aggregates[f"{name}_n"] = Count("id", filter=inside)
        survey_aggregates[f"{name}_sum"] = Sum("score", filter=inside)
        low, high = day_bounds(start, end)
        complaint_aggregates[f"{name}_n"] = Count(
            "id", filter=Q(opened_at__gte=low, opened_at__lt=high)
        )
    surveys = (
        SatisfactionSurvey.objects.filter(
            customer__owner_id__in=rep_ids, answered_on__range=(first, last)
        )
        .values("customer__owner_id")
        .annotate(**survey_aggregates)
    )
    low, high = day_bounds(first, last)
    complaints = {
        row["customer__owner_id"]: row
        for row in Complaint.objects.filter(
            customer__owner_id__in=rep_ids, opened_at__gte=low, opened_at__lt=high
        )
        .values("customer__owner_id")
        .annotate(**complaint_aggregates)
    }
    result: dict[str, dict[int, ServiceFigure]] = {name: {} for name in periods}
    for row in surveys:
        rep = row["customer__owner_id"]
        for name in periods:
            count = row[f"{name}_n"]
            if not count:
                continue
            average = (Decimal(row[f"{name}_sum"]) / count).quantize(CENT)
            result[name][rep] = ServiceFigure(
                rep, count, average, complaints.get(rep, {}).get(f"{name}_n", 0)
            )
    return result


def best_service(figures: dict[int, ServiceFigure], names: dict[int, str]) -> int | None:
    """The award's winner among `figures` (rep id), or None when no rep is eligible."""
    eligible = [f for f in figures.values() if f.surveys >= MIN_SURVEYS]
    if not eligible:
        return None
    best = min(
        eligible, key=lambda f: (-f.score, f.complaints, -f.surveys, names.get(f.rep_id, ""))
    )
    return best.rep_id

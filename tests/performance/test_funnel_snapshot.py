"""The daily funnel snapshot per team, rep and stage (services.funnel_snapshot_replace)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from performance.models import FunnelSnapshot
from performance.services import funnel_snapshot_replace

from .factories import lead_with_history

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 10)


@pytest.fixture
def funnel_data(rep, teammate):
    lead_with_history(
        rep,
        [
            ("new", "2026-11-01"),
            ("contacted", "2026-11-02"),
            ("needs_analysis", "2026-11-05"),
            ("trial", "2026-11-10 09:00"),
        ],
        budget="10000",
    )
    lead_with_history(
        rep, [("new", "2026-11-03"), ("contacted", "2026-11-10 15:00")], budget="5000"
    )
    lead_with_history(
        rep, [("new", "2026-11-04"), ("contacted", "2026-11-05"), ("lost", "2026-11-06")]
    )
    lead_with_history(rep, [("new", "2026-11-10 12:00")], budget="2000")
    # created after the cut-off (00:30 on the 11th is the next Shanghai day): not counted
    lead_with_history(rep, [("new", "2026-11-11 00:30")], budget="9999")
    # outside the 90-day cohort, but it moved on the day: counts as entered only
    lead_with_history(
        rep,
        [("new", "2026-07-01"), ("contacted", "2026-07-02"), ("proposal", "2026-11-10 11:00")],
        budget="7000",
    )
    lead_with_history(
        teammate,
        [("new", "2026-11-09"), ("contacted", "2026-11-09 14:00"), ("won", "2026-11-10 10:00")],
        budget="8000",
    )


def _rows():
    return sorted(
        (
            row.rep.username,
            row.stage,
            row.open_leads,
            row.amount,
            row.entered,
            row.reached,
            row.conversion,
        )
        for row in FunnelSnapshot.objects.select_related("rep")
    )


def test_funnel_counts_amounts_and_stage_to_stage_conversion(funnel_data, team):
    assert funnel_snapshot_replace(day=DAY) == {"funnel_rows": 13}
    assert _rows() == sorted(
        [
            ("rep_a1", "new", 1, D("2000.00"), 1, 4, D("75.00")),
            ("rep_a1", "contacted", 1, D("5000.00"), 1, 3, D("33.33")),
            ("rep_a1", "needs_analysis", 0, D("0.00"), 0, 1, D("100.00")),
            ("rep_a1", "trial", 1, D("10000.00"), 1, 1, D("0.00")),
            ("rep_a1", "proposal", 0, D("0.00"), 1, 0, None),
            ("rep_a1", "lost", 1, D("0.00"), 0, 1, None),
            ("rep_a2", "new", 0, D("0.00"), 0, 1, D("100.00")),
            ("rep_a2", "contacted", 0, D("0.00"), 0, 1, D("100.00")),
            ("rep_a2", "needs_analysis", 0, D("0.00"), 0, 1, D("100.00")),
            ("rep_a2", "trial", 0, D("0.00"), 0, 1, D("100.00")),
            ("rep_a2", "proposal", 0, D("0.00"), 0, 1, D("100.00")),
            ("rep_a2", "negotiation", 0, D("0.00"), 0, 1, D("100.00")),
            ("rep_a2", "won", 1, D("8000.00"), 1, 1, None),
        ]
    )
    assert set(FunnelSnapshot.objects.values_list("team_id", flat=True)) == {team.pk}


def test_running_the_snapshot_twice_gives_identical_rows(funnel_data):
    funnel_snapshot_replace(day=DAY)
    first = _rows()
    funnel_snapshot_replace(day=DAY)
    assert _rows() == first
    assert FunnelSnapshot.objects.filter(day=DAY).count() == len(first)


def test_a_later_change_does_not_alter_the_day_it_happened_after(funnel_data, rep):
    funnel_snapshot_replace(day=DAY)
    first = _rows()
    lead_with_history(rep, [("new", "2026-11-12")], budget="100")
    funnel_snapshot_replace(day=DAY)
    assert _rows() == first

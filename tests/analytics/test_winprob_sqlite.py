"""The win-probability features on SQLite (issue 20, the one-process demo): the SQLite
statement (analytics/winprob_sqlite.py) gives the same rows as PostgreSQL's FEATURES_SQL.

How: a small history is written through the ORM into the PostgreSQL test database and copied,
row by row, into an in-memory SQLite database built by Django's own SQLite backend (the real
tables from the models, each value prepared by its field for SQLite, as Django stores it). Both
statements then read the same history:

- a hand-worked history with every feature written out (stage at close, days in that stage,
  follow-ups in the 14 days before closing — one exactly on the boundary —, trial lesson,
  budget, a lead closed twice, two closings at the same moment, a lead without stage history,
  one created after the day, a timestamp with microseconds): both statements must give
  exactly these rows;
- a random history of a few hundred leads: the two feature frames the model reads
  (``_frame``, run once on each database) must be equal.

Why this way rather than only hand-worked values on a bare sqlite3 connection: the copy runs
the PostgreSQL statement too, so a change to FEATURES_SQL that the SQLite statement does not
follow fails here, and the SQLite tables are the models' own (a new column read by the
statements needs no change to this test)."""

import datetime as dt
import random
from decimal import Decimal as D

import pandas as pd
import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

from analytics import winprob
from analytics.winprob import FEATURES_SQL, RECENT_DAYS
from analytics.winprob_sqlite import FEATURES_SQL_SQLITE
from leads.models import Activity, Channel, Lead, LostReason, StageChange
from salescrm.models import ProductLine
from salescrm.timeutil import SHANGHAI, day_bounds

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 19)  # features as of the end of this Shanghai day
UTC = dt.UTC


def _at(month: int, day: int, hour: int = 10, minute: int = 0, micro: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, 0, micro, tzinfo=SHANGHAI)


def sqlite_copy():
    """An in-memory SQLite database (Django's SQLite backend) holding the leads, stage changes
    and follow-ups of the test database, stored as Django stores them on SQLite."""
    sqlite = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    )["default"]
    models = (Lead, StageChange, Activity)
    with sqlite.schema_editor() as editor:
        for model in models:
            editor.create_model(model)
    # the users, channels … the rows point to are not copied
    sqlite.disable_constraint_checking()
    with sqlite.cursor() as cursor:
        for model in models:
            fields = model._meta.concrete_fields
            columns = ", ".join(sqlite.ops.quote_name(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            rows = [
                [f.get_db_prep_save(getattr(obj, f.attname), connection=sqlite) for f in fields]
                for obj in model.objects.order_by("pk")
            ]
            cursor.executemany(
                f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})", rows
            )
    return sqlite


def features(db, day: dt.date = DAY) -> list[dict]:
    """The raw rows of `db`'s statement, datetimes as aware UTC and days rounded to 6 places
    (PostgreSQL's driver gives aware datetimes and a numeric, SQLite's naive UTC and a float)."""
    _start, until = day_bounds(day, day)
    if db.vendor == "sqlite":
        statement, until = FEATURES_SQL_SQLITE, db.ops.adapt_datetimefield_value(until)
    else:
        statement = FEATURES_SQL
    with db.cursor() as cursor:
        cursor.execute(statement, {"until": until, "recent_days": RECENT_DAYS})
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        at = row["ref_at"]
        row["ref_at"] = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        row["age_days"] = round(float(row["age_days"]), 6)
    return rows


@pytest.fixture
def reference(db):
    channel = Channel.objects.get_or_create(code="website", defaults={"name": "官网"})[0]
    reason = LostReason.objects.get_or_create(name="其他")[0]
    line = ProductLine.objects.order_by("pk").first()
    return channel, reason, line


def _lead(owner, channel, name, created, **extra) -> Lead:
    return Lead.objects.create(
        owner=owner,
        team_id=owner.team_id,
        channel=channel,
        name=name,
        phone=f"1330000{'甲乙丙丁戊己'.index(name):04d}",
        created_at=created,
        **extra,
    )


def _move(lead, moves) -> None:
    StageChange.objects.bulk_create(
        StageChange(lead=lead, from_stage=a, to_stage=b, changed_at=at) for a, b, at in moves
    )


def _follow_ups(lead, visits) -> None:
    Activity.objects.bulk_create(
        Activity(lead=lead, actor=lead.owner, kind=kind, occurred_at=at) for kind, at in visits
    )


@pytest.fixture
def hand_worked(rep, teammate, reference):
    """Six leads whose features are worked out by hand in the test below."""
    channel, reason, line = reference
    won = _lead(
        rep,
        channel,
        "甲",
        _at(9, 1),
        stage="won",
        won_at=_at(9, 24),
        budget=D("9800.00"),
        score=22,
        grade="A",
        product_line=line,
    )
    _move(
        won,
        [
            ("", "new", _at(9, 1)),
            ("new", "contacted", _at(9, 3)),
            ("contacted", "trial", _at(9, 10)),
            ("trial", "won", _at(9, 24)),
        ],
    )
    _follow_ups(
        won,
        [
            ("phone", _at(9, 3)),  # 21 days before the win: not recent
            ("phone", _at(9, 10)),  # exactly 14 days before: recent
            ("trial_lesson", _at(9, 12)),
            ("wechat", _at(9, 25)),  # after the win: not read
        ],
    )
    # lost, reopened, lost again: the last closing counts, the stage re-entered on 25 August
    relost = _lead(teammate, channel, "乙", _at(8, 1), stage="lost", lost_reason=reason, score=9)
    _move(
        relost,
        [
            ("", "new", _at(8, 1)),
            ("new", "contacted", _at(8, 2)),
            ("contacted", "lost", _at(8, 20)),
            ("lost", "contacted", _at(8, 25)),
            ("contacted", "lost", _at(9, 5)),
        ],
    )
    _follow_ups(relost, [("phone", _at(8, 30)), ("trial_lesson", _at(8, 3))])
    # two closings at the same moment: the one written last counts
    tie = _lead(rep, channel, "丙", _at(7, 1), stage="lost", lost_reason=reason, budget=D("0"))
    _move(
        tie,
        [
            ("", "new", _at(7, 1)),
            ("new", "proposal", _at(7, 11, 15, 30)),
            ("proposal", "lost", _at(7, 20)),
            ("negotiation", "lost", _at(7, 20)),
        ],
    )
    # open, in proposal since 9 October 10:00: 10 days 14 hours before the day ends
    open_lead = _lead(rep, channel, "丁", _at(10, 1), stage="proposal", score=16, grade="B")
    _move(open_lead, [("", "new", _at(10, 1)), ("new", "proposal", _at(10, 9))])
    _follow_ups(
        open_lead,
        [
            ("visit", _at(10, 5, 23, 59)),  # before the 14 days (from 6 October 00:00)
            ("visit", _at(10, 6, 0, 0)),  # the first moment of the 14 days
            ("phone", _at(10, 19, 23, 30, 250_000)),  # the day's last half hour, microseconds
            ("phone", _at(10, 20, 9)),  # tomorrow: not read
        ],
    )
    # won without any stage history (imported): closed at its won_at, in stage since created
    imported = _lead(teammate, channel, "戊", _at(6, 1), stage="won", won_at=_at(7, 1))
    # created tomorrow: not a lead yet on the day
    _lead(rep, channel, "己", _at(10, 20, 8))
    return won, relost, tie, open_lead, imported


def test_both_statements_give_the_hand_worked_features(hand_worked, rep, teammate, reference):
    won, relost, tie, open_lead, imported = hand_worked
    channel, _reason, line = reference
    until = dt.datetime(2026, 10, 19, 16, 0, tzinfo=UTC)  # 20 October 00:00 in Shanghai
    common = {"channel_id": channel.pk, "product_line_id": None}
    expected = [
        {
            **common,
            "id": won.pk,
            "stage": "won",
            "closing_stage": "trial",
            "closed": True,
            "grade": "A",
            "score": 22,
            "product_line_id": line.pk,
            "owner_id": rep.pk,
            "budget_confirmed": True,
            "ref_at": dt.datetime(2026, 9, 24, 2, 0, tzinfo=UTC),
            "age_days": 14.0,
            "recent_activities": 2,
            "trial": True,
        },
        {
            **common,
            "id": relost.pk,
            "stage": "lost",
            "closing_stage": "contacted",
            "closed": True,
            "grade": "C",
            "score": 9,
            "owner_id": teammate.pk,
            "budget_confirmed": False,
            "ref_at": dt.datetime(2026, 9, 5, 2, 0, tzinfo=UTC),
            "age_days": 11.0,
            "recent_activities": 1,
            "trial": True,
        },
        {
            **common,
            "id": tie.pk,
            "stage": "lost",
            "closing_stage": "negotiation",
            "closed": True,
            "grade": "C",
            "score": 0,
            "owner_id": rep.pk,
            "budget_confirmed": False,
            "ref_at": dt.datetime(2026, 7, 20, 2, 0, tzinfo=UTC),
            # from 11 July 15:30 to 20 July 10:00
            "age_days": round(8 + 18.5 / 24, 6),
            "recent_activities": 0,
            "trial": False,
        },
        {
            **common,
            "id": open_lead.pk,
            "stage": "proposal",
            "closing_stage": None,
            "closed": False,
            "grade": "B",
            "score": 16,
            "owner_id": rep.pk,
            "budget_confirmed": False,
            "ref_at": until,
            "age_days": round(10 + 14 / 24, 6),
            "recent_activities": 2,
            "trial": False,
        },
        {
            **common,
            "id": imported.pk,
            "stage": "won",
            "closing_stage": None,
            "closed": True,
            "grade": "C",
            "score": 0,
            "owner_id": teammate.pk,
            "budget_confirmed": False,
            "ref_at": dt.datetime(2026, 7, 1, 2, 0, tzinfo=UTC),
            "age_days": 30.0,
            "recent_activities": 0,
            "trial": False,
        },
    ]
    assert features(connection) == expected
    assert features(sqlite_copy()) == expected


def random_history(owners, reference, leads: int = 300, seed: int = 20):
    """`leads` leads over the year before DAY with random stage paths (some reopened, some
    still open, some closed after DAY) and follow-ups, at random seconds and microseconds."""
    channel, reason, line = reference
    rng = random.Random(seed)
    stages = ["contacted", "needs_analysis", "trial", "proposal", "negotiation"]
    created_all, moves_all, visits_all = [], [], []
    for i in range(leads):
        created = _at(10, 20) - dt.timedelta(seconds=rng.randint(-5 * 86400, 365 * 86400))
        moment, stage, moves = created, "new", [("", "new", created)]
        for _step in range(rng.randint(0, 6)):
            moment += dt.timedelta(
                seconds=rng.randint(0, 20 * 86400), microseconds=rng.choice([0, 1, 500_000])
            )
            following = rng.choice(
                [*stages, "won", "lost"] if stage not in ("won", "lost") else stages
            )
            moves.append((stage, following, moment))
            stage = following
        visits = [
            (
                rng.choice(["phone", "visit", "trial_lesson"]),
                created + dt.timedelta(seconds=rng.randint(0, 60 * 86400)),
            )
            for _v in range(rng.randint(0, 5))
        ]
        owner = owners[i % len(owners)] if rng.random() < 0.9 else None
        created_all.append(
            Lead(
                owner=owner,
                team_id=owners[0].team_id,
                channel=channel,
                name=f"学员{i}",
                phone=f"135{i:08d}",
                created_at=created,
                stage=stage,
                won_at=moment if stage == "won" else None,
                lost_reason=reason if stage == "lost" else None,
                budget=rng.choice([None, D("0"), D("6800.00")]),
                product_line=line if rng.random() < 0.5 else None,
                score=rng.randint(0, 30),
                grade=rng.choice("ABC"),
            )
        )
        moves_all.append(moves)
        visits_all.append(visits)
    Lead.objects.bulk_create(created_all)
    StageChange.objects.bulk_create(
        StageChange(lead=lead, from_stage=a, to_stage=b, changed_at=at)
        for lead, moves in zip(created_all, moves_all, strict=True)
        for a, b, at in moves
    )
    Activity.objects.bulk_create(
        Activity(lead=lead, actor=owners[0], kind=kind, occurred_at=at)
        for lead, visits in zip(created_all, visits_all, strict=True)
        for kind, at in visits
    )


def test_the_model_reads_the_same_frame_on_sqlite_and_postgresql(
    rep, teammate, reference, monkeypatch
):
    random_history([rep, teammate], reference)
    on_postgresql = winprob._frame(DAY)
    sqlite = sqlite_copy()
    monkeypatch.setattr(winprob, "connection", sqlite)
    on_sqlite = winprob._frame(DAY)
    assert len(on_postgresql) > 250
    assert on_postgresql["won"].notna().sum() > 50 and on_postgresql["won"].isna().sum() > 50
    assert on_postgresql["recent_activities"].sum() > 0 and on_postgresql["trial"].sum() > 0
    pd.testing.assert_frame_equal(on_sqlite, on_postgresql, check_exact=False, rtol=1e-9)

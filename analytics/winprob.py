"""Win probability per open lead (issue 20): a model learned every night from the
institution's own closed leads.

- **Learned from:** every closed (won or lost) lead, described as it was when it closed: the
  stage it closed from, its grade and score, channel, product line, days in that stage, its
  follow-ups in the 14 days before closing, budget confirmed (a budget above 0), a trial lesson
  attended before closing, and its rep's conversion (won ÷ closed of the rep's other closed
  leads, shrunk towards the company's rate by ``PRIOR_LEADS`` leads). An open lead is described
  the same way as of the end of the business date.
- **Sample:** at most ``MAX_TRAIN`` closed leads, the most recently closed.
- **Model:** a logistic regression (categories one-hot, numbers standardised) calibrated by
  isotonic regression on 3-fold out-of-fold predictions (Platt's sigmoid below
  ``ISOTONIC_FROM`` closed leads); no randomness, so the same history gives the same
  probabilities.
- **Back-test:** the same model trained on the leads closed before the last quarter (the last
  three months before the business date) and scored on the leads closed in it: the AUC (the
  chance that a won lead is ranked above a lost one) and, per decile of predicted probability,
  the mean predicted and the observed share won.
- **Not enough history:** fewer than ``MIN_CLOSED`` closed leads or fewer than ``MIN_EACH`` won
  or lost: no model, no probabilities (the weighted pipeline falls back on the stage weights).
- **Bounds:** a probability is kept between 1 % and 99 % (``BOUNDS``): a model learned from a
  finite history never knows that a lead is certain.
- **Top factors:** per open lead, the three features whose term in the regression moves it
  furthest from the average lead, with their direction.

The features are read in one SQL statement (PostgreSQL) and assembled in pandas; the
probabilities are written with one COPY. Training time on 1 M leads: ``bench/README.md``.
"""

import csv
import datetime as dt
import io
import json
import time
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from leads.models import Lead
from salescrm.timeutil import add_months, day_bounds

from .models import LeadWinProbability, WinModelRun

MIN_CLOSED = 200
MIN_EACH = 30
ISOTONIC_FROM = 2000
# the model learns from at most this many closed leads, the most recently closed (the newest
# history is the most telling, and a logistic regression of a few dozen terms gains nothing
# from more): it keeps the nightly training time flat on a large institution
MAX_TRAIN = 150_000
PRIOR_LEADS = 10
RECENT_DAYS = 14
TOP_FACTORS = 3
# a model learned from a finite history never knows a lead is certain to be won or lost
BOUNDS = (0.01, 0.99)
CLOSED = (Lead.Stage.WON.value, Lead.Stage.LOST.value)

CATEGORICAL = ["stage", "grade", "channel", "product_line"]
NUMERIC = ["score", "age_days", "recent_activities", "budget_confirmed", "trial", "rep_rate"]
# the words of the "why" beside a probability
FACTOR_LABELS = {
    "stage": _("stage"),
    "grade": _("grade"),
    "channel": _("channel"),
    "product_line": _("product line"),
    "score": _("score"),
    "age_days": _("days in stage"),
    "recent_activities": _("follow-ups in 14 days"),
    "budget_confirmed": _("budget confirmed"),
    "trial": _("trial lesson attended"),
    "rep_rate": _("rep's past conversion"),
}

FEATURES_SQL = f"""
WITH closing AS (
    SELECT DISTINCT ON (lead_id) lead_id, from_stage, changed_at AS closed_at
    FROM leads_stagechange
    WHERE to_stage IN ('won', 'lost') AND changed_at < %(until)s
    ORDER BY lead_id, changed_at DESC, id DESC
), entered AS (
    SELECT lead_id, MAX(changed_at) AS entered_at
    FROM leads_stagechange
    WHERE to_stage NOT IN ('won', 'lost') AND changed_at < %(until)s
    GROUP BY lead_id
), base AS (
    SELECT l.id, l.stage, l.grade, l.score, l.channel_id, l.product_line_id, l.owner_id,
           COALESCE(l.budget, 0) > 0 AS budget_confirmed,
           l.stage IN ('won', 'lost') AS closed,
           CASE WHEN l.stage IN ('won', 'lost') THEN c.from_stage END AS closing_stage,
           CASE WHEN l.stage IN ('won', 'lost')
                THEN COALESCE(c.closed_at, l.won_at, l.last_activity_at, l.created_at)
                ELSE %(until)s END AS ref_at,
           COALESCE(e.entered_at, l.created_at) AS entered_at
    FROM leads_lead l
    LEFT JOIN closing c ON c.lead_id = l.id
    LEFT JOIN entered e ON e.lead_id = l.id
    WHERE l.created_at < %(until)s
), act AS (
    SELECT a.lead_id,
           COUNT(*) FILTER (
               WHERE a.occurred_at >= b.ref_at - interval '{RECENT_DAYS} days'
           ) AS recent,
           BOOL_OR(a.kind = 'trial_lesson') AS trial
    FROM leads_activity a JOIN base b ON b.id = a.lead_id
    WHERE a.occurred_at <= b.ref_at
    GROUP BY a.lead_id
)
SELECT b.id, b.stage, b.closing_stage, b.closed, b.grade, b.score, b.channel_id,
       b.product_line_id, b.owner_id, b.budget_confirmed, b.ref_at,
       GREATEST(EXTRACT(EPOCH FROM (b.ref_at - b.entered_at)) / 86400.0, 0) AS age_days,
       COALESCE(a.recent, 0) AS recent_activities, COALESCE(a.trial, FALSE) AS trial
FROM base b LEFT JOIN act a ON a.lead_id = b.id
ORDER BY b.id
"""

OPEN_STAGE_VALUES = [s for s in Lead.Stage.values if s not in CLOSED]


def _frame(day: dt.date) -> pd.DataFrame:
    """The features of every lead with the columns the model reads (see module doc)."""
    _start, until = day_bounds(day, day)
    statement = FEATURES_SQL
    if connection.vendor == "sqlite":  # the one-process demo: the same features, SQLite's SQL
        from .winprob_sqlite import FEATURES_SQL_SQLITE as statement

        until = connection.ops.adapt_datetimefield_value(until)
    with connection.cursor() as cursor:
        cursor.execute(statement, {"until": until})
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    closed = frame["closed"].astype(bool)
    frame["won"] = np.where(closed, (frame["stage"] == Lead.Stage.WON).astype(float), np.nan)
    stage = frame["stage"].where(~closed, frame["closing_stage"])
    frame["stage"] = stage.where(stage.isin(OPEN_STAGE_VALUES), Lead.Stage.NEW.value)
    frame["grade"] = frame["grade"].astype(str)
    for column in ("channel_id", "product_line_id"):
        frame[column[:-3]] = frame[column].map(lambda v: "none" if pd.isna(v) else str(int(v)))
    frame["score"] = frame["score"].astype(float)
    frame["age_days"] = np.log1p(frame["age_days"].astype(float).clip(0, 3650))
    frame["recent_activities"] = frame["recent_activities"].astype(float).clip(0, 50)
    frame["budget_confirmed"] = frame["budget_confirmed"].astype(float)
    frame["trial"] = frame["trial"].astype(float)
    frame["ref_at"] = pd.to_datetime(frame["ref_at"], utc=True)
    return frame


def _rep_rate(frame: pd.DataFrame, train: pd.Series) -> pd.Series:
    """Each lead's rep's conversion among the training leads, leaving the lead itself out,
    shrunk towards the overall rate by PRIOR_LEADS leads (a new rep reads as average)."""
    closed = frame[train]
    base_rate = float(closed["won"].mean())
    owner = frame["owner_id"].fillna(-1)
    won = closed.groupby(owner[train])["won"].sum()
    count = closed.groupby(owner[train])["won"].count()
    rep_won = owner.map(won).fillna(0.0)
    rep_count = owner.map(count).fillna(0.0)
    own = train.astype(float)
    return (rep_won - frame["won"].fillna(0.0) * own + PRIOR_LEADS * base_rate) / (
        rep_count - own + PRIOR_LEADS
    )


def _model(rows: int):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    pipeline = Pipeline(
        [
            (
                "features",
                ColumnTransformer(
                    [
                        ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
                        ("num", StandardScaler(), NUMERIC),
                    ],
                    sparse_threshold=0,
                ),
            ),
            ("regression", LogisticRegression(C=1.0, max_iter=1000)),
        ]
    )
    return CalibratedClassifierCV(
        pipeline,
        method="isotonic" if rows >= ISOTONIC_FROM else "sigmoid",
        cv=StratifiedKFold(n_splits=3),
        ensemble=False,
    )


def _latest(frame: pd.DataFrame, rows: pd.Series) -> pd.Series:
    """`rows` cut to the MAX_TRAIN most recently closed (ties: the higher id)."""
    if int(rows.sum()) <= MAX_TRAIN:
        return rows
    chosen = frame.loc[rows, ["ref_at", "id"]].sort_values(["ref_at", "id"]).index[-MAX_TRAIN:]
    return pd.Series(frame.index.isin(chosen), index=frame.index)


def _enough(won: int, lost: int) -> bool:
    return won + lost >= MIN_CLOSED and won >= MIN_EACH and lost >= MIN_EACH


def _fit(frame: pd.DataFrame, train: pd.Series):
    """The calibrated model fitted on the `train` rows (rep rates recomputed from them)."""
    train = _latest(frame, train)
    frame = frame.assign(rep_rate=_rep_rate(frame, train))
    model = _model(int(train.sum()))
    model.fit(frame.loc[train, CATEGORICAL + NUMERIC], frame.loc[train, "won"].astype(int))
    return model, frame


def calibration_table(predicted: np.ndarray, observed: np.ndarray) -> list[dict]:
    """Per decile of predicted probability (ten groups of as equal size as the ties allow,
    lowest first): leads, mean predicted and observed share won, rounded to 4 places."""
    order = np.argsort(predicted, kind="stable")
    table = []
    for decile, part in enumerate(np.array_split(order, 10), start=1):
        if len(part) == 0:
            continue
        table.append(
            {
                "decile": decile,
                "leads": len(part),
                "predicted": round(float(predicted[part].mean()), 4),
                "observed": round(float(observed[part].mean()), 4),
            }
        )
    return table


def backtest(frame: pd.DataFrame, day: dt.date) -> dict:
    """Train on the leads closed before the last quarter, score those closed in it."""
    from sklearn.metrics import roc_auc_score

    _start, cut = day_bounds(add_months(day, -3), add_months(day, -3))
    closed = frame["won"].notna()
    train = closed & (frame["ref_at"] < cut)
    held = closed & ~train
    result = {
        "holdout_rows": int(held.sum()),
        "holdout_won": int(frame.loc[held, "won"].sum()),
        "auc": None,
        "calibration": [],
    }
    won = int(frame.loc[train, "won"].sum())
    if not _enough(won, int(train.sum()) - won) or result["holdout_rows"] == 0:
        return result
    model, frame = _fit(frame, train)
    predicted = model.predict_proba(frame.loc[held, CATEGORICAL + NUMERIC])[:, 1]
    observed = frame.loc[held, "won"].to_numpy()
    if 0 < result["holdout_won"] < result["holdout_rows"]:
        result["auc"] = Decimal(str(round(float(roc_auc_score(observed, predicted)), 4)))
    result["calibration"] = calibration_table(predicted, observed)
    return result


def _factors(model, frame: pd.DataFrame, train: pd.Series, rows: pd.Series) -> list[list]:
    """Per row of `rows`, the TOP_FACTORS features whose regression terms move it furthest
    from the average training lead: [[feature, +1 or -1], …]."""
    pipeline = model.calibrated_classifiers_[0].estimator
    transform = pipeline.named_steps["features"]
    coef = pipeline.named_steps["regression"].coef_[0]
    names = transform.get_feature_names_out()
    groups = [
        next(f for f in CATEGORICAL + NUMERIC if name.split("__", 1)[1].startswith(f))
        for name in names
    ]
    mean = transform.transform(frame.loc[train, CATEGORICAL + NUMERIC]).mean(axis=0)
    terms = (transform.transform(frame.loc[rows, CATEGORICAL + NUMERIC]) - mean) * coef
    by_feature = pd.DataFrame(terms, columns=groups).T.groupby(level=0).sum().T
    features = by_feature.columns.to_numpy()
    values = by_feature.to_numpy()
    top = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :TOP_FACTORS]
    picked = np.take_along_axis(values, top, axis=1)
    return [
        [[str(features[j]), 1 if v > 0 else -1] for j, v in zip(idx, vals, strict=True) if v]
        for idx, vals in zip(top, picked, strict=True)
    ]


def _write(run: WinModelRun, ids, probabilities, factors) -> None:
    """Replace every stored probability (one DELETE, one COPY)."""
    LeadWinProbability.objects.all().delete()
    if not len(ids):
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for lead_id, p, why in zip(ids, probabilities, factors, strict=True):
        writer.writerow([int(lead_id), f"{p:.4f}", json.dumps(why), run.pk])
    buffer.seek(0)
    table = LeadWinProbability._meta.db_table
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} (lead_id, probability, factors, run_id) FROM STDIN WITH (FORMAT csv)",
            buffer,
        )


@transaction.atomic
def train_and_score(day: dt.date) -> WinModelRun:
    """Train the model on the history up to the end of `day`, back-test it, store the run and
    replace every open lead's probability. Idempotent: a rerun for the same day replaces the
    day's run and the probabilities with the same figures."""
    started = time.perf_counter()
    # PostgreSQL and SQLite (the one-process demo) read the features; another database has
    # no model, as if it had no history
    frame = _frame(day) if connection.vendor in ("postgresql", "sqlite") else pd.DataFrame()
    closed = frame["won"].notna() if not frame.empty else pd.Series(dtype=bool)
    won = int(frame.loc[closed, "won"].sum()) if not frame.empty else 0
    rows = int(closed.sum())
    values = {"training_rows": rows, "training_won": won}
    if not _enough(won, rows - won):
        LeadWinProbability.objects.all().delete()
        run, _created = WinModelRun.objects.update_or_create(
            run_on=day,
            defaults={
                **values,
                "status": WinModelRun.Status.NOT_ENOUGH,
                "holdout_rows": 0,
                "holdout_won": 0,
                "auc": None,
                "calibration": [],
                "scored": 0,
                "seconds": Decimal("0"),
                "note": str(
                    _(
                        "Not enough history: %(closed)s closed leads (%(won)s won); the model needs %(min)s, with at least %(each)s won and %(each)s lost."
                    )
                    % {"closed": rows, "won": won, "min": MIN_CLOSED, "each": MIN_EACH}
                ),
            },
        )
        return run
    values.update(backtest(frame, day))
    model, frame = _fit(frame, closed)
    closed = _latest(frame, closed)
    open_rows = frame["won"].isna()
    probabilities = (
        model.predict_proba(frame.loc[open_rows, CATEGORICAL + NUMERIC])[:, 1]
        if open_rows.any()
        else np.array([])
    )
    probabilities = np.clip(probabilities, *BOUNDS)
    factors = _factors(model, frame, closed, open_rows) if open_rows.any() else []
    run, _created = WinModelRun.objects.update_or_create(
        run_on=day,
        defaults={
            **values,
            "status": WinModelRun.Status.OK,
            "scored": int(open_rows.sum()),
            "seconds": Decimal("0"),
            "note": "",
        },
    )
    _write(run, frame.loc[open_rows, "id"].to_numpy(), probabilities, factors)
    run.seconds = Decimal(str(round(time.perf_counter() - started, 2)))
    run.save(update_fields=["seconds"])
    return run

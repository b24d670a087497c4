"""Win probability per open lead (issue 20): a model learned every night from the
institution's own closed leads.

- **Learned from:** every closed (won or lost) lead, described as it was when it closed: the
  stage it closed from, its grade and score, channel, product line, days in that stage, its
  follow-ups in the 14 days before closing, budget confirmed (a budget above 0), a trial lesson
  attended before closing, and its rep's conversion (won ÷ closed of the rep's other closed
  leads, shrunk towards the company's rate by ``PRIOR_LEADS`` leads). An open lead is described
  the same way as of the end of the business date.
- **Sample:** at most ``MAX_TRAIN`` closed leads, the most recently closed.
- **Model:** a logistic regression (categories one-hot, numbers standardised) learned from
  the older part of the sample and calibrated on its newest ``CALIBRATION_SHARE`` (by
  isotonic regression, Platt's sigmoid below ``ISOTONIC_FROM`` calibration leads): one fit,
  and calibrated on the leads closest to the ones it scores; no randomness, so the same
  history gives the same probabilities.
- **Back-test:** the same model trained on the leads closed before the last quarter (the last
  three months before the business date) and scored on the leads closed in it: the AUC (the
  chance that a won lead is ranked above a lost one) and, per decile of predicted probability,
  the mean predicted and the observed share won.
- **Not enough history:** fewer than ``MIN_CLOSED`` closed leads or fewer than ``MIN_EACH`` won
  or lost: no model, no probabilities (the weighted pipeline falls back on the stage weights).
- **Bounds:** a probability is kept between 1 % and 99 % (``BOUNDS``): a model learned from a
  finite history never knows that a lead is certain. It is stored to the whole percent.
- **Top factors:** per open lead, the three features whose term in the regression moves it
  furthest from the average lead, with their direction.

The features are read in one SQL statement (PostgreSQL), streamed out by COPY and parsed by
pandas; the night's probabilities are copied into a temporary table and only the stored rows
that moved are written (``_write``). Training and scoring are vectorised (the top factors
of 600,000 leads are a matrix product and a sort, their texts built once per distinct
combination). Training time on 1 M leads: ``bench/README.md``.
"""

import datetime as dt
import io
import json
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from leads.models import Lead
from salescrm.timeutil import add_months, day_bounds

from .models import LeadWinProbability, WinModelRun

MIN_CLOSED = 200
MIN_EACH = 30
# the newest part of the training sample calibrates the regression learned from the rest
CALIBRATION_SHARE = 0.2
ISOTONIC_FROM = 400
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


def _rows(day: dt.date) -> pd.DataFrame:
    """The feature statement's rows as read: on PostgreSQL one COPY of its result as CSV,
    parsed by pandas (a million leads arrive as text in one stream, without a Python object per
    value); on the SQLite demo its SQLite twin's rows."""
    _start, until = day_bounds(day, day)
    if connection.vendor == "sqlite":  # the one-process demo: the same features, SQLite's SQL
        from .winprob_sqlite import FEATURES_SQL_SQLITE

        with connection.cursor() as cursor:
            cursor.execute(
                FEATURES_SQL_SQLITE,
                {
                    "until": connection.ops.adapt_datetimefield_value(until),
                    "recent_days": RECENT_DAYS,
                },
            )
            columns = [c[0] for c in cursor.description]
            return pd.DataFrame(cursor.fetchall(), columns=columns)
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        statement = cursor.cursor.mogrify(FEATURES_SQL, {"until": until}).decode()
        cursor.cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        true_values=["t"],
        false_values=["f"],
        dtype={"stage": str, "closing_stage": str, "grade": str, "ref_at": str},
        keep_default_na=False,
        na_values={"channel_id": [""], "product_line_id": [""], "owner_id": [""]},
    )


def _frame(day: dt.date) -> pd.DataFrame:
    """The features of every lead with the columns the model reads (see module doc). The
    categories are small integers (a stage's place in the funnel, a grade's place in the
    sorted grades, a channel's or product line's id, -1 for none): the encoder then compares
    numbers, not a million strings."""
    frame = _rows(day)
    if frame.empty:
        return frame
    # the statements' raw columns alike on both databases (SQLite: 0/1 and NULL)
    frame["closing_stage"] = frame["closing_stage"].fillna("")
    for column in ("closed", "budget_confirmed", "trial"):
        frame[column] = frame[column].astype(bool)
    closed = frame["closed"]
    frame["won"] = np.where(closed, (frame["stage"] == Lead.Stage.WON).astype(float), np.nan)
    stage = frame["stage"].where(~closed, frame["closing_stage"])
    stage = stage.where(stage.isin(OPEN_STAGE_VALUES), Lead.Stage.NEW.value)
    frame["stage"] = pd.Categorical(stage, categories=OPEN_STAGE_VALUES).codes.astype(np.int64)
    frame["grade"] = pd.Categorical(frame["grade"].astype(str)).codes.astype(np.int64)
    for column in ("channel_id", "product_line_id"):
        frame[column[:-3]] = pd.to_numeric(frame[column]).fillna(-1).astype(np.int64)
    frame["score"] = frame["score"].astype(float)
    frame["age_days"] = np.log1p(frame["age_days"].astype(float).clip(0, 3650))
    frame["recent_activities"] = frame["recent_activities"].astype(float).clip(0, 50)
    frame["budget_confirmed"] = frame["budget_confirmed"].astype(float)
    frame["trial"] = frame["trial"].astype(float)
    frame["ref_at"] = pd.to_datetime(frame["ref_at"], utc=True, format="ISO8601")
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


def _pipeline():
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return Pipeline(
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


@dataclass
class WinModel:
    """The regression (``pipeline``) and the calibration of its log-odds (``calibrator``):
    isotonic, or Platt's sigmoid (a one-term logistic regression) when ``sigmoid``."""

    pipeline: Any
    calibrator: Any
    sigmoid: bool

    def terms(self, features: pd.DataFrame) -> np.ndarray:
        """The regression's design matrix of `features` (one-hot categories, scaled numbers)."""
        return self.pipeline.named_steps["features"].transform(features)

    def log_odds(self, design: np.ndarray) -> np.ndarray:
        """The regression's uncalibrated log-odds of each row of a design matrix."""
        regression = self.pipeline.named_steps["regression"]
        return design @ regression.coef_[0] + regression.intercept_[0]

    def calibrate(self, design: np.ndarray) -> np.ndarray:
        log_odds = self.log_odds(design)
        if self.sigmoid:
            return self.calibrator.predict_proba(log_odds.reshape(-1, 1))[:, 1]
        return self.calibrator.predict(log_odds)

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        return self.calibrate(self.terms(features))


def _latest(frame: pd.DataFrame, rows: pd.Series) -> pd.Series:
    """`rows` cut to the MAX_TRAIN most recently closed (ties: the higher id)."""
    if int(rows.sum()) <= MAX_TRAIN:
        return rows
    chosen = frame.loc[rows, ["ref_at", "id"]].sort_values(["ref_at", "id"]).index[-MAX_TRAIN:]
    return pd.Series(frame.index.isin(chosen), index=frame.index)


def _enough(won: int, lost: int) -> bool:
    return won + lost >= MIN_CLOSED and won >= MIN_EACH and lost >= MIN_EACH


def _split(frame: pd.DataFrame, train: pd.Series) -> tuple[pd.Index, pd.Index]:
    """The training rows the regression learns from (the older) and those that calibrate it
    (the newest ``CALIBRATION_SHARE``, by closing time, ties by id). When either part lacks
    won or lost leads, both are the whole sample (calibrated in-sample rather than not)."""
    order = frame.loc[train, ["ref_at", "id"]].sort_values(["ref_at", "id"]).index
    held = max(int(round(len(order) * CALIBRATION_SHARE)), 1)
    learn, calibrate = order[:-held], order[-held:]
    for part in (learn, calibrate):
        won = frame.loc[part, "won"]
        if not (won == 1).any() or not (won == 0).any():
            return order, order
    return learn, calibrate


def _fit(frame: pd.DataFrame, train: pd.Series) -> tuple[WinModel, pd.DataFrame]:
    """The calibrated model fitted on the `train` rows (rep rates recomputed from them)."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    train = _latest(frame, train)
    frame = frame.assign(rep_rate=_rep_rate(frame, train))
    learn, calibrate = _split(frame, train)
    pipeline = _pipeline()
    pipeline.fit(frame.loc[learn, CATEGORICAL + NUMERIC], frame.loc[learn, "won"].astype(int))
    sigmoid = len(calibrate) < ISOTONIC_FROM
    calibrator = (
        LogisticRegression(C=1e4)
        if sigmoid
        else IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    )
    model = WinModel(pipeline, calibrator, sigmoid)
    log_odds = model.log_odds(model.terms(frame.loc[calibrate, CATEGORICAL + NUMERIC]))
    observed = frame.loc[calibrate, "won"].astype(int).to_numpy()
    calibrator.fit(log_odds.reshape(-1, 1) if sigmoid else log_odds, observed)
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
    predicted = model.predict(frame.loc[held, CATEGORICAL + NUMERIC])
    observed = frame.loc[held, "won"].to_numpy()
    if 0 < result["holdout_won"] < result["holdout_rows"]:
        result["auc"] = Decimal(str(round(float(roc_auc_score(observed, predicted)), 4)))
    result["calibration"] = calibration_table(predicted, observed)
    return result


def _score(
    model: WinModel, frame: pd.DataFrame, train: pd.Series, rows: pd.Series
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The calibrated probability of each of `rows` (kept within ``BOUNDS``) and its top
    factors: the TOP_FACTORS features whose regression terms move it furthest from the average
    training lead, ``[[feature, +1 or -1], …]``, as an index per row into a list of JSON texts
    (one per distinct combination).

    One design matrix serves both; the terms are summed per feature by a product with a 0/1
    matrix (column → feature), and the JSON is built once per distinct combination (a few
    hundred) rather than once per lead."""
    transform = model.pipeline.named_steps["features"]
    coef = model.pipeline.named_steps["regression"].coef_[0]
    features = CATEGORICAL + NUMERIC
    owner = [
        next(i for i, f in enumerate(features) if name.split("__", 1)[1].startswith(f))
        for name in transform.get_feature_names_out()
    ]
    to_feature = np.zeros((len(owner), len(features)))
    to_feature[np.arange(len(owner)), owner] = 1.0
    mean = model.terms(frame.loc[train, features]).mean(axis=0)
    design = model.terms(frame.loc[rows, features])
    probabilities = np.clip(model.calibrate(design), *BOUNDS)
    by_feature = ((design - mean) * coef) @ to_feature
    top = np.argsort(-np.abs(by_feature), axis=1, kind="stable")[:, :TOP_FACTORS]
    sign = np.sign(np.take_along_axis(by_feature, top, axis=1)).astype(int)
    # one integer per lead naming its factors and their directions (a zero term is left out)
    base = 3 * len(features)
    code = np.zeros(len(top), dtype=np.int64)
    for k in range(top.shape[1]):
        code = code * base + top[:, k] * 3 + (sign[:, k] + 1)
    distinct, which = np.unique(code, return_inverse=True)
    texts = []
    for value in distinct.tolist():
        picked = []
        for _k in range(top.shape[1]):
            value, part = divmod(value, base)
            feature, direction = divmod(part, 3)
            if direction != 1:
                picked.append([features[feature], direction - 1])
        texts.append(json.dumps(picked[::-1]))
    return probabilities, which.ravel(), texts


def _percent(probabilities: np.ndarray) -> np.ndarray:
    """The stored figure: the probability to the whole percent the pages show (a model
    calibrated on a few thousand leads knows no finer; it also leaves most leads' rows
    unchanged from one night to the next)."""
    return np.rint(np.asarray(probabilities, dtype=float) * 100).astype(np.int64)


def _write(ids, probabilities, which, texts: list[str]) -> int:
    """Bring the stored probabilities up to date with the night's: remove the leads no longer
    scored, change those whose figure or factors moved, add the new ones; rows that did not
    move are not written. `which` indexes each lead's factors in `texts`. Returns the number
    of rows removed, changed or added."""
    if connection.vendor != "postgresql":
        return _write_rows(ids, probabilities, which, texts)
    table = LeadWinProbability._meta.db_table
    night, combinations = io.StringIO(), io.StringIO()
    pd.DataFrame({"lead_id": ids, "percent": _percent(probabilities), "combination": which}).to_csv(
        night, header=False, index=False
    )
    pd.DataFrame({"combination": range(len(texts)), "factors": texts}).to_csv(
        combinations, header=False, index=False
    )
    night.seek(0)
    combinations.seek(0)
    written = 0
    with connection.cursor() as cursor:
        # the night's figures in temporary tables (no index, no foreign key, no WAL; the
        # factors once per combination), then two set-based statements on the stored rows
        cursor.execute(
            "CREATE TEMPORARY TABLE winprob_night "
            "(lead_id bigint, percent smallint, combination integer) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE winprob_factors "
            "(combination integer PRIMARY KEY, factors jsonb) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert("COPY winprob_night FROM STDIN WITH (FORMAT csv)", night)
        cursor.cursor.copy_expert("COPY winprob_factors FROM STDIN WITH (FORMAT csv)", combinations)
        for statement in (
            f"""DELETE FROM {table} p WHERE NOT EXISTS
                (SELECT 1 FROM winprob_night n WHERE n.lead_id = p.lead_id)""",
            f"""MERGE INTO {table} p
                USING (SELECT n.lead_id, n.percent / 100.0 AS probability, f.factors
                       FROM winprob_night n JOIN winprob_factors f USING (combination)) s
                ON p.lead_id = s.lead_id
                WHEN MATCHED AND (p.probability <> s.probability OR p.factors <> s.factors)
                    THEN UPDATE SET probability = s.probability, factors = s.factors
                WHEN NOT MATCHED
                    THEN INSERT (lead_id, probability, factors)
                    VALUES (s.lead_id, s.probability, s.factors)""",
        ):
            cursor.execute(statement)
            written += cursor.rowcount
        cursor.execute("DROP TABLE winprob_night, winprob_factors")
    return written


def _write_rows(ids, probabilities, which, texts: list[str]) -> int:
    """`_write` through the ORM (the SQLite demo: a few hundred leads)."""
    factors = [json.loads(text) for text in texts]
    night = {
        int(lead_id): (Decimal(int(percent)) / 100, factors[index])
        for lead_id, percent, index in zip(ids, _percent(probabilities), which, strict=True)
    }
    stored = {row.lead_id: row for row in LeadWinProbability.objects.all()}
    gone = [lead_id for lead_id in stored if lead_id not in night]
    LeadWinProbability.objects.filter(lead_id__in=gone).delete()
    changed = []
    for lead_id, row in stored.items():
        if lead_id in night and (row.probability, row.factors) != night[lead_id]:
            row.probability, row.factors = night[lead_id]
            changed.append(row)
    LeadWinProbability.objects.bulk_update(changed, ["probability", "factors"], batch_size=500)
    added = [
        LeadWinProbability(lead_id=lead_id, probability=p, factors=why)
        for lead_id, (p, why) in night.items()
        if lead_id not in stored
    ]
    LeadWinProbability.objects.bulk_create(added, batch_size=500)
    return len(gone) + len(changed) + len(added)


class _Phases:
    """Seconds per phase of a run, for ``bench/winprob_bench.py --phases``."""

    def __init__(self, into: dict | None):
        self.into = into
        self.last = time.perf_counter()

    def done(self, phase: str) -> None:
        now = time.perf_counter()
        if self.into is not None:
            self.into[phase] = self.into.get(phase, 0.0) + now - self.last
        self.last = now


@transaction.atomic
def train_and_score(day: dt.date, *, phases: dict | None = None) -> WinModelRun:
    """Train the model on the history up to the end of `day`, back-test it, store the run and
    replace every open lead's probability. Idempotent: a rerun for the same day replaces the
    day's run and the probabilities with the same figures. `phases`, when given, receives the
    seconds of each phase (read, back-test, fit, score, write)."""
    started = time.perf_counter()
    clock = _Phases(phases)
    # PostgreSQL and SQLite (the one-process demo) read the features; another database has
    # no model, as if it had no history
    frame = _frame(day) if connection.vendor in ("postgresql", "sqlite") else pd.DataFrame()
    clock.done("read")
    closed = frame["won"].notna() if not frame.empty else pd.Series(dtype=bool)
    won = int(frame.loc[closed, "won"].sum()) if not frame.empty else 0
    rows = int(closed.sum())
    values = {"training_rows": rows, "training_won": won}
    if not _enough(won, rows - won):
        removed, _by_model = LeadWinProbability.objects.all().delete()
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
                "written": removed,
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
    clock.done("back-test")
    model, frame = _fit(frame, closed)
    clock.done("fit")
    closed = _latest(frame, closed)
    open_rows = frame["won"].isna()
    probabilities, which, texts = (
        _score(model, frame, closed, open_rows)
        if open_rows.any()
        else (np.array([]), np.array([], dtype=np.int64), [])
    )
    clock.done("score")
    written = _write(frame.loc[open_rows, "id"].to_numpy(), probabilities, which, texts)
    clock.done("write")
    run, _created = WinModelRun.objects.update_or_create(
        run_on=day,
        defaults={
            **values,
            "status": WinModelRun.Status.OK,
            "scored": int(open_rows.sum()),
            "written": written,
            "seconds": Decimal(str(round(time.perf_counter() - started, 2))),
            "note": "",
        },
    )
    return run

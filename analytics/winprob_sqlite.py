"""The win-probability feature statement for SQLite (the one-process ``make demo``): the same
columns and values as ``analytics.winprob.FEATURES_SQL``, which is PostgreSQL's (DISTINCT ON,
``FILTER``, interval arithmetic, ``EXTRACT(EPOCH …)``).

What differs, and why the values are the same:

- ``DISTINCT ON (lead_id) … ORDER BY lead_id, changed_at DESC, id DESC`` is the first row of
  ``ROW_NUMBER() OVER (PARTITION BY lead_id ORDER BY changed_at DESC, id DESC)``.
- Django keeps a datetime on SQLite as text, ``YYYY-MM-DD HH:MM:SS[.ffffff]`` in UTC, so text
  order is time order; ``%(until)s`` must be passed in that form
  (``connection.ops.adapt_datetimefield_value``), not as an aware datetime.
- ``ref_at - interval '14 days'`` and ``EXTRACT(EPOCH FROM (ref_at - entered_at))`` are
  computed on ``julianday`` (days; exact to the millisecond, which SQLite's date functions
  keep). Both sides of the 14-day window go through ``julianday``, so a follow-up exactly
  14 days before the reference moment counts here as it does on PostgreSQL.
- ``BOOL_OR`` is ``MAX`` of a 0/1 comparison, ``GREATEST`` is two-argument ``MAX``.
- The ``[bool]`` and ``[timestamp]`` column types make Django's SQLite converters return
  Python booleans and datetimes (naive, UTC) as PostgreSQL's driver does.

``tests/analytics/test_winprob_sqlite.py`` runs both statements on the same history.
"""

FEATURES_SQL_SQLITE = """
WITH closing AS (
    SELECT lead_id, from_stage, closed_at FROM (
        SELECT lead_id, from_stage, changed_at AS closed_at,
               ROW_NUMBER() OVER (
                   PARTITION BY lead_id ORDER BY changed_at DESC, id DESC
               ) AS latest
        FROM leads_stagechange
        WHERE to_stage IN ('won', 'lost') AND changed_at < %(until)s
    ) WHERE latest = 1
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
               WHERE julianday(a.occurred_at) >= julianday(b.ref_at) - %(recent_days)s
           ) AS recent,
           MAX(a.kind = 'trial_lesson') AS trial
    FROM leads_activity a JOIN base b ON b.id = a.lead_id
    WHERE a.occurred_at <= b.ref_at
    GROUP BY a.lead_id
)
SELECT b.id, b.stage, b.closing_stage, b.closed AS "closed [bool]", b.grade, b.score,
       b.channel_id, b.product_line_id, b.owner_id,
       b.budget_confirmed AS "budget_confirmed [bool]", b.ref_at AS "ref_at [timestamp]",
       MAX(julianday(b.ref_at) - julianday(b.entered_at), 0) AS age_days,
       COALESCE(a.recent, 0) AS recent_activities,
       COALESCE(a.trial, 0) AS "trial [bool]"
FROM base b LEFT JOIN act a ON a.lead_id = b.id
ORDER BY b.id
"""

"""What the analytics app adds to the other apps' extension points (salescrm.extensions): the
expected value of the open pipeline — Σ budget × (win probability, else the stage's learned
weight) per owner — which the dashboards' forecast (performance) reads without importing
analytics. Its cards and badges are page panels (analytics/panels.py)."""

from salescrm.extensions import pipeline_value

from .coverage import expected_by_owner

pipeline_value(expected_by_owner)

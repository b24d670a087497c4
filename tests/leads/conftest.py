import importlib

import pytest
from django.apps import apps

from leads.models import LostReason

DEFAULT_DATA_MIGRATIONS = [
    "leads.migrations.0002_default_channels_and_lost_reasons",
    "leads.migrations.0003_default_scoring_rules_and_settings",
]


@pytest.fixture
def lost_reason(db):
    return LostReason.objects.get(name_en="Price too high")


@pytest.fixture
def lead_defaults(transactional_db):
    """Tests on a committed database (threads, browser) start after other transactional tests
    have flushed every table; put the migrations' default channels, lost reasons, scoring
    rules and settings back by running the same functions (they are idempotent)."""
    for name in DEFAULT_DATA_MIGRATIONS:
        importlib.import_module(name).create_defaults(apps, None)

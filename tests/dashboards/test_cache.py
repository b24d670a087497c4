"""The rendered charts are cached per reader and filters, never shared between readers."""

import pytest
from django.core.cache import cache

from tests.performance.factories import contract, nightly_facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def rows(response, key):
    return next(chart.rows for chart in response.context["charts"] if chart.key == key)


def test_second_load_reads_the_cache_and_runs_fewer_queries(
    cached, rep, login, django_assert_max_num_queries
):
    contract(rep, "30000", "2026-10-05")
    nightly_facts()
    client = login(rep)
    first = client.get("/dashboard/?month=2026-10")
    with django_assert_max_num_queries(8):
        second = client.get("/dashboard/?month=2026-10")
    assert rows(second, "target_progress") == rows(first, "target_progress")
    assert rows(second, "target_progress")[0][3] == 30000


def test_cache_is_per_reader_and_per_filter(cached, rep, teammate, manager, login):
    contract(rep, "30000", "2026-10-05")
    contract(teammate, "40000", "2026-10-12")
    nightly_facts()
    assert rows(login(rep).get("/dashboard/?month=2026-10"), "target_progress")[0][3] == 30000
    assert rows(login(teammate).get("/dashboard/?month=2026-10"), "target_progress")[0][3] == 40000
    team = rows(login(manager).get("/dashboard/?month=2026-10"), "target_by_rep")
    assert [row[3] for row in team] == [30000, 40000]
    one = rows(login(manager).get(f"/dashboard/?month=2026-10&rep={rep.pk}"), "target_by_rep")
    assert [row[3] for row in one] == [30000]

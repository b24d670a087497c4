import pytest


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    """Each test sees its own data: the dashboard cache is tested on its own."""
    settings.DASHBOARD_CACHE_SECONDS = 0

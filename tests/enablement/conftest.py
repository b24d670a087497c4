import pytest

from tests.leads.conftest import lead_defaults  # noqa: F401  (the migrations' default rows)


@pytest.fixture(autouse=True)
def english_messages():
    """Service messages are asserted in English (the msgids); the UI default is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield

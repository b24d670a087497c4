import pytest


@pytest.fixture(autouse=True)
def english_messages():
    """Service messages are asserted in English (the msgids); pages answer in the default
    Simplified Chinese, and their tests assert the Chinese the customer reads."""
    from django.utils import translation

    with translation.override("en"):
        yield

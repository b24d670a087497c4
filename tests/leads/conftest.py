import pytest

from leads.models import LostReason


@pytest.fixture
def lost_reason(db):
    return LostReason.objects.get(name_en="Price too high")

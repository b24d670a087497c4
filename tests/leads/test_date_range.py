"""A follow-up dated 1900 or planned for 9999 is a field error, not a stored activity."""

import pytest

from leads.models import Activity
from salescrm.timeutil import latest_business_date
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [("occurred_at", "1900-01-01T10:00"), ("next_follow_up_on", "9999-12-31")],
)
def test_follow_up_dates_out_of_range_are_field_errors(rep, login, field, value):
    lead = LeadFactory(owner=rep, team=rep.team)
    response = login(rep).post(
        f"/leads/{lead.pk}/follow-up/",
        {"kind": "phone", "outcome": "通话", "occurred_at": "2026-11-01T10:00", field: value},
    )
    assert response.status_code == 200
    assert response.context["activity_form"].errors[field] == [
        f"请输入 2000-01-01 到 {latest_business_date():%Y-%m-%d} 之间的日期。"
    ]
    assert Activity.objects.filter(lead=lead).count() == 0

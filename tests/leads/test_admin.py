import pytest

from leads.models import Activity, ActivityPlan, CoachingComment, LostReason
from tests.factories import UserFactory

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "channel",
    "campaign",
    "lostreason",
    "leadsettings",
    "scoringrule",
    "lead",
    "stagechange",
    "assignment",
    "roundrobincursor",
    "activity",
    "activityplan",
    "coachingcomment",
]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", role="admin", is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_leads_model_has_a_searchable_admin_list(
    admin_client, rep, model, django_assert_max_num_queries
):
    lead = LeadFactory(owner=rep)
    Activity.objects.create(lead=lead, actor=rep, kind="phone")
    plan = ActivityPlan.objects.create(rep=rep, week_start="2026-03-02")
    CoachingComment.objects.create(plan=plan, author=rep, body="好")
    with django_assert_max_num_queries(20):
        response = admin_client.get(f"/admin/leads/{model}/?q=a")
    assert response.status_code == 200


def test_admin_role_group_may_edit_lost_reasons(client):
    from salescrm.services import user_set_role

    user = UserFactory(username="crm_admin")
    user_set_role(user=user, role="admin")
    client.force_login(user)
    reason = LostReason.objects.first()
    assert client.get(f"/admin/leads/lostreason/{reason.pk}/change/").status_code == 200

import pytest
from django.core.cache import cache

from leads.models import Activity, Lead, LeadSettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/leads/capture/"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def capture_team(team, rep):
    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    return team


def post(client, ip="203.0.113.5", **data):
    fields = {"name": "李雷", "phone": "138 1234 5678", "email": "", "message": "想学Python"}
    fields.update(data)
    return client.post(URL, fields, REMOTE_ADDR=ip)


def test_anonymous_visitor_sees_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="website"' in response.content.decode()


def test_submission_creates_a_lead_for_the_next_rep(client, capture_team, rep):
    response = post(client)
    assert response.status_code == 302
    assert response["Location"] == "/leads/capture/thanks/"
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.owner, lead.channel.code) == (
        "李雷",
        "13812345678",
        rep,
        "website",
    )
    assert client.get(response["Location"]).status_code == 200


def test_honeypot_filled_stores_nothing_but_looks_the_same(client, capture_team):
    response = post(client, website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == "/leads/capture/thanks/"
    assert Lead.objects.count() == 0


def test_duplicate_becomes_a_re_enquiry_and_reveals_nothing(client, capture_team, rep):
    post(client)
    response = post(client, phone="+86 13812345678", name="另一个名字", message="再次咨询")
    assert response.status_code == 302
    assert Lead.objects.count() == 1
    activity = Activity.objects.get(kind="re_enquiry")
    assert "再次咨询" in activity.feedback
    thanks = client.get(response["Location"]).content.decode()
    assert "李雷" not in thanks


def test_rate_limit_answers_429_per_ip(client, capture_team):
    for n in range(10):
        assert post(client, phone=f"1380000{n:04d}").status_code == 302
    response = post(client, phone="13900000000")
    assert response.status_code == 429
    assert Lead.objects.count() == 10
    # another visitor is not affected
    assert post(client, ip="198.51.100.7", phone="13900000001").status_code == 302


@pytest.mark.parametrize(
    "data,field",
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"phone": "", "email": ""}, None),
        ({"phone": "12345"}, "phone"),
        ({"email": "nope", "phone": ""}, "email"),
        ({"name": "王" * 10_000}, "name"),
    ],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(client, capture_team, data, field):
    response = post(client, **data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors
    if field:
        assert field in form.errors
    assert Lead.objects.count() == 0


def test_emoji_is_kept(client, capture_team):
    assert post(client, name="小王😀", message="👍 周末班").status_code == 302
    assert Lead.objects.get().name == "小王😀"


def test_sql_and_html_are_stored_as_text_and_rendered_escaped(client, capture_team, rep):
    name = "<script>alert(1)</script>'; DROP TABLE leads_lead;--"
    assert post(client, name=name, company="<b>ACME</b>").status_code == 302
    lead = Lead.objects.get()
    assert lead.name == name
    client.force_login(rep)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;ACME&lt;/b&gt;" in page


def test_the_form_can_be_embedded(client):
    response = client.get(URL)
    assert "X-Frame-Options" not in response


def test_signed_in_users_can_use_it_too(client, capture_team):
    client.force_login(UserFactory(username="someone"))
    assert post(client).status_code == 302


def test_web_leads_still_land_when_the_website_channel_was_removed(client, capture_team):
    from leads.models import Channel

    Channel.objects.filter(code="website").update(code="website-old", is_active=False)
    assert post(client).status_code == 302
    assert Lead.objects.get().channel.code == "enterprise_school"

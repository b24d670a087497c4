"""Custom fields on leads: defined in admin, on the form and the lead page, as a list filter
(one GIN-indexed containment query), in the export and the API, validated the same way."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.services import token_create
from customfields.models import CustomField
from leads.models import Lead
from tests.factories import UserFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def fields():
    return {
        "school": CustomField.objects.create(
            target="lead", key="school", label="毕业院校", label_en="School", kind="text"
        ),
        "level": CustomField.objects.create(
            target="lead",
            key="level",
            label="英语水平",
            label_en="English level",
            kind="choice",
            choices="A1\nB2\nC1",
            required=True,
        ),
        "paid_before": CustomField.objects.create(
            target="lead", key="paid_before", label="曾付费", label_en="Paid before", kind="yes_no"
        ),
    }


def test_admin_creates_a_field(client):
    admin = UserFactory(username="cf_admin", role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    answer = client.post(
        reverse("admin:customfields_customfield_add"),
        {
            "target": "lead",
            "key": "school",
            "label": "毕业院校",
            "kind": "text",
            "position": 0,
            "is_active": "on",
        },
    )
    assert answer.status_code == 302
    assert CustomField.objects.get().key == "school"


def test_the_form_validates_and_stores_the_values(fields, rep, client):
    client.force_login(rep)
    base = {
        "name": "赵六",
        "phone": "13900007777",
        "channel": Lead._meta.get_field("channel").related_model.objects.get(code="website").pk,
    }
    page = client.get(reverse("leads:create")).content.decode()
    assert 'name="cf_school"' in page and 'name="cf_level"' in page
    refused = client.post(reverse("leads:create"), {**base, "cf_level": "Z9"})
    assert refused.status_code == 200 and not Lead.objects.filter(phone="13900007777").exists()
    saved = client.post(
        reverse("leads:create"),
        {**base, "cf_level": "B2", "cf_school": "复旦大学", "cf_paid_before": "true"},
    )
    assert saved.status_code == 302
    lead = Lead.objects.get(phone="13900007777")
    assert lead.custom == {"school": "复旦大学", "level": "B2", "paid_before": True}
    detail = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "复旦大学" in detail and "英语水平" in detail  # the page speaks Chinese


def test_the_list_filters_on_a_custom_field(fields, rep, client):
    a = LeadFactory(owner=rep, custom={"level": "B2", "school": "复旦大学"})
    LeadFactory(owner=rep, custom={"level": "C1"})
    LeadFactory(owner=rep)
    client.force_login(rep)
    page = client.get(reverse("leads:list"), {"cf_level": "B2"})
    shown = [lead.pk for lead in page.context["page"].object_list]
    assert shown == [a.pk]
    # a value no option has finds nothing, and is not an error page
    assert (
        list(client.get(reverse("leads:list"), {"cf_level": "nope"}).context["page"].object_list)
        == []
    )


def test_the_list_query_count_does_not_grow_with_rows(
    fields, rep, client, django_assert_max_num_queries
):
    for i in range(30):
        LeadFactory(owner=rep, custom={"level": "B2", "school": f"学校{i}"})
    client.force_login(rep)
    with django_assert_max_num_queries(14):
        answer = client.get(reverse("leads:list"), {"cf_level": "B2"})
    assert answer.status_code == 200 and len(answer.context["page"].object_list) == 30


def test_the_export_has_a_column_per_field(fields, rep, client):
    LeadFactory(owner=rep, custom={"level": "B2", "school": "复旦大学"})
    client.force_login(rep)
    answer = client.get(reverse("leads:export"), {"export": "csv"})
    text = (
        b"".join(answer.streaming_content).decode("utf-8-sig")
        if answer.streaming
        else answer.content.decode("utf-8-sig")
    )
    header, row = text.splitlines()[:2]
    assert header.endswith("毕业院校,英语水平,曾付费")
    assert row.endswith("复旦大学,B2,")


def test_the_api_reads_writes_and_validates_custom_values(fields, rep):
    _token, raw = token_create(user=rep, name="t", scope="write")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    missing = client.post(
        "/api/v1/leads/",
        {"name": "钱七", "phone": "13900008888", "channel": "website"},
        format="json",
    )
    assert missing.status_code == 400 and "level" in str(missing.json())
    wrong = client.post(
        "/api/v1/leads/",
        {
            "name": "钱七",
            "phone": "13900008888",
            "channel": "website",
            "custom": {"level": "B2", "nope": 1},
        },
        format="json",
    )
    assert wrong.status_code == 400 and "nope" in str(wrong.json())
    made = client.post(
        "/api/v1/leads/",
        {
            "name": "钱七",
            "phone": "13900008888",
            "channel": "website",
            "custom": {"level": "B2", "paid_before": "yes"},
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["custom"] == {"level": "B2", "paid_before": True}
    lead_id = made.json()["id"]
    patched = client.patch(
        f"/api/v1/leads/{lead_id}/", {"custom": {"school": "北大"}}, format="json"
    )
    assert patched.json()["custom"] == {"level": "B2", "paid_before": True, "school": "北大"}
    filtered = client.get("/api/v1/leads/", {"cf_school": "北大"}).json()["results"]
    assert [row["id"] for row in filtered] == [lead_id]


def test_the_import_reads_custom_columns_by_key_or_label(fields, team, rep, tmp_path):
    import csv

    from leads.importing import leads_import
    from leads.models import LeadSettings

    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    path = tmp_path / "leads.csv"
    rows = [
        ["姓名", "手机", "英语水平", "School", "paid_before"],
        ["甲", "13600001001", "B2", "复旦大学", "是"],
        ["乙", "13600001002", "Z9", "", ""],  # not an option: rejected, named
        ["丙", "13600001003", "", "", ""],  # the level is required: rejected
    ]
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    report = leads_import(path=path, actor=rep, team=team, dry_run=False)
    assert report.created == 1
    assert [r.row_number for r in report.rejected] == [3, 4]
    assert "level" in str(report.rejected[0].reason)
    lead = Lead.objects.get(phone="13600001001")
    assert lead.custom == {"level": "B2", "school": "复旦大学", "paid_before": True}

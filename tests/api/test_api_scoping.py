"""Every API route with a record id, walked with the other team's ids for every role: what the
UI would answer with a 404 is a 404 here too, and nothing is written. Routes are read from the
OpenAPI schema, so a new one fails this test until ROUTE_RECORDS says which record fills it."""

import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator

from salescrm.roles import Role
from tests.api.conftest import PDF
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Path (schema template) -> the key of the world's records whose id fills {id}.
ROUTE_RECORDS = {
    "/api/v1/leads/{id}/": "lead",
    "/api/v1/leads/{id}/activities/": "lead",
    "/api/v1/leads/{id}/stage/": "lead",
    "/api/v1/customers/{id}/": "customer",
    "/api/v1/contracts/{id}/": "contract",
    "/api/v1/leads/{id}/documents/": "lead",
    "/api/v1/customers/{id}/documents/": "customer",
    "/api/v1/contracts/{id}/documents/": "contract",
    "/api/v1/documents/{id}/": "document",
    "/api/v1/documents/{id}/download/": "document",
    "/api/v1/contracts/{id}/submit/": "draft",
    "/api/v1/payments/{id}/": "payment",
    "/api/v1/targets/{id}/": "target",
    "/api/v1/scorecards/{id}/": "scorecard",
    "/api/v1/statements/{id}/": "statement",
    "/api/v1/notifications/{id}/": "notification",
}
# A body that would succeed on one's own record, so that a refusal is the scoping's doing.
BODIES = {
    ("/api/v1/leads/{id}/", "patch"): {"company": "changed by a stranger"},
    ("/api/v1/leads/{id}/stage/", "post"): {"to_stage": "trial"},
    ("/api/v1/leads/{id}/activities/", "post"): {"kind": "phone", "outcome": "x"},
    ("/api/v1/customers/{id}/", "patch"): {"custom": {}},
    ("/api/v1/contracts/{id}/", "patch"): {"custom": {}},
}
# Multipart routes: a valid upload, so that a refusal is the scoping's doing.
UPLOADS = {
    "/api/v1/leads/{id}/documents/",
    "/api/v1/customers/{id}/documents/",
    "/api/v1/contracts/{id}/documents/",
}
# Collection routes whose body names another record.
BODY_ROUTES = {
    "/api/v1/payments/": lambda r: {
        "instalment": r["instalment"].pk,
        "amount": "10.00",
        "received_on": "2026-11-10",
        "method": "cash",
    },
    "/api/v1/contracts/": lambda r: {
        "customer": r["customer"].pk,
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-31",
        "lines": [{"product": r["contract"].lines.first().product_id, "quantity": 1}],
        "instalments": [{"due_on": "2026-12-01"}],
    },
}
APPS = ("leads", "customers", "targets", "performance", "salescrm", "documents")
SEES_ALL = ("director", "legal", "finance", "service", "admin")


def _routes():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: [m for m in ops if m in ("get", "post", "put", "patch", "delete")]
        for path, ops in schema["paths"].items()
    }


def _pdf():
    return SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")


def _row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        if not model._meta.label.startswith("salescrm.SubmissionToken")
    }


def test_every_id_route_is_mapped():
    with_ids = {path for path in _routes() if "{" in path}
    assert with_ids - set(ROUTE_RECORDS) == set()
    assert all(re.fullmatch(r"[^{}]*\{id\}[^{}]*", path) for path in with_ids)


@pytest.fixture
def people(rep, manager, director, legal, finance, service_user):
    admin = UserFactory(username="admin_x", role=Role.ADMIN, is_staff=True)
    return {
        "rep": rep,
        "manager": manager,
        "director": director,
        "legal": legal,
        "finance": finance,
        "service": service_user,
        "admin": admin,
    }


@pytest.mark.parametrize("role", ["rep", "manager", *SEES_ALL])
def test_another_teams_ids_are_not_found_and_nothing_is_written(role, people, world, api):
    user = people[role]
    client = api(user, "write")
    theirs = world["theirs"]
    lead = theirs["lead"]
    before = _row_counts()
    lead_before = (lead.company, lead.stage, lead.last_activity_at)
    answers = []
    calls = [
        (path, method)
        for path, methods in _routes().items()
        if path in ROUTE_RECORDS
        for method in methods
    ]
    # deletes last, so that the reads of a see-all role find the record still there
    for path, method in sorted(calls, key=lambda call: call[1] == "delete"):
        record = theirs[ROUTE_RECORDS[path]]
        url = path.replace("{id}", str(record.pk))
        if method == "post" and path in UPLOADS:
            answer = client.post(url, {"kind": "other", "file": _pdf()}, format="multipart")
        else:
            body = BODIES.get((path, method), {})
            answer = getattr(client, method)(url, body, format="json")
        answers.append((method, url, answer.status_code))
    for path in _routes():
        if path in BODY_ROUTES:
            answer = client.post(path, BODY_ROUTES[path](theirs), format="json")
            answers.append(("post", path, answer.status_code))
    assert all(code < 500 for _m, _u, code in answers), answers
    if role in ("rep", "manager"):
        # nothing of team B exists for them: a 404 for the record, a 400 ("not found") for a
        # body naming it
        wrong = [
            (m, u, c)
            for m, u, c in answers
            if c != (400 if u.rstrip("/").endswith(("payments", "contracts")) else 404)
        ]
        assert wrong == []
        assert _row_counts() == before
    else:
        # the see-all roles read team B's records (SPEC §1), but never another person's alerts
        notification_urls = [a for a in answers if "/notifications/" in a[1]]
        assert notification_urls and all(c == 404 for _m, _u, c in notification_urls)
        reads = [c for m, u, c in answers if m == "get" and "/notifications/" not in u]
        assert reads and all(c == 200 for c in reads), answers
        documents = [(m, c) for m, u, c in answers if "/documents/" in u and m != "get"]
        if role == "legal":
            # the matrix refuses legal documents (uploads and removals)
            assert documents and all(c == 403 for _m, c in documents), answers
        else:
            # the others may upload to, and remove from, any record they see (the matrix)
            assert sorted(documents) == [("delete", 204)] + [("post", 201)] * 3, answers
        if role in ("legal", "finance", "service"):
            # the matrix refuses them every write the API offers on a lead or a contract draft
            writes = [
                c for m, u, c in answers if m != "get" and "/leads/" in u and "/documents/" not in u
            ]
            assert writes and all(c == 403 for c in writes), answers
            payment = [c for m, u, c in answers if u == "/api/v1/payments/"]
            if role == "finance":
                # finance records payments on every team's contracts (customers.policy)
                assert payment == [201]
            else:
                assert payment == [403]
                if role == "legal":
                    assert _row_counts() == before
    lead.refresh_from_db()
    if role not in ("director", "admin"):
        assert (lead.company, lead.stage, lead.last_activity_at) == lead_before


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_lists_hold_only_ones_own_team(role, people, world, api):
    client = api(people[role], "read")
    theirs = {key: record.pk for key, record in world["theirs"].items()}
    for path, key in [
        ("/api/v1/leads/", "lead"),
        ("/api/v1/customers/", "customer"),
        ("/api/v1/contracts/", "contract"),
        ("/api/v1/payments/", "payment"),
        ("/api/v1/targets/", "target"),
        ("/api/v1/scorecards/", "scorecard"),
        ("/api/v1/statements/", "statement"),
        ("/api/v1/notifications/", "notification"),
    ]:
        body = client.get(path).json()
        ids = {row["id"] for row in body["results"]}
        assert theirs[key] not in ids, path
        if key != "notification" or role == "rep":
            assert world["mine"][key].pk in ids, path


def test_a_manager_sees_the_reps_records_and_progress_rows_of_the_team(people, world, api):
    client = api(people["manager"], "read")
    mine = world["mine"]
    assert client.get(f"/api/v1/leads/{mine['lead'].pk}/").status_code == 200
    assert client.get(f"/api/v1/contracts/{mine['contract'].pk}/").status_code == 200
    progress = client.get(f"/api/v1/target-progress/?plan={world['plan'].pk}&month=11").json()
    owners = {(row["level"], row["owner"]) for row in progress["rows"]}
    assert owners == {("team", people["manager"].team_id), ("rep", people["rep"].pk)}
    assert [row["target"] for row in progress["rows"]] == ["900.00", "300.00"]

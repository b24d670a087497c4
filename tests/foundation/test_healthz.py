import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_ok_with_database_and_broker(client, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test runs with REDIS_URL set"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_503_when_broker_unreachable(client):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


@pytest.mark.django_db
def test_healthz_in_embedded_mode_has_no_broker_to_lose(client):
    with override_settings(CELERY_BROKER_URL="memory://"):
        assert client.get("/healthz").json()["broker"] == "ok"

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def attempt(client):
    def _attempt(username, password, ip):
        client.logout()
        return client.post(
            "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    return _attempt


def test_login_works(rep, attempt):
    response = attempt("rep_a1", PASSWORD, "10.0.0.1")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_lockout_after_repeated_failures_for_username_and_ip(rep, attempt, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt("rep_a1", "wrong", "10.0.0.1")
    # locked: even the right password is refused from this address
    response = attempt("rep_a1", PASSWORD, "10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session
    # the same user still logs in from another address
    response = attempt("rep_a1", PASSWORD, "10.0.0.2")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_fewer_failures_do_not_lock(rep, attempt, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("rep_a1", "wrong", "10.0.0.1")
    assert attempt("rep_a1", PASSWORD, "10.0.0.1").status_code == 302


def test_failures_for_one_user_do_not_lock_another(rep, teammate, attempt, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attempt("rep_a1", "wrong", "10.0.0.1")
    assert attempt("rep_a2", PASSWORD, "10.0.0.1").status_code == 302

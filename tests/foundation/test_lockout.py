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


def test_one_account_guessed_from_many_addresses_is_locked_for_every_address(
    rep, attempt, settings
):
    settings.AXES_USER_FAILURE_LIMIT = 8
    # 7 failures from 7 addresses: below both limits, the user still logs in
    for n in range(7):
        attempt("rep_a1", "wrong", f"10.1.0.{n}")
    assert attempt("rep_a1", PASSWORD, "10.9.9.9").status_code == 302
    # a success resets only its own address: one more failure anywhere makes 8 and locks
    for n in range(8):
        attempt("rep_a1", "wrong", f"10.2.0.{n}")
    response = attempt("rep_a1", PASSWORD, "10.3.3.3")
    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session


def test_the_user_and_the_admins_are_told_once_when_the_account_is_locked(
    rep, teammate, director, attempt, settings
):
    from salescrm.models import Notification
    from tests.factories import UserFactory

    UserFactory(username="root", is_superuser=True, is_staff=True)
    settings.AXES_USER_FAILURE_LIMIT = 6
    for n in range(10):
        attempt("rep_a1", "wrong", f"10.4.0.{n}")
    notices = Notification.objects.filter(kind="login_locked")
    assert sorted(notices.values_list("recipient__username", flat=True)) == ["rep_a1", "root"]


def test_a_locked_address_alone_notifies_nobody(rep, attempt, settings):
    from salescrm.models import Notification

    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attempt("rep_a1", "wrong", "10.0.0.1")
    assert not Notification.objects.filter(kind="login_locked").exists()


def test_behind_the_proxy_the_client_address_comes_from_x_forwarded_for(rep, client, settings):
    """As documented in settings.py: with one proxy in front, the address the proxy appended
    to X-Forwarded-For is the client's; what a client writes into the header is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1

    def attempt(password, forwarded):
        client.logout()
        return client.post(
            "/accounts/login/",
            {"username": "rep_a1", "password": password},
            REMOTE_ADDR="10.0.0.254",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    # one client, forging a different first address each time: still one client
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt("wrong", f"1.2.3.{n}, 203.0.113.7")
    assert attempt(PASSWORD, "9.9.9.9, 203.0.113.7").status_code == 429
    # another client behind the same proxy is not locked
    assert attempt(PASSWORD, "198.51.100.4").status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(rep, client, settings):
    def attempt(password, forwarded):
        client.logout()
        return client.post(
            "/accounts/login/",
            {"username": "rep_a1", "password": password},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt("wrong", f"1.2.3.{n}")
    assert attempt(PASSWORD, "9.9.9.9").status_code == 429

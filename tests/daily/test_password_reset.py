"""The forgot-password page tells the truth about e-mail (issue 18)."""

from django.core import mail


def test_without_mail_the_page_says_whom_to_ask_and_sends_nothing(client, rep, settings):
    settings.PASSWORD_RESET_BY_EMAIL = False
    page = client.get("/accounts/password_reset/").content.decode()
    assert 'id="reset-unavailable"' in page
    assert 'name="email"' not in page  # no form promising a mail
    response = client.post("/accounts/password_reset/", {"email": rep.email})
    assert response.status_code == 200
    assert 'id="reset-unavailable"' in response.content.decode()
    assert mail.outbox == []


def test_with_mail_the_reset_link_arrives_and_sets_a_new_password(client, rep, settings):
    settings.PASSWORD_RESET_BY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post("/accounts/password_reset/", {"email": rep.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [rep.email]
    link = next(word for word in mail.outbox[0].body.split() if "/reset/" in word)
    path = link.split("testserver", 1)[-1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new = "a-new-Passw0rd-2026"
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"new_password1": new, "new_password2": new},
    )
    assert done.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password(new)

"""Every ModelForm names its fields; extra POST fields never reach the database."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.apps import apps

from salescrm.roles import Role

PROJECT_APPS = ["salescrm", "leads", "customers", "targets", "performance"]


def project_model_forms():
    found = []
    for label in PROJECT_APPS:
        package = apps.get_app_config(label).module
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{label}."):
            if ".migrations" in info.name or ".tests" in info.name:
                continue
            if not (info.name.endswith("forms") or ".forms." in info.name):
                continue
            module = importlib.import_module(info.name)
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, forms.ModelForm) and obj.__module__ == module.__name__:
                    found.append(obj)
    return found


def test_model_forms_are_found():
    assert any(form.__name__ == "ProfileForm" for form in project_model_forms())


@pytest.mark.parametrize(
    "form_class", project_model_forms(), ids=lambda f: f"{f.__module__}.{f.__name__}"
)
def test_model_form_lists_fields_explicitly(form_class):
    meta = form_class.Meta
    assert not hasattr(meta, "exclude"), f"{form_class.__name__} uses Meta.exclude"
    fields = getattr(meta, "fields", None)
    assert isinstance(fields, (list, tuple)), (
        f"{form_class.__name__}.Meta.fields must be a list, not {fields!r}"
    )


def test_profile_ignores_extra_post_fields(rep, login, other_team):
    client = login(rep)
    response = client.post(
        "/accounts/profile/",
        {
            "first_name": "小明",
            "last_name": "王",
            "email": "rep@example.com",
            "phone": "13800000000",
            "language": "en",
            # not on the form: must be ignored
            "role": Role.DIRECTOR,
            "team": other_team.pk,
            "is_superuser": "on",
            "is_staff": "on",
            "username": "hijack",
        },
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.first_name == "小明"
    assert (rep.role, rep.team.name, rep.is_superuser, rep.is_staff, rep.username) == (
        "rep",
        "Team A",
        False,
        False,
        "rep_a1",
    )


def test_profile_form_errors_are_shown_and_nothing_changes(rep, login):
    client = login(rep)
    response = client.post("/accounts/profile/", {"email": "not-an-email", "language": "xx"})
    assert response.status_code == 200
    rep.refresh_from_db()
    assert rep.email == "rep_a1@example.com"
    assert response.context["form"].errors.keys() == {"email", "language"}

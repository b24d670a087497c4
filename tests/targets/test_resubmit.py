"""The director's new-plan form sent twice creates one plan and shows it."""

import re

import pytest
from django.urls import reverse

from targets.models import TargetPlan

pytestmark = pytest.mark.django_db


def test_resubmitted_new_plan_is_created_once_and_shows_its_weights(login, director, next_year):
    client = login(director)
    html = client.get(reverse("targets:plan_create")).content.decode()
    token = re.search(r'name="submission_token" value="([0-9a-f-]{36})"', html).group(1)
    data = {
        "year": next_year,
        "metric": "renewals",
        "annual_value": "120",
        "submission_token": token,
    }
    assert client.post(reverse("targets:plan_create"), data).status_code == 302
    again = client.post(reverse("targets:plan_create"), data, follow=True)
    plan = TargetPlan.objects.get()
    assert again.redirect_chain[-1][0] == reverse("targets:plan_weights", args=[plan.pk])
    assert "Already saved: this form had been submitted before." in [
        str(m) for m in again.context["messages"]
    ]

"""One alerts inbox (/notifications/) for every kind, with a kind filter; the KPI-only page of
the performance app is gone."""

import pytest
from django.urls import NoReverseMatch, reverse

from salescrm.services import notify

pytestmark = pytest.mark.django_db


def titles(response):
    return [note.title for note in response.context["page"]]


def test_inbox_filters_by_kind_and_keeps_unread_or_all(manager, rep, login):
    notify(recipient=manager, kind="kpi_anomaly", key="a", title="签约金额下降 35%")
    notify(recipient=manager, kind="overdue", key="b", title="分期款逾期")
    notify(recipient=manager, kind="complaint", key="c", title="投诉即将超时")
    notify(recipient=rep, kind="kpi_anomaly", key="a", title="not the manager's")
    client = login(manager)
    assert sorted(titles(client.get("/notifications/"))) == sorted(
        ["签约金额下降 35%", "分期款逾期", "投诉即将超时"]
    )
    assert titles(client.get("/notifications/?kind=kpi_anomaly")) == ["签约金额下降 35%"]
    assert titles(client.get("/notifications/?kind=overdue&show=all")) == ["分期款逾期"]
    # an unknown kind is no filter at all, never an error
    response = client.get("/notifications/?kind=<script>")
    assert response.status_code == 200
    assert len(titles(response)) == 3


def test_kpi_alert_page_of_performance_is_gone():
    with pytest.raises(NoReverseMatch):
        reverse("performance:alerts")


def test_dashboard_lists_the_unread_alerts_with_a_link_to_the_inbox(manager, login):
    notify(recipient=manager, kind="kpi_anomaly", key="a", title="签约金额下降 35%")
    body = login(manager).get("/dashboard/").content.decode()
    assert "签约金额下降 35%" in body
    assert 'href="/notifications/"' in body

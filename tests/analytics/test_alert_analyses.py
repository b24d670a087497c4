"""Alert analyses (issue 20, seed 003: 异常数据需在两个工作日内提交分析报告): every KPI anomaly or
trend alert gets an owner (the rep it is about) and a due date two working days later on the
Chinese working calendar; the owner or their manager writes it; late ones reach the manager
once. Dates worked out by hand on the calendar each test creates."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics import services
from analytics.models import AlertAnalysis
from analytics.tasks import alert_analyses, kpi_trends
from rhythm.models import CalendarDay
from salescrm.errors import BusinessRuleError
from salescrm.models import Notification
from salescrm.services import notify_many
from salescrm.timeutil import SHANGHAI
from tests.factories import UserFactory
from tests.performance.factories import contract, nightly_facts

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 9, 25)


@pytest.fixture
def national_day(db):
    """2026's National Day as the test sets it: 10-01 to 10-07 off, Saturday 10-10 worked."""
    for day in range(1, 8):
        CalendarDay.objects.create(day=dt.date(2026, 10, day), kind="holiday", name="国庆节")
    CalendarDay.objects.create(day=dt.date(2026, 10, 10), kind="workday", name="国庆节调休")


def test_a_friday_alert_is_due_on_tuesday():
    # Sat 26 and Sun 27 off; Mon 28 is the first working day, Tue 29 the second
    assert services.due_date(FRIDAY) == dt.date(2026, 9, 29)


def test_the_holiday_and_the_adjusted_saturday_count_as_the_calendar_says(national_day):
    # 09-30 (Wed): 10-01…10-07 off, Thu 10-08 first, Fri 10-09 second
    assert services.due_date(dt.date(2026, 9, 30)) == dt.date(2026, 10, 9)
    # 10-08 (Thu): Fri 10-09 first, the 调休 Saturday 10-10 second
    assert services.due_date(dt.date(2026, 10, 8)) == dt.date(2026, 10, 10)
    # 10-09 (Fri): Sat 10-10 first, Sun 10-11 off, Mon 10-12 second
    assert services.due_date(dt.date(2026, 10, 9)) == dt.date(2026, 10, 12)


def test_without_the_calendar_the_holiday_would_be_worked():
    # the same 09-30 with no calendar rows: Thu 10-01 and Fri 10-02
    assert services.due_date(dt.date(2026, 9, 30)) == dt.date(2026, 10, 2)


def _anomaly(rep, manager, code="signed_amount", month="2026-09"):
    """The alert performance.kpi_anomalies sends the manager about the rep."""
    notify_many(
        [
            {
                "recipient_id": manager.pk,
                "kind": "kpi_anomaly",
                "key": f"kpi-anomaly:{rep.pk}:{code}:{month}",
                "params": {
                    "rep": str(rep),
                    "kpi": code,
                    "change": "-40.0",
                    "current": "3000.00",
                    "previous": "5000.00",
                    "span": "09-01–09-25",
                    "previous_span": "08-01–08-25",
                },
            }
        ]
    )


def _trend(rep, manager, code="collected_amount", month="2026-08"):
    """The trend alert goes to the rep and the manager: two rows, one alert."""
    notify_many(
        [
            {
                "recipient_id": who.pk,
                "kind": "kpi_trend",
                "key": f"kpi-trend:{rep.pk}:{code}:{month}",
                "title": "trend",
                "body": "2026-05 9.00 → 2026-06 8.00 → 2026-07 7.00 → 2026-08 6.00",
            }
            for who in (rep, manager)
        ]
    )


def test_the_night_opens_one_analysis_per_alert_owned_by_the_rep_and_is_idempotent(rep, manager):
    _anomaly(rep, manager)
    _trend(rep, manager)
    Notification.objects.create(recipient=manager, kind="other", key="x", title="x")
    first = alert_analyses(FRIDAY)
    assert first == {"analyses_opened": 2, "late": 0, "sent": 0}
    assert alert_analyses(FRIDAY) == {"analyses_opened": 0, "late": 0, "sent": 0}
    rows = sorted(
        AlertAnalysis.objects.values_list("kind", "kpi", "month", "owner_id", "due_on", "summary")
    )
    assert rows == [
        ("kpi_anomaly", "signed_amount", dt.date(2026, 9, 1), rep.pk, dt.date(2026, 9, 29), ""),
        (
            "kpi_trend",
            "collected_amount",
            dt.date(2026, 8, 1),
            rep.pk,
            dt.date(2026, 9, 29),
            "2026-05 9.00 → 2026-06 8.00 → 2026-07 7.00 → 2026-08 6.00",
        ),
    ]


def test_the_night_reads_as_many_queries_for_one_alert_as_for_many(rep, manager, teammate):
    _anomaly(rep, manager)
    with CaptureQueriesContext(connection) as one:
        alert_analyses(FRIDAY)
    others = [UserFactory(username=f"rep_n{k}", role="rep", team=rep.team) for k in range(5)]
    for other in [teammate, *others]:
        _anomaly(other, manager)
        _trend(other, manager)
    with CaptureQueriesContext(connection) as many:
        assert alert_analyses(FRIDAY)["analyses_opened"] == 12
    assert len(many) == len(one)


def test_trend_alerts_of_the_night_get_their_analyses(rep, teammate, manager):
    # rep_a1 signs 5000, 4000, 3000, 2000 (July–October): two KPIs fall three months running
    for month, amount in ((7, "5000"), (8, "4000"), (9, "3000"), (10, "2000")):
        contract(rep, amount, f"2026-{month:02d}-10")
    day = dt.date(2026, 11, 9)  # Monday: due Wednesday 11-11
    nightly_facts(day=day)
    kpi_trends(day)
    assert alert_analyses(day)["analyses_opened"] == 2
    assert set(AlertAnalysis.objects.values_list("kpi", "owner_id", "due_on")) == {
        ("average_deal_size", rep.pk, dt.date(2026, 11, 11)),
        ("signed_amount", rep.pk, dt.date(2026, 11, 11)),
    }


@pytest.fixture
def analysis(rep, manager):
    _anomaly(rep, manager)
    alert_analyses(FRIDAY)
    return AlertAnalysis.objects.get()  # due Tuesday 2026-09-29


def test_late_is_after_the_end_of_the_due_date(analysis):
    assert analysis.status_on(dt.date(2026, 9, 29)) == "open"
    assert analysis.status_on(dt.date(2026, 9, 30)) == "late"
    assert list(AlertAnalysis.objects.late(dt.date(2026, 9, 29))) == []
    assert list(AlertAnalysis.objects.late(dt.date(2026, 9, 30))) == [analysis]


def test_an_answer_on_the_due_date_is_in_time_one_the_next_day_is_late(analysis):
    analysis.answered_at = dt.datetime(2026, 9, 29, 23, 59, tzinfo=SHANGHAI)
    assert analysis.status_on(dt.date(2026, 10, 5)) == "answered"
    assert not analysis.answered_late
    analysis.answered_at = dt.datetime(2026, 9, 30, 0, 0, tzinfo=SHANGHAI)
    assert analysis.answered_late


def test_the_manager_hears_of_a_late_analysis_once(analysis, manager, rep):
    assert services.late_analyses_notify(day=dt.date(2026, 9, 29)) == {"late": 0, "sent": 0}
    assert services.late_analyses_notify(day=dt.date(2026, 9, 30)) == {"late": 1, "sent": 1}
    assert services.late_analyses_notify(day=dt.date(2026, 10, 1)) == {"late": 1, "sent": 0}
    note = Notification.objects.get(kind="alert_analysis_late")
    assert note.recipient == manager
    assert note.url == reverse("analytics:analysis_detail", args=[analysis.pk])
    assert str(rep) in note.title


def test_an_answered_analysis_is_never_late(analysis, rep, clock):
    clock.set(dt.date(2026, 9, 28))
    services.analysis_write(actor=rep, analysis=analysis, cause="两个大单推迟到十月", actions="")
    assert services.late_analyses_notify(day=dt.date(2026, 10, 9)) == {"late": 0, "sent": 0}


def test_the_owner_writes_and_a_revision_keeps_the_first_answer(analysis, rep, manager, clock):
    clock.set(dt.date(2026, 9, 29))
    services.analysis_write(actor=rep, analysis=analysis, cause="客户预算冻结", actions="跟进")
    clock.set(dt.date(2026, 10, 9))
    services.analysis_write(
        actor=manager, analysis=analysis, cause="客户预算冻结，已复盘", actions=""
    )
    analysis.refresh_from_db()
    assert analysis.cause == "客户预算冻结，已复盘"
    assert analysis.answered_by == rep
    assert analysis.answered_at.astimezone(SHANGHAI).date() == dt.date(2026, 9, 29)
    assert not analysis.answered_late


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("rep", 302),  # the owner
        ("manager", 302),  # the owner's team manager
        ("teammate", 404),  # a rep of the same team
        ("outsider", 404),  # a rep of another team
        ("other_manager", 404),  # another team's manager
        ("director", 403),  # sees it, does not write it (the role matrix)
        ("finance", 403),
    ],
)
def test_only_the_owner_or_their_manager_writes(analysis, who, status, client, request):
    client.force_login(request.getfixturevalue(who))
    url = reverse("analytics:analysis_write", args=[analysis.pk])
    response = client.post(url, {"cause": "原因", "actions": ""})
    assert response.status_code == status
    analysis.refresh_from_db()
    assert (analysis.cause == "原因") is (status == 302)


def test_the_service_refuses_a_teammate_too(analysis, teammate):
    with pytest.raises(BusinessRuleError):
        services.analysis_write(actor=teammate, analysis=analysis, cause="x", actions="")
    analysis.refresh_from_db()
    assert analysis.answered_at is None


def test_an_empty_cause_is_refused_and_nothing_changes(analysis, rep, client):
    client.force_login(rep)
    url = reverse("analytics:analysis_write", args=[analysis.pk])
    response = client.post(url, {"cause": "   ", "actions": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors
    analysis.refresh_from_db()
    assert (analysis.answered_at, analysis.actions) == (None, "")


def _three_states(rep, manager, teammate, clock):
    """On 2026-09-30: rep's September anomaly late, teammate's answered, rep's trend open."""
    _anomaly(rep, manager)
    _anomaly(teammate, manager)
    alert_analyses(FRIDAY)  # both due 09-29
    _trend(rep, manager)
    alert_analyses(dt.date(2026, 9, 29))  # due 10-01
    clock.set(dt.date(2026, 9, 28))
    answered = AlertAnalysis.objects.get(owner=teammate)
    services.analysis_write(actor=teammate, analysis=answered, cause="原因", actions="")
    clock.set(dt.date(2026, 9, 30))


def _listed(response):
    return [(a.owner.username, a.kind, a.status) for a in response.context["page"]]


def test_the_manager_sees_open_late_and_answered_and_filters_them(
    rep, manager, teammate, client, clock
):
    _three_states(rep, manager, teammate, clock)
    client.force_login(manager)
    url = reverse("analytics:analyses")
    response = client.get(url)
    assert _listed(response) == [
        ("rep_a1", "kpi_anomaly", "late"),  # unanswered first, soonest due first
        ("rep_a1", "kpi_trend", "open"),
        ("rep_a2", "kpi_anomaly", "answered"),
    ]
    assert response.context["counts"] == {"open": 1, "late": 1, "answered": 1}
    assert _listed(client.get(url, {"status": "late"})) == [("rep_a1", "kpi_anomaly", "late")]
    assert _listed(client.get(url, {"status": "open"})) == [("rep_a1", "kpi_trend", "open")]
    assert _listed(client.get(url, {"kind": "kpi_trend"})) == [("rep_a1", "kpi_trend", "open")]
    assert [row[0] for row in _listed(client.get(url, {"rep": teammate.pk}))] == ["rep_a2"]


def test_a_rep_sees_their_own_and_another_team_sees_none(
    rep, manager, teammate, outsider, other_manager, client, clock
):
    _three_states(rep, manager, teammate, clock)
    client.force_login(rep)
    assert {row[0] for row in _listed(client.get(reverse("analytics:analyses")))} == {"rep_a1"}
    for other in (outsider, other_manager):
        client.force_login(other)
        assert _listed(client.get(reverse("analytics:analyses"))) == []
        mine = AlertAnalysis.objects.filter(owner=rep).first()
        assert client.get(mine.get_absolute_url()).status_code == 404


def test_the_list_reads_a_bounded_number_of_queries(
    rep, manager, teammate, client, clock, django_assert_max_num_queries
):
    _three_states(rep, manager, teammate, clock)
    others = [UserFactory(username=f"rep_q{k}", role="rep", team=rep.team) for k in range(10)]
    for other in others:
        _anomaly(other, manager)
        _trend(other, manager)
    alert_analyses(dt.date(2026, 9, 29))
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("analytics:analyses"))
    assert len(response.context["page"]) == 23
    assert b"analysis-card" in response.content

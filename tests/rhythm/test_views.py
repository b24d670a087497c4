"""The rhythm pages: scoping (rep own, manager team, director all, a guessed id is 404),
bad input, query counts that do not grow with the rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import CommissionPlan, CommissionStatement
from rhythm.models import (
    ActionItem,
    Allowance,
    AttendanceDay,
    Bulletin,
    Meeting,
    MonthlyAttendance,
    Report,
)
from rhythm.services import action_item_add, meeting_schedule
from rhythm.services.attendance import compute_month
from salescrm.timeutil import SHANGHAI
from tests.factories import UserFactory

from .factories import OCTOBER_WORKING_DAYS, attend, october_2026_calendar

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 13)
NOON = dt.datetime(2026, 10, 13, 12, tzinfo=SHANGHAI)


def _report(author, day=DAY, **kw):
    return Report.objects.create(
        author=author, kind="daily", period_start=day, wins="签约", submitted_at=NOON, **kw
    )


# --- reports ---------------------------------------------------------------------------------


def test_report_detail_is_scoped(client, rep, teammate, manager, outsider, director):
    report = _report(rep)
    url = reverse("rhythm:report_detail", args=[report.pk])
    for user, status in [
        (rep, 200),
        (manager, 200),
        (director, 200),
        (teammate, 404),
        (outsider, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username


@pytest.mark.parametrize(
    "language,labels",
    [("en", ("Contracts signed", "Payments received")), ("zh-hans", ("签约合同", "收到回款"))],
)
def test_the_report_writes_amounts_the_way_every_page_does(client, rep, language, labels):
    """Thousands separators and two decimals, in both languages (salescrm_tags.money)."""
    figures = {"contracts_signed": 2, "signed_amount": "12345", "collected_amount": "1234567.5"}
    report = Report.objects.create(
        author=rep,
        kind="weekly",
        period_start=dt.date(2026, 10, 12),
        submitted_at=NOON,
        figures=figures,
    )
    client.force_login(rep)
    page = client.get(
        reverse("rhythm:report_detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert f"<th>{labels[0]}</th><td>2 · ¥12,345.00</td>" in page
    assert f"<th>{labels[1]}</th><td>¥1,234,567.50</td>" in page


def test_a_guessed_report_id_is_404_for_the_comment_too(client, rep, outsider, other_manager):
    report = _report(rep)
    client.force_login(other_manager)
    response = client.post(reverse("rhythm:report_comment", args=[report.pk]), {"body": "好"})
    assert response.status_code == 404
    assert not report.comments.exists()


def test_the_manager_reads_the_team_and_sees_who_is_missing(
    client, rep, teammate, manager, outsider, clock
):
    clock.set(dt.datetime(2026, 10, 13, 20, 30, tzinfo=SHANGHAI))
    _report(rep)
    _report(outsider)
    client.force_login(manager)
    page = client.get(reverse("rhythm:report_list"), {"day": "2026-10-13"}).content.decode()
    assert f"report-{Report.objects.get(author=rep).pk}" in page
    assert f"report-{Report.objects.get(author=outsider).pk}" not in page
    assert 'id="missing-reports"' in page and teammate.username in page
    assert "截至 20:00 未提交日报" in page


def test_before_the_cut_off_the_list_says_not_yet(client, rep, teammate, manager, clock):
    clock.set(dt.datetime(2026, 10, 13, 19, 59, tzinfo=SHANGHAI))
    client.force_login(manager)
    page = client.get(reverse("rhythm:report_list"), {"day": "2026-10-13"}).content.decode()
    assert "尚未提交（截止 20:00）" in page


def test_a_rep_sees_only_their_own_reports(client, rep, teammate):
    mine, theirs = _report(rep), _report(teammate)
    client.force_login(rep)
    page = client.get(reverse("rhythm:report_list"), {"day": "2026-10-13"}).content.decode()
    assert f"report-{mine.pk}" in page and f"report-{theirs.pk}" not in page
    assert 'id="missing-reports"' not in page


def test_writing_a_report_through_the_page(client, rep, clock):
    clock.set(NOON)
    client.force_login(rep)
    assert client.get(reverse("rhythm:report_write")).status_code == 200
    response = client.post(
        reverse("rhythm:report_write"),
        {"kind": "daily", "period_start": "2026-10-13", "wins": "试听两位", "plan": "回访"},
    )
    report = Report.objects.get(author=rep)
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    # posted twice: one report
    client.post(
        reverse("rhythm:report_write"),
        {"kind": "daily", "period_start": "2026-10-13", "wins": "试听两位", "plan": "回访"},
    )
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "daily", "period_start": "2026-10-14", "wins": "x"},  # tomorrow
        {"kind": "daily", "period_start": "9999-12-31", "wins": "x"},
        {"kind": "daily", "period_start": "2026-10-13"},  # nothing written
        {"kind": "monthly", "period_start": "2026-10-13", "wins": "x"},
        {"kind": "daily", "period_start": "2026-10-13", "wins": "x" * 4001},
    ],
)
def test_bad_report_input_is_refused_with_a_message(client, rep, clock, data):
    clock.set(NOON)
    client.force_login(rep)
    response = client.post(reverse("rhythm:report_write"), data)
    assert response.status_code == 200
    assert not Report.objects.exists()


def test_the_report_list_query_count_does_not_grow_with_the_reports(
    client, manager, team, django_assert_max_num_queries
):
    people = [UserFactory(username=f"r{i}", role="rep", team=team) for i in range(12)]
    for person in people:
        _report(person)
    client.force_login(manager)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("rhythm:report_list"), {"day": "2026-10-13"}).status_code == 200


# --- attendance ------------------------------------------------------------------------------


@pytest.fixture
def october_rows(rep, manager, outsider):
    october_2026_calendar()
    for person in (rep, manager, outsider):
        Allowance.objects.create(person=person, base_amount=Decimal("1000.00"))
    attend(manager, OCTOBER_WORKING_DAYS[:14])
    compute_month(dt.date(2026, 10, 1), dt.date(2026, 10, 31), close=True)
    return {p.username: MonthlyAttendance.objects.get(person=p) for p in (rep, manager, outsider)}


def test_attendance_month_is_scoped(
    client, october_rows, rep, teammate, manager, other_manager, director
):
    url = reverse("rhythm:attendance_month", args=[october_rows[rep.username].pk])
    for user, status in [
        (rep, 200),
        (manager, 200),
        (director, 200),
        (teammate, 404),
        (other_manager, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username


def test_the_attendance_page_lists_the_team_figures(
    client, october_rows, rep, manager, outsider, clock
):
    clock.set(dt.date(2026, 11, 10))
    client.force_login(manager)
    page = client.get(reverse("rhythm:attendance"), {"month": "2026-10"}).content.decode()
    assert reverse("rhythm:attendance_month", args=[october_rows[rep.username].pk]) in page
    assert reverse("rhythm:attendance_month", args=[october_rows[outsider.username].pk]) not in page
    assert "77.78 %" in page


def test_check_in_through_the_page_twice_makes_one_row(client, rep, clock):
    clock.set(dt.datetime(2026, 10, 13, 8, 50, tzinfo=SHANGHAI))
    client.force_login(rep)
    client.post(reverse("rhythm:check_in"))
    client.post(reverse("rhythm:check_in"))
    assert AttendanceDay.objects.filter(person=rep).count() == 1
    assert client.get(reverse("rhythm:check_in")).status_code == 405


def test_recording_attendance_with_bad_input(client, manager, rep, outsider, clock):
    clock.set(NOON)
    client.force_login(manager)
    url = reverse("rhythm:attendance_record")
    # a person of another team is not even a choice
    response = client.post(
        url, {"person": outsider.pk, "day": "2026-10-12", "kind": "leave", "reason": "x"}
    )
    assert response.status_code == 200 and not AttendanceDay.objects.exists()
    response = client.post(
        url, {"person": rep.pk, "day": "2026-10-12", "kind": "nonsense", "reason": "x"}
    )
    assert response.status_code == 200 and not AttendanceDay.objects.exists()
    response = client.post(
        url, {"person": rep.pk, "day": "2026-10-12", "kind": "leave", "reason": "病假"}
    )
    assert response.status_code == 302
    assert AttendanceDay.objects.get(person=rep).kind == "leave"


def test_the_statement_shows_the_allowance_line(client, october_rows, manager, rep, finance):
    statement = CommissionStatement.objects.create(
        rep=manager,
        month=dt.date(2026, 10, 1),
        plan=CommissionPlan.objects.create(name="v1", effective_from=dt.date(2026, 1, 1)),
        team=manager.team,
        base_kind="collected",
        base_amount=Decimal("0"),
        commission=Decimal("0"),
        team_bonus=Decimal("0"),
        total=Decimal("0"),
        computed_at=timezone.now(),
    )
    client.force_login(finance)
    page = client.get(reverse("performance:statement_detail", args=[statement.pk])).content.decode()
    assert 'id="allowance-line"' in page
    assert "18 个工作日中出勤 14 天" in page
    assert "−200.00" in page and "800.00" in page
    assert '<td class="text-end">1,000.00</td>' in page  # the base, as every amount is written
    assert reverse("rhythm:attendance_month", args=[october_rows[manager.username].pk]) in page
    month = client.get(reverse("rhythm:attendance_month", args=[october_rows[manager.username].pk]))
    assert "1,000.00 − 20.00 % = 800.00" in month.content.decode()


# --- meetings and action items ---------------------------------------------------------------


@pytest.fixture
def meeting(manager, rep, teammate, team, clock):
    clock.set(NOON)
    return meeting_schedule(actor=manager, kind="morning", title="早会", starts_at=NOON, team=team)


def test_meeting_is_scoped(client, meeting, rep, manager, director, outsider, other_manager):
    url = reverse("rhythm:meeting_detail", args=[meeting.pk])
    for user, status in [
        (rep, 200),
        (manager, 200),
        (director, 200),
        (outsider, 404),
        (other_manager, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username


def test_an_invitee_sees_but_does_not_run_the_meeting(client, meeting, rep):
    client.force_login(rep)
    page = client.get(reverse("rhythm:meeting_detail", args=[meeting.pk])).content.decode()
    assert 'id="notes-form"' not in page
    assert (
        client.post(reverse("rhythm:meeting_edit", args=[meeting.pk]), {"agenda": "x"}).status_code
        == 403
    )


def test_another_manager_gets_404_on_every_meeting_action(client, meeting, other_manager, rep):
    client.force_login(other_manager)
    for name in ("rhythm:meeting_edit", "rhythm:meeting_attendance", "rhythm:action_item_add"):
        assert client.post(reverse(name, args=[meeting.pk]), {}).status_code == 404


def test_action_items_through_the_page(client, meeting, manager, rep, outsider):
    client.force_login(manager)
    url = reverse("rhythm:action_item_add", args=[meeting.pk])
    bad = client.post(url, {"owner": outsider.pk, "description": "x", "due_on": "2026-10-14"})
    assert bad.status_code == 200 and not ActionItem.objects.exists()
    client.post(url, {"owner": rep.pk, "description": "回访", "due_on": "2026-10-14"})
    item = ActionItem.objects.get()
    client.force_login(outsider)
    assert client.post(reverse("rhythm:action_item_done", args=[item.pk])).status_code == 404
    client.force_login(rep)
    response = client.post(reverse("rhythm:action_item_done", args=[item.pk]), {"next": "my_day"})
    assert response.url == reverse("leads:my_day")
    assert ActionItem.objects.get().done_at is not None


def test_my_day_query_count_does_not_grow_with_action_items(
    client, meeting, manager, rep, django_assert_max_num_queries
):
    for index in range(15):
        action_item_add(
            actor=manager, meeting=meeting, owner=rep, description=f"事项{index}", due_on=DAY
        )
    client.force_login(rep)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("leads:my_day")).status_code == 200


def test_meeting_creation_refuses_another_team(client, manager, other_team, clock):
    clock.set(NOON)
    client.force_login(manager)
    response = client.post(
        reverse("rhythm:meeting_create"),
        {"kind": "morning", "title": "", "starts_at": "2026-10-13T08:30", "team": other_team.pk},
    )
    assert response.status_code == 200


def test_a_meeting_outside_the_business_dates_is_refused_with_a_message(
    client, manager, team, clock
):
    """Found by the fuzz test: year 1 overflowed the agenda's "yesterday" (a 500)."""
    clock.set(NOON)
    client.force_login(manager)
    for starts_at in ["0001-01-01", "1999-12-31T08:30"]:
        response = client.post(
            reverse("rhythm:meeting_create"),
            {"kind": "morning", "title": "", "starts_at": starts_at, "team": team.pk},
        )
        assert response.status_code == 200
        assert "2000-01-01" in response.content.decode()  # the accepted range, named
    assert not Meeting.objects.exists()


# --- bulletins and the dashboard -------------------------------------------------------------


def test_a_teams_bulletin_is_for_the_team(client, team, other_team, rep, outsider, director):
    ours = Bulletin.objects.create(day=DAY, team=team, figures={"signed": "1.00"}, built_at=NOON)
    url = reverse("rhythm:bulletin_detail", args=[ours.pk])
    for user, status in [(rep, 200), (director, 200), (outsider, 404)]:
        client.force_login(user)
        assert client.get(url).status_code == status


def test_the_dashboard_shows_the_bulletin_and_the_team_rhythm(
    client, team, manager, rep, teammate, clock
):
    clock.set(NOON)
    Bulletin.objects.create(
        day=DAY - dt.timedelta(days=1),
        team=team,
        built_at=NOON,
        figures={
            "signed": "8888.00",
            "contracts": 1,
            "collected": "0.00",
            "new_prospect_cards": 0,
            "trial_lessons": 0,
            "month_signed": "8888.00",
            "month_target": "0.00",
            "achievement": None,
            "leaders": [],
        },
    )
    _report(rep)
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'id="dashboard-bulletin"' in page and "¥8,888.00" in page
    assert 'id="dashboard-team-rhythm"' in page and "1 / 2" in page


def test_meeting_attendance_rate_per_person(meeting, manager, rep, teammate):
    from rhythm.selectors import meeting_attendance
    from rhythm.services import meeting_take_attendance

    second = meeting_schedule(
        actor=manager, kind="evening", title="夕会", starts_at=NOON, team=meeting.team
    )
    meeting_take_attendance(
        actor=manager, meeting=meeting, statuses={rep.pk: "present", teammate.pk: "excused"}
    )
    meeting_take_attendance(
        actor=manager, meeting=second, statuses={rep.pk: "absent", teammate.pk: "late"}
    )
    rates = meeting_attendance([rep.pk, teammate.pk], dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    # rep: 1 of 2; teammate: the excused meeting left out, 1 of 1
    assert rates == {rep.pk: Decimal("50.00"), teammate.pk: Decimal("100.00")}


def test_the_attendance_page_query_count_does_not_grow(
    client, october_rows, manager, team, django_assert_max_num_queries, clock
):
    clock.set(dt.date(2026, 11, 10))
    for index in range(10):
        UserFactory(username=f"x{index}", role="rep", team=team)
    compute_month(dt.date(2026, 10, 1), dt.date(2026, 10, 31), close=False)
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("rhythm:attendance"), {"month": "2026-10"}).status_code == 200

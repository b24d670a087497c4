"""Script A/B experiments: the split of the reps, the nightly measurement from the stage
history (figures worked out by hand), idempotence and a constant number of queries, the
verdict and the result page."""

import datetime as dt
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enablement import experiments
from enablement.models import EnablementSettings, Experiment, ExperimentMember
from leads.models import StageChange
from salescrm import nightly
from salescrm.errors import BusinessRuleError
from salescrm.roles import Role
from tests.factories import UserFactory
from tests.leads.factories import LeadFactory

from .factories import published_script

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def move(rep, day, to_stage, lead=None, from_stage=""):
    lead = lead or LeadFactory(owner=rep)
    StageChange.objects.create(
        lead=lead, from_stage=from_stage, to_stage=to_stage, changed_by=rep, changed_at=at(day)
    )
    return lead


@pytest.fixture
def scripts(rep, manager):
    return (
        published_script(rep, manager, title="旧试听话术", stage="trial"),
        published_script(rep, manager, title="新试听话术", stage="trial"),
    )


def _experiment(actor, scripts, team, **extra):
    fields = {
        "name": "试听→方案",
        "script_a": scripts[0],
        "script_b": scripts[1],
        "from_stage": "trial",
        "to_stage": "proposal",
        "team": team,
        "starts_on": dt.date(2026, 6, 1),
        "ends_on": dt.date(2026, 6, 30),
        "rng": random.Random(7),
        **extra,
    }
    return experiments.experiment_create(actor=actor, **fields)


# --- the split --------------------------------------------------------------------------------


def test_pairs_of_similar_past_conversion_are_split_between_the_arms():
    past = {1: 0.9, 2: 0.8, 3: 0.2, 4: 0.1, 5: None}
    for seed in range(20):
        arms = dict(experiments.assign_arms([5, 4, 3, 2, 1], past, random.Random(seed)))
        assert arms[1] != arms[2] and arms[3] != arms[4]  # each pair split
        assert set(arms) == {1, 2, 3, 4, 5}


def test_the_split_is_random():
    past = {1: 0.5, 2: 0.5}
    seen = {experiments.assign_arms([1, 2], past, random.Random(seed))[0][1] for seed in range(30)}
    assert seen == {"A", "B"}


def test_creating_an_experiment_splits_the_team_and_records_past_conversion(
    rep, teammate, manager, outsider, scripts
):
    # rep converted 1 of 2 trial leads in the 180 days before the start, the teammate none
    converted = move(rep, dt.date(2026, 3, 1), "trial")
    move(rep, dt.date(2026, 3, 5), "proposal", lead=converted, from_stage="trial")
    move(rep, dt.date(2026, 3, 2), "trial")
    experiment = _experiment(manager, scripts, rep.team)
    members = {m.rep: (m.arm, m.past_conversion) for m in experiment.members.all()}
    assert set(members) == {rep, teammate}  # not the outsider of another team
    assert {arm for arm, _past in members.values()} == {"A", "B"}
    assert members[rep][1] == 0.5 and members[teammate][1] is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"to_stage": "trial"}, "after"),
        ({"to_stage": "contacted"}, "after"),
        ({"from_stage": "lost"}, "funnel"),
        ({"ends_on": None}, "minimum sample"),
        ({"ends_on": dt.date(2026, 5, 31)}, "before the start"),
    ],
)
def test_bad_experiments_are_refused(rep, teammate, manager, scripts, extra, message):
    with pytest.raises(BusinessRuleError, match=message):
        _experiment(manager, scripts, rep.team, **extra)
    assert Experiment.objects.count() == 0


def test_the_same_script_on_both_arms_is_refused(rep, teammate, manager, scripts):
    with pytest.raises(BusinessRuleError, match="differ"):
        _experiment(manager, (scripts[0], scripts[0]), rep.team)


def test_a_manager_runs_experiments_only_in_their_team(
    rep, teammate, manager, other_manager, outsider, scripts
):
    with pytest.raises(BusinessRuleError, match="team you lead"):
        _experiment(other_manager, scripts, rep.team)
    with pytest.raises(BusinessRuleError, match="team you lead"):
        _experiment(manager, scripts, None)
    assert Experiment.objects.count() == 0


def test_the_director_may_run_one_over_every_team(rep, teammate, outsider, director, scripts):
    experiment = _experiment(director, scripts, None)
    assert experiment.members.count() == 3


# --- the measurement --------------------------------------------------------------------------


@pytest.fixture
def measured_world(rep, teammate, manager, outsider, scripts):
    """Arm A = rep, arm B = teammate (set by hand after the random split)."""
    experiment = _experiment(manager, scripts, rep.team)
    ExperimentMember.objects.filter(experiment=experiment, rep=rep).update(arm="A")
    ExperimentMember.objects.filter(experiment=experiment, rep=teammate).update(arm="B")
    june = dt.date(2026, 6, 10)
    # Arm A: five leads moved into trial in June
    a = [move(rep, june, "trial") for _ in range(5)]
    move(rep, dt.date(2026, 6, 12), "proposal", lead=a[0], from_stage="trial")  # converted
    move(rep, dt.date(2026, 6, 12), "won", lead=a[1], from_stage="trial")  # a later stage counts
    move(rep, dt.date(2026, 6, 12), "lost", lead=a[2], from_stage="trial")  # lost: not
    move(rep, dt.date(2026, 7, 2), "proposal", lead=a[3], from_stage="trial")  # after the cut-off
    move(rep, dt.date(2026, 6, 11), "trial", lead=a[4], from_stage="needs_analysis")  # twice: once
    # not counted: before the start, by a rep outside the experiment
    move(rep, dt.date(2026, 5, 31), "trial")
    move(outsider, june, "trial")
    # Arm B: four leads, three reach the proposal
    b = [move(teammate, june, "trial") for _ in range(4)]
    for lead in b[:3]:
        move(teammate, dt.date(2026, 6, 20), "proposal", lead=lead, from_stage="trial")
    return experiment


def test_the_arms_are_measured_from_the_stage_history(measured_world):
    # A: 2 of 5 (40 %), B: 3 of 4 (75 %): uplift 0.75 / 0.40 − 1 = +87.5 %.
    # pooled 5/9; z = 0.35 / sqrt(5/9 · 4/9 · (1/5 + 1/4)) = 0.35 / 0.33333 = 1.05;
    # p = 2 (1 − Φ(1.05)) = 2 (1 − 0.853141) = 0.293718: not significant, so "not proven".
    experiment = experiments.experiment_measure(
        measured_world, dt.date(2026, 6, 30), EnablementSettings.load().min_uplift_percent
    )
    assert (experiment.n_a, experiment.conversions_a) == (5, 2)
    assert (experiment.n_b, experiment.conversions_b) == (4, 3)
    assert experiment.uplift == pytest.approx(0.875)
    assert experiment.p_value == pytest.approx(0.293718, abs=1e-6)
    assert experiment.verdict == Experiment.Verdict.NOT_PROVEN
    assert experiment.status == Experiment.Status.FINISHED  # measured on its last day
    assert experiment.computed_for == dt.date(2026, 6, 30)


def test_it_keeps_running_until_its_end_day(measured_world):
    experiment = experiments.experiment_measure(measured_world, dt.date(2026, 6, 29), 15)
    assert experiment.status == Experiment.Status.RUNNING
    # conversions are counted up to the night measured
    measured_world.refresh_from_db()
    early = experiments.experiment_measure(measured_world, dt.date(2026, 6, 15), 15)
    assert (early.n_b, early.conversions_b) == (4, 0)


def test_a_minimum_sample_ends_it_at_exactly_that_many_leads_per_arm(measured_world):
    measured_world.ends_on, measured_world.min_sample = None, 4
    measured_world.save()
    assert experiments.experiment_measure(measured_world, dt.date(2026, 7, 1), 15).status == (
        Experiment.Status.FINISHED
    )  # min(5, 4) = 4
    measured_world.min_sample, measured_world.status = 5, Experiment.Status.RUNNING
    measured_world.save()
    assert experiments.experiment_measure(measured_world, dt.date(2026, 7, 1), 15).status == (
        Experiment.Status.RUNNING
    )


def _result(experiment):
    experiment.refresh_from_db()
    return (
        experiment.n_a,
        experiment.conversions_a,
        experiment.n_b,
        experiment.conversions_b,
        experiment.uplift,
        experiment.ci_low,
        experiment.ci_high,
        experiment.p_value,
        experiment.verdict,
        experiment.status,
    )


def test_the_nightly_job_is_idempotent(measured_world):
    job = nightly.get_job("enablement.experiments")
    first = nightly.run_job(job, dt.date(2026, 6, 30))
    assert first.ok and first.summary == {"experiments": 1}
    once = _result(measured_world)
    again = nightly.run_job(job, dt.date(2026, 6, 30))
    assert again.summary == {"experiments": 1}  # finished that very night: measured again
    assert _result(measured_world) == once
    later = nightly.run_job(job, dt.date(2026, 7, 1))
    assert later.summary == {"experiments": 0}  # finished: frozen
    assert _result(measured_world) == once


def test_the_measurement_costs_the_same_queries_whatever_the_number_of_reps(
    rep, teammate, manager, scripts
):
    def queries_for_one_experiment():
        Experiment.objects.all().delete()
        _experiment(manager, scripts, rep.team)
        with CaptureQueriesContext(connection) as captured:
            experiments.experiments_measure(dt.date(2026, 6, 15))
        return len(captured)

    few = queries_for_one_experiment()
    for number in range(8):
        new = UserFactory(username=f"extra{number}", role=Role.REP, team=rep.team)
        move(new, dt.date(2026, 6, 3), "trial")
    assert queries_for_one_experiment() == few


def test_a_significant_uplift_of_at_least_the_minimum_passes(rep, teammate, manager, scripts):
    experiment = _experiment(manager, scripts, rep.team)
    ExperimentMember.objects.filter(experiment=experiment, rep=rep).update(arm="A")
    ExperimentMember.objects.filter(experiment=experiment, rep=teammate).update(arm="B")
    # A: 4 of 20 (20 %), B: 12 of 20 (60 %): +200 %, p = 0.0098
    for index in range(20):
        lead = move(rep, dt.date(2026, 6, 2), "trial")
        if index < 4:
            move(rep, dt.date(2026, 6, 3), "proposal", lead=lead, from_stage="trial")
        lead = move(teammate, dt.date(2026, 6, 2), "trial")
        if index < 12:
            move(teammate, dt.date(2026, 6, 3), "proposal", lead=lead, from_stage="trial")
    measured = experiments.experiment_measure(experiment, dt.date(2026, 6, 30), 15)
    assert measured.uplift == pytest.approx(2.0)
    assert measured.p_value == pytest.approx(0.009823, abs=1e-6)
    assert measured.verdict == Experiment.Verdict.PASS
    # the admin raises the bar above the uplift: not proven
    assert (
        experiments.experiment_measure(experiment, dt.date(2026, 6, 30), 201).verdict
        == Experiment.Verdict.NOT_PROVEN
    )


# --- the pages --------------------------------------------------------------------------------


def test_the_result_page_shows_what_a_statistician_checks(login, measured_world, manager):
    experiments.experiment_measure(measured_world, dt.date(2026, 6, 30), 15)
    page = login(manager).get(measured_world.get_absolute_url()).content.decode()
    for figure in ('id="n-a">5<', 'id="x-a">2<', 'id="n-b">4<', 'id="x-b">3<', "87.5 %", "0.2937"):
        assert figure in page
    assert re.search(r"95\.0 ?% ?(interval|置信区间)", page)


def test_who_sees_an_experiment(
    client, measured_world, rep, teammate, manager, director, outsider, other_manager
):
    url = measured_world.get_absolute_url()
    for user in (rep, teammate, manager, director):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    for user in (outsider, other_manager):
        client.force_login(user)
        assert client.get(url).status_code == 404, user


def test_the_form_refuses_bad_input_and_saves_nothing(login, rep, teammate, manager, scripts):
    client = login(manager)
    base = {
        "name": "x",
        "script_a": scripts[0].pk,
        "script_b": scripts[1].pk,
        "from_stage": "trial",
        "to_stage": "proposal",
        "team": rep.team_id,
        "starts_on": "2026-06-01",
        "ends_on": "2026-06-30",
        "alpha": "0.05",
    }
    bad = [
        {"script_b": scripts[0].pk},
        {"to_stage": "new"},
        {"ends_on": "", "min_sample": ""},
        {"ends_on": "2026-05-01"},
        {"alpha": "0.5"},
        {"min_sample": "-3"},
        {"starts_on": "9999-12-31"},
        {"team": "999999"},
    ]
    for change in bad:
        response = client.post(reverse("enablement:experiments"), {**base, **change})
        assert response.status_code == 200, change
    assert Experiment.objects.count() == 0
    response = client.post(reverse("enablement:experiments"), base)
    assert response.status_code == 302
    assert Experiment.objects.get().members.count() == 2


def test_the_list_page_bounds_its_queries(login, rep, teammate, manager, scripts):
    def queries(user):
        client = login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("enablement:experiments")).status_code == 200
        return len(captured)

    _experiment(manager, scripts, rep.team)
    one = {user: queries(user) for user in (manager, rep)}
    for _ in range(6):
        _experiment(manager, scripts, rep.team)
    assert {user: queries(user) for user in (manager, rep)} == one
    assert max(one.values()) <= 40

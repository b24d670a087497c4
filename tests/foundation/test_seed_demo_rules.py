"""The demo is data the app could have produced: renewals flagged by the app's rule, nothing
done by a rep before their hire date, no targets before a rep's hire month, leads won and lost
along the funnel with a signal the win-probability model finds but cannot make certain."""

import datetime as dt
import random
from decimal import Decimal as D

import pytest
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import transaction
from django.db.models import Exists, F, OuterRef

from customers.models import Contract
from leads.models import Activity, Lead, StageChange
from salescrm.demo import DemoContext, registered_seeders
from salescrm.org_demo import seed_organisation
from targets.models import PlanMember, Target

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One seeded demo (seed 2026) for the module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = DemoContext(today=TODAY, rng=random.Random(2026), log=lambda s: None)
        seed_organisation(ctx)
        for _order, _name, seeder in registered_seeders():
            seeder(ctx)
        yield ctx
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_demo_renewals_are_exactly_the_contracts_the_renewal_rule_flags(demo):
    continues = (
        Contract.objects.filter(customer=OuterRef("customer_id"))
        .exclude(pk=OuterRef("pk"))
        .continued_by(starts_on=OuterRef("starts_on"))
    )
    contracts = Contract.objects.annotate(rule=Exists(continues))
    assert contracts.filter(is_renewal=True).exists()
    wrong = list(
        contracts.exclude(is_renewal=F("rule")).values_list("number", "is_renewal", "rule")
    )
    assert wrong == []


@pytest.mark.django_db
def test_demo_has_no_work_of_a_rep_before_their_hire_date(demo):
    # rep5, rep10 and rep15 joined this autumn
    for number in (5, 10, 15):
        assert demo.users[f"rep{number}"].hire_date.year == TODAY.year
    assert not Contract.objects.filter(signed_on__lt=F("owner__hire_date")).exists()
    assert not Contract.objects.filter(created_at__date__lt=F("owner__hire_date")).exists()
    assert not Lead.objects.filter(created_at__date__lt=F("created_by__hire_date")).exists()
    assert not Lead.objects.filter(assigned_at__date__lt=F("owner__hire_date")).exists()
    assert not Activity.objects.filter(occurred_at__date__lt=F("actor__hire_date")).exists()


@pytest.mark.django_db
def test_demo_targets_start_in_the_hire_month(demo):
    joiners = [demo.users[f"rep{number}"] for number in (5, 10, 15)]
    for rep in joiners:
        hire_month = rep.hire_date.replace(day=1)
        targets = Target.objects.filter(level="rep", rep=rep)
        assert targets.filter(month__gte=hire_month, value__gt=0).exists()
        assert not targets.filter(month__lt=hire_month, value__gt=0).exists()
        # last year's plan, made before they were hired, does not hold them
        assert not PlanMember.objects.filter(rep=rep, plan__year__lt=rep.hire_date.year).exists()
        assert set(PlanMember.objects.filter(rep=rep).values_list("first_month", flat=True)) == {
            rep.hire_date.month
        }


@pytest.mark.django_db
def test_demo_history_makes_the_seasonal_forecast_usable(demo, settings):
    """The demo's signed amounts follow the training year (peaks in January, March and
    September, lows in February and the summer) on a growing business, with modest noise, so
    the forecast of next quarter back-tests well under the 30 % "not usable" limit. Measured
    on this demo (seed 2026, today 2026-11-22): 10.4 % for the signed amount and 6.9 % for
    the enrolments; a looser bound here leaves room for other apps' seeders drawing first."""
    from performance import dashboards
    from performance.dashboards.manager import USABLE_MAPE, forecast_rows
    from performance.facts import dashboard_facts_compute
    from salescrm.models import User

    settings.DASHBOARD_CACHE_SECONDS = 0
    dashboard_facts_compute(day=TODAY - dt.timedelta(days=1))
    director = User.objects.get(username="director")
    every = forecast_rows(dashboards.Data(dashboards.scope_for(director, today=TODAY)))
    # the quarter in progress, pipeline-weighted (the demo has a win-probability model), and
    # the two statistical projections of next quarter
    assert [row.pipeline for row in every] == [True, False, False]
    assert every[0].point > 0
    rows = every[1:]
    for row in rows:
        assert row.usable, row.verdict
        assert row.months_of_history == 34
        assert row.mape <= 20 < USABLE_MAPE


@pytest.mark.django_db
def test_demo_trains_the_win_probability_model(demo):
    from analytics.models import LeadWinProbability, WinModelRun

    run = WinModelRun.objects.get(run_on=TODAY - dt.timedelta(days=1))
    assert run.status == WinModelRun.Status.OK
    assert run.scored == LeadWinProbability.objects.count() > 0
    open_leads = Lead.objects.exclude(stage__in=["won", "lost"])
    assert not open_leads.exclude(pk__in=LeadWinProbability.objects.values("lead_id")).exists()
    # a real but imperfect signal: the back-test ranks a won lead above a lost one about three
    # times in four (measured on this demo: AUC 0.7256 on SQLite and PostgreSQL alike), not
    # the 0.99 of a history where every won lead went straight from new to won
    assert run.holdout_rows > 500 and 0 < run.holdout_won < run.holdout_rows
    assert D("0.65") <= run.auc <= D("0.85")


@pytest.mark.django_db
def test_demo_leads_are_won_and_lost_along_the_funnel(demo):
    """Closed demo leads went through the funnel's stages (changes and follow-ups on the way),
    are won from the later stages and lost from every one, and the won ones share the other
    leads' features: the customers' won leads too."""
    closing = dict(
        StageChange.objects.filter(to_stage__in=["won", "lost"])
        .values_list("to_stage")
        .annotate(stages=ArrayAgg("from_stage", distinct=True))
    )
    assert set(closing["won"]) >= {"contacted", "trial", "proposal", "negotiation"}
    assert set(closing["lost"]) >= {"new", "contacted", "needs_analysis", "trial", "proposal"}
    won = Lead.objects.filter(stage="won")
    # every won lead, the customers' included, came through at least one stage before winning
    assert not won.exclude(
        Exists(StageChange.objects.filter(lead=OuterRef("pk"), from_stage="contacted"))
    ).exists()
    assert not won.exclude(Exists(Activity.objects.filter(lead=OuterRef("pk")))).exists()
    # the customers' won leads carry the features of the others: a score, sometimes a budget
    customers_leads = won.filter(customer__isnull=False)
    assert customers_leads.filter(score__gt=0).count() > customers_leads.count() // 2
    assert customers_leads.filter(budget__isnull=True).exists()
    assert customers_leads.filter(budget__gt=0).exists()
    # a trial lesson helps, it does not decide
    trial = Exists(Activity.objects.filter(lead=OuterRef("pk"), kind="trial_lesson"))
    closed = Lead.objects.filter(stage__in=["won", "lost"]).annotate(trial=trial)
    rates = []
    for attended in (True, False):
        group = closed.filter(trial=attended)
        rates.append(group.filter(stage="won").count() / group.count())
    assert 0 < rates[1] < rates[0] < 1

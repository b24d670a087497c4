"""Two teams' worth of records of every kind the API serves, and API clients that send a
personal token (tests/api)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import token_create
from customers import services as customer_services
from customers.models import Contract
from documents.services import document_upload
from leads import services as lead_services
from leads.models import Channel
from performance.models import CommissionPlan, CommissionStatement, KpiScheme, ScoreCard, ScoreLine
from salescrm.models import Notification
from salescrm.services import notify
from targets.models import Target, TargetPlan
from tests.customers.factories import CustomerFactory, ProductFactory, make_contract

TODAY = dt.date(2026, 11, 16)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    """Uploaded files go to the test's own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def pinned_day(clock):
    clock.set(TODAY)
    return TODAY


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api(db):
    """api(user, scope="write") -> an APIClient sending a fresh personal token of `user`."""

    def _client(user, scope="write"):
        _token, raw = token_create(user=user, name=f"test {scope}", scope=scope)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return _client


def _records(owner, *, scheme, commission_plan, tag: str) -> dict:
    """One of each record for `owner`: a lead with a follow-up, a customer with a signed
    contract (two instalments, one payment) and a draft, a scorecard, a statement, an alert."""
    channel = Channel.objects.get_or_create(code="website", defaults={"name": "官网表单"})[0]
    lead = lead_services.lead_create(
        actor=owner, name=f"学员{tag}", phone=f"1380000{tag}", channel=channel
    )
    activity = lead_services.activity_log(
        lead=lead, actor=owner, kind="phone", outcome="called", feedback=""
    )
    product = ProductFactory(list_price=Decimal("1000.00"))
    customer = CustomerFactory(owner=owner)
    signed = make_contract(
        owner,
        customer=customer,
        lines=[(product, 2, "0")],
        plan=[
            {"due_on": dt.date(2026, 10, 1), "amount": None},
            {"due_on": dt.date(2026, 12, 1), "amount": None},
        ],
    )
    Contract.objects.filter(pk=signed.pk).update(
        status=Contract.Status.SIGNED, signed_on=dt.date(2026, 9, 20)
    )
    signed.refresh_from_db()
    instalment = signed.instalments.order_by("sequence").first()
    payment = customer_services.payment_record(
        instalment=instalment,
        actor=owner,
        amount=Decimal("500.00"),
        received_on=dt.date(2026, 10, 2),
        method="bank_transfer",
    )
    draft = make_contract(owner, customer=customer, lines=[(product, 1, "0")])
    card = ScoreCard.objects.create(
        person=owner,
        period_kind="month",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        scheme=scheme,
        total_score=Decimal("88.50"),
        computed_at=timezone.now(),
    )
    ScoreLine.objects.create(
        scorecard=card,
        kpi="effective_visits",
        actual=Decimal("17"),
        target=Decimal("20"),
        score=Decimal("85.00"),
        weight=Decimal("100"),
        weighted_score=Decimal("85.00"),
    )
    statement = CommissionStatement.objects.create(
        rep=owner,
        month=dt.date(2026, 10, 1),
        plan=commission_plan,
        team=owner.team,
        base_kind="collected",
        base_amount=Decimal("500.00"),
        commission=Decimal("15.00"),
        team_bonus=Decimal("0"),
        total=Decimal("15.00"),
        computed_at=timezone.now(),
    )
    document = document_upload(
        actor=owner,
        record=lead,
        uploaded=SimpleUploadedFile(f"scan-{tag}.pdf", PDF, content_type="application/pdf"),
        kind="id_copy",
    )
    notify(recipient=owner, kind="overdue", key=f"test-{tag}", title=f"Alert {tag}")
    notification = Notification.objects.get(recipient=owner, key=f"test-{tag}")
    return {
        "lead": lead,
        "activity": activity,
        "customer": customer,
        "contract": signed,
        "draft": draft,
        "instalment": signed.instalments.order_by("sequence").last(),
        "payment": payment,
        "scorecard": card,
        "statement": statement,
        "notification": notification,
        "document": document,
    }


@pytest.fixture
def world(rep, manager, teammate, outsider, other_manager, director):
    """Records of the rep (team A) and of the outsider (team B), and a published plan with
    targets for both teams and reps."""
    scheme = KpiScheme.objects.create(role="rep", name="Reps", effective_from=dt.date(2026, 1, 1))
    commission_plan = CommissionPlan.objects.create(name="v1", effective_from=dt.date(2026, 1, 1))
    mine = _records(rep, scheme=scheme, commission_plan=commission_plan, tag="0001")
    theirs = _records(outsider, scheme=scheme, commission_plan=commission_plan, tag="0002")
    plan = TargetPlan.objects.create(
        year=2026,
        metric="signed_amount",
        annual_value=Decimal("0"),
        status="published",
        created_by=director,
    )
    for owner, bucket in ((rep, mine), (outsider, theirs)):
        bucket["team_target"] = Target.objects.create(
            plan=plan, level="team", team=owner.team, month=dt.date(2026, 11, 1), value=Decimal(900)
        )
        bucket["target"] = Target.objects.create(
            plan=plan,
            level="rep",
            team=owner.team,
            rep=owner,
            month=dt.date(2026, 11, 1),
            value=Decimal(300),
        )
    return {"mine": mine, "theirs": theirs, "plan": plan}

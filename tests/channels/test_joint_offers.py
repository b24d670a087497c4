"""Joint offers with partner companies (异业合作): the offer's rules on both sides, a lead
carrying the offer that brought it (lead page, public claim page), the contract showing it,
and the per-offer report with figures worked by hand.

Today is 2026-06-15. Products: 课程A (line "courses", ¥8,000) and 英语B (line "english",
¥5,000).

- 员工八五折 (15 % off the "courses" line, 2026-06-01 – 2026-08-31) brought three leads; two
  signed: contract 1 = A + B = ¥13,000 (¥6,000 received), contract 2 = A = ¥8,000 (¥8,000
  received). Discount: 15 % of the "courses" part of each: 8,000 × 15 % + 8,000 × 15 % =
  ¥2,400.00. Signed ¥21,000.00, collected ¥14,000.00, 2 signed customers, 3 leads.
- 家属立减 (¥800 off, every line) brought one lead, who signed B = ¥5,000: discount ¥800.00.

Refusals are matched in Simplified Chinese, the site's default language."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from channels.models import JointOffer, LeadOffer, Partner, PartnerLead
from channels.selectors import contract_offer, offer_rows
from channels.services import ChannelError, offer_capture, offer_choose, offer_save
from customers.models import Contract, Payment
from leads.models import Lead, LeadSettings
from salescrm.models import ProductLine
from tests.customers.factories import CustomerFactory, ProductFactory, make_contract

from .factories import make_partner

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def today(clock):
    clock.set(TODAY)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lines(db):
    courses = ProductLine.objects.get_or_create(code="courses", defaults={"name": "课程"})[0]
    english = ProductLine.objects.get_or_create(code="english", defaults={"name": "英语"})[0]
    return courses, english


@pytest.fixture
def products(lines):
    courses, english = lines
    return (
        ProductFactory(name="课程A", product_line=courses, list_price=D("8000.00")),
        ProductFactory(name="英语B", product_line=english, list_price=D("5000.00")),
    )


@pytest.fixture
def company(manager):
    return make_partner(manager, name="华信科技", kind=Partner.Kind.COMPANY)


def _offer(company, manager, *, product_lines=(), **terms):
    fields = {
        "title": "员工八五折",
        "kind": JointOffer.Kind.PERCENT,
        "discount_percent": D("15"),
        "valid_from": dt.date(2026, 6, 1),
        "valid_until": dt.date(2026, 8, 31),
    }
    fields.update(terms)
    return offer_save(
        actor=manager, offer=JointOffer(partner=company, **fields), product_lines=product_lines
    )


def _signed(rep, customer, lines, day, paid=None):
    contract = make_contract(
        rep,
        customer=customer,
        lines=[(product, 1, "0") for product in lines],
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    Contract.objects.filter(pk=contract.pk).update(status="signed", signed_on=day)
    if paid:
        Payment.objects.create(
            contract=contract,
            instalment=contract.instalments.first(),
            amount=D(paid),
            received_on=day,
            method="bank_transfer",
            recorded_by=rep,
        )
    return contract


# --- the offer's rules ----------------------------------------------------------------------


def test_an_offer_is_made_with_a_partner_company_only(manager, company, lines):
    agent = make_partner(manager, name="星辰代理", kind=Partner.Kind.AGENT)
    with pytest.raises(ChannelError, match="异业合作企业设立"):
        _offer(agent, manager)
    assert not JointOffer.objects.filter(partner=agent).exists()
    assert _offer(company, manager, product_lines=[lines[0]]).pk


def test_an_ended_partner_makes_no_new_offer(manager, company):
    Partner.objects.filter(pk=company.pk).update(status=Partner.Status.ENDED)
    company.refresh_from_db()
    with pytest.raises(ChannelError, match="合作已终止"):
        _offer(company, manager)
    Partner.objects.filter(pk=company.pk).update(status=Partner.Status.WARNED)
    company.refresh_from_db()
    assert _offer(company, manager).pk  # warned is still a partner


def test_an_amount_off_cannot_exceed_the_price_it_applies_to(manager, company, lines, products):
    courses, _english = lines
    with pytest.raises(ChannelError, match="优惠不能超过价格"):
        _offer(
            company,
            manager,
            kind=JointOffer.Kind.AMOUNT,
            discount_amount=D("8000.01"),
            product_lines=[courses],
        )
    assert not JointOffer.objects.exists()
    # exactly the price of 课程A is allowed
    offer = _offer(
        company,
        manager,
        kind=JointOffer.Kind.AMOUNT,
        discount_amount=D("8000.00"),
        product_lines=[courses],
    )
    assert list(offer.product_lines.all()) == [courses]
    # on every line the cheapest product is 英语B at 5,000
    with pytest.raises(ChannelError, match="英语B"):
        _offer(company, manager, kind=JointOffer.Kind.AMOUNT, discount_amount=D("5000.01"))


@pytest.mark.parametrize(
    ("terms", "accepted"),
    [
        ({"discount_percent": D("0")}, False),
        ({"discount_percent": D("100")}, False),
        ({"discount_percent": D("99.99")}, True),
        ({"kind": JointOffer.Kind.BUNDLE, "discount_percent": D("0")}, False),
        ({"kind": JointOffer.Kind.BUNDLE, "bundled_service": "免费测评"}, True),
        ({"kind": JointOffer.Kind.AMOUNT, "discount_amount": D("0")}, False),
        ({"valid_until": dt.date(2026, 5, 31)}, False),
        ({"valid_until": dt.date(2026, 6, 1)}, True),
    ],
)
def test_the_terms_are_checked(manager, company, products, terms, accepted):
    if accepted:
        assert _offer(company, manager, **terms).pk
    else:
        with pytest.raises(ChannelError):
            _offer(company, manager, **terms)
        assert not JointOffer.objects.exists()


def test_only_managers_directors_and_admins_make_offers(rep, finance, director, company):
    for someone in (rep, finance):
        with pytest.raises(PermissionDenied):
            _offer(company, someone)
    assert _offer(company, director).pk


# --- a lead carries the offer --------------------------------------------------------------


@pytest.fixture
def lead(rep):
    return CustomerFactory(owner=rep).lead


@pytest.mark.parametrize(
    ("terms", "refused"),
    [
        ({"valid_until": dt.date(2026, 6, 14)}, "已于 2026-06-14 到期"),
        ({"valid_until": TODAY}, None),
        ({"valid_from": dt.date(2026, 6, 16)}, "自 2026-06-16 起生效"),
        ({"valid_from": TODAY}, None),
        ({"status": JointOffer.Status.WITHDRAWN}, "未在进行中"),
        ({"status": JointOffer.Status.DRAFT}, "未在进行中"),
    ],
)
def test_a_lead_takes_only_a_running_offer(rep, manager, company, lead, terms, refused):
    offer = _offer(company, manager, **terms)
    if refused:
        with pytest.raises(ChannelError, match=refused):
            offer_choose(actor=rep, offer=offer, lead=lead)
        assert not LeadOffer.objects.exists()
    else:
        offer_choose(actor=rep, offer=offer, lead=lead)
        assert LeadOffer.objects.get(lead=lead).offer == offer


def test_an_ended_partners_offer_is_refused(rep, manager, company, lead):
    offer = _offer(company, manager)
    Partner.objects.filter(pk=company.pk).update(status=Partner.Status.ENDED)
    with pytest.raises(ChannelError, match="合作已终止"):
        offer_choose(actor=rep, offer=offer, lead=lead)
    assert not LeadOffer.objects.exists()
    assert not PartnerLead.objects.filter(lead=lead).exists()


def test_one_offer_per_lead_and_the_partner_is_credited_once(rep, manager, company, lead):
    first = _offer(company, manager)
    second = _offer(company, manager, title="家属立减")
    offer_choose(actor=rep, offer=first, lead=lead)
    assert PartnerLead.objects.get(lead=lead).partner == company
    with pytest.raises(ChannelError, match="已带有优惠"):
        offer_choose(actor=rep, offer=second, lead=lead)
    assert LeadOffer.objects.get(lead=lead).offer == first


def test_a_lead_already_credited_to_another_partner_keeps_its_partner(rep, manager, company, lead):
    agent = make_partner(manager, name="星辰代理")
    PartnerLead.objects.create(lead=lead, partner=agent)
    offer_choose(actor=rep, offer=_offer(company, manager), lead=lead)
    assert PartnerLead.objects.get(lead=lead).partner == agent
    assert LeadOffer.objects.get(lead=lead).offer.partner == company


def test_finance_cannot_choose_an_offer(finance, manager, company, lead):
    with pytest.raises(PermissionDenied):
        offer_choose(actor=finance, offer=_offer(company, manager), lead=lead)


def test_the_lead_page_chooses_a_running_offer(client, rep, manager, company, lead, teammate):
    offer = _offer(company, manager)
    _offer(company, manager, title="过期优惠", valid_until=dt.date(2026, 6, 14))
    client.force_login(rep)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "员工八五折" in page and "过期优惠" not in page
    url = reverse("channels:lead_offer_choose", args=[lead.pk])
    client.post(url, {"offer": offer.pk})
    assert LeadOffer.objects.get(lead=lead).offer == offer
    assert "员工八五折" in client.get(lead.get_absolute_url()).content.decode()
    # another rep's lead: 404, nothing written
    other = CustomerFactory(owner=teammate).lead
    assert (
        client.post(
            reverse("channels:lead_offer_choose", args=[other.pk]), {"offer": offer.pk}
        ).status_code
        == 404
    )
    assert not LeadOffer.objects.filter(lead=other).exists()


# --- the public claim page ----------------------------------------------------------------


def _claim(client, offer, **data):
    payload = {"name": "王小华", "phone": "13700001111", "email": "", "company": "华信科技"}
    payload.update(data)
    return client.post(reverse("channels:offer_capture", args=[offer.public_key]), payload)


@pytest.fixture
def capture_team(team):
    LeadSettings.objects.filter(pk=1).update(capture_team=team)


def test_claiming_an_offer_makes_a_lead_with_the_offer(client, manager, company, rep, capture_team):
    offer = _offer(company, manager)
    assert client.get(reverse("channels:offer_capture", args=[offer.public_key])).status_code == 200
    response = _claim(client, offer)
    assert response.status_code == 302
    lead = Lead.objects.get(phone="13700001111")
    assert LeadOffer.objects.get(lead=lead).offer == offer
    assert PartnerLead.objects.get(lead=lead).partner == company
    # the same person again: nothing stored twice
    assert _claim(client, offer).status_code == 302
    assert Lead.objects.filter(phone="13700001111").count() == 1
    assert LeadOffer.objects.filter(lead=lead).count() == 1


def test_a_known_person_keeps_their_owner_and_gets_the_offer(client, manager, company, lead):
    offer = _offer(company, manager)
    _claim(client, offer, phone=lead.phone)
    lead.refresh_from_db()
    assert LeadOffer.objects.get(lead=lead).offer == offer
    assert not PartnerLead.objects.filter(lead=lead).exists()  # whoever had it first keeps it


def test_an_expired_offer_cannot_be_claimed(client, manager, company, capture_team):
    offer = _offer(company, manager, valid_until=dt.date(2026, 6, 14))
    page = client.get(reverse("channels:offer_capture", args=[offer.public_key]))
    assert "已于 2026-06-14 到期" in page.content.decode()
    response = _claim(client, offer)
    assert response.status_code == 400
    assert not Lead.objects.filter(phone="13700001111").exists()
    with pytest.raises(ChannelError):
        offer_capture(offer=offer, name="王小华", phone="13700001111")


def test_bad_input_honeypot_and_429(client, manager, company, capture_team):
    offer = _offer(company, manager)
    response = _claim(client, offer, name="", phone="")
    assert response.status_code == 400
    assert not Lead.objects.filter(name="").exists()
    _claim(client, offer, website="http://spam", phone="13700002222")
    assert not Lead.objects.filter(phone="13700002222").exists()
    for n in range(7):
        _claim(client, offer, phone=f"1370000300{n}")
    assert _claim(client, offer, phone="13700009999").status_code == 302  # the 10th post
    assert _claim(client, offer, phone="13700008888").status_code == 429
    assert not Lead.objects.filter(phone="13700008888").exists()


# --- report, contract, pages ---------------------------------------------------------------


@pytest.fixture
def results(rep, manager, company, lines, products):
    courses, _english = lines
    a, b = products
    staff = _offer(company, manager, product_lines=[courses])
    family = _offer(
        company, manager, title="家属立减", kind=JointOffer.Kind.AMOUNT, discount_amount=D("800")
    )
    customers = [CustomerFactory(owner=rep) for _ in range(4)]
    for customer in customers[:3]:
        offer_choose(actor=rep, offer=staff, lead=customer.lead)
    offer_choose(actor=rep, offer=family, lead=customers[3].lead)
    one = _signed(rep, customers[0], [a, b], dt.date(2026, 6, 20), paid="6000.00")
    two = _signed(rep, customers[1], [a], dt.date(2026, 6, 25), paid="8000.00")
    three = _signed(rep, customers[3], [b], dt.date(2026, 6, 26))
    return staff, family, (one, two, three)


def test_the_offer_report_worked_by_hand(results, django_assert_max_num_queries):
    staff, family, _contracts = results
    with django_assert_max_num_queries(6):
        rows = {row.offer.pk: row for row in offer_rows(JointOffer.objects.all())}
    row = rows[staff.pk]
    assert (row.leads, row.signed_customers, row.signed, row.collected, row.discount) == (
        3,
        2,
        D("21000.00"),
        D("14000.00"),
        D("2400.00"),
    )
    row = rows[family.pk]
    assert (row.leads, row.signed_customers, row.signed, row.collected, row.discount) == (
        1,
        1,
        D("5000.00"),
        D("0"),
        D("800.00"),
    )
    # the quarter's report (Q3 2026) has none of it: everything happened in June
    quarter = {
        row.offer.pk: row
        for row in offer_rows(JointOffer.objects.all(), dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    }
    assert (quarter[staff.pk].leads, quarter[staff.pk].signed) == (0, D("0"))


def test_a_contract_shows_the_offer_and_its_discount(client, rep, results):
    _staff, _family, (one, _two, three) = results
    offer, discount = contract_offer(one)
    assert (offer.title, discount) == ("员工八五折", D("1200.00"))
    client.force_login(rep)
    page = client.get(one.get_absolute_url()).content.decode()
    assert "员工八五折" in page and "1200.00" in page
    assert contract_offer(three)[1] == D("800.00")


def test_partner_page_and_review_show_the_report(
    client, manager, director, company, results, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(40):
        page = client.get(company.get_absolute_url())
    html = page.content.decode()
    assert "员工八五折" in html and "2400.00" in html and "21000.00" in html
    client.force_login(director)
    review = client.get(reverse("channels:partner_review") + "?quarter=2026-04").content.decode()
    assert "家属立减" in review and "800.00" in review


def test_offer_pages_are_scoped_to_the_partners_manager(
    client, manager, other_manager, company, results
):
    staff, _family, _contracts = results
    client.force_login(other_manager)
    for name in ("channels:offer_detail", "channels:offer_edit", "channels:offer_qr"):
        assert client.get(reverse(name, args=[staff.pk])).status_code == 404
    assert client.get(reverse("channels:offer_create", args=[company.pk])).status_code == 404
    client.force_login(manager)
    detail = client.get(reverse("channels:offer_detail", args=[staff.pk]))
    assert detail.status_code == 200 and "21000.00" in detail.content.decode()
    assert client.get(reverse("channels:offer_qr", args=[staff.pk]))["Content-Type"] == (
        "image/svg+xml"
    )


def test_the_offer_form_refuses_a_discount_above_the_price(
    client, manager, company, lines, products
):
    courses, _english = lines
    client.force_login(manager)
    url = reverse("channels:offer_create", args=[company.pk])
    data = {
        "title": "立减一万",
        "kind": "amount",
        "discount_amount": "10000",
        "discount_percent": "0",
        "bundled_service": "",
        "terms": "",
        "valid_from": "2026-06-15",
        "valid_until": "2026-07-15",
        "product_lines": [courses.pk],
        "status": "active",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "优惠不能超过价格" in response.content.decode()
    assert not JointOffer.objects.exists()
    data["discount_amount"] = "1000"
    response = client.post(url, data)
    offer = JointOffer.objects.get()
    assert response["Location"] == offer.get_absolute_url()
    assert (offer.partner, offer.discount_amount) == (company, D("1000.00"))


@pytest.mark.parametrize(
    ("percent", "shown"), [("10.00", "10 % off"), ("12.50", "12.5 % off"), ("15", "15 % off")]
)
def test_the_summary_of_a_percentage(percent, shown):
    from django.utils import translation

    with translation.override("en"):
        assert JointOffer(kind="percent", discount_percent=D(percent)).summary == shown


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Discount given", "Joint offers", "Leads with this offer", "Claim the offer"]),
        ("zh-hans", ["已给予优惠", "异业合作优惠", "带有此优惠的线索", "领取优惠"]),
    ],
)
def test_the_offer_pages_speak_the_readers_language(
    client, manager, company, results, language, words
):
    from django.conf import settings

    staff, _family, _contracts = results
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(manager)
    pages = [
        client.get(company.get_absolute_url()),
        client.get(staff.get_absolute_url()),
        client.get(reverse("channels:offer_capture", args=[staff.public_key])),
    ]
    html = " ".join(page.content.decode() for page in pages)
    for word in words:
        assert word in html

"""Date inputs carry ISO values whatever the language: <input type="date"> drops the Chinese
localised 2026/12/22, which blanked every date of the contract edit page."""

import datetime as dt
import re

import pytest

from .factories import make_contract

pytestmark = pytest.mark.django_db


def input_tag(page, name):
    return re.search(rf'<input [^>]*name="{re.escape(name)}"[^>]*>', page).group(0)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_contract_edit_renders_iso_dates_in_every_language(rep, login, language):
    contract = make_contract(
        rep,
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 22),
        plan=[{"due_on": dt.date(2026, 12, 22), "amount": None}],
    )
    client = login(rep)
    page = client.get(
        f"/customers/contracts/{contract.pk}/edit/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert 'value="2026-12-22"' in input_tag(page, "ends_on")
    assert 'value="2026-09-01"' in input_tag(page, "starts_on")
    assert 'value="2026-12-22"' in input_tag(page, "plan-0-due_on")
    assert "2026/12/22" not in page


def test_date_inputs_offer_the_business_range(rep, login):
    from salescrm.timeutil import latest_business_date

    contract = make_contract(rep)
    page = login(rep).get(f"/customers/contracts/{contract.pk}/edit/").content.decode()
    tag = input_tag(page, "ends_on")
    assert 'type="date"' in tag
    assert 'min="2000-01-01"' in tag
    assert f'max="{latest_business_date():%Y-%m-%d}"' in tag


def test_number_inputs_carry_plain_decimals_in_chinese(rep, login):
    contract = make_contract(rep, plan=[{"due_on": dt.date(2026, 9, 1), "amount": None}])
    page = login(rep).get(f"/customers/contracts/{contract.pk}/edit/").content.decode()
    assert 'value="1000.00"' in input_tag(page, "plan-0-amount")
    assert 'value="0.0000"' in input_tag(page, "lines-0-discount_rate")

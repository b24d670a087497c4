import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from leads.normalise import normalise_email, normalise_phone


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "0086 13812345678",
        "8613812345678",
        "138-1234-5678",
        " (138) 1234 5678 ",
        "１３８１２３４５６７８",  # full-width digits typed with a Chinese IME
    ],
)
def test_chinese_mobile_numbers_normalise_to_eleven_digits(raw):
    assert normalise_phone(raw) == "13812345678"


def test_landline_keeps_its_area_code():
    assert normalise_phone("010-8765 4321") == "01087654321"


def test_empty_phone_stays_empty():
    assert normalise_phone("  ") == ""


@pytest.mark.parametrize(
    "raw", ["12345", "1381234567", "23812345678", "+1 415 555 0100", "abc", "138123456789"]
)
def test_bad_phone_numbers_are_rejected(raw):
    with pytest.raises(ValidationError):
        normalise_phone(raw)


def test_email_is_lower_cased_and_trimmed():
    assert normalise_email("  Wang.Wei@Example.COM ") == "wang.wei@example.com"


def test_bad_email_is_rejected():
    with pytest.raises(ValidationError):
        normalise_email("not-an-email")


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.sampled_from(["", "+86 ", "0086", "86", "+86-"]),
)
def test_any_formatting_of_a_mobile_normalises_to_the_same_number(number, prefix):
    spaced = f"{prefix}{number[:3]} {number[3:7]}-{number[7:]}"
    assert normalise_phone(spaced) == number
    assert normalise_phone(normalise_phone(spaced)) == number

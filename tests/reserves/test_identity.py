import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from reserves.identity import birth_date_of, check_char, normalize_phone, sex_of, validate_id, validate_phone

KNOWN_GOOD = "11010519491231002X"


def error_of(raw):
    with pytest.raises(ValidationError) as exc:
        validate_id(raw)
    return exc.value.messages[0]


def test_known_good_number_is_accepted_and_derives_birth_and_sex():
    assert validate_id(KNOWN_GOOD) == KNOWN_GOOD
    assert birth_date_of(KNOWN_GOOD) == datetime.date(1949, 12, 31)
    assert sex_of(KNOWN_GOOD) == "F"  # 17th digit 2 is even


def test_lower_case_x_is_normalised():
    assert validate_id("11010519491231002x") == KNOWN_GOOD


def test_full_width_digits_are_normalised_not_misreported():
    assert validate_id("１１０１０５１９４９１２３１００２Ｘ") == KNOWN_GOOD


def test_spaces_and_zero_width_characters_are_removed():
    assert validate_id(" \u200b110105 19491231\u200d002X\ufeff\u3000") == KNOWN_GOOD


def test_wrong_check_character_is_refused_in_chinese():
    assert "校验位不正确" in error_of("110105194912310021")


def test_old_15_digit_number_gets_its_own_message():
    assert "15位" in error_of("110105491231002")


def test_impossible_birth_date_is_refused():
    body = "51142519490230001"
    assert "出生日期“19490230”不存在" in error_of(body + check_char(body))


def test_future_birth_date_is_refused():
    future = datetime.date.today() + datetime.timedelta(days=400)
    body = f"511425{future:%Y%m%d}001"
    assert "晚于今天" in error_of(body + check_char(body))


def test_unknown_province_prefix_is_refused_but_abolished_county_code_is_not_checked():
    body = "99142519900101001"
    assert "省级行政区划代码" in error_of(body + check_char(body))
    old = "51999919900101001"  # county 5199xx does not exist: accepted, old cards keep old codes
    assert validate_id(old + check_char(old)) == old + check_char(old)


def test_wrong_length_and_letters_are_explained():
    assert "18位" in error_of("1234")
    assert "前17位须为数字" in error_of("11010519491231A02X")
    assert "请填写" in error_of("   ")


@given(position=st.integers(min_value=0, max_value=16), delta=st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_among_the_first_17_is_caught(position, delta):
    digits = list(KNOWN_GOOD)
    digits[position] = str((int(digits[position]) + delta) % 10)
    changed = "".join(digits)
    with pytest.raises(ValidationError):
        validate_id(changed)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(raw, expected):
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, fragment",
    [("1380013800", "11位"), ("12345678901", "13至19"), ("138001380001", "11位"), ("1380013800a", "数字")],
)
def test_bad_phone_numbers_are_refused_in_chinese(raw, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_phone(raw)
    assert fragment in exc.value.messages[0]


def test_normalize_phone_strips_country_code_only_at_start():
    assert normalize_phone("+8613800138000") == "13800138000"

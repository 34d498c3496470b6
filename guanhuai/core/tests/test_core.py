import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from guanhuai.core import crypto
from guanhuai.core.errors import ValidationError
from guanhuai.core.text import name_pinyin, to_traditional
from guanhuai.core.validators import (
    id_check_char,
    parse_resident_id,
    validate_credit_code,
    validate_division_code,
)


@pytest.mark.parametrize("number", ["11010519491231002X", "34052419800101001X"])
def test_domain_examples_of_resident_ids_are_valid(number):
    rid = parse_resident_id(number)
    assert rid.number == number
    assert rid.sex == ("female" if int(number[16]) % 2 == 0 else "male")


def test_resident_id_gives_birth_date_and_sex():
    rid = parse_resident_id("11010519491231002x")
    assert rid.birth_date.isoformat() == "1949-12-31"
    assert rid.sex == "female"


def test_wrong_check_digit_says_which_digit_is_expected():
    with pytest.raises(ValidationError, match="最后一位应为 X"):
        parse_resident_id("110105194912310021")


def test_17_digit_id_is_rejected_with_its_length():
    with pytest.raises(ValidationError, match="当前为17位"):
        parse_resident_id("11010519491231002")


def test_impossible_birth_date_is_rejected():
    with pytest.raises(ValidationError, match="不存在"):
        parse_resident_id("110105194902300029")


def test_legacy_15_digit_id_is_upgraded_and_original_kept():
    rid = parse_resident_id("110105491231002")
    assert rid.number == "11010519491231002X"
    assert rid.legacy == "110105491231002"


def test_area_code_is_not_checked_against_current_divisions():
    # 000000 is not an area code anyone lives in today; the checksum still decides.
    body = "00000019800101001"
    from guanhuai.core.validators import id_check_char

    assert parse_resident_id(body + id_check_char(body)).birth_date.year == 1980


def test_a_child_born_today_in_beijing_is_valid_while_the_server_clock_is_still_on_yesterday(monkeypatch):
    # given: 01:00 in Beijing, still 17:00 of the day before in UTC (the machine's clock), two days ahead
    beijing = dt.datetime.now(dt.UTC).astimezone(ZoneInfo("Asia/Shanghai")) + dt.timedelta(days=2)
    beijing = beijing.replace(hour=1, minute=0)
    monkeypatch.setattr(timezone, "now", lambda: beijing.astimezone(dt.UTC))
    born = beijing.date()
    body = f"110105{born:%Y%m%d}002"
    # when / then: born "today" is a real birth date; tomorrow is not
    assert parse_resident_id(body + id_check_char(body)).birth_date == born
    later = f"110105{born + dt.timedelta(days=1):%Y%m%d}002"
    with pytest.raises(ValidationError) as exc:
        parse_resident_id(later + id_check_char(later))
    assert exc.value.code == "id_number_date"


def test_credit_code_examples_from_domain():
    assert validate_credit_code("91110000600037341L") == "91110000600037341L"
    with pytest.raises(ValidationError):
        validate_credit_code("91350203M0001QAY9B")


@pytest.mark.parametrize(
    ("code", "level", "ok"),
    [
        ("440000", "province", True),
        ("440200", "city", True),
        ("440224", "county", True),
        ("440224100000", "township", True),
        ("440224", "city", False),
        ("4402", "county", False),
        ("440200", "county", False),
        ("44022410000", "village", False),
    ],
)
def test_division_codes_by_level(code, level, ok):
    if ok:
        assert validate_division_code(code, level) == code
    else:
        with pytest.raises(ValidationError):
            validate_division_code(code, level)


def test_pinyin_reads_surnames_correctly():
    assert name_pinyin("张枫") == ("zhangfeng", "zf")
    assert name_pinyin("曾枫") == ("zengfeng", "zf")
    assert name_pinyin("单田芳") == ("shantianfang", "stf")
    assert name_pinyin("尉迟恭") == ("yuchigong", "ycg")


def test_traditional_conversion():
    assert to_traditional("计划生育协会") == "計劃生育協會"


def test_encryption_round_trip_and_blind_index_is_keyed(settings):
    token = crypto.encrypt("11010519491231002X")
    assert "1101" not in token
    assert crypto.decrypt(token) == "11010519491231002X"
    assert crypto.encrypt("11010519491231002X") != token  # random IV
    index = crypto.blind_index("11010519491231002X", purpose="id")
    assert index == crypto.blind_index("11010519491231002X", purpose="id")
    assert index != crypto.blind_index("11010519491231002X", purpose="phone")
    settings.FIELD_KEY = "another-key-another-key-another-key"
    assert crypto.blind_index("11010519491231002X", purpose="id") != index
    with pytest.raises(ValueError):
        crypto.decrypt(token)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1e30", "amount_format"),
        ("9" * 27, "amount_too_large"),
        ("1_000", "amount_format"),
        ("NaN", "amount_format"),
        ("12.345", "amount_precision"),
        ("-5", "amount_not_positive"),
    ],
)
def test_an_amount_typed_on_a_page_or_in_a_file_is_refused_precisely_never_a_crash(typed, code):
    from guanhuai.core.errors import ValidationError
    from guanhuai.core.money import parse_amount

    with pytest.raises(ValidationError) as refused:
        parse_amount(typed)
    assert refused.value.code == code


def test_plain_amounts_still_parse():
    from decimal import Decimal

    from guanhuai.core.money import parse_amount

    assert [parse_amount(v) for v in ("123", "123.4", "¥1,234.50", 12.5)] == [
        Decimal("123.00"),
        Decimal("123.40"),
        Decimal("1234.50"),
        Decimal("12.50"),
    ]

"""Chinese resident ID numbers (GB 11643-1999) and mobile numbers: normalise, validate, derive.

Errors are raised as ValidationError with a Chinese message that names what is wrong."""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# Province-level prefixes in use (old cards keep abolished county codes, so only the first two digits are checked).
PROVINCES = (
    set(range(11, 16))
    | set(range(21, 24))
    | set(range(31, 38))
    | set(range(41, 47))
    | set(range(50, 55))
    | set(range(61, 66))
    | {71, 81, 82, 83}
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000 \t\r\n"), None)


def _fold(raw: str) -> str:
    # NFKC turns full-width digits and letters into ASCII; invisible characters are dropped.
    return unicodedata.normalize("NFKC", raw or "").translate(_INVISIBLE).strip()


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize_id(raw: str) -> str:
    """Upper-case X, half-width digits, no spaces or zero-width characters. Does not validate."""
    return _fold(raw).upper()


def validate_id(raw: str, *, today: datetime.date | None = None) -> str:
    """Return the normalised number or raise ValidationError explaining the problem."""
    value = normalize_id(raw)
    if not value:
        raise ValidationError("请填写身份证号。", code="required")
    if len(value) == 15 and value.isdigit():
        raise ValidationError("这是15位的旧身份证号，请填写18位的第二代身份证号。", code="old_id")
    if len(value) != 18:
        raise ValidationError(f"身份证号应为18位，当前为{len(value)}位。", code="length")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError("身份证号前17位须为数字，最后一位为数字或X。", code="chars")
    if int(value[:2]) not in PROVINCES:
        raise ValidationError(f"身份证号前两位“{value[:2]}”不是有效的省级行政区划代码。", code="province")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(f"身份证号中的出生日期“{value[6:14]}”不存在。", code="birth_date") from None
    today = today or datetime.date.today()
    if birth > today:
        raise ValidationError("身份证号中的出生日期晚于今天。", code="birth_future")
    if birth.year < 1900:
        raise ValidationError("身份证号中的出生日期早于1900年。", code="birth_past")
    expected = check_char(value[:17])
    if value[17] != expected:
        raise ValidationError("身份证号校验位不正确，请核对号码是否抄错。", code="checksum")
    return value


def birth_date_of(id_number: str) -> datetime.date:
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def sex_of(id_number: str) -> str:
    """'M' or 'F' from the 17th digit (odd for men)."""
    return "M" if int(id_number[16]) % 2 == 1 else "F"


def age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


_PHONE_STRIP = re.compile(r"[\s\-()（）]")


def normalize_phone(raw: str) -> str:
    value = _PHONE_STRIP.sub("", _fold(raw))
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value


def validate_phone(raw: str) -> str:
    """Return the 11-digit mobile number, or '' for an empty input; raise ValidationError otherwise."""
    value = normalize_phone(raw)
    if not value:
        return ""
    if not value.isdigit():
        raise ValidationError("手机号码只能包含数字（可带+86、空格或连字符）。", code="phone_chars")
    if len(value) != 11:
        raise ValidationError(f"手机号码应为11位，当前为{len(value)}位。", code="phone_length")
    if not re.fullmatch(r"1[3-9][0-9]{9}", value):
        raise ValidationError("手机号码应以13至19开头。", code="phone_prefix")
    return value

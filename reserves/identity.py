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
DIGITS = re.compile(r"[0-9]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000 \t\r\n"), None)


def _ascii_digits(text: str) -> str:
    """Every Unicode decimal digit (Arabic-Indic ٥, Devanagari ५, …) as its ASCII digit, so one number is stored one
    way. Other characters that str.isdigit() accepts (superscripts such as ²) are not decimal digits and stay, to be
    refused by the ASCII checks below."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def _fold(raw: str) -> str:
    # NFKC turns full-width digits and letters into ASCII; other decimal digits become ASCII; invisible characters
    # are dropped.
    return _ascii_digits(unicodedata.normalize("NFKC", raw or "")).translate(_INVISIBLE).strip()


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
    if len(value) == 15 and DIGITS.fullmatch(value):
        raise ValidationError("这是15位的旧身份证号，请填写18位的第二代身份证号。", code="old_id")
    if len(value) != 18:
        raise ValidationError(f"身份证号应为18位，当前为{len(value)}位。", code="length")
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
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
    if not DIGITS.fullmatch(value):
        raise ValidationError("手机号码只能包含数字（可带+86、空格或连字符）。", code="phone_chars")
    if len(value) != 11:
        raise ValidationError(f"手机号码应为11位，当前为{len(value)}位。", code="phone_length")
    if not re.fullmatch(r"1[3-9][0-9]{9}", value):
        raise ValidationError("手机号码应以13至19开头。", code="phone_prefix")
    return value


# The middle dots of minority and foreign names (阿依古丽·买买提); every other character of a name must be a letter.
NAME_DOTS = "·•・"


def validate_name(raw: str) -> str:
    """A person's name: letters of any script (rare CJK characters included) and the name middle dot. Control,
    formatting (right-to-left override, zero-width), symbols and emoji are refused, so a name prints as it reads."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name:
        raise ValidationError("请填写姓名。")
    bad = [ch for ch in name if not (unicodedata.category(ch).startswith("L") or ch in NAME_DOTS)]
    if bad:
        raise ValidationError("姓名只能包含文字和间隔号“·”，不能含空格、数字、符号、表情或不可见字符。")
    if name[0] in NAME_DOTS or name[-1] in NAME_DOTS:
        raise ValidationError("间隔号“·”只能在姓名中间。")
    return name

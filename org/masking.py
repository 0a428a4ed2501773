"""Masking of ID numbers and phone numbers for screens, logs and audit entries."""

import logging
import re


def mask_id(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_value(field: str, value):
    if value in (None, ""):
        return value
    value = str(value)
    if field == "id_number":
        return mask_id(value)
    if field == "phone":
        return mask_phone(value)
    return "******"


_ID_MASK_RE = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")


def mask_text(text: str) -> str:
    """Mask anything that looks like an ID number or a mobile number inside free text (logs, error pages)."""
    text = _ID_MASK_RE.sub(lambda m: m.group(1) + "********" + m.group(2)[-4:], text)
    return _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class MaskSensitiveFilter(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not stop logging
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True

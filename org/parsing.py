"""The one place query strings and raw POST values become numbers.

`str.isdigit()` is true for "²", "٥" and full-width digits, and `int()` accepts some of them: a guard written with it
lets values through that the database then rejects (or that overflow a bigint). These helpers accept only ASCII digits
within the range of the column they will be compared with, and return None (or drop the value) otherwise, so a
hostile value is refused before any query."""

BIGINT_MAX = 2**63 - 1  # primary keys (BigAutoField)
INT_MAX = 2**31 - 1


def parse_int(value, *, lo: int = 0, hi: int = INT_MAX) -> int | None:
    """An integer written in ASCII digits (an optional leading minus when lo < 0) within [lo, hi], else None."""
    if value is None:
        return None
    text = str(value).strip()
    digits = text[1:] if text.startswith("-") and lo < 0 else text
    if not digits or len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
        return None
    number = int(text)
    return number if lo <= number <= hi else None


def parse_id(value) -> int | None:
    """A primary key: 1 … the largest bigint."""
    return parse_int(value, lo=1, hi=BIGINT_MAX)


def parse_ids(values, *, limit: int = 10_000) -> list[int]:
    """The valid primary keys among `values` (others dropped), in order, without duplicates, at most `limit`."""
    seen: dict[int, None] = {}
    for value in values:
        pk = parse_id(value)
        if pk is not None:
            seen.setdefault(pk, None)
            if len(seen) >= limit:
                break
    return list(seen)


def parse_year(value, *, lo: int = 1949, hi: int = 2100) -> int | None:
    return parse_int(value, lo=lo, hi=hi)

"""Rules that explain themselves (as Weblate's `weblate/auth/permissions.py`): a verdict is true or false in an `if`,
and a refusal carries the reason to show the user, in Chinese.

    verdict = notice_verdict(notice, on=today)
    if not verdict:
        raise ValidationError(verdict.reason)
"""


class Verdict:
    """Base of `Allowed` and `Denied`. `reasons` keeps each reason; `reason` joins them with "；"."""

    allowed: bool = False

    def __init__(self, *reasons: str):
        self.reasons: tuple[str, ...] = tuple(r for r in reasons if r)

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)

    def __bool__(self) -> bool:
        return self.allowed

    def __str__(self) -> str:
        return self.reason

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(r) for r in self.reasons)})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Verdict) and (self.allowed, self.reasons) == (other.allowed, other.reasons)

    def __hash__(self) -> int:
        return hash((self.allowed, self.reasons))


class Allowed(Verdict):
    """True in an `if`; may carry a note (e.g. "公示期已满，无异议")."""

    allowed = True


class Denied(Verdict):
    """False in an `if`, but carries the message: `Denied("公示期未满：还差 2 个工作日")`."""

    allowed = False

    def __init__(self, *reasons: str):
        super().__init__(*reasons)
        if not self.reasons:
            raise ValueError("Denied needs a reason")

"""What an irreversible action will do, in words, for the confirmation the browser asks before it (static/js/app.js
reads the `data-confirm` attribute these texts go into). The consequences that depend on the county come from the
policy in force, so the question says what the county's own rules say (the re-selection ban, the stipend)."""

import datetime

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from org.parsing import parse_id
from reserves.models import CountyPolicy, Filing
from reserves.policy import county_of, policy_in_force, rule_on

register = template.Library()


# --- the words --------------------------------------------------------------------------------------------------


def ban_words(policy: CountyPolicy | None) -> str:
    """The re-selection ban as the policy words it, "" where the county has none."""
    if not rule_on(policy, "reselection_ban") or not policy.reselection_ban_years:
        return ""
    return f"按县级政策，原则上{policy.reselection_ban_years}年内不得参加选拔"


def removal_consequence(name: str, policy: CountyPolicy | None) -> str:
    parts = [f"备案后，{name}的后备干部资格将被取消"]
    if ban := ban_words(policy):
        parts.append(ban)
    if rule_on(policy, "stipend"):
        parts.append("补贴自下月起停发")
    return "；".join(parts) + "。此操作不能撤销，确定备案吗？"


def close_consequence(name: str, policy: CountyPolicy | None, status: str = "") -> str:
    """出库 (the record ends): a removal carries the county's ban, any ending stops the stipend."""
    parts = [f"出库后，{name}的后备干部资格即告结束"]
    if status == "removed" and (ban := ban_words(policy)):
        parts.append(ban)
    if rule_on(policy, "stipend"):
        parts.append("补贴自下月起停发")
    return "；".join(parts) + "。此操作不能撤销，确定出库吗？"


def use_consequence(name: str, target: str) -> str:
    return (
        f"备案后，{name}拟任{target}一事进入公示；公示期满登记任职结果，任职的，{name}即出库、"
        f"不再是后备干部。确定备案吗？"
    )


def transfer_consequence(name: str, source: str, target: str) -> str:
    return f"备案后，{name}将由{source}调往{target}，由调入乡镇管理。确定备案吗？"


def selection_consequence(title: str) -> str:
    return f"备案后，“{title}”确定的人选即入库成为后备干部，本次选拔结束。确定备案吗？"


def return_consequence(what: str, to: str) -> str:
    return f"退回后，“{what}”将退回{to}，须修改后重新报送。确定退回吗？"


# --- the county inbox ---------------------------------------------------------------------------------------------


def _subjects(filings: list[Filing]) -> dict[str, object]:
    """The objects the filings are about, one query per kind. A filing's subject is "app_label.model:pk" (see
    Chain.subject and Round.subject); the model is looked up by that label, so this low app imports none of the
    apps that file with the county."""
    by_model: dict[str, set[int]] = {}
    for f in filings:
        label, _, pk = f.subject.rpartition(":")
        if label.count(".") == 1 and (pk := parse_id(pk)) is not None:
            by_model.setdefault(label, set()).add(pk)
    found: dict[str, object] = {}
    for label, pks in by_model.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        related = [
            name for name in ("record__person", "village__parent", "target_village__parent") if _has_path(model, name)
        ]
        for obj in model.objects.filter(pk__in=pks).select_related(*related):
            found[f"{label}:{obj.pk}"] = obj
    return found


def _has_path(model, path: str) -> bool:
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation:
            return False
        model = field.related_model
    return True


def filing_consequence(filing: Filing, subject, policy: CountyPolicy | None) -> str:
    record = getattr(subject, "record", None)
    name = record.person.name if record is not None else ""
    if filing.kind == "removal" and name:
        return removal_consequence(name, policy)
    if filing.kind == "use" and name:
        target = f"{subject.target_village.name}{subject.get_position_display()}"
        return use_consequence(name, target)
    if filing.kind == "transfer" and name:
        source = f"{subject.village.parent.name}{subject.village.name}"
        target = f"{subject.target_village.parent.name}{subject.target_village.name}"
        return transfer_consequence(name, source, target)
    if filing.kind == "selection":
        return selection_consequence(getattr(subject, "title", "") or filing.title)
    return f"备案后，“{filing.title}”即生效，不能撤销。确定备案吗？"


@register.simple_tag
def filing_confirmations(filings, on: datetime.date | None = None) -> str:
    """Set `confirm_file` and `confirm_return` on each filing of the inbox page: a few queries for the page, not
    a few per row. Renders nothing."""
    filings = [f for f in filings if f.state == Filing.SUBMITTED]
    on = on or timezone.localdate()
    subjects = _subjects(filings)
    policies: dict[int, CountyPolicy | None] = {}
    for f in filings:
        if f.county_id not in policies:
            policies[f.county_id] = CountyPolicy.objects.in_force(f.county_id, on)
        f.ban_words = ban_words(policies[f.county_id])
        f.confirm_file = filing_consequence(f, subjects.get(f.subject), policies[f.county_id])
        f.confirm_return = return_consequence(f.title, f.unit.name)
    return ""


BULK_FILE = (
    "备案后，所选各项即生效，不能撤销：取消资格的，资格即被取消{ban}；择优使用的进入公示；选拔结果的人选入库。"
    "确定备案所选事项吗？"
)


@register.simple_tag
def bulk_file_confirmation(filings) -> str:
    """The question for 备案所选, after filing_confirmations: the ban in the policy's words when the counties on the
    page have one and the same."""
    bans = {getattr(f, "ban_words", "") for f in filings if f.kind == "removal"} - {""}
    ban = "，" + bans.pop() if len(bans) == 1 else ""
    return BULK_FILE.format(ban=ban)


# --- other pages ------------------------------------------------------------------------------------------------


@register.simple_tag
def record_close_confirmation(record, status: str = "") -> str:
    county = county_of(record.village)
    policy = policy_in_force(county, timezone.localdate()) if county else None
    return close_consequence(record.person.name, policy, status)


@register.simple_tag
def roster_accept_confirmation(submission) -> str:
    return (
        f"接收后，{submission.township.name}的名册即作为{submission.call.year}年度正式名册汇入县名册，"
        "乡镇不能自行重新报送（确需更正的，由县委组织部退回）。确定接收吗？"
    )


@register.simple_tag
def roster_return_confirmation(submission) -> str:
    return f"退回后，{submission.township.name}须按退回理由更正名册后重新报送。确定退回吗？"


@register.simple_tag
def round_cancel_confirmation(round_) -> str:
    return f"终止后，“{round_.title}”即告结束，不能恢复，已录入的推荐、评议等不再继续。确定终止吗？"

"""Irreversible actions ask first, and say what will happen by the county's policy in force; red means destructive."""

import datetime
import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from lifecycle import services as lifecycle
from lifecycle.models import Removal
from lifecycle.templatetags.lifecycle_tags import month_after
from reserves.models import CountyPolicy, Filing
from reserves.policy import preset_values
from tests.conftest import make_person, make_record
from tests.lifecycle.conftest import county_files, propose_removal

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def confirms(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'data-confirm="([^"]*)"', html)]


def switch(cast, preset):
    """A version of the cast's county on `preset`, in force from a year ago (the cast's own is QS2017: no ban)."""
    return CountyPolicy.objects.create(
        county=cast.county,
        effective_from=datetime.date.today() - datetime.timedelta(days=365),
        preset=preset,
        **preset_values(preset),
    )


def approved_removal(cast, name="何敏强") -> Removal:
    removal = propose_removal(cast, make_record(make_person(cast.village_a1, name=name)))
    lifecycle.removal_approve(actor=cast.township_a_admin, removal=removal)
    return removal


def test_filing_a_removal_asks_with_the_ban_in_the_policys_words(client, cast):
    switch(cast, "QL2022")  # 被取消村级后备干部资格的，原则上5年内不得参加选拔
    approved_removal(cast)
    client.force_login(cast.county_staff)
    asked = confirms(client.get(reverse("filing_list")).content.decode())
    file_question = next(q for q in asked if q.startswith("备案后"))
    assert file_question.startswith("备案后，何敏强的后备干部资格将被取消")
    assert "原则上5年内不得参加选拔" in file_question
    assert any(q.startswith("退回后") for q in asked)


def test_filing_a_removal_where_the_county_has_no_ban_mentions_none(client, cast):
    approved_removal(cast)  # QS2017: no re-selection ban
    client.force_login(cast.county_staff)
    asked = confirms(client.get(reverse("filing_list")).content.decode())
    file_question = next(q for q in asked if q.startswith("备案后，何敏强"))
    assert "不得参加选拔" not in file_question


def test_the_inbox_asks_in_a_few_queries_whatever_the_number_of_filings(client, cast, django_assert_max_num_queries):
    for i in range(6):
        approved_removal(cast, name=f"人员{i}")
    client.force_login(cast.county_staff)
    with django_assert_max_num_queries(25):
        html = client.get(reverse("filing_list")).content.decode()
    assert len([q for q in confirms(html) if "的后备干部资格将被取消" in q]) == 6


def test_a_confirmed_filing_still_files(client, cast):
    removal = approved_removal(cast)
    filing = Filing.objects.get(subject=removal.subject)
    client.force_login(cast.county_staff)
    client.post(reverse("filing_decide", args=[filing.pk]), {"decision": "file"})
    assert Removal.objects.get(pk=removal.pk).state == Removal.FILED


def test_accepting_and_returning_a_roster_ask_first(client, cast, people):
    from reports.submissions import call_create, submission_submit

    call = call_create(actor=cast.county_admin, county=cast.county, year=2026, deadline=datetime.date(2026, 11, 30))
    submission = submission_submit(actor=cast.township_a_admin, call=call, township=cast.township_a)
    client.force_login(cast.county_admin)
    asked = confirms(client.get(reverse("submission_detail", args=[submission.pk])).content.decode())
    assert any(q.startswith("接收后，青竹街道的名册即作为2026年度正式名册") for q in asked)
    assert any(q.startswith("退回后，青竹街道须") for q in asked)


def test_ending_a_selection_round_asks_and_its_button_is_red(client, cast):
    from selection import services as selection

    round_ = selection.round_open(
        actor=cast.township_a_admin,
        township=cast.township_a,
        villages=[cast.village_a1],
        kind="qs",
        reserve_type="village_reserve",
        title="2026年村级后备干部选拔",
        announcement="x",
        announced_on=datetime.date(2026, 9, 1),
        nomination_deadline=datetime.date(2026, 9, 9),
    )
    client.force_login(cast.township_a_admin)
    html = client.get(reverse("round_cancel", args=[round_.pk])).content.decode()
    assert confirms(html) == [
        "终止后，“2026年村级后备干部选拔”即告结束，不能恢复，已录入的推荐、评议等不再继续。确定终止吗？"
    ]
    assert 'class="btn btn-danger"' in html
    detail = client.get(reverse("round_detail", args=[round_.pk])).content.decode()
    current = re.search(r'<span class="badge rounded-pill ([^"]*)">1\. ', detail).group(1)
    assert "danger" not in current and "primary" in current
    assert "btn-danger" not in detail  # 进入下一阶段 is an ordinary step


def test_a_township_return_asks_first(client, cast):
    removal = propose_removal(cast, make_record(make_person(cast.village_a1, name="何敏强")))
    client.force_login(cast.township_a_admin)
    asked = confirms(client.get(reverse("removal_detail", args=[removal.pk])).content.decode())
    assert any(q.startswith("退回后") for q in asked)


def test_closing_a_record_asks_and_says_the_qualification_ends(client, cast, people):
    client.force_login(cast.township_a_admin)
    asked = confirms(client.get(reverse("record_close", args=[people["a1"].pk])).content.decode())
    assert asked and asked[0].startswith("出库后，李兰的后备干部资格即告结束")


@pytest.mark.parametrize(
    "day, words",
    [
        (datetime.date(2026, 12, 15), "2027年1月"),
        (datetime.date(2026, 12, 31), "2027年1月"),
        (datetime.date(2026, 1, 31), "2026年2月"),
        (datetime.date(2026, 11, 1), "2026年12月"),
    ],
)
def test_the_month_after_crosses_the_year_end(day, words):
    assert month_after(day) == words


def test_a_removal_in_december_stops_the_stipend_from_january(client, cast):
    switch(cast, "QL2022")  # pays a stipend
    removal = approved_removal(cast)
    county_files(cast, removal)
    Removal.objects.filter(pk=removal.pk).update(ended_on=datetime.date(2026, 12, 15))
    client.force_login(cast.township_a_admin)
    html = client.get(reverse("removal_detail", args=[removal.pk])).content.decode()
    assert "补贴自2027年1月起停发" in html and "的下月起停发" not in html


DESTRUCTIVE = ("删除", "出库", "终止", "退回", "取消资格", "停用", "撤回")


def test_red_buttons_are_only_for_destructive_actions():
    """Every template element styled btn-danger / btn-outline-danger says a destructive word on its face."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        rel = path.relative_to(TEMPLATES).as_posix()
        if "/pdf/" in rel or rel == "selection/round_list.html":
            continue
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"<(a|button)\b[^>]*\bbtn-(?:outline-)?danger\b[^>]*>(.*?)</\1>", text, re.S):
            label = re.sub(r"<[^>]+>|\{[%{].*?[%}]\}", "", m.group(2))
            if not any(word in label for word in DESTRUCTIVE):
                offenders.append(f"{rel}: {label.strip()}")
    assert offenders == []


def test_ordinary_actions_are_the_primary_colour(client, cast, people):
    client.force_login(cast.township_a_admin)
    html = client.get(reverse("person_detail", args=[make_person(cast.village_a1, name="新人").pk])).content.decode()
    entry = re.search(r'<a class="([^"]*)" href="[^"]*records/new/', html).group(1)
    assert "btn-primary" in entry


def test_filing_a_use_says_the_record_ends_once_the_person_takes_office(client, cast):
    from tests.lifecycle.conftest import propose_use, record_opinions

    use = propose_use(cast, make_record(make_person(cast.village_a1, name="何敏强")))
    record_opinions(cast, use)
    lifecycle.use_approve(actor=cast.township_a_admin, use=use)
    client.force_login(cast.county_staff)
    asked = confirms(client.get(reverse("filing_list")).content.decode())
    question = next(q for q in asked if q.startswith("备案后，何敏强"))
    assert "拟任兰沟村" in question and "公示" in question and "即出库" in question


def test_filing_several_at_once_asks_with_the_ban(client, cast):
    switch(cast, "QL2022")
    approved_removal(cast)
    client.force_login(cast.county_staff)
    asked = confirms(client.get(reverse("filing_list")).content.decode())
    bulk = next(q for q in asked if q.endswith("确定备案所选事项吗？"))
    assert "原则上5年内不得参加选拔" in bulk


def test_recording_a_use_outcome_asks_first(client, cast):
    from tests.lifecycle.conftest import use_to_notice

    use = use_to_notice(cast, make_record(make_person(cast.village_a1, name="何敏强")))
    client.force_login(cast.township_a_admin)
    asked = confirms(client.get(reverse("use_outcome", args=[use.pk])).content.decode())
    assert asked and "即出库" in asked[0]

"""One round with three candidates through every stage in Chromium, a screenshot of each stage kept."""

import datetime

import pytest

from reserves.models import ReserveRecord
from selection.models import Round
from tests.conftest import make_person
from tests.test_browser import browser, login, shot  # noqa: F401  (module fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_whole_pipeline_in_the_browser(browser, live_server, cast, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    jia = make_person(cast.village_a1, name="甲候选", birth=datetime.date(1992, 3, 3))
    yi = make_person(cast.village_a2, name="乙候选", birth=datetime.date(1994, 4, 4), sex="F")
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "ta_admin")
    base = live_server.url

    def advance(label):
        with page.expect_navigation():
            page.click(f"button:has-text('{label}')")
        assert page.locator(".alert-success").count() == 1, page.inner_text("main")[:300]

    # 1. announcement
    page.goto(f"{base}/selection/new/")
    page.fill("#id_title", "2026年村级后备干部选拔")
    page.check(f"input[name=villages][value='{cast.village_a1.pk}']")
    page.check(f"input[name=villages][value='{cast.village_a2.pk}']")
    page.fill("#id_announced_on", "2026-09-01")
    page.fill("#id_nomination_deadline", "2026-09-15")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已发布选拔公告")
    round_url = page.url
    shot(page, "sel-01-announced")

    # 2. 三推: two registered people by ID, one new person, one of them by two channels
    def nominate(village_label, channel, by, id_number=None, new=None):
        page.goto(f"{round_url}nominate/")
        page.select_option("#id_village", label=village_label)
        page.select_option("#id_channel", label=channel)
        page.fill("#id_nominated_by", by)
        page.fill("#id_nominated_on", "2026-09-05")
        if id_number:
            page.fill("#id_existing_id", id_number)
        else:
            page.fill("#id_p-name", new["name"])
            page.fill("#id_p-id_number", new["id"])
            page.select_option("#id_p-village", label=new["village"])
            page.select_option("#id_p-education", label="大学本科")
            page.select_option("#id_p-source_group", label="返乡高校毕业生")
        page.click("main button[type=submit]")
        page.wait_for_selector("text=已录入推荐")

    nominate("兰沟村", "村党组织推荐", "兰沟村党总支", id_number=jia.id_number)
    nominate("兰沟村", "党员群众推荐", "党员王某等5人", id_number=jia.id_number)
    nominate("甘家沟村", "个人自我推荐", "本人", id_number=yi.id_number)
    nominate(
        "兰沟村",
        "个人自我推荐",
        "本人",
        new={"name": "丙新人", "id": "11010519491231002X", "village": "青竹街道 · 兰沟村"},
    )
    shot(page, "sel-02-nominations")
    advance("结束推荐")

    # 3. 资格审查 (丙 was born in 1949: QS "about 35" is a warning the reviewer must confirm or refuse)
    for name, passed in (("甲候选", True), ("乙候选", True), ("丙新人", False)):
        page.goto(round_url)
        page.click(f"tr:has-text('{name}') >> a.btn:has-text('审查')")
        page.check("input[name=passed][value='1']" if passed else "input[name=passed][value='0']")
        page.fill("#id_note", "符合条件" if passed else "年龄明显超过要求")
        page.click("main button[type=submit]")
        page.wait_for_selector("text=已完成")
    shot(page, "sel-03-reviewed")
    advance("完成资格审查")

    # 4. 党员群众评选, per village
    for village, votes in ((cast.village_a1, {"甲候选": (20, 10, 3, 2)}), (cast.village_a2, {"乙候选": (15, 8, 2, 0)})):
        page.goto(f"{round_url}evaluation/{village.pk}/")
        page.fill("#id_date", "2026-09-20")
        page.fill("#id_expected", "40")
        page.fill("#id_present", "36")
        for name, counts in votes.items():
            for label, value in zip(("优秀", "称职", "基本称职", "不称职"), counts, strict=True):
                page.fill(f"input[aria-label='{name} {label}']", str(value))
        page.click("main button[type=submit]")
        page.wait_for_selector("text=已保存")
    shot(page, "sel-04-evaluated")
    advance("完成评选")

    # 5. 组织挑选 and notice 1 (posted on 30 September: over by now)
    page.click("a.btn:has-text('确定考察对象')")
    page.check("tr:has-text('甲候选') input[name=chosen]")
    page.check("tr:has-text('乙候选') input[name=chosen]")
    page.fill("#id_staffing_note", "两村各缺1名“两委”委员")
    page.fill("#id_notice_start", "2026-09-30")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已确定考察对象并发布公示")
    assert "2026年10月9日 期满" in page.content()
    shot(page, "sel-05-notice1")
    advance("公示期满，开始考察")

    # 6. inspection, 7. committee decision and notice 2
    page.click("a.btn:has-text('登记考察情况')")
    page.fill("#id_team", "县委组织部李某、乡镇组织委员陈某")
    page.fill("#id_date", "2026-10-12")
    page.fill("textarea[name^=f] >> nth=0", "工作积极，群众认可")
    page.fill("textarea[name^=f] >> nth=1", "熟悉电商，带动致富")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已保存考察情况")
    shot(page, "sel-06-inspection")
    advance("考察完毕")
    page.click("a.btn:has-text('记录党委会决定')")
    page.check("tr:has-text('甲候选') input[name=chosen]")
    page.check("tr:has-text('乙候选') input[name=chosen]")
    page.fill("#id_date", "2026-10-15")
    page.fill("#id_text", "经党委会集体研究，确定甲候选、乙候选为村级后备干部")
    page.fill("#id_notice_start", "2026-10-16")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已记录党委会决定")
    shot(page, "sel-07-notice2")
    advance("公示期满，完成选拔")
    shot(page, "sel-08-closed")

    round_ = Round.objects.get()
    assert round_.stage == "closed"
    entered = ReserveRecord.objects.filter(entry_method="selection").values_list("person__name", flat=True)
    assert sorted(entered) == ["乙候选", "甲候选"]
    page.goto(f"{base}/people/{jia.pk}/")
    assert "选拔程序产生" in page.content()
    page.close()

"""Hypothesis over the import parser and over the person form: whatever the cells or the form fields hold, the answer
is a Chinese refusal or a complete write, never a 500, another exception, or part of a file."""

import datetime
import io
import tempfile

from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from imports import parser, services
from imports.models import ImportBatch
from org import roles
from org.models import AuditLog, OrgUnit
from reserves.builders import make_id, make_user, unit
from reserves.models import CountyPolicy, Person, ReserveRecord
from reserves.policy import preset_values
from tests.imports.helpers import HEADERS, OPTIONS, PEOPLE_ONLY, uploaded

MEDIA = tempfile.mkdtemp(prefix="imports-fuzz-")
COLUMNS = [*HEADERS, "乡镇", "出生年月", "性别", "参加工作时间", "其他身份说明", "备注", "入库日期", "后备干部类型"]

valid_ids = st.builds(
    lambda birth, seq, sex: make_id("511425", birth, seq, sex),
    st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2006, 12, 31)),
    st.integers(0, 99),
    st.sampled_from("MF"),
)
labels = st.sampled_from(
    [
        "兰沟村",
        "甘家沟村",
        "汉阳村",
        "青竹街道",
        "汉阳镇",
        "中共党员",
        "群众",
        "大学本科",
        "大专",
        "初中",
        "村民小组长",
        "其他",
        "网格员",
        "男",
        "女",
        "1990.01",
        "1990.1",
        "2015年7月",
        "201507",
        "2020-03-01",
        "村党组织书记后备力量",
        "",
        " ",
    ]
)
texts = st.text(max_size=40)
cells = st.one_of(
    labels,
    valid_ids,
    valid_ids.map(lambda v: v.lower()),
    valid_ids.map(lambda v: "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in v)),  # full width
    texts,
    st.integers(-(10**18), 10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 1, 1)),
    st.datetimes(min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2100, 1, 1)),
    st.none(),
    st.sampled_from(["=1+1", '=HYPERLINK("http://x","y")', "=A1", "#N/A", "@SUM(1)", "+1", "-1"]),
)
GOOD = {
    "村（社区）": st.sampled_from(["兰沟村", "甘家沟村", " 兰沟村\u200b"]),
    "姓名": st.sampled_from(["张三", "李  四", "王五"]),
    "身份证号码": valid_ids,
    "政治面貌": st.sampled_from(["群众", "共青团员", ""]),
    "入党时间": st.just(""),
    "学历": st.sampled_from(["大学本科", "大专", "高中"]),
    "身份": st.sampled_from(["村民小组长", "网格员", "复员退伍军人"]),
    "联系电话": st.sampled_from(["13800138000", "", "+86 139 0013 9000"]),
}
# Mostly good rows with a bad cell here and there, so that whole imports happen too.
nearly_good_rows = st.lists(
    st.tuples(
        *[
            st.tuples(GOOD[h], cells, st.sampled_from([False] * 15 + [True])).map(lambda t: t[1] if t[2] else t[0])
            for h in HEADERS
        ]
    ).map(list),
    min_size=1,
    max_size=3,
)
headers = st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=10, unique=True).map(
    lambda hs: ["姓名", "身份证号码", *[h for h in hs if h not in ("姓名", "身份证号码")]]
)


def workbook(head, rows, *, merge=None, hidden_first=False) -> bytes:
    wb = Workbook()
    ws = wb.active
    if hidden_first:
        ws.title = "隐藏"
        ws.append(head)
        ws.sheet_state = "hidden"
        ws = wb.create_sheet("后备干部信息")
        wb.active = 1
    ws.append(head)
    for values in rows:
        ws.append(values[: len(head)])
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@override_settings(MEDIA_ROOT=MEDIA)
class ImportParserFuzz(TestCase):
    @classmethod
    def setUpTestData(cls):
        county = unit(roles.COUNTY, "青神县", "511425")
        cls.township = unit(roles.TOWNSHIP, "青竹街道", "511425100", county)
        other = unit(roles.TOWNSHIP, "汉阳镇", "511425101", county)
        unit(roles.VILLAGE, "兰沟村", "511425100201", cls.township, OrgUnit.KIND_CUN)
        unit(roles.VILLAGE, "甘家沟村", "511425100202", cls.township, OrgUnit.KIND_CUN)
        unit(roles.VILLAGE, "汉阳村", "511425101201", other, OrgUnit.KIND_CUN)
        CountyPolicy.objects.create(
            county=county, effective_from=datetime.date(2017, 10, 1), preset="QS2017", **preset_values("QS2017")
        )
        cls.user = make_user("fuzz_admin", "青竹书记", cls.township, "township_admin", "Test2026pass")

    def _counts(self):
        return (
            Person.objects.count(),
            ReserveRecord.objects.count(),
            AuditLog.objects.exclude(action__startswith="import.").count(),
        )

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        shape=st.one_of(
            st.tuples(headers, st.lists(st.lists(cells, min_size=12, max_size=12), min_size=0, max_size=6)),
            st.tuples(st.just(HEADERS), nearly_good_rows),
        ),
        merge=st.one_of(st.none(), st.none(), st.sampled_from(["A2:A4", "B2:C2", "A1:B1", "C3:C5"])),
        hidden_first=st.booleans(),
        enroll=st.booleans(),
    )
    def test_any_cells_give_a_refusal_or_a_whole_import(self, shape, merge, hidden_first, enroll):
        head, rows = shape
        try:
            data = workbook(head, rows, merge=merge, hidden_first=hidden_first)
        except (IllegalCharacterError, ValueError):
            assume(False)  # openpyxl cannot even write such a cell; Excel could not either
        before = self._counts()
        try:
            batch = services.batch_upload(
                actor=self.user, unit=self.township, upload=uploaded(data), options=OPTIONS if enroll else PEOPLE_ONLY
            )
        except ValidationError as exc:
            event("file refused")
            assert exc.message_dict["file"][0]
            assert self._counts() == before
            return
        assert self._counts() == before  # a preview writes nothing
        for r in batch.preview:
            assert r["status"] in ("new", "update", "error")
            for _col, message in r["errors"]:
                assert message and "内部错误" not in message
        event(f"errors: {bool(batch.error_count)}")
        try:
            services.batch_confirm(actor=self.user, batch=batch)
        except ValidationError:
            assert self._counts() == before  # nothing, not part of the file
            assert batch.error_count or not batch.rows
            return
        batch.refresh_from_db()
        assert batch.state == ImportBatch.DONE
        event("imported")
        people, records, _ = self._counts()
        assert people == before[0] + batch.new_count
        assert records == before[1] + batch.record_count

    @settings(max_examples=150, deadline=None)
    @given(
        base=st.sampled_from(["plain", "merged", "hidden"]),
        flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
        cut=st.one_of(st.none(), st.integers(0, 10**6)),
    )
    def test_damaged_files_raise_only_the_parsers_error(self, base, flips, cut):
        head = ["村（社区）", "姓名", "身份证号码", "学历", "身份"]
        data = bytearray(
            workbook(
                head,
                [["兰沟村", "张三", "11010519491231002X", "大专", "网格员"]] * 3,
                merge="A2:A3" if base == "merged" else None,
                hidden_first=base == "hidden",
            )
        )
        for at, value in flips:
            data[at % len(data)] = value
        if cut is not None:
            data = data[: cut % len(data)]
        try:
            sheet = parser.parse(bytes(data), "x.xlsx")
        except parser.ImportFileError as exc:
            event("refused")
            assert exc.message
        else:
            event("read")
            assert all(len(values) == len(sheet.headers) for _line, values in sheet.rows)


@override_settings(MEDIA_ROOT=MEDIA)
class PersonFormFuzz(TestCase):
    @classmethod
    def setUpTestData(cls):
        county = unit(roles.COUNTY, "青神县", "511425")
        township = unit(roles.TOWNSHIP, "青竹街道", "511425100", county)
        cls.village = unit(roles.VILLAGE, "兰沟村", "511425100201", township, OrgUnit.KIND_CUN)
        cls.user = make_user("fuzz_form", "青竹委员", township, "township_staff", "Test2026pass")
        cls.person = Person.objects.create(
            name="原名",
            id_number="11010519491231002X",
            sex="F",
            birth_date=datetime.date(1949, 12, 31),
            village=cls.village,
            education="college",
            source_group="veteran",
        )

    fields = st.fixed_dictionaries(
        {},
        optional={
            "name": texts,
            "id_number": st.one_of(texts, valid_ids, st.just("11010519491231002x")),
            "village": st.one_of(texts, st.integers(-5, 10**6).map(str)),
            "ethnicity": texts,
            "native_place": texts,
            "birthplace": texts,
            "political_status": st.one_of(texts, st.sampled_from(["member", "masses", "league"])),
            "party_joined": st.one_of(texts, st.sampled_from(["1990.01", "2099.01", "1800.1", "199013"])),
            "work_started": texts,
            "health": texts,
            "occupation": texts,
            "specialty": st.text(max_size=300),
            "education": st.one_of(texts, st.sampled_from(["college", "junior"])),
            "school_major": texts,
            "source_group": st.one_of(texts, st.sampled_from(["veteran", "other", "grid_worker"])),
            "source_group_other": texts,
            "phone": st.one_of(texts, st.sampled_from(["13800138000", "+86 138 0013 8000"])),
        },
    )

    def _snapshot(self):
        return (
            Person.objects.count(),
            AuditLog.objects.count(),
            list(Person.objects.order_by("pk").values_list("name", "id_number", "phone", "education", "village_id")),
        )

    valid = st.fixed_dictionaries(
        {
            "name": st.sampled_from(["张三", " 李四 "]),
            "id_number": valid_ids,
            "ethnicity": st.just("汉族"),
            "political_status": st.sampled_from(["masses", "league"]),
            "health": st.just("健康"),
            "education": st.sampled_from(["college", "bachelor"]),
            "source_group": st.sampled_from(["veteran", "grid_worker"]),
            "phone": st.sampled_from(["", "13800138000"]),
        }
    )
    # A valid form with up to two fields replaced by anything: saves happen as well as refusals.
    mutated = st.tuples(valid, fields, st.integers(0, 2)).map(lambda t: t[0] | dict(list(t[1].items())[: t[2]]))

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.one_of(fields, mutated), edit=st.booleans(), use_village=st.booleans())
    def test_random_input_is_refused_or_saved_whole(self, data, edit, use_village):
        data = {k: v.replace("\x00", "") for k, v in data.items()}  # the test client cannot send NUL
        if use_village:
            data["village"] = str(self.village.pk)
        client = Client()
        client.force_login(self.user)  # logging in may be audited: before the snapshot
        before = self._snapshot()
        url = reverse("person_edit", args=[self.person.pk]) if edit else reverse("person_create")
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        after = self._snapshot()
        if response.status_code == 200:
            event("refused")
            assert after == before
        else:
            event("saved")
            if edit:
                assert after[0] == before[0] and after[1] in (before[1], before[1] + 1)
            else:
                assert after[0] == before[0] + 1 and after[1] == before[1] + 1

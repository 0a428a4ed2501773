"""The stipend sheet exported to Excel: title, header, rows, totals; text that looks like a formula stays text."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lifecycle.exports import STIPEND_COLUMNS, text_cell
from org.models import AuditLog
from reserves.services import record_close
from tests.conftest import make_person, make_record

D = datetime.date


@pytest.fixture
def ql(cast):
    cast.policy.stipend_on = True
    cast.policy.stipend_county_monthly = 1000
    cast.policy.stipend_township_monthly = 800
    cast.policy.save()


def download(client, **params):
    response = client.get(reverse("stipend_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content)).active, response


def test_the_sheet_has_a_merged_title_the_rows_and_the_totals(client, cast, people, ql):
    record_close(actor=cast.county_admin, record=people["a2"], status="removed", ended_on=D(2026, 5, 15), reason="取消")
    client.force_login(cast.township_a_admin)
    ws, response = download(client, township=cast.township_a.pk, month="2026-05")
    assert "attachment" in response["Content-Disposition"]
    assert ws["A1"].value == "青竹街道村级后备干部补贴发放表（2026年5月）"
    assert "A1:J1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[3]] == [label for label, _ in STIPEND_COLUMNS]
    assert ws["E3"].value == "身份证号码" and ws["J3"].value == "备注"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=6)]
    assert [r[1:3] for r in rows] == [["青竹社区", "陈青"], ["兰沟村", "李兰"], ["甘家沟村", "王甘"]]
    assert rows[1][4] == people["a1"].person.id_number  # the township may see full numbers; the export is audited
    assert rows[2][9] == "2026年05月15日取消资格，下月起停发"
    assert [c.value for c in ws[7]][6:10] == [3000, 2400, 5400, "3人"]
    entry = AuditLog.objects.get(action="stipend.export")
    assert entry.changes == {"month": "2026-05", "rows": 3, "full_id": True}
    # June: the removed reserve is no longer on the sheet
    ws, _ = download(client, township=cast.township_a.pk, month="2026-06")
    assert "王甘" not in [c.value for c in ws["C"]]


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_text_that_looks_like_a_formula_is_written_as_text(value):
    wb = Workbook()
    ws = wb.active
    text_cell(ws, 1, 1, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    cell = load_workbook(io.BytesIO(buffer.getvalue())).active["A1"]
    assert cell.data_type == "s" and cell.quotePrefix
    assert cell.value == value.replace("\r", "\n")  # XML keeps a CR as a line break


def test_a_name_with_a_formula_is_exported_as_text(client, cast, ql):
    make_record(make_person(cast.village_a1, name="=1+1"))
    client.force_login(cast.county_staff)
    ws, _ = download(client, township=cast.township_a.pk, month="2026-05")
    cell = ws["C4"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")

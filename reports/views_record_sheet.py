"""附件2 纪实表 of one reserve record: a page with a year chooser and a preview, and the .xlsx and .pdf downloads.

Scoped like every record page (`get_record_for_user`: the user's subtree, or a mentor's current pairees); a record
outside it is 404. ID number and phone are in full in the files only for users who may reveal them in the record's
village; every download is audited."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from org import roles
from org.scope import get_scope
from reserves.models import ReserveRecord
from reserves.views import get_record_for_user

from . import record_sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_years(record: ReserveRecord, today: datetime.date) -> list[int]:
    """The years a sheet can be printed for: from entry to this year (to the year of leaving for a closed record)."""
    last = record.ended_on.year if record.ended_on else today.year
    last = max(min(last, today.year), record.entered_on.year)
    return list(range(record.entered_on.year, last + 1))


class YearForm(forms.Form):
    year = forms.CharField(required=False)

    def __init__(self, data, *, years: list[int]):
        super().__init__(data)
        self.years = years

    def clean_year(self) -> int:
        raw = (self.cleaned_data.get("year") or "").strip()
        first, last = self.years[0], self.years[-1]
        if not raw:
            return last
        if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
            raise forms.ValidationError(f"年度“{raw[:20]}”不正确：请填写四位数字的年份，如{last}。")
        year = int(raw)
        if year not in self.years:
            raise forms.ValidationError(f"年度不正确：该后备干部的纪实表只能按{first}年至{last}年（入库至今）选择。")
        return year


def _resolve(request, pk):
    record = get_record_for_user(request, pk)
    years = sheet_years(record, timezone.localdate())
    form = YearForm(request.GET, years=years)
    year = form.cleaned_data["year"] if form.is_valid() else None
    return record, years, form, year


def _page(request, record, years, form, year, *, status=200):
    shown = year if year is not None else years[-1]
    (sheet,) = record_sheet.collect(ReserveRecord.objects.filter(pk=record.pk), shown)
    photo_src = reverse("person_photo", args=[record.person_id]) if record_sheet.photo_exists(sheet.photo) else ""
    return render(
        request,
        "reports/record_sheet.html",
        {
            "record": record,
            "years": years,
            "year": shown,
            "form": form,
            # On screen the numbers stay masked whoever looks; the files carry them in full for those who may see them.
            "item": record_sheet.item(sheet, reveal=False, photo_src=photo_src),
            "reveal": _reveal(request, record),
            "table_class": "table table-bordered table-sm bg-white align-middle mb-0",
        },
        status=status,
    )


def _reveal(request, record) -> bool:
    return get_scope(request.user).has(roles.REVEAL, record.village)


@login_required
def record_sheet_page(request, pk):
    record, years, form, year = _resolve(request, pk)
    return _page(request, record, years, form, year, status=200 if year is not None else 400)


def _download(request, pk, fmt: str):
    record, years, form, year = _resolve(request, pk)
    if year is None:
        return _page(request, record, years, form, year, status=400)
    content, sheet = record_sheet.export_record(
        actor=request.user, record=record, year=year, fmt=fmt, reveal=_reveal(request, record), request=request
    )
    response = HttpResponse(content, content_type=XLSX if fmt == "xlsx" else "application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{sheet.file_stem}.{fmt}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def record_sheet_xlsx(request, pk):
    return _download(request, pk, "xlsx")


@login_required
def record_sheet_pdf(request, pk):
    return _download(request, pk, "pdf")

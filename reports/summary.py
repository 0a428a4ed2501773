"""后备力量名单汇总表 (seed 003, 3YR: "镇填报后备力量名单汇总表 … 报市委组织部备案"): per township, the names in
the pool on a date with their key attributes, then the counts by village, sex, age band, education, party
membership, source group and type, and the average age.

The table is a township's paper, so a county (or a city's county) prints one section per township, preceded by a total
section whose counts go by township. Figures are counted per person (a person in two reserve types is one person; the
list shows one row per type). Every figure comes from grouped queries: four queries whatever the number of people."""

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

from notices.naming import issuing_body
from notices.pdf import anchor_pages, html_to_pdf, stamp_pages
from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reports.cells import clean, cn_date, pad_name, set_text
from reserves import choices as C
from reserves.models import Person, ReserveRecord
from reserves.selectors import age_band_q

EMPTY_TEXT = "该日期无在库后备干部"
# No "current post" is recorded for a reserve: 从事职业 (Person.occupation, the 纪实表's field) is the nearest one.
COLUMNS = [
    ("序号", 6),
    ("村（社区）", 16),
    ("类型", 24),
    ("姓名", 10),
    ("性别", 8),
    ("年龄", 6),
    ("学历", 14),
    ("政治面貌", 14),
    ("身份", 28),
    ("从事职业", 24),
]
COUNT_COLUMNS = ["类别", "项目", "人数", "占比"]
PDF_TEMPLATE = "reports/pdf/summary.html"

SEX = dict(C.SEX_CHOICES)
EDUCATION = dict(C.EDUCATION_CHOICES)
POLITICAL = dict(C.POLITICAL_CHOICES)
SOURCE = dict(C.SOURCE_CHOICES)
TYPES = dict(C.RESERVE_TYPE_CHOICES)
# Types in their vocabulary's order (村级后备干部 first), not alphabetically by key.
TYPE_RANK = Case(
    *(When(reserve_type=key, then=Value(i)) for i, (key, _) in enumerate(C.RESERVE_TYPE_CHOICES)),
    default=Value(len(C.RESERVE_TYPE_CHOICES)),
    output_field=IntegerField(),
)
COLLEGE_OR_ABOVE = [k for k, rank in C.EDUCATION_RANK.items() if rank >= C.EDUCATION_RANK["college"]]


# --- data -------------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    village: str
    reserve_type: str
    name: str
    sex: str
    age: int
    education: str
    political: str
    source: str
    occupation: str

    def cells(self, number: int) -> list:
        return [
            number,
            self.village,
            self.reserve_type,
            self.name,
            self.sex,
            self.age,
            self.education,
            self.political,
            self.source,
            self.occupation,
        ]


@dataclass
class Item:
    label: str
    n: int | None  # None for the average age, which is a figure rather than a head count
    share: str  # "40.0%"; "" where a share makes no sense
    average: Decimal | None = None

    @property
    def value_text(self) -> str:
        if self.n is not None:
            return str(self.n)
        return str(self.average) if self.average is not None else "—"


@dataclass
class Group:
    title: str
    items: list[Item]


@dataclass
class Section:
    unit: OrgUnit
    title: str
    place: str  # 填报单位 as printed: the issuing body (中共青竹街道工作委员会, notices.naming)
    rows: list[Row] = field(default_factory=list)
    people: int = 0
    average_age: Decimal | None = None
    groups: list[Group] = field(default_factory=list)
    is_total: bool = False

    @property
    def average_age_text(self) -> str:
        return f"{self.average_age}" if self.average_age is not None else "—"


@dataclass
class SummaryData:
    unit: OrgUnit
    on: datetime.date
    reserve_type: str | None
    sections: list[Section]  # the total section (several townships) first, then one per township
    people: int
    place: str

    @property
    def title(self) -> str:
        return f"{self.unit.name}后备力量名单汇总表"

    @property
    def type_label(self) -> str:
        return TYPES.get(self.reserve_type, "全部类型")

    @property
    def township_sections(self) -> list[Section]:
        return [s for s in self.sections if not s.is_total]

    @property
    def rows(self) -> int:
        return sum(len(s.rows) for s in self.sections)


def age_expr(field_name: str, on: datetime.date):
    """Whole years at `on` from a birth date column, in SQL (the same arithmetic as cells.age_on)."""
    not_yet = Q(**{f"{field_name}__month__gt": on.month}) | Q(
        **{f"{field_name}__month": on.month, f"{field_name}__day__gt": on.day}
    )
    return ExpressionWrapper(
        Value(on.year) - ExtractYear(field_name) - Case(When(not_yet, then=Value(1)), default=Value(0)),
        output_field=IntegerField(),
    )


def _person_counts(on: datetime.date) -> dict:
    """Conditional counts over Person rows (one per person), named by key."""
    out = {
        "n": Count("pk"),
        "age_sum": Sum(age_expr("birth_date", on)),
    }
    for key in SEX:
        out[f"sex_{key}"] = Count("pk", filter=Q(sex=key))
    for key, _ in C.AGE_BANDS:
        out[f"age_{key}"] = Count("pk", filter=age_band_q(key, "birth_date", on))
    for key in EDUCATION:
        out[f"edu_{key}"] = Count("pk", filter=Q(education=key))
    for key in POLITICAL:
        out[f"pol_{key}"] = Count("pk", filter=Q(political_status=key))
    for key in SOURCE:
        out[f"src_{key}"] = Count("pk", filter=Q(source_group=key))
    return out


def _share(n: int, total: int) -> str:
    if not total:
        return "—"
    return f"{(Decimal(n) * 100 / Decimal(total)).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _average(age_sum: int, n: int) -> Decimal | None:
    return (Decimal(age_sum) / Decimal(n)).quantize(Decimal("0.1"), ROUND_HALF_UP) if n else None


def _groups(figures: dict, by_place: list[tuple[str, int]], place_title: str, types: dict) -> list[Group]:
    """The counts block as printed, from summed figures: zero rows stay for the fixed vocabularies (a 0 is news),
    source groups are listed only where someone comes from them."""
    n = figures.get("n", 0)

    def items(pairs, keep_zero=True):
        return [Item(label, v, _share(v, n)) for label, v in pairs if keep_zero or v]

    party = figures.get("pol_member", 0) + figures.get("pol_probationary", 0)
    college = sum(figures.get(f"edu_{k}", 0) for k in COLLEGE_OR_ABOVE)
    groups = [
        Group("合计", [Item("人数", n, "")]),
        Group(place_title, items(by_place)),
        Group("性别", items((label, figures.get(f"sex_{k}", 0)) for k, label in C.SEX_CHOICES)),
        Group(
            "年龄",
            items((label, figures.get(f"age_{k}", 0)) for k, label in C.AGE_BANDS)
            + [Item("平均年龄（岁）", None, "", _average(figures.get("age_sum") or 0, n))],
        ),
        Group(
            "学历",
            items((label, figures.get(f"edu_{k}", 0)) for k, label in C.EDUCATION_CHOICES)
            + [Item("其中：大专及以上", college, _share(college, n))],
        ),
        Group(
            "政治面貌",
            items(
                [
                    ("中共党员（含预备党员）", party),
                    ("其中：中共预备党员", figures.get("pol_probationary", 0)),
                    ("非中共党员", n - party),
                ]
            ),
        ),
        Group("身份", items(((label, figures.get(f"src_{k}", 0)) for k, label in C.SOURCE_CHOICES), False)),
        Group(
            "类型",
            items(((label, types.get(k, 0)) for k, label in C.RESERVE_TYPE_CHOICES), False),
        ),
    ]
    for group in groups:
        if not group.items:  # no one of any source group or type: say so rather than print an empty cell
            group.items = [Item("（无）", 0, "")]
    return groups


def summary_data(unit: OrgUnit, on: datetime.date, user, reserve_type: str | None = None) -> SummaryData:
    """The summary of `unit` (a township, county or city) on `on`, for `user` (who must see the unit).

    Scoped by where each record was placed on `on` (its placement), so a person moved to another township later still
    counts where they were; the unit itself must lie in the user's view scope. Queries: the units, the rows, the
    per-village person figures, the per-village type counts (plus the user's grants once, if not cached)."""
    if unit.level not in (roles.CITY, roles.COUNTY, roles.TOWNSHIP) or not get_scope(user).has(roles.VIEW, unit):
        raise PermissionDenied("您无权查看该单位的后备力量名单汇总表。")
    pool = ReserveRecord.objects.in_pool(unit, on)
    if reserve_type:
        pool = pool.filter(reserve_type=reserve_type)

    # 1. The unit's subtree (counties, townships, villages; ended ones too, for people placed in them), its ancestors.
    units = {
        u.pk: u
        for u in OrgUnit.objects.filter(
            Q(code__startswith=unit.code, level__in=[roles.COUNTY, roles.TOWNSHIP, roles.VILLAGE])
            | Q(code__in=unit.ancestor_codes(), valid_to__isnull=True)
            | Q(pk=unit.pk)
        ).only("id", "name", "code", "level", "parent_id", "valid_to")
    }
    by_code = {u.code: u for u in units.values() if u.level in (roles.CITY, roles.COUNTY) and u.valid_to is None}

    # 2. The rows, by the village each record sat in on the date.
    rows_qs = (
        pool.annotate(vid=F("placements__village_id"), age=age_expr("person__birth_date", on))
        .select_related("person")
        .only(
            "id",
            "reserve_type",
            "person__name",
            "person__sex",
            "person__education",
            "person__political_status",
            "person__source_group",
            "person__source_group_other",
            "person__occupation",
        )
        .annotate(type_rank=TYPE_RANK)
        .order_by("placements__village__code", "person__name", "person_id", "type_rank")
    )
    rows_by_village: dict[int, list[Row]] = defaultdict(list)
    for record in rows_qs:
        p = record.person
        rows_by_village[record.vid].append(
            # Free text without the control characters no file format can hold (the PDF would print a box).
            Row(
                village=clean(units[record.vid].name),
                reserve_type=TYPES.get(record.reserve_type, record.reserve_type),
                name=clean(p.name),
                sex=SEX.get(p.sex, p.sex),
                age=record.age,
                education=EDUCATION.get(p.education, p.education),
                political=POLITICAL.get(p.political_status, p.political_status),
                source=clean(p.source_label),
                occupation=clean(p.occupation),
            )
        )

    # 3. Per-person figures grouped by the village the person sat in (the first, by code, if in two at once).
    place = pool.filter(person=OuterRef("pk")).order_by("placements__village__code").values("placements__village_id")
    figures_qs = (
        Person.objects.filter(pk__in=pool.values("person_id"))
        .annotate(vid=Subquery(place[:1]))
        .values("vid")
        .annotate(**_person_counts(on))
        .order_by()
    )
    figures = {f.pop("vid"): f for f in figures_qs}

    # 4. People per type and village (a person has at most one record of a type in the pool on a date).
    types: dict[int, dict[str, int]] = defaultdict(dict)
    for t in (
        pool.values(vid=F("placements__village_id"), rtype=F("reserve_type"))
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    ):
        types[t["vid"]][t["rtype"]] = t["n"]

    def alive(u):
        return u.valid_to is None or u.valid_to > on

    townships = sorted(
        (
            u
            for u in units.values()
            if u.level == roles.TOWNSHIP
            and u.code.startswith(unit.code)
            and (alive(u) or any(units[v].parent_id == u.pk for v in figures if v in units))
        ),
        key=lambda u: u.code,
    )
    villages_of: dict[int, list[OrgUnit]] = defaultdict(list)
    for u in sorted(units.values(), key=lambda u: u.code):
        if u.level == roles.VILLAGE and (alive(u) or u.pk in figures):
            villages_of[u.parent_id].append(u)

    def place_name(u: OrgUnit) -> str:
        # 填报单位 is the issuing body under its full name, as every paper of the unit is signed.
        return issuing_body(u)

    sections = []
    totals: dict[str, int] = defaultdict(int)
    total_types: dict[str, int] = defaultdict(int)
    by_township: list[tuple[OrgUnit, int]] = []
    for township in townships:
        sums: dict[str, int] = defaultdict(int)
        type_sums: dict[str, int] = defaultdict(int)
        by_village = []
        rows = []
        for village in villages_of.get(township.pk, []):
            f = figures.get(village.pk, {})
            for key, value in f.items():
                sums[key] += value or 0
            for key, value in types.get(village.pk, {}).items():
                type_sums[key] += value
            by_village.append((village.name, f.get("n", 0)))
            rows.extend(rows_by_village.get(village.pk, []))
        for key, value in sums.items():
            totals[key] += value
        for key, value in type_sums.items():
            total_types[key] += value
        by_township.append((township, sums.get("n", 0)))
        sections.append(
            Section(
                unit=township,
                title=f"{township.name}后备力量名单汇总表",
                place=place_name(township),
                rows=rows,
                people=sums.get("n", 0),
                average_age=_average(sums.get("age_sum", 0), sums.get("n", 0)),
                groups=_groups(sums, by_village, "按村（社区）", type_sums),
            )
        )
    people = totals.get("n", 0)
    if unit.level != roles.TOWNSHIP:
        if unit.level == roles.CITY:  # a city's total goes by county
            per_county: dict[str, int] = defaultdict(int)
            for township, n in by_township:
                per_county[township.code[:6]] += n
            by_place = [(by_code[c].name if c in by_code else c, n) for c, n in sorted(per_county.items())]
            place_title = "按县（区）"
        else:
            by_place, place_title = [(t.name, n) for t, n in by_township], "按乡镇（街道）"
        total = Section(
            unit=unit,
            title=f"{unit.name}后备力量名单汇总表（合计）",
            place=place_name(unit),
            people=people,
            average_age=_average(totals.get("age_sum", 0), people),
            groups=_groups(totals, by_place, place_title, total_types),
            is_total=True,
        )
        sections.insert(0, total)
    return SummaryData(
        unit=unit, on=on, reserve_type=reserve_type or None, sections=sections, people=people, place=place_name(unit)
    )


# --- xlsx -------------------------------------------------------------------------------------------------------------

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FORBIDDEN_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
# Named styles: one assignment per cell instead of three (hashing openpyxl style objects dominated the write time).
CENTER, LEFT, HEAD = "汇总表-居中", "汇总表-左对齐", "汇总表-表头"


def _named_styles() -> list[NamedStyle]:
    return [
        NamedStyle(CENTER, border=BOX, alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)),
        NamedStyle(LEFT, border=BOX, alignment=Alignment(horizontal="left", vertical="center", wrap_text=True)),
        NamedStyle(
            HEAD,
            border=BOX,
            font=Font(bold=True),
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
    ]


def _sheet_name(name: str, taken: set) -> str:
    base = (name.translate(FORBIDDEN_SHEET_CHARS).strip("'") or "Sheet")[:28]
    candidate, i = base, 2
    while candidate in taken:
        candidate, i = f"{base}{i}"[:31], i + 1
    taken.add(candidate)
    return candidate


def _put(ws, row: int, column: int, value, style: str = CENTER):
    cell = ws.cell(row=row, column=column)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        cell.value = float(value) if isinstance(value, Decimal) else value
    else:
        set_text(cell, value)
    cell.style = style
    return cell


def _footer_text(text: str) -> str:
    return text.replace("&", "&&")  # "&" starts a code in Excel headers and footers


def _write_section(ws, data: SummaryData, section: Section):
    n_cols = len(COLUMNS)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_cols)
    title = set_text(ws.cell(row=1, column=1), section.title)
    title.font = Font(size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n_cols)
    sub = set_text(
        ws.cell(row=2, column=1),
        f"填报单位：{section.place}　　统计日期：{cn_date(data.on)}　　类型：{data.type_label}",
    )
    sub.alignment = Alignment(horizontal="left", vertical="center")
    for i, (label, width) in enumerate(COLUMNS, start=1):
        _put(ws, 3, i, label, HEAD)
        ws.column_dimensions[get_column_letter(i)].width = width
    row = 4
    if section.is_total:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
        _put(ws, row, 1, f"名单见各乡镇（街道）工作表，共{len(data.township_sections)}个乡镇（街道）。", LEFT)
        row += 1
    elif not section.rows:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
        _put(ws, row, 1, EMPTY_TEXT)
        row += 1
    for number, r in enumerate(section.rows, start=1):
        for col, value in enumerate(r.cells(number), start=1):
            _put(ws, row, col, value, LEFT if col in (3, 9, 10) else CENTER)
        row += 1

    row += 1
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
    set_text(ws.cell(row=row, column=2), "统计").font = Font(size=13, bold=True)
    row += 1
    for i, label in enumerate(COUNT_COLUMNS, start=2):
        _put(ws, row, i, label, HEAD)
    row += 1
    for group in section.groups:
        first = row
        for item in group.items:
            _put(ws, row, 2, group.title)
            _put(ws, row, 3, item.label, LEFT)
            if item.n is None:  # the average age: a figure, not a head count
                _put(ws, row, 4, item.average if item.average is not None else "—")
            else:
                _put(ws, row, 4, item.n)
            _put(ws, row, 5, item.share)
            row += 1
        if row - 1 > first:
            ws.merge_cells(start_row=first, start_column=2, end_row=row - 1, end_column=2)

    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.left.text = _footer_text(f"{section.place}　统计日期：{cn_date(data.on)}")
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"  # notices.pdf.PAGE_NUMBER_FORMAT, in Excel's codes
    ws.freeze_panes = "A4"


def summary_xlsx(data: SummaryData) -> bytes:
    """One worksheet per section (the total first when there are several townships)."""
    wb = Workbook()
    for style in _named_styles():
        wb.add_named_style(style)
    taken: set = set()
    for i, section in enumerate(data.sections):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = _sheet_name("合计" if section.is_total else section.unit.name, taken)
        _write_section(ws, data, section)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- pdf --------------------------------------------------------------------------------------------------------------


def pdf_context(data: SummaryData) -> dict:
    return {
        "data": data,
        "columns": [label for label, _ in COLUMNS],
        "sections": [
            {
                "section": s,
                # Two-character names padded to three in print (张　三); stored and exported unpadded.
                "rows": [[*r.cells(i)[:3], pad_name(r.name), *r.cells(i)[4:]] for i, r in enumerate(s.rows, start=1)],
            }
            for s in data.sections
        ],
        "empty_text": EMPTY_TEXT,
        "on_text": cn_date(data.on),
    }


def summary_pdf(data: SummaryData) -> bytes:
    """A4 landscape; each section starts a page; table header repeated, date and unit in the footer."""
    pdf = html_to_pdf(render_to_string(PDF_TEMPLATE, pdf_context(data)))
    # The footer names each section's unit (as the workbook's footer does), numbers running through the document.
    starts = anchor_pages(pdf, "section-")
    sections = [
        (starts[f"section-{i}"], f"填报单位：{s.place}　　统计日期：{cn_date(data.on)}　　类型：{data.type_label}")
        for i, s in enumerate(data.sections)
        if f"section-{i}" in starts
    ]
    return stamp_pages([pdf], sections=sections, side_mm=12)

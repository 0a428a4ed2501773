"""The django-import-export Resource for people: field mapping (column header -> Person attribute), one widget per
kind of cell with Chinese messages, new/update classification by ID number, all-or-nothing bulk writes.

What it adds to import-export's flow:
- a loader that fetches every person named in the file in one query (and their open records and last removal in two
  more), so a preview costs the same number of queries for 5 rows as for 5,000;
- blank cells never overwrite (a 名册 without 民族 must not wipe it) and never replace a model default;
- checks across cells and rows (the ID number twice in the file, 性别 and 出生年月 of a 名册 against the ID number,
  入党时间 only for party members, the village within the import's unit, a person in the pool elsewhere);
- with 入库, the reserve record each row would open and the county policy's verdict on it;
- a dry run that writes nothing at all (import-export's own dry run writes and rolls back).
Errors are collected per cell, keyed by the column header the user sees."""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from imports import columns as K
from imports.parser import Problem
from org import roles
from org.masking import mask_id, mask_phone
from org.models import OrgUnit
from org.scope import get_scope
from reserves import choices as C
from reserves.eligibility import FAIL, WARN, check_eligibility
from reserves.forms import parse_year_month
from reserves.identity import birth_date_of, normalize_id, sex_of, validate_id, validate_name, validate_phone
from reserves.models import CountyPolicy, Person, ReserveRecord
from reserves.policy import county_of
from reserves.services import DUPLICATE_ID_MESSAGE

H = {c.key: c.header for c in K.COLUMNS}
ROW_KEY = "入库"  # errors and notes about the row's reserve record rather than one cell
# What an import may change: every field a clerk may enter, except the ID number (the key) and the photo.
UPDATABLE = [f for f in Person.EDITABLE_FIELDS if f not in ("id_number", "photo")]
LABELS = {name: str(Person._meta.get_field(name).verbose_name) for name in UPDATABLE}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\u200e\u200f\ufeff\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_CJK_SPACED = re.compile(r"^[\u3400-\u9fff\u00b7·\s\u3000]+$")


def tidy(value) -> str:
    """A cell's text without zero-width and control characters, outer spaces, and runs of spaces."""
    text = _CONTROL.sub("", str(value or "").translate(_INVISIBLE))
    return _SPACES.sub(" ", text).strip()


def is_blank(value) -> bool:
    return not isinstance(value, Problem) and not tidy(value)


# --- widgets ---------------------------------------------------------------------------------------------------------


class CellWidget(widgets.Widget):
    """Base: a Problem found while reading the cell is this cell's error; the rest is cleaned by `to_python`."""

    label = ""

    def __init__(self, label: str = "", max_length: int | None = None):
        super().__init__()
        self.label = label
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, Problem):
            raise ValueError(value.message)
        text = tidy(value)
        if not text:
            return None
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"{self.label}不能超过{self.max_length}个字（当前{len(text)}个）。")
        return self.to_python(text, row)

    def to_python(self, text: str, row):
        return text


class NameWidget(CellWidget):
    def to_python(self, text, row):
        # Rosters pad two-character names (张  三); a name of Chinese characters has no spaces.
        text = _SPACES.sub("", text) if _CJK_SPACED.match(text) else text
        if not text:
            return text
        try:
            return validate_name(text)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None


class IdWidget(CellWidget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, Problem):
            raise ValueError(value.message)
        text = normalize_id(tidy(value))
        if not text:
            return None
        if "*" in text:
            raise ValueError("身份证号中有“*”（这是遮盖后的号码），请填写完整的身份证号。")
        if re.fullmatch(r"\d(\.\d+)?E\+?\d+", text):
            raise ValueError("身份证号被Excel存成了数字，请把该列设为文本后重新填写")
        try:
            return validate_id(text)
        except ValidationError as exc:
            message = exc.messages[0]
            if exc.code == "checksum" and text.endswith("000"):
                message += "（末几位是0：可能被Excel当作数字截断了，请把该列设为文本后重新填写）"
            raise ValueError(message) from None


class PhoneWidget(CellWidget):
    def to_python(self, text, row):
        try:
            return validate_phone(text)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None


_WITH_DAY = [
    re.compile(r"^(\d{4})[.\-/年](\d{1,2})[.\-/月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def year_month(text: str, label: str) -> datetime.date:
    """1990.01, 1990.1, 1990-01, 1990/1, 1990年1月, 199001 and the same with a (real) day; anything else is refused."""
    value = unicodedata.normalize("NFKC", text).replace(" ", "")
    refusal = f"{label}“{text[:20]}”无法识别：请写作1990.01（也可写作1990年1月、1990-01、1990/1、199001）。"
    for pattern in _WITH_DAY:
        m = pattern.match(value)
        if m:
            try:
                datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise ValueError(refusal) from None
            value = f"{m.group(1)}.{m.group(2)}"
            break
    try:
        parsed = parse_year_month(value)
    except ValidationError:
        raise ValueError(refusal) from None
    if parsed is None:
        raise ValueError(f"请填写{label}。")
    return parsed


class YearMonthWidget(CellWidget):
    def to_python(self, text, row):
        parsed = year_month(text, self.label)
        if parsed > timezone.localdate():
            raise ValueError(f"{self.label}不能晚于本月。")
        return parsed


def full_date(text: str, label: str) -> datetime.date:
    value = unicodedata.normalize("NFKC", text).replace(" ", "")
    m = re.fullmatch(r"(\d{4})[.\-/年](\d{1,2})[.\-/月](\d{1,2})日?", value) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", value
    )
    if m:
        try:
            return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    raise ValueError(f"{label}“{text[:20]}”无法识别：请写完整日期，如2020.03.01。")


def _straight(text: str) -> str:
    return text.replace("“", '"').replace("”", '"')


def _fold(text: str) -> str:
    return K.fold(text).replace("“", '"').replace("”", '"')


class ChoiceWidget(CellWidget):
    """A label from the drop-down list (or a common other name for it) -> the stored key."""

    def __init__(self, label, choices, aliases=None, hint=""):
        super().__init__(label)
        self.choices = choices
        self.lookup = {_fold(text): key for key, text in choices}
        self.lookup.update({_fold(key): key for key, _ in choices})
        self.lookup.update({_fold(alias): key for alias, key in (aliases or {}).items()})
        self.hint = hint

    def to_python(self, text, row):
        key = self.lookup.get(_fold(text))
        if key is None:
            options = "、".join(label for _, label in self.choices)
            raise ValueError(f"{self.label}“{text[:30]}”不在可选范围内（{options}）。{self.hint}")
        return key


EDUCATION_ALIASES = {
    "博士": "postgraduate",
    "硕士": "postgraduate",
    "博士研究生": "postgraduate",
    "硕士研究生": "postgraduate",
    "研究生及以上": "postgraduate",
    "本科": "bachelor",
    "大学": "bachelor",
    "大专": "college",
    "专科": "college",
    "高职": "college",
    "高中": "high_school",
    "中专": "high_school",
    "职高": "high_school",
    "技校": "high_school",
    "中技": "high_school",
    "高中(中专)": "high_school",
    "初中": "junior",
    "小学": "junior",
    "初中以下": "junior",
}
POLITICAL_ALIASES = {"党员": "member", "预备党员": "probationary", "团员": "league", "共青团员": "league"}
SOURCE_ALIASES = {
    "现任两委干部": "committee_member",
    "两委干部": "committee_member",
    "村两委干部": "committee_member",
    "专业合作社负责人": "coop_head",
    "退役军人": "veteran",
    "复员退伍军人": "veteran",
}
TYPES = dict(C.RESERVE_TYPE_CHOICES)
NOTE_MAX = ReserveRecord._meta.get_field("note").max_length
NOTE_SEPARATORS = " ；;，,、。.：:（）()"
TYPE_ALIASES = {
    "村级后备干部": "village_reserve",
    "书记后备力量": "secretary_reserve",
    "两委后备力量": "committee_reserve",
}


# --- the resource ----------------------------------------------------------------------------------------------------


@dataclass
class RowInfo:
    """What a row does, as shown in the preview and stored with the batch."""

    line: int
    new: bool = True
    name: str = ""
    village: str = ""
    id_masked: str = ""
    changes: list = field(default_factory=list)  # [label, before, after]
    notes: list = field(default_factory=list)
    record: str = ""  # "open" | "already" | ""
    reserve_type: str = ""
    entered_on: str = ""
    record_note: str = ""  # the 备注 of the 名册 (ReserveRecord.note), when it is not the type
    eligibility: list = field(default_factory=list)
    override: bool = False
    policy_id: int | None = None
    changed: set = field(default_factory=set)  # Person attributes the row changes
    before: dict = field(default_factory=dict)  # their stored values (for the audit entry)
    village_obj: OrgUnit | None = None
    person: Person | None = None  # the instance, once imported (a record is opened for it)


class PersonLoader(CachedInstanceLoader):
    """Every person named in the file (by a valid ID number) in one query, plus what the checks need about them."""

    def __init__(self, resource, dataset=None):
        self.resource, self.dataset = resource, dataset
        self.pk_field = resource.fields["id_number"]
        ids = resource.valid_ids
        people = resource.get_queryset().filter(id_number__in=ids) if ids else []
        self.all_instances = {p.id_number: p for p in people}
        resource.load_history(self.all_instances.values())

    def get_instance(self, row):
        try:
            key = self.pk_field.clean(row)
        except ValueError:
            return None  # the cell's error is reported when the row is imported
        return self.all_instances.get(key)


class PersonResource(resources.ModelResource):
    name = fields.Field("name", H["name"], NameWidget("姓名", 50))
    id_number = fields.Field("id_number", H["id_number"], IdWidget("身份证号"))
    ethnicity = fields.Field("ethnicity", H["ethnicity"], CellWidget("民族", 20))
    native_place = fields.Field("native_place", H["native_place"], CellWidget("籍贯", 60))
    birthplace = fields.Field("birthplace", H["birthplace"], CellWidget("出生地", 60))
    political_status = fields.Field(
        "political_status", H["political_status"], ChoiceWidget("政治面貌", C.POLITICAL_CHOICES, POLITICAL_ALIASES)
    )
    party_joined = fields.Field("party_joined", H["party_joined"], YearMonthWidget("入党时间"))
    work_started = fields.Field("work_started", H["work_started"], YearMonthWidget("参加工作时间"))
    health = fields.Field("health", H["health"], CellWidget("健康状况", 30))
    occupation = fields.Field("occupation", H["occupation"], CellWidget("从事职业", 60))
    specialty = fields.Field("specialty", H["specialty"], CellWidget("熟悉专业有何专长", 200))
    education = fields.Field("education", H["education"], ChoiceWidget("学历", C.EDUCATION_CHOICES, EDUCATION_ALIASES))
    school_major = fields.Field("school_major", H["school_major"], CellWidget("毕业院校及专业", 120))
    source_group = fields.Field(
        "source_group",
        H["source_group"],
        ChoiceWidget("身份", C.SOURCE_CHOICES, SOURCE_ALIASES, "其他身份请选“其他”并在“其他身份说明”列写明。"),
    )
    source_group_other = fields.Field("source_group_other", H["source_group_other"], CellWidget("其他身份说明", 60))
    phone = fields.Field("phone", H["phone"], PhoneWidget("联系电话"))

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "ethnicity",
            "native_place",
            "birthplace",
            "political_status",
            "party_joined",
            "work_started",
            "health",
            "occupation",
            "specialty",
            "education",
            "school_major",
            "source_group",
            "source_group_other",
            "phone",
        ]
        import_id_fields = ["id_number"]
        instance_loader_class = PersonLoader
        use_bulk = True
        batch_size = 1000
        skip_diff = True  # the preview shows its own list of changed fields
        skip_html_diff = True
        store_instance = True  # confirm opens records for the imported instances

    def __init__(self, *, actor, unit: OrgUnit, options: dict, lines: list[int], write: bool = False):
        super().__init__()
        self.actor, self.unit, self.write, self.lines = actor, unit, write, lines
        self.scope = get_scope(actor)
        self.enroll = bool(options.get("enroll"))
        self.default_type = options.get("reserve_type") or "village_reserve"
        self.default_entered = (
            datetime.date.fromisoformat(options["entered_on"]) if options.get("entered_on") else timezone.localdate()
        )
        self.override = (options.get("override") or "").strip()
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.info: dict[int, RowInfo] = {}
        self.valid_ids: set[str] = set()
        self.id_lines: dict[str, list[int]] = {}
        self.open_records: dict[int, list[tuple]] = {}
        self.last_removed: dict[int, datetime.date] = {}
        self.update_fields: set[str] = set()
        self.type_widget = ChoiceWidget("后备干部类型", C.RESERVE_TYPE_CHOICES, TYPE_ALIASES)
        self.political_widget = self.fields["political_status"].widget

    # --- bulk look-ups (constant number of queries) ---

    def get_queryset(self):
        qs = Person.objects.select_related("village")
        if self.write:
            qs = qs.select_for_update(of=("self",))
        return qs

    def before_import(self, dataset, **kwargs):
        id_widget = self.fields["id_number"].widget
        header = H["id_number"]
        for index, row in enumerate(dataset.dict):
            try:
                number = id_widget.clean(row.get(header))
            except ValueError:
                continue
            if number:
                self.valid_ids.add(number)
                self.id_lines.setdefault(number, []).append(self.lines[index])
        self._load_places(dataset)
        county = county_of(self.unit)
        self.policies = (
            list(CountyPolicy.objects.filter(county=county).order_by("-effective_from", "-id")) if county else []
        )

    def _load_places(self, dataset):
        self.villages: dict[str, list[OrgUnit]] = {}
        self.townships: set[str] = set()
        subtree = OrgUnit.objects.filter(level=roles.VILLAGE, code__startswith=self.unit.code).select_related("parent")
        for village in subtree:
            self.villages.setdefault(K.fold(village.name), []).append(village)
            if village.parent_id:
                self.townships.add(K.fold(village.parent.name))
        if self.unit.level == roles.TOWNSHIP:
            self.townships.add(K.fold(self.unit.name))
        names = set()
        if H["village"] in (dataset.headers or []):
            names = {tidy(v) for v in dataset[H["village"]] if isinstance(v, str) and tidy(v)}
        self.elsewhere: dict[str, list[OrgUnit]] = {}
        missing = [n for n in names if K.fold(n) not in self.villages]
        if missing:
            others = (
                OrgUnit.objects.filter(level=roles.VILLAGE, valid_to__isnull=True, name__in=missing)
                .exclude(code__startswith=self.unit.code)
                .select_related("parent")
            )
            for village in others:
                self.elsewhere.setdefault(K.fold(village.name), []).append(village)

    def load_history(self, people):
        pks = [p.pk for p in people]
        if not pks:
            return
        for person_id, rtype, village_id, village_name in ReserveRecord.objects.filter(
            person_id__in=pks, ended_on__isnull=True
        ).values_list("person_id", "reserve_type", "village_id", "village__name"):
            self.open_records.setdefault(person_id, []).append((rtype, village_id, village_name))
        removed = (
            ReserveRecord.objects.filter(person_id__in=pks, status=C.STATUS_REMOVED)
            .values("person_id")
            .annotate(last=Max("ended_on"))
        )
        self.last_removed = {r["person_id"]: r["last"] for r in removed}

    def policy_on(self, on: datetime.date):
        return next((p for p in self.policies if p.effective_from <= on), None)

    # --- one row ---

    def import_instance(self, instance, row, **kwargs):
        number = kwargs["row_number"]
        new = instance.pk is None
        info = self.info[number] = RowInfo(line=self.lines[number - 1], new=new)
        info.name = tidy(row.get(H["name"]))[:50] if not isinstance(row.get(H["name"]), Problem) else ""
        raw_id = row.get(H["id_number"])
        info.id_masked = mask_id(normalize_id(tidy(raw_id))) if isinstance(raw_id, str) else ""
        if not new and not self.scope.has(roles.EDIT_PEOPLE, instance.village):
            # Registered in another township or county: say no more than the person form does.
            raise ValidationError({H["id_number"]: DUPLICATE_ID_MESSAGE})
        errors: dict[str, str] = {}
        before = {name: getattr(instance, name) for name in UPDATABLE} if not new else {}
        for fld in self.get_import_fields():
            header = fld.column_name
            if header not in row or is_blank(row[header]):
                continue  # a blank cell keeps the stored value (or the model's default)
            try:
                fld.save(instance, row, **kwargs)
            except ValueError as exc:
                errors[header] = str(exc)
        self._village(instance, row, new, info, errors)
        if new:
            for key in ("name", "id_number", "education", "source_group"):
                if not getattr(instance, key) and H[key] not in errors:
                    where = "" if H[key] in row else f"（文件中没有“{H[key]}”列）"
                    errors[H[key]] = f"新增人员须填写{LABELS.get(key, H[key])}{where}。"
        if instance.id_number and H["id_number"] not in errors:
            instance.birth_date, instance.sex = birth_date_of(instance.id_number), sex_of(instance.id_number)
            self._against_id(instance, row, errors)
            others = [n for n in self.id_lines.get(instance.id_number, []) if n != info.line]
            if others:
                errors[H["id_number"]] = f"与第{'、'.join(map(str, others))}行的身份证号重复。"
        self._consistency(instance, row, info, errors)
        if not new and instance.village_id != before["village"].pk and H["village"] not in errors:
            held = [n for _t, v, n in self.open_records.get(instance.pk, []) if v != instance.village_id]
            if held:
                errors[H["village"]] = (
                    f"该人员是在库后备干部（{'、'.join(held)}），调整所在村（社区）请走调动程序，不能通过导入修改。"
                )
        if not new:
            info.changed = _changed(before, instance)
            info.before = {n: before[n] for n in info.changed}
            info.changes = [
                [LABELS[n], _display(n, before[n]), _display(n, getattr(instance, n))]
                for n in UPDATABLE
                if n in info.changed
            ]
        if self.enroll and not errors:
            self._record(instance, row, info, errors)
        if errors:
            raise ValidationError(errors)

    def _village(self, instance, row, new, info, errors):
        header = H["village"]
        text = row.get(header)
        town_text = row.get(H["township"])
        if isinstance(town_text, Problem):
            errors[H["township"]] = town_text.message
        elif tidy(town_text) and K.fold(tidy(town_text)) not in self.townships:
            errors[H["township"]] = f"乡镇“{tidy(town_text)[:30]}”不在本次导入的范围（{self.unit.name}）内。"
        if isinstance(text, Problem):
            errors[header] = text.message
            return
        name = tidy(text)
        if not name:
            if new and self.unit.level == roles.VILLAGE:
                instance.village = self.unit
            elif new:
                errors[header] = "请填写村（社区）。"
            if instance.village_id:
                info.village = instance.village.name
                info.village_obj = instance.village
            return
        info.village = name[:30]
        candidates = self.villages.get(K.fold(name), [])
        town = K.fold(tidy(town_text)) if isinstance(town_text, str) else ""
        if town in self.townships:  # a wrong township is reported on its own cell
            candidates = [v for v in candidates if v.parent_id and K.fold(v.parent.name) == town]
        current = [v for v in candidates if v.valid_to is None]
        if len(current) == 1:
            instance.village = current[0]
            info.village_obj = current[0]
            return
        if len(current) > 1:
            errors[header] = f"{self.unit.name}有{len(current)}个名为“{name}”的村（社区），请在“乡镇”列注明所属乡镇。"
        elif candidates:
            closed = candidates[0]
            errors[header] = f"“{name}”已于{closed.valid_to:%Y年%m月%d}撤销或合并，请填写现在的村（社区）。"
        elif K.fold(name) in self.elsewhere:
            other = self.elsewhere[K.fold(name)][0]
            where = other.parent.name if other.parent_id else "其他单位"
            errors[header] = f"“{name}”属于{where}，不在本次导入的范围（{self.unit.name}）内。"
        else:
            errors[header] = f"{self.unit.name}下没有名为“{name}”的村（社区）。"

    def _against_id(self, instance, row, errors):
        """A 名册's 性别 and 出生年月 must agree with the ID number (they are derived from it)."""
        sex_text = row.get(H["sex"])
        if isinstance(sex_text, Problem):
            errors[H["sex"]] = sex_text.message
        elif tidy(sex_text):
            want = dict(C.SEX_CHOICES)[instance.sex]
            if tidy(sex_text) not in ("男", "女"):
                errors[H["sex"]] = f"性别应填“男”或“女”（身份证号为{want}）。"
            elif tidy(sex_text) != want:
                errors[H["sex"]] = f"性别“{tidy(sex_text)}”与身份证号不符（身份证号为{want}），请核对身份证号。"
        birth_text = row.get(H["birth"])
        if isinstance(birth_text, Problem):
            errors[H["birth"]] = birth_text.message
        elif tidy(birth_text):
            try:
                stated = year_month(tidy(birth_text), "出生年月")
            except ValueError as exc:
                errors[H["birth"]] = str(exc)
            else:
                b = instance.birth_date
                if (stated.year, stated.month) != (b.year, b.month):
                    errors[H["birth"]] = (
                        f"出生年月{stated.year}.{stated.month:02d}与身份证号中的出生日期"
                        f"{b.year}.{b.month:02d}不符，请核对身份证号。"
                    )

    def _consistency(self, instance, row, info, errors):
        """The person service's rules, reported on the cell that breaks them."""
        status_given = H["political_status"] in row and not is_blank(row[H["political_status"]])
        if instance.party_joined and instance.political_status not in C.PARTY_STATUSES and not status_given:
            instance.political_status = "member"
            info.notes.append("未填政治面貌，按入党时间定为中共党员。")
        birth = instance.birth_date if H["id_number"] not in errors else None
        if H["party_joined"] not in errors and instance.party_joined:
            if instance.political_status not in C.PARTY_STATUSES:
                errors[H["party_joined"]] = "只有中共党员（含预备党员）才填写入党时间。"
            elif birth and instance.party_joined < birth:
                errors[H["party_joined"]] = "入党时间不能早于出生日期。"
        if H["work_started"] not in errors and instance.work_started and birth and instance.work_started < birth:
            errors[H["work_started"]] = "参加工作时间不能早于出生日期。"
        if (
            instance.source_group == C.SOURCE_OTHER
            and not (instance.source_group_other or "").strip()
            and H["source_group"] not in errors
        ):
            errors[H["source_group_other"]] = "身份选择“其他”时，请在“其他身份说明”列写明具体身份。"

    def _record(self, instance, row, info, errors):
        """With 入库: the record this row opens (or why it cannot), checked as record_open checks it."""
        rtype, on = self.default_type, self.default_entered
        cell = row.get(H["reserve_type"])
        typed = isinstance(cell, Problem) or bool(tidy(cell))
        if typed:
            try:
                rtype = self.type_widget.clean(cell)
            except ValueError as exc:
                errors[H["reserve_type"]] = str(exc)
                return
        note_type, note = self._note(row.get(H["note"]))
        if note_type and not typed:
            rtype = note_type  # an old 名册 wrote the type in 备注 when it was not 村级后备干部
        elif note_type and note_type != rtype:
            info.notes.append(f"备注中的类型与“后备干部类型”列不同，以“后备干部类型”列为准（{TYPES[rtype]}）。")
        if len(note) > NOTE_MAX:
            errors[H["note"]] = f"备注不能超过{NOTE_MAX}字（现为{len(note)}字），请精简。"
            return
        cell = row.get(H["entered_on"])
        where = H["entered_on"] if H["entered_on"] in row else ROW_KEY
        if isinstance(cell, Problem):
            errors[H["entered_on"]] = cell.message
            return
        if tidy(cell):
            try:
                on = full_date(tidy(cell), "入库日期")
            except ValueError as exc:
                errors[H["entered_on"]] = str(exc)
                return
        if on > self.today:
            errors[where] = "入库日期不能晚于今天。"
            return
        if on < instance.birth_date:
            errors[where] = "入库日期不能早于出生日期。"
            return
        village = instance.village
        if village.valid_from > on or (village.valid_to and village.valid_to <= on):
            errors[where] = f"{village.name}在入库日期（{on:%Y.%m.%d}）不存在。"
            return
        info.reserve_type, info.entered_on, info.record_note = rtype, on.isoformat(), note
        held = self.open_records.get(instance.pk, []) if instance.pk else []
        if any(t == rtype for t, _v, _n in held):
            info.record = "already"
            return
        elsewhere = [n for t, v, n in held if v != village.pk]
        if elsewhere:
            info.notes.append(f"该人员另有在库记录（{'、'.join(elsewhere)}）。")
        result = check_eligibility(
            instance, self.policy_on(on), on=on, last_removed_on=self.last_removed.get(instance.pk)
        )
        failures = [c for c in result.conditions if c.status == FAIL]
        if failures and not self.override:
            reasons = "；".join(f"{c.label}：{c.reason}" for c in failures)
            errors[ROW_KEY] = f"资格条件不符合（{reasons}）。如确需入库，请在上传时填写资格例外理由。"
            return
        if failures:
            info.override = True
            info.notes.append("资格条件不符合，按例外理由入库：" + "；".join(c.reason for c in failures))
        for c in result.conditions:
            if c.status == WARN:
                info.notes.append(f"{c.label}：{c.reason}")
        info.record = "open"
        info.eligibility = result.as_json()
        info.policy_id = result.policy_id

    def _note(self, cell) -> tuple[str, str]:
        """The 备注 cell as (type it names, the record's note). A 备注 that is only a type's name (what the 名册
        printed before it carried the record's own note) gives the type and no note; one that starts or ends with a
        type's full name gives the type and the rest as the note; anything else is the note."""
        if isinstance(cell, Problem):
            return "", ""
        text = tidy(cell)
        if not text:
            return "", ""
        named = self.type_widget.lookup.get(_fold(text))
        if named:
            return named, ""
        plain = _straight(text)  # the same length as text: positions carry over
        for key, label in C.RESERVE_TYPE_CHOICES:
            mark = _straight(label)
            if plain.startswith(mark):
                return key, text[len(mark) :].strip(NOTE_SEPARATORS)
            if plain.endswith(mark):
                return key, text[: len(text) - len(mark)].strip(NOTE_SEPARATORS)
        return "", text

    # --- writes (only when confirming) ---

    def save_instance(self, instance, is_create, row, **kwargs):
        if not self.write:
            return  # the preview writes nothing, not even inside a rolled-back transaction
        info = self.info[kwargs["row_number"]]
        if is_create:
            instance.created_by = self.actor
            self.create_instances.append(instance)
        elif info.changed:
            instance.updated_at = self.now
            self.update_instances.append(instance)
            self.update_fields |= info.changed

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.update_instances:
            return
        try:
            Person.objects.bulk_update(self.update_instances, sorted(self.update_fields), batch_size=batch_size)
            # One time stamp for the whole import: a plain UPDATE, not one more CASE over every row.
            Person.objects.filter(pk__in=[p.pk for p in self.update_instances]).update(updated_at=self.now)
        except Exception as exc:  # noqa: BLE001 - reported as the import's error; the transaction rolls back
            self.handle_import_error(result, exc, raise_errors)
        finally:
            self.update_instances.clear()
            self.update_fields = set()

    def after_import_row(self, row, row_result, **kwargs):
        info = self.info.get(kwargs["row_number"])
        if info is not None:
            info.person = row_result.instance

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the table's id sequence here (for imports that carry ids). Ours never do, and a reset
        # to the visible maximum can hand out an id a concurrent transaction already holds.
        pass


def _display(name: str, value) -> str:
    if value in (None, ""):
        return ""
    if name == "village":
        return value.name
    if name in ("party_joined", "work_started"):
        return f"{value.year}.{value.month:02d}"
    if name == "phone":
        return mask_phone(value)
    choices = Person._meta.get_field(name).choices
    if choices:
        return dict(choices).get(value, value)
    return str(value)


def _changed(before: dict, instance) -> set[str]:
    out = set()
    for name in UPDATABLE:
        if name == "village":
            if before["village"].pk != instance.village_id:
                out.add(name)
        elif before[name] != getattr(instance, name):
            out.add(name)
    return out

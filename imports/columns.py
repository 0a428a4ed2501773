"""The columns an import understands: the template's (person fields in the 纪实表 order, plus 身份, village and the
optional 入库 columns) and the 名册's (附件1, reports.roster.COLUMNS). A file's headers are matched by name, so a
名册 and a template can both be uploaded, in any column order."""

import re
import unicodedata
from dataclasses import dataclass, field

# Kinds decide how a cell is read (parser) and cleaned (resources).
TEXT, NAME, ID, PHONE, YEAR_MONTH, DATE, CHOICE, PLACE, CHECK, IGNORED = (
    "text",
    "name",
    "id",
    "phone",
    "year_month",
    "date",
    "choice",
    "place",
    "check",
    "ignored",
)


@dataclass(frozen=True)
class Column:
    header: str  # the canonical header (the template's)
    key: str  # Person attribute, or a name the import reads itself
    kind: str
    width: int = 12
    required: bool = False  # for a new person
    in_template: bool = True
    aliases: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""  # shown in the template's 填写说明


COLUMNS = [
    Column(
        "乡镇",
        "township",
        PLACE,
        12,
        aliases=("乡镇（街道）", "乡（镇）", "街道", "所在乡镇"),
        note="可不填；填写时须与所选单位相符",
    ),
    Column(
        "村（社区）",
        "village",
        PLACE,
        14,
        required=True,
        aliases=("村", "社区", "村社区", "所在村（社区）", "所在村", "村（居）"),
        note="须是本次导入范围内的村（社区）；导入到某个村时可不填",
    ),
    Column("姓名", "name", NAME, 10, required=True, aliases=("姓 名",)),
    Column(
        "身份证号码",
        "id_number",
        ID,
        22,
        required=True,
        aliases=("身份证号", "公民身份号码", "身份证", "居民身份证号码"),
        note="18位；请保持“文本”格式，不要让Excel存成数字。性别和出生年月由身份证号得出",
    ),
    Column("民族", "ethnicity", TEXT, 8, note="不填则为汉族"),
    Column("籍贯", "native_place", TEXT, 12),
    Column("出生地", "birthplace", TEXT, 12),
    Column("政治面貌", "political_status", CHOICE, 14, note="从下拉列表选择；不填时有入党时间的按中共党员，否则按群众"),
    Column(
        "入党时间",
        "party_joined",
        YEAR_MONTH,
        10,
        aliases=("入党年月",),
        note="如1990.01，仅中共党员（含预备党员）填写",
    ),
    Column("参加工作时间", "work_started", YEAR_MONTH, 12, aliases=("参加工作年月",), note="如2012.07"),
    Column("健康状况", "health", TEXT, 10, note="不填则为健康"),
    Column("从事职业", "occupation", TEXT, 12),
    Column("熟悉专业有何专长", "specialty", TEXT, 16, aliases=("专长", "熟悉专业", "特长")),
    Column("学历", "education", CHOICE, 12, required=True, aliases=("文化程度", "最高学历"), note="从下拉列表选择"),
    Column("毕业院校及专业", "school_major", TEXT, 18, aliases=("毕业院校", "毕业院校系及专业")),
    Column(
        "身份",
        "source_group",
        CHOICE,
        20,
        required=True,
        aliases=("人员身份", "身份类别", "来源"),
        note="从下拉列表选择；选“其他”时在下一列写明",
    ),
    Column("其他身份说明", "source_group_other", TEXT, 14),
    Column("联系电话", "phone", PHONE, 14, aliases=("电话号码", "手机号码", "手机", "电话", "联系方式")),
    Column(
        "后备干部类型",
        "reserve_type",
        CHOICE,
        20,
        aliases=("类型",),
        note="仅在“同时入库”时使用；不填则用上传时选择的类型",
    ),
    Column("入库日期", "entered_on", DATE, 12, note="仅在“同时入库”时使用，如2020.03.01；不填则用上传时填写的日期"),
    # Columns of the 名册 (附件1) that are not person fields: checked against the ID number, or read for the type.
    Column("性别", "sex", CHECK, in_template=False),
    Column("出生年月", "birth", CHECK, in_template=False, aliases=("出生日期",)),
    Column("备注", "note", CHECK, in_template=False),
    Column("序号", "no", IGNORED, in_template=False, aliases=("编号",)),
    Column("年龄", "age", IGNORED, in_template=False),
    Column("结对干部姓名及职务", "mentors", IGNORED, in_template=False, aliases=("结对干部",)),
]
BY_HEADER = {c.header: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}
TEMPLATE_COLUMNS = [c for c in COLUMNS if c.in_template]
SHEET_NAME = "后备干部信息"

_HEADER_JUNK = re.compile(r"[\s*＊:：]+")


def fold(text: str) -> str:
    """Compare-friendly form of a header or a place name: NFKC (full-width letters and brackets to ASCII), no
    whitespace, no required-field stars."""
    return _HEADER_JUNK.sub("", unicodedata.normalize("NFKC", text or ""))


HEADER_INDEX: dict[str, Column] = {}
for _column in COLUMNS:
    for _name in (_column.header, *_column.aliases):
        HEADER_INDEX[fold(_name)] = _column


def match_header(text: str) -> Column | None:
    folded = fold(text)
    if not folded:
        return None
    column = HEADER_INDEX.get(folded)
    if column is None:
        # "学历（从下拉列表选择）", "联系电话(手机)": a hint in brackets after the name
        column = HEADER_INDEX.get(re.sub(r"\(.*\)$", "", folded))
    return column

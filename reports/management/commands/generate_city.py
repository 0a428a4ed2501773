"""Generate a fictional city (示范市二, code 5198) for benchmarks: org tree, people, reserve records, pairings,
policies, accounts, selection rounds and the cultivation records of every open record (trainings, practice, quarterly
reviews, mentoring entries, appraisals, talks), all with bulk inserts in one transaction.

    manage.py generate_city --size city|tiny [--seed N] [--replace]

Everything generated lives under the code prefix 5198; accounts are named bench_*. `--replace` deletes a previous
run first (see `delete_generated`)."""

import datetime
import random
import sys
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone
from tqdm import tqdm

from assessment.models import (
    Absence,
    AnnualAppraisal,
    InabilityReport,
    Leave,
    QuarterReview,
    QuarterSubmission,
)
from mentoring.models import KIND_FULL_COVERAGE, MentoringEntry, Talk, TalkParticipant
from org import roles
from org.models import Membership, OrgUnit, OrgUnitUserObjectPermission, User, VillageLeader
from reserves import choices as C
from reserves.builders import make_id, random_name
from reserves.compliance import quarter_bounds, quarter_of
from reserves.models import CountyPolicy, Flag, MentorPairing, Person, ReservePlacement, ReserveRecord
from reserves.policy import preset_values
from selection.models import (
    APPROVING,
    ATTENDEE_CATEGORIES,
    CHANNEL_CHOICES,
    CHANNEL_MASSES,
    CHANNEL_SELF,
    CHANNEL_VILLAGE,
    KIND_QS,
    STAGES,
    VOTE_OPTIONS,
    Candidacy,
    EvaluationMeeting,
    Nomination,
    Round,
)
from training.models import SHADOWING, Enrolment, PracticeAssignment, TrainingEvent

CITY_CODE = "5198"
CITY_NAME = "示范市二"
USER_PREFIX = "bench_"
PASSWORD = "Bench2026pass"
BATCH = 2000
VALID_FROM = datetime.date(2015, 1, 1)
POLICY_FROM = datetime.date(2017, 10, 1)


@dataclass(frozen=True)
class Size:
    counties: int
    townships_per_county: int
    villages_per_township: int
    reserves: int  # people with one open record each
    rounds: int  # selection rounds in the first county, the big one included
    big_round: int  # candidacies of the one big round (first township of the first county)
    big_village: int  # open records placed in one village (the first of the first township) for the bulk pages
    ended_share: float = 0.10  # extra people whose record has ended (removed or used)

    @property
    def townships(self) -> int:
        return self.counties * self.townships_per_county

    @property
    def villages(self) -> int:
        return self.townships * self.villages_per_township

    @property
    def ended(self) -> int:
        return round(self.reserves * self.ended_share)


SIZES = {
    "city": Size(
        counties=20,
        townships_per_county=15,
        villages_per_township=10,
        reserves=14_000,
        rounds=300,
        big_round=60,
        big_village=50,
    ),
    "tiny": Size(
        counties=2,
        townships_per_county=2,
        villages_per_township=5,
        reserves=100,
        rounds=10,
        big_round=12,
        big_village=8,
    ),
}


# --- account names (the bench command logs in as these) ---------------------------------------------------------


def city_viewer_username() -> str:
    return f"{USER_PREFIX}city"


def county_username(county_code: str, role: str) -> str:
    return f"{USER_PREFIX}{county_code}_{'admin' if role == 'county_admin' else 'staff'}"


def township_username(township_code: str, role: str) -> str:
    return f"{USER_PREFIX}{township_code}_{'admin' if role == 'township_admin' else 'staff'}"


# --- fictional place names ----------------------------------------------------------------------------------------

_FIRST = "东西南北青白金石龙凤桃柳松竹梅兰清碧红黄新永安太和平福寿长乐云双三五马鹤鹿"
_SECOND = "河江山溪岭坪坝湾桥塘田林泉源峰台岗冈洲滩沟口湖屯寨堡庄园店铺"


def _place_names(rng: random.Random, count: int, suffixes: list[str]) -> list[str]:
    """`count` distinct two-character names with a suffix picked from `suffixes`."""
    stems = [a + b for a in _FIRST for b in _SECOND]
    rng.shuffle(stems)
    return [stems[i % len(stems)] + rng.choice(suffixes) for i in range(count)]


# --- deleting a previous run --------------------------------------------------------------------------------------


def generated_exists() -> bool:
    return OrgUnit.objects.filter(code=CITY_CODE).exists()


def delete_generated() -> dict[str, int]:
    """Delete everything under code prefix 5198 and the bench_* accounts, children before parents (most foreign
    keys here are PROTECT). Audit log entries are append-only and stay; their actor is set to NULL."""
    p = CITY_CODE
    bench_users = User.objects.filter(username__startswith=USER_PREFIX)
    records = ReserveRecord.objects.filter(Q(village__code__startswith=p) | Q(person__village__code__startswith=p))
    rounds = Round.objects.filter(township__code__startswith=p)
    candidacies = Candidacy.objects.filter(
        Q(round__in=rounds) | Q(village__code__startswith=p) | Q(person__village__code__startswith=p)
    )
    round_villages = Round.villages.through.objects
    events = TrainingEvent.objects.filter(unit__code__startswith=p)
    talks = Talk.objects.filter(Q(unit__code__startswith=p) | Q(held_by_user__in=bench_users))
    leaves = Leave.objects.filter(Q(record__in=records) | Q(village__code__startswith=p))
    from lifecycle.benchdata import delete_for_prefix

    delete_for_prefix(p)  # removal/use/transfer chains and their filings PROTECT the records
    steps = [
        # Cultivation and management records: they PROTECT records, pairings, villages, townships and the accounts
        # that hold talks (the rest cascade from records, but deleting them first keeps each step one plain DELETE).
        ("TalkParticipant", TalkParticipant.objects.filter(Q(record__in=records) | Q(talk__in=talks))),
        ("Talk", talks),
        (
            "MentoringEntry",
            MentoringEntry.objects.filter(Q(pairing__record__in=records) | Q(pairing__mentor_user__in=bench_users)),
        ),
        ("Enrolment", Enrolment.objects.filter(Q(record__in=records) | Q(event__in=events))),
        ("TrainingEvent", events),
        ("PracticeAssignment", PracticeAssignment.objects.filter(record__in=records)),
        ("QuarterReview", QuarterReview.objects.filter(Q(record__in=records) | Q(village__code__startswith=p))),
        ("QuarterSubmission", QuarterSubmission.objects.filter(township__code__startswith=p)),
        ("AnnualAppraisal", AnnualAppraisal.objects.filter(Q(record__in=records) | Q(village__code__startswith=p))),
        (
            "Absence",
            Absence.objects.filter(Q(record__in=records) | Q(village__code__startswith=p) | Q(leave__in=leaves)),
        ),
        ("Leave", leaves),
        ("InabilityReport", InabilityReport.objects.filter(Q(record__in=records) | Q(village__code__startswith=p))),
        ("Flag", Flag.objects.filter(record__in=records)),
        # Selection first: candidacies PROTECT people and records, rounds PROTECT townships and county policies.
        ("Nomination", Nomination.objects.filter(candidacy__in=candidacies)),
        ("Candidacy", candidacies),
        ("EvaluationMeeting", EvaluationMeeting.objects.filter(Q(round__in=rounds) | Q(village__code__startswith=p))),
        ("Round.villages", round_villages.filter(Q(round__in=rounds) | Q(orgunit__code__startswith=p))),
        ("Round", rounds),
        (
            "MentorPairing",
            MentorPairing.objects.filter(Q(record__in=records) | Q(mentor_user__in=bench_users)),
        ),
        ("ReservePlacement", ReservePlacement.objects.filter(Q(record__in=records) | Q(village__code__startswith=p))),
        ("ReserveRecord", records),
        ("Person", Person.objects.filter(village__code__startswith=p)),
        ("CountyPolicy", CountyPolicy.objects.filter(county__code__startswith=p)),
        ("VillageLeader", VillageLeader.objects.filter(Q(village__code__startswith=p) | Q(user__in=bench_users))),
        ("Membership", Membership.objects.filter(Q(user__in=bench_users) | Q(unit__code__startswith=p))),
        (
            "OrgUnitUserObjectPermission",
            OrgUnitUserObjectPermission.objects.filter(Q(user__in=bench_users) | Q(content_object__code__startswith=p)),
        ),
        ("User", bench_users),
    ]
    counts: dict[str, int] = {}
    try:
        for label, qs in steps:
            # Materialise ids first: deleting through a join on rows being deleted is not portable.
            ids = list(qs.values_list("pk", flat=True))
            model = qs.model
            deleted = 0
            for i in range(0, len(ids), BATCH):
                deleted += model.objects.filter(pk__in=ids[i : i + BATCH]).delete()[1].get(model._meta.label, 0)
            counts[label] = deleted
        units = OrgUnit.objects.filter(code__startswith=p)
        units.exclude(merged_into=None).update(merged_into=None)
        counts["OrgUnit"] = 0
        for level in (roles.VILLAGE, roles.TOWNSHIP, roles.COUNTY, roles.CITY):
            counts["OrgUnit"] += units.filter(level=level).delete()[1].get(OrgUnit._meta.label, 0)
    except (ProtectedError, RestrictedError) as exc:
        blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", [])
        blockers = sorted({f"{o._meta.label}#{o.pk}" for o in list(blocking)[:10]})
        raise CommandError(f"无法删除上次生成的数据，仍被其他记录引用：{', '.join(blockers)}") from exc
    return counts


# --- the generator ------------------------------------------------------------------------------------------------


class Plan:
    """Every object to insert, built in memory first (so the progress bar knows the total), then bulk-inserted in
    dependency order. Foreign keys point at unsaved objects; bulk_create fills in their ids once the targets have
    primary keys (PostgreSQL and SQLite ≥ 3.35 return them)."""

    def __init__(self, size: Size, seed: int, today: datetime.date):
        self.size = size
        self.rng = random.Random(seed)
        self.today = today
        self.steps: list[tuple[str, type, list]] = []
        self.seen_ids: set[str] = set()  # ID numbers handed out so far

    def add(self, label: str, model, objs: list):
        self.steps.append((label, model, objs))
        return objs

    @property
    def total(self) -> int:
        return sum(len(objs) for _, _, objs in self.steps)


def build_units(plan: Plan):
    rng, size = plan.rng, plan.size
    city = OrgUnit(level=roles.CITY, name=CITY_NAME, code=CITY_CODE, valid_from=VALID_FROM)
    county_names = _place_names(rng, size.counties, ["县", "县", "县", "区"])
    counties = [
        OrgUnit(level=roles.COUNTY, name=name, code=f"{CITY_CODE}{i + 1:02d}", parent=city, valid_from=VALID_FROM)
        for i, name in enumerate(county_names)
    ]
    townships, villages = [], []
    for county in counties:
        names = _place_names(rng, size.townships_per_county, ["镇", "镇", "乡", "街道"])
        for j in range(size.townships_per_county):
            townships.append(
                OrgUnit(
                    level=roles.TOWNSHIP,
                    name=names[j],
                    code=f"{county.code}{j + 1:03d}",
                    parent=county,
                    valid_from=VALID_FROM,
                )
            )
    for township in townships:
        names = _place_names(rng, size.villages_per_township, [""])
        for k in range(size.villages_per_township):
            shequ = rng.random() < 0.30
            kind = OrgUnit.KIND_SHEQU if shequ else OrgUnit.KIND_CUN
            villages.append(
                OrgUnit(
                    level=roles.VILLAGE,
                    kind=kind,
                    name=names[k] + ("社区" if shequ else "村"),
                    # Like the demo: 1xx for communities, 2xx for villages; k keeps the code unique either way.
                    code=f"{township.code}{1 if shequ else 2}{k + 1:02d}",
                    parent=township,
                    valid_from=VALID_FROM,
                )
            )
    plan.add("城市", OrgUnit, [city])
    plan.add("县（区）", OrgUnit, counties)
    plan.add("乡镇", OrgUnit, townships)
    plan.add("村（社区）", OrgUnit, villages)
    return city, counties, townships, villages


def build_accounts(plan: Plan, city, counties, townships, villages):
    password_hash = make_password(PASSWORD)  # hashed once; every bench account shares it
    ct = ContentType.objects.get_for_model(OrgUnit)
    perms = {p.codename: p for p in Permission.objects.filter(content_type=ct)}
    missing = {codename for codename, _ in roles.PERMISSIONS} - set(perms)
    if missing:
        raise CommandError(f"缺少权限 {', '.join(sorted(missing))}：请先运行 migrate。")

    users, memberships, grants = [], [], []
    by_unit_role: dict[tuple[str, str], User] = {}

    def account(username, display_name, unit, role_key, title=""):
        user = User(username=username, display_name=display_name, password=password_hash, is_active=True)
        users.append(user)
        memberships.append(Membership(user=user, unit=unit, role=role_key, title=title))
        for codename in sorted(roles.ROLES[role_key].perms):
            grants.append(OrgUnitUserObjectPermission(user=user, permission=perms[codename], content_object=unit))
        by_unit_role[(unit.code, role_key)] = user
        return user

    account(city_viewer_username(), f"{CITY_NAME}委组织部", city, "city_viewer")
    for county in counties:
        account(county_username(county.code, "county_admin"), f"{county.name}组织部管理员", county, "county_admin")
        account(county_username(county.code, "county_staff"), f"{county.name}组织部干事", county, "county_staff")
    for township in townships:
        account(
            township_username(township.code, "township_admin"),
            f"{township.name}党委书记",
            township,
            "township_admin",
            "党委书记",
        )
        account(
            township_username(township.code, "township_staff"),
            f"{township.name}组织委员",
            township,
            "township_staff",
            "组织委员",
        )
    leaders = [
        VillageLeader(
            village=v,
            user=by_unit_role[(v.parent.code, "township_staff")],
            start=datetime.date(2021, 1, 1),
            assigned_by=by_unit_role[(v.parent.code, "township_admin")],
        )
        for v in villages
    ]
    plan.add("账号", User, users)
    plan.add("角色", Membership, memberships)
    plan.add("对象权限", OrgUnitUserObjectPermission, grants)
    plan.add("包村领导", VillageLeader, leaders)
    return by_unit_role


# The counties of the generated city take the four presets in turn, so every seed's rules (and reminders) run at size.
CITY_PRESETS = ["QS2017", "QL2022", "3YR2024", "CD2025"]


def build_policies(plan: Plan, counties):
    policies = {}
    for i, c in enumerate(counties):
        preset = CITY_PRESETS[i % len(CITY_PRESETS)]
        policies[c.code] = CountyPolicy(
            county=c,
            effective_from=POLICY_FROM,
            preset=preset,
            note=f"按{preset}方案（基准测试数据）",
            **preset_values(preset),
        )
    plan.add("县级政策", CountyPolicy, list(policies.values()))
    return policies


def _random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


MENTOR_KINDS = [
    ("village_head", "村党组织书记", 6),
    ("township_leader", "乡镇党委委员", 2),
    ("first_secretary", "驻村第一书记", 1),
    ("village_cadre", "村委会委员", 1),
]


def _new_person(plan: Plan, village) -> Person:
    """A person living in `village` with a valid ID number (area = the county's code), unique in this run."""
    rng = plan.rng
    area = village.code[:6]  # the county's code, so ID look-ups by county find them
    sex = "F" if rng.random() < 0.35 else "M"
    while True:
        birth = _random_date(rng, datetime.date(1975, 1, 1), datetime.date(2003, 12, 28))
        seq = rng.randrange(100)
        id_number = make_id(area, birth, seq, sex)
        if id_number not in plan.seen_ids:
            plan.seen_ids.add(id_number)
            break
    political = rng.choice(["member"] * 5 + ["probationary", "league", "masses", "masses", "masses"])
    groups = C.SOURCE_COMMUNITY if village.kind == OrgUnit.KIND_SHEQU else C.SOURCE_VILLAGE
    return Person(
        name=random_name(rng),
        id_number=id_number,
        sex=sex,
        birth_date=birth,
        political_status=political,
        party_joined=datetime.date(birth.year + rng.randint(19, 21), rng.randint(1, 12), 1)
        if political in C.PARTY_STATUSES
        else None,
        work_started=datetime.date(birth.year + rng.randint(18, 21), rng.choice((7, 9)), 1),
        education=rng.choice(["bachelor", "college", "college", "high_school", "high_school", "postgraduate"]),
        source_group=rng.choice(groups)[0],
        phone=f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        native_place=f"四川{village.parent.parent.name}",
        birthplace=f"四川{village.parent.parent.name}",
        occupation=rng.choice(["务农", "个体经营", "网格员", "教师", "合作社负责人"]),
        village=village,
    )


def build_people(plan: Plan, villages, policies):
    rng, size, today = plan.rng, plan.size, plan.today
    people, records, placements, pairings = [], [], [], []
    latest_entry = today - datetime.timedelta(days=40)
    kinds = [k for k, _, w in MENTOR_KINDS for _ in range(w)]
    posts = {k: post for k, post, _ in MENTOR_KINDS}
    order = list(range(len(villages)))
    rng.shuffle(order)  # spread people evenly, in no particular order
    total = size.reserves + size.ended

    for i in range(total):
        # The first `big_village` reserves fill the first village (the bulk quarterly page's many rows); the rest are
        # spread evenly.
        if i < size.big_village:
            village = villages[0]
        else:
            village = villages[order[(i - size.big_village) % len(villages)]]
        area = village.code[:6]  # the county's code, so ID look-ups by county find them
        person = _new_person(plan, village)
        people.append(person)

        ended = i >= size.reserves
        if ended:
            entered = _random_date(rng, datetime.date(2018, 1, 1), datetime.date(2023, 12, 31))
            ended_on = min(entered + datetime.timedelta(days=rng.randint(30, 700)), today - datetime.timedelta(days=1))
            status = rng.choice([C.STATUS_REMOVED, C.STATUS_USED])
            end_reason = "当选村委会委员" if status == C.STATUS_USED else "经乡镇党委审批、县委组织部备案取消资格"
        else:
            entered = _random_date(rng, datetime.date(2018, 1, 1), latest_entry)
            ended_on, status, end_reason = None, C.STATUS_ACTIVE, ""
        record = ReserveRecord(
            person=person,
            reserve_type="secretary_reserve" if rng.random() < 0.15 else "village_reserve",
            village=village,
            entered_on=entered,
            entry_method=C.ENTRY_IMPORT,
            entry_reason="系统启用前已在库（基准测试数据）",
            status=status,
            ended_on=ended_on,
            end_reason=end_reason,
            policy=policies[area],
        )
        records.append(record)
        placements.append(ReservePlacement(record=record, village=village, start=entered, end=ended_on))

        # About one pairing per record: most have one, a few none, a few a finished one and its successor.
        roll = rng.random()
        if roll < 0.04 and not ended:
            continue
        kind = rng.choice(kinds)
        first_end = ended_on
        if roll > 0.96 and not ended and (latest_entry - entered).days > 60:
            first_end = entered + datetime.timedelta(days=rng.randint(30, (latest_entry - entered).days))
        pairings.append(
            MentorPairing(
                record=record,
                mentor_name=random_name(rng),
                mentor_kind=kind,
                post=posts[kind],
                start=entered,
                end=first_end,
            )
        )
        if first_end is not None and not ended:
            kind = rng.choice(kinds)
            pairings.append(
                MentorPairing(
                    record=record,
                    mentor_name=random_name(rng),
                    mentor_kind=kind,
                    post=posts[kind],
                    start=first_end,
                )
            )

    assert len(plan.seen_ids) == len(people), "duplicate ID numbers"
    plan.add("人员", Person, people)
    plan.add("后备干部记录", ReserveRecord, records)
    plan.add("调动记录", ReservePlacement, placements)
    plan.add("结对帮带", MentorPairing, pairings)
    return people, records, pairings


# --- selection rounds ---------------------------------------------------------------------------------------------

SELECTION_FROM = datetime.date(2024, 1, 1)
QS_KEYS = [key for key, _ in STAGES[KIND_QS]]
VOTE_KEYS = [key for key, _ in VOTE_OPTIONS[CountyPolicy.VOTE_FOUR]]  # the QS2017 preset's four-grade scale
CHANNELS = [key for key, _ in CHANNEL_CHOICES]
ANNOUNCEMENT = (
    "为加强村级后备干部队伍建设，经乡镇党委研究，决定在下列村（社区）开展村级后备干部选拔工作，"
    "采取“三推两选两公示”方式进行。（基准测试数据）"
)


def _after(stage: str, than: str) -> bool:
    return QS_KEYS.index(stage) > QS_KEYS.index(than)


def _capped(day: datetime.date, today: datetime.date) -> datetime.date:
    return min(day, today)


def _meeting(rng: random.Random, round_: Round, village, today: datetime.date) -> EvaluationMeeting:
    """A quorate meeting: more than half of those expected attend (present ≤ expected)."""
    expected = rng.randint(30, 90)
    return EvaluationMeeting(
        round=round_,
        village=village,
        date=_capped(round_.nomination_deadline + datetime.timedelta(days=rng.randint(7, 14)), today),
        place=f"{village.name}党群服务中心会议室",
        categories=[key for key, _ in ATTENDEE_CATEGORIES],
        expected=expected,
        present=rng.randint(expected // 2 + 1, expected),
    )


def _vote(rng: random.Random, candidacy: Candidacy, meeting: EvaluationMeeting):
    """Four-grade votes summing to at most the attendance, and the approval rate over those present."""
    cast = meeting.present - rng.randint(0, min(3, meeting.present))  # a few blank ballots
    weights = [rng.uniform(0.2, 1.0), rng.uniform(0.5, 1.5), rng.uniform(0.05, 0.4), rng.uniform(0.0, 0.15)]
    counts = [int(cast * w / sum(weights)) for w in weights]
    counts[1] += cast - sum(counts)  # rounding remainder to 称职
    assert sum(counts) == cast <= meeting.present <= meeting.expected
    candidacy.votes = dict(zip(VOTE_KEYS, counts, strict=True))
    approving = sum(v for k, v in candidacy.votes.items() if k in APPROVING)
    candidacy.approval = (Decimal(approving) * 100 / meeting.present).quantize(Decimal("0.1"))


def _nominations(rng: random.Random, candidacy: Candidacy, round_: Round, today: datetime.date) -> list[Nomination]:
    by = {
        CHANNEL_VILLAGE: f"{candidacy.village.name}党组织",
        CHANNEL_MASSES: f"党员群众{rng.randint(5, 30)}人联名",
        CHANNEL_SELF: candidacy.person.name,
    }
    return [
        Nomination(
            candidacy=candidacy,
            channel=channel,
            nominated_by=by[channel],
            nominated_on=_capped(round_.announced_on + datetime.timedelta(days=rng.randint(0, 13)), today),
        )
        for channel in sorted(rng.sample(CHANNELS, rng.randint(1, 3)), key=CHANNELS.index)
    ]


def _outcome(rng: random.Random, stage: str) -> str:
    """A candidacy's state consistent with the round's stage."""
    if stage == "announced":
        return Candidacy.NOMINATED
    if stage == "review":
        return rng.choice([Candidacy.NOMINATED, Candidacy.QUALIFIED, Candidacy.QUALIFIED, Candidacy.FAILED])
    if rng.random() < 0.1:
        return Candidacy.FAILED
    if not _after(stage, "selection"):
        return Candidacy.QUALIFIED
    if rng.random() < 0.3:
        return Candidacy.NOT_SELECTED
    if not _after(stage, "decision"):
        return Candidacy.INSPECTION
    return Candidacy.ENTERED if stage == "closed" else Candidacy.DECIDED


def build_selection(plan: Plan, counties, townships, villages, people, records, policies):
    """Selection rounds of the first county, written directly (not through selection.services): `size.rounds - 1`
    small rounds of 1–3 villages with a few candidacies each, announced over 2024 to today, older rounds further
    along (stages spread evenly over the QS pipeline); and one round in the first township covering all its villages
    with `size.big_round` qualified candidates (new people), their votes and each village's evaluation meeting."""
    rng, size, today = plan.rng, plan.size, plan.today
    county = counties[0]
    policy = policies[county.code]
    county_townships = [t for t in townships if t.parent is county]
    villages_of: dict[str, list] = {t.code: [] for t in county_townships}
    for v in villages:
        if v.parent.code in villages_of:
            villages_of[v.parent.code].append(v)
    people_of: dict[str, list] = {}
    for person in people:
        people_of.setdefault(person.village.code, []).append(person)
    open_record = {id(r.person): r for r in records if r.ended_on is None}

    n_small = size.rounds - 1
    dates = sorted(_random_date(rng, SELECTION_FROM, today - datetime.timedelta(days=1)) for _ in range(n_small))
    slots = [county_townships[i % len(county_townships)] for i in range(n_small)]
    rng.shuffle(slots)
    rounds, round_villages, new_people, candidacies, nominations, meetings = [], [], [], [], [], []

    def new_round(township, announced_on, stage, reserve_type="village_reserve"):
        round_ = Round(
            township=township,
            kind=KIND_QS,
            reserve_type=reserve_type,
            announcement=ANNOUNCEMENT,
            announced_on=announced_on,
            nomination_deadline=announced_on + datetime.timedelta(days=14),
            stage=stage,
            policy=policy,
        )
        if _after(stage, "selection"):
            round_.staffing_note = "结合村“两委”班子职数配备情况，每村确定1至2名考察对象。"
        if _after(stage, "inspection"):
            round_.inspection_team = "乡镇党委组织委员、纪委书记、包村领导"
            round_.inspection_date = _capped(announced_on + datetime.timedelta(days=45), today)
        if _after(stage, "decision"):
            round_.decision_date = _capped(announced_on + datetime.timedelta(days=55), today)
            round_.decision_text = "经乡镇党委会集体研究，确定考察合格的人选为村级后备干部。"
        if stage == "closed":
            round_.closed_on = _capped(announced_on + datetime.timedelta(days=75), today)
        rounds.append(round_)
        return round_

    def candidacy(round_, person, state, meeting=None):
        c = Candidacy(round=round_, person=person, village=person.village, state=state)
        if state != Candidacy.NOMINATED:
            c.reviewed_on = _capped(round_.nomination_deadline + datetime.timedelta(days=3), today)
        if state == Candidacy.FAILED:
            c.review_note = "年龄不符合县级规定的选拔条件"
        elif state == Candidacy.NOT_SELECTED:
            c.exit_reason = "未被确定为考察对象"
        elif state == Candidacy.ENTERED:
            record = open_record.get(id(person))
            c.record = record if record and record.reserve_type == round_.reserve_type else None
        if state in (Candidacy.INSPECTION, Candidacy.DECIDED, Candidacy.ENTERED):
            c.findings = "政治素质好，群众基础较好，具备培养潜力。"
        if meeting is not None and state not in (Candidacy.NOMINATED, Candidacy.FAILED):
            _vote(rng, c, meeting)
        candidacies.append(c)
        nominations.extend(_nominations(rng, c, round_, today))
        return c

    # Small rounds: the oldest are closed, the newest just announced.
    for j, (announced_on, township) in enumerate(zip(dates, slots, strict=True)):
        stage = QS_KEYS[len(QS_KEYS) - 1 - j * len(QS_KEYS) // n_small]
        reserve_type = "secretary_reserve" if rng.random() < 0.15 else "village_reserve"
        round_ = new_round(township, announced_on, stage, reserve_type)
        covered = rng.sample(villages_of[township.code], rng.randint(1, min(3, len(villages_of[township.code]))))
        round_villages.extend(Round.villages.through(round=round_, orgunit=v) for v in covered)
        met = {}
        if QS_KEYS.index(stage) >= QS_KEYS.index("evaluation"):
            for v in covered:
                if stage != "evaluation" or rng.random() < 0.5:  # evaluation under way: some villages have met
                    met[v.code] = _meeting(rng, round_, v, today)
        meetings.extend(met.values())
        # People already in the pool as this type are not nominated again, except as the round's own result
        # (an entered candidacy points at that person's open record; its dates are not aligned with the round).
        holders, others = [], []
        for person in (p for v in covered for p in people_of.get(v.code, [])):
            record = open_record.get(id(person))
            (holders if record and record.reserve_type == reserve_type else others).append(person)
        rng.shuffle(holders)
        rng.shuffle(others)
        for _ in range(rng.randint(1, 4)):
            state = _outcome(rng, stage)
            source = holders if state == Candidacy.ENTERED else others
            if source:
                person = source.pop()
            else:
                person = _new_person(plan, rng.choice(covered))
                new_people.append(person)
            candidacy(round_, person, state, met.get(person.village.code))

    # The big round: every village of the first township, qualified candidates with votes (evaluation stage).
    township = county_townships[0]
    covered = villages_of[township.code]
    big = new_round(township, today - datetime.timedelta(days=40), "evaluation")
    round_villages.extend(Round.villages.through(round=big, orgunit=v) for v in covered)
    met = {v.code: _meeting(rng, big, v, today) for v in covered}
    meetings.extend(met.values())
    for i in range(size.big_round):
        person = _new_person(plan, covered[i % len(covered)])  # new nominees: the township has too few people
        new_people.append(person)
        candidacy(big, person, Candidacy.QUALIFIED, met[person.village.code])

    # Titles: the n-th round of its township in its year.
    batches: dict[tuple[str, int], int] = {}
    for round_ in sorted(rounds, key=lambda r: r.announced_on):
        key = (round_.township.code, round_.announced_on.year)
        batches[key] = batches.get(key, 0) + 1
        what = "村级后备干部" if round_.reserve_type == "village_reserve" else "村党组织书记后备力量"
        round_.title = f"{round_.announced_on.year}年第{batches[key]}批{what}选拔"

    plan.add("选拔", Round, rounds)
    plan.add("选拔涉及村", Round.villages.through, round_villages)
    plan.add("人员", Person, new_people)
    plan.add("候选人", Candidacy, candidacies)
    plan.add("推荐", Nomination, nominations)
    plan.add("评选会议", EvaluationMeeting, meetings)
    return big


# --- cultivation and management records (training, mentoring, assessment) ------------------------------------------

TRAINING_EVENTS = [
    # (year, form, days, content) — five per township; every open record of the township in the pool during the
    # training is enrolled. Under QS2017 only a concentrated (or party-school, out-of-county) training of at least
    # five days counts, once per three-year window from entry.
    (2024, "concentrated", Decimal("5"), "村级后备干部集中培训班：党的创新理论与乡村振兴政策"),
    (2024, "night_school", Decimal("1"), "农民夜校：农村实用技术与农村电子商务"),
    (2025, "party_school", Decimal("3"), "县委党校专题培训：党章党规与村级事务管理"),
    (2025, "meeting", Decimal("0.5"), "以会代训：村级组织建设和基层治理工作会"),
    (2026, "concentrated", Decimal("6"), "村级后备干部能力提升班：基层治理与群众工作方法"),
]
# Variations by a township's position j in its county, so the training gap list has rows: where j % 4 == 1 the 2024
# concentrated course is a short one (3 days), where j % 3 == 1 the 2026 course is online; where both (j = 1 and 13)
# no training counts, and reserves of those townships who entered before 2024 have missed two windows (OVERDUE).
SHORT_2024 = (Decimal("3"), "村级后备干部短期集中培训：村级事务管理实务")
ONLINE_2026 = ("online", Decimal("2"), "在线学习：新时代基层干部履职能力专题课程")


def _training_plan(position: int) -> list[tuple[int, str, Decimal, str]]:
    events = []
    for year, form, days, content in TRAINING_EVENTS:
        if year == 2024 and form == "concentrated" and position % 4 == 1:
            days, content = SHORT_2024
        elif year == 2026 and position % 3 == 1:
            form, days, content = ONLINE_2026
        events.append((year, form, days, content))
    return events


PRACTICE_CONTENT = {
    "village_affairs": ["协助村党组织开展“三会一课”", "参与村务公开和民主管理工作"],
    "public_service": ["在村党群服务中心代办便民服务事项", "参与村级网格化服务管理"],
    "key_project": ["参与村级产业发展项目推进", "参与信访维稳和矛盾纠纷调解"],
    "assistant": ["担任村党组织书记助理", "担任村集体经济协管员"],
    SHADOWING: ["到乡镇党政办公室跟班学习", "到乡镇农业农村服务中心跟班学习"],
}
PRACTICE_KINDS = [k for k in PRACTICE_CONTENT if k != SHADOWING]
PRACTICE_PERFORMANCE = ["工作积极主动，能按时完成交办任务", "虚心学习，群众反映较好", "肯吃苦，处理问题较有办法"]
PRACTICE_ASSESSMENT = ["合格", "良好", "优秀"]

MENTORING_CONTENT = [
    "指导学习村级事务管理制度，讲解村务公开程序",
    "带领参与矛盾纠纷调解，交流群众工作方法",
    "共同走访困难群众，指导做好帮扶台账",
    "指导参与村级产业项目谋划，交流发展思路",
    "谈心谈话，了解思想和工作情况，提出改进要求",
]
MENTORING_ASSESSMENT = ["进步明显", "能较好完成帮带任务", "工作主动性有待加强", ""]

REVIEW_POTENTIAL = ["群众基础较好，有培养潜力", "学习能力强，处理问题思路清晰", "责任心强，有发展潜力"]
REVIEW_SHORTCOMINGS = ["工作经验不足", "理论学习有待加强", "处理复杂问题的能力有待提高"]
RATINGS = ["good"] * 4 + ["fairly_good"] * 4 + ["average"] * 2
APPRAISALS = ["excellent"] * 2 + ["competent"] * 10 + ["basic"] * 2
SUBMITTED_SHARE = 0.9


def review_quarters(today: datetime.date) -> list[tuple[int, int]]:
    """The four quarters before the current one, oldest first (reviews and mentoring entries are kept for these)."""
    year, quarter = quarter_of(today)
    out = []
    for _ in range(4):
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        out.append((year, quarter))
    return out[::-1]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """An aware datetime on `day` (no later than now)."""
    return min(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))), timezone.now())


def build_cultivation(plan: Plan, townships, records, pairings, accounts):
    """The records the cultivation apps keep, written directly (not through the services) and consistent with their
    rules: five trainings per township with every open record of the township in the pool at the time enrolled, two
    practice assignments per open record (跟班学习 among them, never overlapping), the village and township opinions
    of the four quarters before the current one, one mentoring entry per quarter on each current pairing, last year's
    appraisal, each township's quarter submissions and a full-coverage talk this year. Ended records get none."""
    rng, today = plan.rng, plan.today
    yesterday = today - datetime.timedelta(days=1)
    open_records = [r for r in records if r.ended_on is None]
    by_township: dict[str, list] = {t.code: [] for t in townships}
    for record in open_records:
        by_township[record.village.parent.code].append(record)
    current = {id(p.record): p for p in pairings if p.end is None and p.record.ended_on is None}
    quarters = review_quarters(today)

    def admin(township):
        return accounts[(township.code, "township_admin")]

    def staff(township):
        return accounts[(township.code, "township_staff")]

    events, enrolments = [], []
    for township in townships:
        members = by_township[township.code]
        position = int(township.code[6:]) - 1  # the township's place in its county
        for year, form, days, content in _training_plan(position):
            length = max(1, int(days.to_integral_value(rounding="ROUND_CEILING")))
            last_start = min(datetime.date(year, 11, 30), yesterday - datetime.timedelta(days=length))
            start = _random_date(rng, min(datetime.date(year, 3, 1), last_start), last_start)
            end = start + datetime.timedelta(days=length - 1)
            event = TrainingEvent(
                form=form,
                start=start,
                end=end,
                days=days,
                content=f"{content}（{township.name}{year}年）",
                organiser=f"{township.name}党委",
                unit=township,
                created_by=admin(township),
            )
            events.append(event)
            enrolments.extend(
                Enrolment(event=event, record=r, created_by=admin(township)) for r in members if r.entered_on <= end
            )

    practice = []
    for record in open_records:
        span = (yesterday - record.entered_on).days
        start = record.entered_on + datetime.timedelta(days=rng.randint(0, span // 2))
        for n in range(2):
            if start > yesterday:
                break
            kind = SHADOWING if rng.random() < 0.3 else rng.choice(PRACTICE_KINDS)
            ongoing = n == 1 and rng.random() < 0.4
            end = None if ongoing else min(start + datetime.timedelta(days=rng.randint(20, 90)), yesterday)
            practice.append(
                PracticeAssignment(
                    record=record,
                    kind=kind,
                    content=rng.choice(PRACTICE_CONTENT[kind]),
                    performance="" if ongoing else rng.choice(PRACTICE_PERFORMANCE),
                    assessment="" if ongoing else rng.choice(PRACTICE_ASSESSMENT),
                    start=start,
                    end=end,
                    created_by=staff(record.village.parent),
                )
            )
            if end is None:
                break
            # The next one starts after this one ends: 跟班学习 assignments of one record never overlap.
            start = _random_date(rng, end + datetime.timedelta(days=1), yesterday)

    reviews, entries = [], []
    for year, quarter in quarters:
        first, last = quarter_bounds(year, quarter)
        for record in open_records:
            township = record.village.parent
            if record.entered_on <= last:
                reviews.append(
                    QuarterReview(
                        record=record,
                        year=year,
                        quarter=quarter,
                        village=record.village,
                        village_potential=rng.choice(REVIEW_POTENTIAL),
                        village_shortcomings=rng.choice(REVIEW_SHORTCOMINGS),
                        village_rating=rng.choice(RATINGS),
                        village_by=staff(township),
                        village_at=_at(last + datetime.timedelta(days=3)),
                        township_potential=rng.choice(REVIEW_POTENTIAL),
                        township_shortcomings=rng.choice(REVIEW_SHORTCOMINGS),
                        township_rating=rng.choice(RATINGS),
                        township_by=admin(township),
                        township_at=_at(last + datetime.timedelta(days=6), 15),
                    )
                )
            pairing = current.get(id(record))
            if pairing is not None and max(first, pairing.start) <= min(last, today):
                entries.append(
                    MentoringEntry(
                        pairing=pairing,
                        year=year,
                        quarter=quarter,
                        date=_random_date(rng, max(first, pairing.start), min(last, today)),
                        content=rng.choice(MENTORING_CONTENT),
                        assessment=rng.choice(MENTORING_ASSESSMENT),
                        created_by=staff(township),
                    )
                )

    submissions = [
        QuarterSubmission(
            township=township,
            year=year,
            quarter=quarter,
            state=QuarterSubmission.SUBMITTED,
            submitted_at=_at(quarter_bounds(year, quarter)[1] + datetime.timedelta(days=rng.randint(3, 9))),
            submitted_by=admin(township),
        )
        for township in townships
        for year, quarter in quarters
        if rng.random() < SUBMITTED_SHARE
    ]

    appraisal_year = today.year - 1
    appraisals = [
        AnnualAppraisal(
            record=r,
            year=appraisal_year,
            result=rng.choice(APPRAISALS),
            village=r.village,
            entered_by=admin(r.village.parent),
        )
        for r in open_records
        if r.entered_on <= datetime.date(appraisal_year, 12, 31)
    ]

    talks, participants = [], []
    for township in townships:
        lo = datetime.date(today.year, 3, 1)
        date = _random_date(rng, min(lo, yesterday), yesterday)
        talk = Talk(
            kind=KIND_FULL_COVERAGE,
            date=date,
            unit=township,
            held_by_user=admin(township),
            held_by_post="党委书记",
            notes="乡镇党委书记与本乡镇村级后备干部逐一谈心谈话，了解思想、工作和学习情况，提出努力方向。",
            created_by=admin(township),
        )
        talks.append(talk)
        participants.extend(
            TalkParticipant(talk=talk, record=r) for r in by_township[township.code] if r.entered_on <= date
        )

    plan.add("培训", TrainingEvent, events)
    plan.add("参训人员", Enrolment, enrolments)
    plan.add("实践锻炼", PracticeAssignment, practice)
    plan.add("季度评议", QuarterReview, reviews)
    plan.add("季度评议提交", QuarterSubmission, submissions)
    plan.add("结对帮扶情况", MentoringEntry, entries)
    plan.add("年度考核", AnnualAppraisal, appraisals)
    plan.add("谈心谈话", Talk, talks)
    plan.add("谈话对象", TalkParticipant, participants)


class Command(BaseCommand):
    help = "生成基准测试数据：虚构的示范市二（代码5198），含县、乡镇、村、人员、后备干部记录、结对和账号"

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
        parser.add_argument("--seed", type=int, default=5198)
        parser.add_argument(
            "--replace", action="store_true", help="先删除上次生成的数据（代码5198下的一切和 bench_ 账号）"
        )

    def handle(self, *args, size, seed, replace, **options):
        started = time.perf_counter()
        spec = SIZES[size]
        verbosity = options.get("verbosity", 1)
        with transaction.atomic():
            removed = {}
            if generated_exists():
                if not replace:
                    raise CommandError(f"代码为 {CITY_CODE} 的单位已存在；加 --replace 先删除上次生成的数据。")
                removed = delete_generated()
            elif replace and User.objects.filter(username__startswith=USER_PREFIX).exists():
                removed = delete_generated()
            cleared = time.perf_counter()

            plan = Plan(spec, seed, datetime.date.today())
            city, counties, townships, villages = build_units(plan)
            accounts = build_accounts(plan, city, counties, townships, villages)
            policies = build_policies(plan, counties)
            people, records, pairings = build_people(plan, villages, policies)
            build_selection(plan, counties, townships, villages, people, records, policies)
            build_cultivation(plan, townships, records, pairings, accounts)
            built = time.perf_counter()

            with tqdm(total=plan.total, unit="行", disable=verbosity == 0, file=sys.stderr) as bar:
                for label, model, objs in plan.steps:
                    bar.set_description(label)
                    for i in range(0, len(objs), BATCH):
                        batch = objs[i : i + BATCH]
                        model.objects.bulk_create(batch, batch_size=BATCH)
                        bar.update(len(batch))
                    if objs and objs[0].pk is None:
                        raise CommandError("数据库未返回新行的主键（SQLite 须 ≥ 3.35）。")

        # Fresh bulk loads have no planner statistics yet; without them PostgreSQL picks nested loops that the
        # first benchmark run would measure instead of the plans a settled database uses.
        tables = sorted({model._meta.db_table for _, model, _ in plan.steps})
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
            elif connection.vendor == "sqlite":
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        if verbosity:
            if removed:
                self.stdout.write("已删除上次生成的数据：" + "，".join(f"{k} {v}" for k, v in removed.items() if v))
            counted: dict[str, int] = {}
            for label, _, objs in plan.steps:
                counted[label] = counted.get(label, 0) + len(objs)
            self.stdout.write(f"已生成 {CITY_NAME}（{CITY_CODE}，规模 {size}，种子 {seed}）：")
            for label, n in counted.items():
                self.stdout.write(f"  {n:>7,}  {label}")
            open_records = spec.reserves
            self.stdout.write(f"  其中在库记录 {open_records:,}，已出库记录 {spec.ended:,}")
            self.stdout.write(
                f"账号（密码均为 {PASSWORD}）：{city_viewer_username()}、"
                f"{county_username(counties[0].code, 'county_admin')}、"
                f"{township_username(townships[0].code, 'township_admin')} 等"
            )
            self.stdout.write(
                f"删除 {cleared - started:.1f} 秒，准备 {built - cleared:.1f} 秒，"
                f"写入并更新统计信息 {elapsed - (built - started):.1f} 秒，共用时 {elapsed:.1f} 秒。"
            )
        self.elapsed = elapsed
        return None

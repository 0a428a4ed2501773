"""Server-time benchmark of the busiest pages on generated city data: the reserve lists, a person, the ID look-up,
a selection round with many candidates, the county's selection overview, one reserve's cultivation pages (training,
mentoring, assessment) with all its records, the bulk quarterly review page of a village with many reserves, and the
county's compliance lists (training gaps, mentoring, quarterly reviews).

    manage.py bench --size city|tiny [--requests N] [--keep] [--verbose-queries]

Generates the data with generate_city (unless data of that size is already there), then requests each page through
django.test.Client as a logged-in user: full middleware, view and template rendering, no network. Two warm-up
requests per scenario are discarded; the query count is that of one (extra) request.

Query counts must not depend on how many records a page shows: after the timed runs the benchmark adds rows twice
(more trainings, practice, pairings and entries, talks, reviews, appraisals, leave, absences, an inability report
and a flag for the reserve of the record pages, and three more reserves with reviews in the bulk page's village),
counts each page's queries again after each step, and rolls the additions back. A page whose count still changes
between the two steps issues queries per row (MISS, with the repeated statements listed).

Without --keep the generated data is deleted again at the end (audit log entries written by the ID look-ups stay: the
log is append-only)."""

import datetime
import importlib
import math
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import Absence, AnnualAppraisal, InabilityReport, Leave, QuarterReview
from mentoring import selectors as mentoring_selectors
from mentoring.models import KIND_MENTOR, MentoringEntry, Talk, TalkParticipant
from mentoring.rules import applicable_rules
from org.models import OrgUnit, User
from reports.management.commands.generate_city import (
    CITY_CODE,
    SIZES,
    TRAINING_EVENTS,
    Plan,
    _new_person,
    city_viewer_username,
    county_username,
    delete_generated,
    generated_exists,
    review_quarters,
    township_username,
)
from reserves import choices as C
from reserves.compliance import quarter_bounds, quarter_of
from reserves.models import Flag, MentorPairing, Person, ReservePlacement, ReserveRecord
from reserves.policy import policy_in_force
from selection.models import Candidacy, Round
from training import selectors as training_selectors
from training.models import Enrolment, PracticeAssignment, TrainingEvent

GOAL_MS = 100.0
# Later apps add their pages here: each module has scenarios(county, subject) -> list[Scenario].
EXTRA_SCENARIOS = ("dashboards.bench",)


def spec_size_is_city(county) -> bool:
    return ReserveRecord.objects.filter(village__code__startswith=county.code, ended_on__isnull=True).count() > 500


GOAL_QUERIES = 15
WARMUP = 2
GROWTH_STEPS = 2
GROWTH_RESERVES = 3  # new reserves in the bulk page's village per growth step


@dataclass
class Scenario:
    name: str
    username: str
    path: str
    data: dict | None = None  # POST body; None for GET
    expect: str = ""  # text the page must contain
    goal_ms: float = GOAL_MS  # median server time
    goal_queries: int | None = GOAL_QUERIES  # queries of one request (None: no cap, only constant)
    times_ms: list[float] = field(default_factory=list)
    queries: list[dict] = field(default_factory=list)
    grown: list[list[dict]] = field(default_factory=list)  # queries of one request after each growth step
    grows: str = ""  # which growth the page must show afterwards: "record" (the subject's rows), "village" (reserves)

    @property
    def method(self) -> str:
        return "POST" if self.data is not None else "GET"

    @property
    def constant(self) -> bool:
        """The count did not change between growth steps (a first step may add a fixed query or two for a section
        that was empty: that is no per-row query)."""
        return len({len(q) for q in self.grown[1:]}) <= 1

    @property
    def ok(self) -> bool:
        return (
            statistics.median(self.times_ms) <= self.goal_ms
            and (self.goal_queries is None or len(self.queries) <= self.goal_queries)
            and self.constant
        )


@dataclass
class Subject:
    """What the cultivation scenarios look at, and what the growth steps add to."""

    county: OrgUnit
    township: OrgUnit  # the record's township
    record: ReserveRecord
    pairing: MentorPairing  # the record's current pairing
    village: OrgUnit  # the village with the most open records in the county (the bulk page)
    quarter: tuple[int, int]  # the newest reviewed quarter
    today: datetime.date


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _shape(sql: str) -> str:
    """A statement without its literals, to match the same query issued for different rows."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\?(?:\s*,\s*\?)+", "?", sql)


class Command(BaseCommand):
    help = (
        "基准测试：在生成的示范市二数据上测量后备干部列表、人员详情、身份证号查询、选拔、"
        "培训/结对帮带/考核页、季度评议批量页和县级落实情况名单的服务器耗时与查询次数"
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
        parser.add_argument("--requests", type=int, default=20, help="每个场景计时的请求数（另有2次预热）")
        parser.add_argument("--keep", action="store_true", help="测完保留生成的数据（默认删除）")
        parser.add_argument("--verbose-queries", action="store_true", help="列出每个场景一次请求的全部SQL及耗时")

    def handle(self, *args, size, requests, keep, verbose_queries, **options):
        if requests < 1:
            raise CommandError("--requests 至少为 1。")
        spec = SIZES[size]
        generate_s = None
        if self._matches(spec):
            self.stdout.write(f"已有规模为 {size} 的生成数据，直接使用（不重新生成）。")
        else:
            started = time.perf_counter()
            call_command("generate_city", size=size, replace=True, stdout=self.stdout, stderr=self.stderr)
            generate_s = time.perf_counter() - started

        subject = self._subject()
        scenarios = self._scenarios(spec, subject)
        hosts = list(settings.ALLOWED_HOSTS)
        if "testserver" not in hosts and "*" not in hosts:
            hosts.append("testserver")
        with override_settings(ALLOWED_HOSTS=hosts):
            for scenario in scenarios:
                self._run(scenario, requests)
            self._grow_and_count(scenarios, subject)

        self._report(scenarios, size, generate_s, verbose_queries)

        if not keep:
            with transaction.atomic():
                delete_generated()
            self.stdout.write("已删除生成的数据（加 --keep 可保留）。")

    # --- data -----------------------------------------------------------------------------------------------------

    def _matches(self, spec) -> bool:
        """Generated data of this size is present (a partial or other-sized run is regenerated)."""
        if not generated_exists():
            return False
        villages = OrgUnit.objects.filter(code__startswith=CITY_CODE, level="village").count()
        open_records = ReserveRecord.objects.filter(village__code__startswith=CITY_CODE, ended_on__isnull=True).count()
        users = User.objects.filter(username=city_viewer_username()).exists()
        rounds = Round.objects.filter(township__code__startswith=CITY_CODE).count()
        events = TrainingEvent.objects.filter(unit__code__startswith=CITY_CODE).count()
        return (
            villages == spec.villages
            and open_records == spec.reserves
            and users
            and rounds == spec.rounds
            and events == spec.townships * len(TRAINING_EVENTS)
        )

    def _subject(self) -> Subject:
        """A reserve of the first county with every kind of record (in the pool since before the first training,
        its current pairing older than the reviewed quarters), and the county's village with the most reserves."""
        today = timezone.localdate()
        county = OrgUnit.objects.filter(code__startswith=CITY_CODE, level="county").order_by("code").first()
        quarters = review_quarters(today)
        first_start = quarter_bounds(*quarters[0])[0]
        record = (
            ReserveRecord.objects.filter(
                village__code__startswith=county.code,
                ended_on__isnull=True,
                entered_on__lt=datetime.date(TRAINING_EVENTS[0][0], 1, 1),
                pairings__end__isnull=True,
                pairings__start__lte=first_start,
            )
            .select_related("person", "village__parent")
            .order_by("id")
            .first()
        )
        if record is None:
            raise CommandError("生成的数据里找不到有全部培养记录的在库后备干部。")
        pairing = MentorPairing.objects.filter(record=record, end__isnull=True).order_by("-start", "-id").first()
        busiest = (
            ReserveRecord.objects.filter(village__code__startswith=county.code, ended_on__isnull=True)
            .values("village")
            .annotate(n=Count("id"))
            .order_by("-n", "village")
            .first()
        )
        village = OrgUnit.objects.select_related("parent__parent").get(pk=busiest["village"])
        return Subject(county, record.village.parent, record, pairing, village, quarters[-1], today)

    def _scenarios(self, spec, subject: Subject) -> list[Scenario]:
        county, record = subject.county, subject.record
        township = OrgUnit.objects.filter(code__startswith=county.code, level="township").order_by("code").first()
        person = record.person
        county_user = county_username(county.code, "county_admin")
        big_round = (
            Round.objects.filter(township=township).annotate(n=Count("candidacies")).order_by("-n", "id").first()
        )
        if big_round is None or big_round.n != spec.big_round:
            raise CommandError(f"生成的数据里找不到有 {spec.big_round} 名候选人的选拔。")
        county_rounds = Round.objects.filter(township__code__startswith=county.code)  # newest first: on page 1
        newest = county_rounds.first()
        newest_open = county_rounds.exclude(stage__in=["closed", "cancelled"]).first()
        n_rounds, n_open = county_rounds.count(), county_rounds.exclude(stage__in=["closed", "cancelled"]).count()
        scenarios = [
            Scenario("后备干部列表（县管理员）", county_user, "/reserves/", expect=township.name),
            Scenario(
                "后备干部列表（乡镇管理员）",
                township_username(township.code, "township_admin"),
                "/reserves/",
                expect=township.name,
            ),
            Scenario("后备干部列表（市级只读）", city_viewer_username(), "/reserves/", expect=township.name),
            Scenario(
                "人员详情（培养记录页的同一后备干部，县管理员）",
                county_user,
                reverse("person_detail", args=[person.pk]),
                expect=person.name,
            ),
            Scenario(
                "身份证号查询（县管理员）",
                county_user,
                "/people/lookup/",
                data={"id_number": person.id_number},
                expect=f"/people/{person.pk}/",
            ),
            Scenario(
                f"选拔详情（{big_round.n}名候选人，乡镇管理员）",
                township_username(township.code, "township_admin"),
                f"/selection/{big_round.pk}/",
                expect=big_round.title,
            ),
            Scenario(f"选拔列表（{n_rounds}次选拔，县管理员）", county_user, "/selection/", expect=newest.title),
            Scenario(
                f"进行中的选拔（{n_open}次，县管理员）", county_user, "/selection/?stage=open", expect=newest_open.title
            ),
        ]
        scenarios += self._cultivation_scenarios(subject, county_user) + self._lifecycle_scenarios(county)
        for module in EXTRA_SCENARIOS:
            scenarios += importlib.import_module(module).scenarios(county, subject)
        return scenarios

    def _lifecycle_scenarios(self, county) -> list[Scenario]:  # noqa: C901
        """The county's filing inbox with 500 waiting items, and the replenishment view (county and city)."""
        from lifecycle.benchdata import make_filings
        from reserves.models import Filing

        target = 500 if spec_size_is_city(county) else 20  # the tiny county has too few reserves for 500
        waiting = Filing.objects.filter(county=county, state=Filing.SUBMITTED).count()
        if waiting < target:
            make_filings(county, target - waiting)
        waiting = Filing.objects.filter(county=county, state=Filing.SUBMITTED).count()
        oldest = Filing.objects.filter(county=county, state=Filing.SUBMITTED).order_by("submitted_at", "id").first()
        county_user = county_username(county.code, "county_admin")
        return [
            Scenario(f"备案待办（{waiting}件，县管理员）", county_user, reverse("filing_list"), expect=oldest.title),
            Scenario("跟进补充（县管理员）", county_user, reverse("replenish_list"), expect="缺额"),
            Scenario("跟进补充（市级只读）", city_viewer_username(), reverse("replenish_list"), expect="缺额"),
        ]

    def _cultivation_scenarios(self, subject: Subject, county_user: str) -> list[Scenario]:
        """One reserve's pages with all its records, the bulk quarterly page and the county's compliance lists."""
        county, record, village, today = subject.county, subject.record, subject.village, subject.today
        year, quarter = subject.quarter
        n_trainings = Enrolment.objects.filter(record=record).count()
        n_practice = PracticeAssignment.objects.filter(record=record).count()
        entries = MentoringEntry.objects.filter(pairing__record=record)
        n_talks = TalkParticipant.objects.filter(record=record).count()
        n_reviews = QuarterReview.objects.filter(record=record).count()
        n_appraisals = AnnualAppraisal.objects.filter(record=record).count()
        newest_event = TrainingEvent.objects.filter(enrolments__record=record).order_by("-start", "-id").first()
        this_year = entries.filter(year=today.year).order_by("-quarter").first()
        newest_review = QuarterReview.objects.filter(record=record).order_by("-year", "-quarter").first()
        if newest_event is None or newest_review is None:
            raise CommandError("生成的数据里该后备干部缺少培训或季度评议记录。")

        in_village = list(
            ReserveRecord.objects.filter(village=village, ended_on__isnull=True)
            .select_related("person")
            .order_by("person__name", "pk")
        )
        n_reviewed = QuarterReview.objects.filter(
            record__in=[r.pk for r in in_village], year=year, quarter=quarter
        ).count()

        admin = User.objects.get(username=county_user)
        policy = policy_in_force(county, today)
        gaps = training_selectors.gap_list(admin, county=county, policy=policy, rule="training", on=today)
        n_gaps, first_gap = gaps.count(), gaps.select_related("person").first()
        keys = [key for key, _ in applicable_rules(policy)]
        lacking = mentoring_selectors.compliance_rows(admin, policy=policy, on=today, unit=county, rule_keys=keys)
        n_lacking, first_lacking = lacking.count(), lacking.first()
        n_townships = OrgUnit.objects.filter(code__startswith=county.code, level="township").count()
        township_admin = township_username(village.parent.code, "township_admin")
        return [
            Scenario(
                f"培训与实践锻炼页（{n_trainings}次培训、{n_practice}项实践锻炼，县管理员）",
                county_user,
                reverse("training_record", args=[record.pk]),
                expect=newest_event.content,
                goal_queries=None,
                grows="record",
            ),
            Scenario(
                f"结对帮带页（{entries.count()}条帮扶情况、{n_talks}次谈话，县管理员）",
                county_user,
                reverse("mentoring_record", args=[record.pk]),
                expect=this_year.content if this_year else subject.pairing.mentor_name,
                goal_queries=None,
                grows="record",
            ),
            Scenario(
                f"考核与考勤页（{n_reviews}次季度评议、{n_appraisals}次年度考核，县管理员）",
                county_user,
                reverse("record_assessment", args=[record.pk]),
                expect=newest_review.township_potential,
                goal_queries=None,
                grows="record",
            ),
            Scenario(
                f"季度评议批量页（{len(in_village)}人、{n_reviewed}人已评议，{year}年第{quarter}季度，乡镇管理员）",
                township_admin,
                reverse("quarter_village", kwargs={"year": year, "quarter": quarter, "pk": village.pk}),
                expect=in_village[0].person.name if in_village else village.name,
                goal_queries=None,
                grows="village",
            ),
            Scenario(
                f"培训未达标名单（{n_gaps}人，县管理员）",
                county_user,
                reverse("training_gaps") + "?rule=training",
                expect=first_gap.person.name if first_gap else county.name,
                goal_queries=None,
            ),
            Scenario(
                f"结对帮带落实情况（{n_lacking}人有缺项，县管理员）",
                county_user,
                reverse("mentoring_compliance"),
                expect=first_lacking.person.name if first_lacking else county.name,
                goal_queries=None,
            ),
            Scenario(
                f"季度评议总览（{n_townships}个乡镇，{year}年第{quarter}季度，县管理员）",
                county_user,
                reverse("quarter_overview") + f"?year={year}&quarter={quarter}",
                expect=village.parent.name,
                goal_queries=None,
            ),
        ]

    # --- growing the data (rolled back) ---------------------------------------------------------------------------

    def _grow_and_count(self, scenarios: list[Scenario], subject: Subject):
        """Count each page's queries once more after each of GROWTH_STEPS additions, then roll the additions back."""
        clients = {}
        for scenario in scenarios:
            if scenario.username not in clients:
                clients[scenario.username] = Client()
                clients[scenario.username].force_login(User.objects.get(username=scenario.username))
        with transaction.atomic():
            for step in range(1, GROWTH_STEPS + 1):
                shown = self._grow(subject, step)
                for scenario in scenarios:
                    client = clients[scenario.username]
                    self._request(client, scenario)  # anything cached per process is warm again
                    with CaptureQueriesContext(connection) as captured:
                        response = self._request(client, scenario)
                    scenario.grown.append(list(captured.captured_queries))
                    if scenario.grows and shown[scenario.grows] not in response.content.decode():
                        raise CommandError(f"{scenario.name}：增加记录后页面中没有“{shown[scenario.grows]}”。")
            transaction.set_rollback(True)

    def _grow(self, subject: Subject, step: int) -> dict[str, str]:
        """Add rows of every kind the cultivation pages show: for the subject record, and new reserves in the busiest
        village (each step different years, quarters and dates, so no uniqueness rule is broken). Returns text the
        grown pages must show."""
        record, township, village, today = subject.record, subject.township, subject.village, subject.today
        admin = User.objects.get(username=township_username(township.code, "township_admin"))
        day = today - datetime.timedelta(days=30 * step)

        # Training: a single (individual) training and a township training with the new reserves; practice.
        single = TrainingEvent.objects.create(
            form="outside_county",
            start=day - datetime.timedelta(days=4),
            end=day,
            days=5,
            content=f"县外培训（基准测试增量{step}）",
            organiser="外县组织部",
            unit=township,
            is_individual=True,
            created_by=admin,
        )
        shared = TrainingEvent.objects.create(
            form="meeting",
            start=day,
            end=day,
            days=1,
            content=f"以会代训（基准测试增量{step}）",
            organiser=f"{township.name}党委",
            unit=township,
            created_by=admin,
        )
        Enrolment.objects.create(event=single, record=record, created_by=admin)
        Enrolment.objects.create(event=shared, record=record, created_by=admin)
        PracticeAssignment.objects.create(
            record=record,
            kind="village_affairs",
            content=f"参与村务公开（基准测试增量{step}）",
            performance="表现较好",
            assessment="合格",
            start=day - datetime.timedelta(days=20),
            end=day - datetime.timedelta(days=10),
            created_by=admin,
        )

        # Mentoring: one more pairing with this year's entries, and a mentor talk.
        pairing = MentorPairing.objects.create(
            record=record,
            mentor_name=f"增量导师{step}",
            mentor_kind="village_cadre",
            post="村委会委员",
            start=datetime.date(today.year, 1, 1),
            created_by=admin,
        )
        for quarter in range(1, quarter_of(today)[1] + 1):
            first = quarter_bounds(today.year, quarter)[0]
            MentoringEntry.objects.create(
                pairing=pairing,
                year=today.year,
                quarter=quarter,
                date=min(first + datetime.timedelta(days=step), today),
                content=f"指导学习村级事务管理（基准测试增量{step}）",
                created_by=admin,
            )
        talk = Talk.objects.create(
            kind=KIND_MENTOR,
            date=day,
            unit=township,
            held_by_name=pairing.mentor_name,
            held_by_post=pairing.post,
            notes=f"了解思想和工作情况（基准测试增量{step}）",
            created_by=admin,
        )
        TalkParticipant.objects.create(talk=talk, record=record)

        # Assessment: two more quarters (before the generated ones), an older appraisal, leave, absence, a report.
        year, quarter = review_quarters(today)[0]
        for _ in range(2 * (step - 1) + 1):
            year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        for _ in range(2):
            QuarterReview.objects.create(
                record=record,
                year=year,
                quarter=quarter,
                village=record.village,
                village_potential="有培养潜力",
                village_shortcomings="经验不足",
                village_rating="good",
                township_potential="有培养潜力",
                township_shortcomings="经验不足",
                township_rating="fairly_good",
                township_by=admin,
                township_at=timezone.now(),
            )
            year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        AnnualAppraisal.objects.create(
            record=record, year=today.year - 1 - step, result="competent", village=record.village, entered_by=admin
        )
        leave_start = day - datetime.timedelta(days=60)
        Leave.objects.create(
            record=record,
            village=record.village,
            start=leave_start,
            end=leave_start + datetime.timedelta(days=2),
            reason="家中有事",
            state=Leave.APPROVED,
            decided_by=admin,
            decided_at=timezone.now(),
            returned_on=leave_start + datetime.timedelta(days=3),
            closed_by=admin,
            closed_at=timezone.now(),
            created_by=admin,
        )
        absent = day - datetime.timedelta(days=50)
        Absence.objects.create(
            record=record, village=record.village, start=absent, end=absent, note="无故缺勤", created_by=admin
        )
        report = InabilityReport.objects.create(
            record=record,
            village=record.village,
            found_on=absent,
            reported_on=absent + datetime.timedelta(days=2),
            reason=f"外出务工（基准测试增量{step}）",
            limit_days=5,
            reported_by=admin,
        )
        Flag.objects.create(
            record=record,
            kind=Flag.INABILITY,
            source=f"assessment.inability:{report.pk}",
            reason=report.reason,
            raised_on=report.reported_on,
        )

        # New reserves in the busiest village, in the pool for the reviewed quarter, each with a pairing, a review,
        # the shared training and the talk.
        plan = Plan(SIZES["tiny"], seed=1000 + step, today=today)
        plan.seen_ids = set(
            Person.objects.filter(id_number__startswith=village.code[:6]).values_list("id_number", flat=True)
        )
        year, quarter = subject.quarter
        entered = quarter_bounds(year, quarter)[0] - datetime.timedelta(days=100)
        names = []
        for _ in range(GROWTH_RESERVES):
            person = _new_person(plan, village)
            person.save()
            names.append(person.name)
            new = ReserveRecord.objects.create(
                person=person,
                reserve_type="village_reserve",
                village=village,
                entered_on=entered,
                entry_method=C.ENTRY_IMPORT,
                entry_reason="基准测试增量",
                policy=record.policy,
            )
            ReservePlacement.objects.create(record=new, village=village, start=entered)
            MentorPairing.objects.create(
                record=new, mentor_name="增量导师", mentor_kind="village_head", post="村党组织书记", start=entered
            )
            QuarterReview.objects.create(
                record=new,
                year=year,
                quarter=quarter,
                village=village,
                village_potential="有培养潜力",
                village_shortcomings="经验不足",
                village_rating="average",
            )
            if village.parent_id == township.pk:
                Enrolment.objects.create(event=shared, record=new, created_by=admin)
                TalkParticipant.objects.create(talk=talk, record=new)
        # Text the pages must show now: the record pages this step's rows, the bulk page a new reserve.
        return {"record": f"基准测试增量{step}", "village": names[0]}

    # --- measuring ------------------------------------------------------------------------------------------------

    def _request(self, client: Client, scenario: Scenario):
        if scenario.data is not None:
            response = client.post(scenario.path, scenario.data)
        else:
            response = client.get(scenario.path)
        if response.status_code != 200:
            where = f" → {response.get('Location')}" if response.has_header("Location") else ""
            raise CommandError(
                f"{scenario.name}：{scenario.method} {scenario.path} 返回 {response.status_code}{where}（应为 200）"
            )
        if scenario.expect and scenario.expect not in response.content.decode():
            raise CommandError(f"{scenario.name}：页面中没有“{scenario.expect}”。")
        return response

    def _run(self, scenario: Scenario, requests: int):
        user = User.objects.get(username=scenario.username)
        client = Client()
        client.force_login(user)
        for _ in range(WARMUP):
            self._request(client, scenario)
        for _ in range(requests):
            started = time.perf_counter()
            self._request(client, scenario)
            scenario.times_ms.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            self._request(client, scenario)
        scenario.queries = list(captured.captured_queries)

    # --- output ---------------------------------------------------------------------------------------------------

    def _report(self, scenarios: list[Scenario], size: str, generate_s: float | None, verbose_queries: bool):
        w = self.stdout.write
        vendor = connection.vendor
        version = ""
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
        elif vendor == "sqlite":
            import sqlite3

            version = sqlite3.sqlite_version
        units = OrgUnit.objects.filter(code__startswith=CITY_CODE).count()
        people = Person.objects.filter(village__code__startswith=CITY_CODE).count()
        records = ReserveRecord.objects.filter(village__code__startswith=CITY_CODE)
        w("")
        w(f"数据库：{vendor} {version}  （{connection.settings_dict.get('NAME')}）")
        rounds = Round.objects.filter(township__code__startswith=CITY_CODE).count()
        candidacies = Candidacy.objects.filter(round__township__code__startswith=CITY_CODE).count()
        in_city = {"record__village__code__startswith": CITY_CODE}
        entries = MentoringEntry.objects.filter(pairing__record__village__code__startswith=CITY_CODE).count()
        w(
            f"数据（规模 {size}）：单位 {units:,}，人员 {people:,}，"
            f"后备干部记录 {records.count():,}（在库 {records.filter(ended_on__isnull=True).count():,}），"
            f"选拔 {rounds:,}，候选人 {candidacies:,}"
        )
        w(
            f"培养记录：培训 {TrainingEvent.objects.filter(unit__code__startswith=CITY_CODE).count():,}"
            f"（参训 {Enrolment.objects.filter(**in_city).count():,}），"
            f"实践锻炼 {PracticeAssignment.objects.filter(**in_city).count():,}，"
            f"季度评议 {QuarterReview.objects.filter(**in_city).count():,}，"
            f"结对帮扶情况 {entries:,}，"
            f"年度考核 {AnnualAppraisal.objects.filter(**in_city).count():,}，"
            f"谈话 {Talk.objects.filter(unit__code__startswith=CITY_CODE).count():,}"
            f"（谈话对象 {TalkParticipant.objects.filter(**in_city).count():,}）"
        )
        w(f"生成用时：{generate_s:.1f} 秒" if generate_s is not None else "生成用时：—（沿用已有数据）")
        w(f"每个场景 {len(scenarios[0].times_ms)} 次计时请求（另有 {WARMUP} 次预热）；查询数为单次请求。")
        w("")
        header = [
            "scenario",
            "requests",
            "median ms",
            "p90 ms",
            "max ms",
            "queries",
            "+rows",
            "SQL ms",
            "goal",
            "result",
        ]
        rows = []
        for s in scenarios:
            median = statistics.median(s.times_ms)
            sql_ms = sum(float(q["time"]) for q in s.queries) * 1000
            cap = f"≤{s.goal_queries} q" if s.goal_queries is not None else "const q"
            rows.append(
                [
                    f"{s.method} {s.path} · {s.name}",
                    str(len(s.times_ms)),
                    f"{median:.1f}",
                    f"{_p90(s.times_ms):.1f}",
                    f"{max(s.times_ms):.1f}",
                    str(len(s.queries)),
                    "→".join(str(len(q)) for q in s.grown) or "—",
                    f"{sql_ms:.1f}",
                    f"≤{s.goal_ms:.0f} ms, {cap}",
                    "OK" if s.ok else "MISS",
                ]
            )
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        line = "+".join("-" * (width + 2) for width in widths)
        w(_fmt(header, widths))
        w(line)
        for row in rows:
            w(_fmt(row, widths))
        w("")
        w("goal: per scenario (goal column), median server time and queries of one request.")
        w(
            f"+rows = queries of one request after each of {GROWTH_STEPS} growth steps (rolled back); "
            "const q = the count must not change between the steps."
        )
        w("SQL ms = database time of the one counted request.")
        missed = [s for s in scenarios if not s.ok]
        for s in scenarios if verbose_queries else missed:
            self._print_queries(s, full=verbose_queries)

    def _print_queries(self, s: Scenario, full: bool):
        w = self.stdout.write
        w("")
        w(f"== {s.name}：{s.method} {s.path}，{len(s.queries)} 次查询 ==")
        numbered = list(enumerate(s.queries, 1))
        shown = numbered if full else sorted(numbered, key=lambda item: -float(item[1]["time"]))[:5]
        for n, q in shown:
            sql = q["sql"] if full else q["sql"][:300] + ("…" if len(q["sql"]) > 300 else "")
            w(f"  #{n:<3} {float(q['time']) * 1000:8.2f} ms  {sql}")
        if not full and len(numbered) > len(shown):
            w("  （仅列出最慢的 5 条；加 --verbose-queries 按顺序列出全部）")
        if not s.constant:
            before, after = (
                Counter(_shape(q["sql"]) for q in s.grown[-2]),
                Counter(_shape(q["sql"]) for q in s.grown[-1]),
            )
            w("  增加记录后多出的查询（按语句形状，最后两步之差）：")
            for shape, n in (after - before).most_common(5):
                w(f"    +{n}  {shape[:300]}")


def _width(text: str) -> int:
    """Display width: CJK and full-width characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _fmt(cells: list[str], widths: list[int]) -> str:
    out = []
    for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        pad = " " * (width - _width(cell))
        out.append(f" {cell}{pad} " if i == 0 or i >= len(cells) - 2 else f" {pad}{cell} ")
    return "|".join(out)

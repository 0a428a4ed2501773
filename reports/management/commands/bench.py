"""Server-time benchmark of the busiest pages on generated city data: the reserve lists, a person, the ID look-up,
a selection round with many candidates and the county's selection overview.

    manage.py bench --size city|tiny [--requests N] [--keep] [--verbose-queries]

Generates the data with generate_city (unless data of that size is already there), then requests each page through
django.test.Client as a logged-in user: full middleware, view and template rendering, no network. Two warm-up
requests per scenario are discarded; the query count is that of one (extra) request. Without --keep the generated
data is deleted again at the end (audit log entries written by the ID look-ups stay: the log is append-only)."""

import math
import statistics
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from org.models import OrgUnit, User
from reports.management.commands.generate_city import (
    CITY_CODE,
    SIZES,
    city_viewer_username,
    county_username,
    delete_generated,
    generated_exists,
    township_username,
)
from reserves.models import Person, ReserveRecord
from selection.models import Candidacy, Round

GOAL_MS = 100.0
GOAL_QUERIES = 15
WARMUP = 2


@dataclass
class Scenario:
    name: str
    username: str
    path: str
    data: dict | None = None  # POST body; None for GET
    expect: str = ""  # text the page must contain
    goal_ms: float = GOAL_MS  # median server time
    goal_queries: int = GOAL_QUERIES  # queries of one request
    times_ms: list[float] = field(default_factory=list)
    queries: list[dict] = field(default_factory=list)

    @property
    def method(self) -> str:
        return "POST" if self.data is not None else "GET"


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


class Command(BaseCommand):
    help = (
        "基准测试：在生成的示范市二数据上测量后备干部列表、人员详情、身份证号查询、选拔详情和选拔列表的"
        "服务器耗时与查询次数"
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

        scenarios = self._scenarios(spec)
        hosts = list(settings.ALLOWED_HOSTS)
        if "testserver" not in hosts and "*" not in hosts:
            hosts.append("testserver")
        with override_settings(ALLOWED_HOSTS=hosts):
            for scenario in scenarios:
                self._run(scenario, requests)

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
        return villages == spec.villages and open_records == spec.reserves and users and rounds == spec.rounds

    def _scenarios(self, spec) -> list[Scenario]:
        county = OrgUnit.objects.filter(code__startswith=CITY_CODE, level="county").order_by("code").first()
        township = OrgUnit.objects.filter(code__startswith=county.code, level="township").order_by("code").first()
        person = (
            Person.objects.filter(
                village__code__startswith=county.code,
                records__ended_on__isnull=True,
                records__pairings__isnull=False,
            )
            .order_by("id")
            .first()
        )
        if person is None:
            raise CommandError("生成的数据里找不到有在库记录和结对的人员。")
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
        return [
            Scenario("后备干部列表（县管理员）", county_user, "/reserves/", expect=township.name),
            Scenario(
                "后备干部列表（乡镇管理员）",
                township_username(township.code, "township_admin"),
                "/reserves/",
                expect=township.name,
            ),
            Scenario("后备干部列表（市级只读）", city_viewer_username(), "/reserves/", expect=township.name),
            Scenario("人员详情（县管理员）", county_user, f"/people/{person.pk}/", expect=person.name),
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
        w(
            f"数据（规模 {size}）：单位 {units:,}，人员 {people:,}，"
            f"后备干部记录 {records.count():,}（在库 {records.filter(ended_on__isnull=True).count():,}），"
            f"选拔 {rounds:,}，候选人 {candidacies:,}"
        )
        w(f"生成用时：{generate_s:.1f} 秒" if generate_s is not None else "生成用时：—（沿用已有数据）")
        w(f"每个场景 {len(scenarios[0].times_ms)} 次计时请求（另有 {WARMUP} 次预热）；查询数为单次请求。")
        w("")
        header = ["scenario", "requests", "median ms", "p90 ms", "max ms", "queries", "SQL ms", "goal", "result"]
        rows = []
        for s in scenarios:
            median = statistics.median(s.times_ms)
            sql_ms = sum(float(q["time"]) for q in s.queries) * 1000
            ok = median <= s.goal_ms and len(s.queries) <= s.goal_queries
            rows.append(
                [
                    f"{s.method} {s.path} · {s.name}",
                    str(len(s.times_ms)),
                    f"{median:.1f}",
                    f"{_p90(s.times_ms):.1f}",
                    f"{max(s.times_ms):.1f}",
                    str(len(s.queries)),
                    f"{sql_ms:.1f}",
                    f"≤{s.goal_ms:.0f} ms, ≤{s.goal_queries} q",
                    "OK" if ok else "MISS",
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
        w("SQL ms = database time of the one counted request.")
        missed = [s for s, row in zip(scenarios, rows, strict=True) if row[-1] == "MISS"]
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


def _width(text: str) -> int:
    """Display width: CJK and full-width characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _fmt(cells: list[str], widths: list[int]) -> str:
    out = []
    for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        pad = " " * (width - _width(cell))
        out.append(f" {cell}{pad} " if i == 0 or i >= len(cells) - 2 else f" {pad}{cell} ")
    return "|".join(out)

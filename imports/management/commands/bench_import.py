"""Time and peak memory of a 5,000-row import (issue 9's goal: ≤ 10 s and ≤ 300 MB for the preview and for the
confirmation), on a small generated org of its own.

    manage.py bench_import [--size default|tiny] [--keep]

Generates 导入基准县 (code prefix 5197, accounts bench_import_*): one township of 50 villages, a county policy, and a
fifth of the file's people already registered and in the pool (their rows are updates with a changed phone number); the
other rows are new people entered into the pool. The file is written by openpyxl (ID numbers as text). Preview and
confirmation each run in a fresh child process (`--run`), so each peak resident memory (ru_maxrss) is that step's
own; "start MB" is the child's size before the step (Python, Django, openpyxl and import-export loaded). Without
--keep everything generated is deleted at the end (audit entries stay: the log is append-only)."""

import cProfile
import datetime
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from openpyxl import Workbook

from org import roles
from org.models import Membership, OrgUnit, OrgUnitUserObjectPermission, User
from reserves import choices as C
from reserves.builders import make_id, make_user, random_name
from reserves.models import CountyPolicy, Person, ReservePlacement, ReserveRecord
from reserves.policy import preset_values

ROOT = Path(__file__).resolve().parents[3]
PREFIX = "5197"
USERNAME = "bench_import_admin"
SIZES = {"default": (5000, 50), "tiny": (60, 5)}  # rows, villages
GOAL_SECONDS, GOAL_MB = 10.0, 300
EXISTING_SHARE = 0.2


def _status_mb(field: str) -> float | None:
    """VmHWM (peak) or VmRSS (now) of this process from /proc. The peak belongs to this program's own memory map:
    ru_maxrss would also count the parent's size at fork, which a child inherits across exec on Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _peak_mb() -> float:
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _now_mb() -> float:
    return _status_mb("VmRSS") or _peak_mb()


def delete_generated():
    from imports.models import ImportBatch

    for batch in ImportBatch.objects.filter(unit__code__startswith=PREFIX):
        if batch.file:
            batch.file.delete(save=False)
    ImportBatch.objects.filter(unit__code__startswith=PREFIX).delete()
    records = ReserveRecord.objects.filter(village__code__startswith=PREFIX)
    ReservePlacement.objects.filter(record__in=records).delete()
    records.delete()
    Person.objects.filter(village__code__startswith=PREFIX).delete()
    CountyPolicy.objects.filter(county__code__startswith=PREFIX).delete()
    users = User.objects.filter(username__startswith="bench_import_")
    Membership.objects.filter(user__in=users).delete()
    OrgUnitUserObjectPermission.objects.filter(user__in=users).delete()
    users.delete()
    for level in (roles.VILLAGE, roles.TOWNSHIP, roles.COUNTY, roles.CITY):
        OrgUnit.objects.filter(code__startswith=PREFIX, level=level).delete()


def generate(rows: int, villages: int, seed: int = 9) -> tuple[bytes, dict]:
    """The org, the people already there, and the file (bytes)."""
    rng = random.Random(seed)
    since = datetime.date(2015, 1, 1)
    city = OrgUnit.objects.create(level=roles.CITY, name="导入基准市", code=PREFIX, valid_from=since)
    county = OrgUnit.objects.create(
        level=roles.COUNTY, name="导入基准县", code=f"{PREFIX}01", parent=city, valid_from=since
    )
    township = OrgUnit.objects.create(
        level=roles.TOWNSHIP, name="基准镇", code=f"{PREFIX}01100", parent=county, valid_from=since
    )
    units = OrgUnit.objects.bulk_create(
        [
            OrgUnit(
                level=roles.VILLAGE,
                kind=OrgUnit.KIND_CUN,
                name=f"基准{i + 1}村",
                code=f"{PREFIX}01100{200 + i:03d}",
                parent=township,
                valid_from=since,
            )
            for i in range(villages)
        ]
    )
    CountyPolicy.objects.create(
        county=county, effective_from=datetime.date(2017, 10, 1), preset="QS2017", **preset_values("QS2017")
    )
    make_user(USERNAME, "基准镇组织委员", township, "township_admin", "Bench2026pass")
    used, numbers = set(), []
    while len(numbers) < rows:
        birth = datetime.date(1975, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 25))
        number = make_id(f"{PREFIX}01", birth, rng.randrange(100), rng.choice("MF"))
        if number not in used:
            used.add(number)
            numbers.append(number)
    existing = int(rows * EXISTING_SHARE)
    educations = ["大学本科", "大学专科", "高中（中专）"]
    sources = ["村民小组长", "返乡高校毕业生", "外出务工经商能人", "复员退伍军人"]
    lines = []
    for i, number in enumerate(numbers):
        member = rng.random() < 0.6
        joined = f"{int(number[6:10]) + 22}.{rng.randrange(1, 13):02d}" if member else ""
        lines.append(
            [
                units[i % villages].name,
                random_name(rng),
                number,
                "中共党员" if member else "群众",
                joined,
                rng.choice(educations),
                rng.choice(sources),
                f"139{rng.randrange(10**8):08d}",
                "汉族",
            ]
        )
    edu = {label: key for key, label in C.EDUCATION_CHOICES}
    src = {label: key for key, label in C.SOURCE_CHOICES}
    # A fifth are there already, as the file has them but for the phone number: a roster imported again.
    people = Person.objects.bulk_create(
        [
            Person(
                name=line[1],
                id_number=line[2],
                sex="M" if int(line[2][16]) % 2 else "F",
                birth_date=datetime.date(int(line[2][6:10]), int(line[2][10:12]), int(line[2][12:14])),
                village=units[i % villages],
                political_status="member" if line[4] else "masses",
                party_joined=datetime.date(int(line[4][:4]), int(line[4][5:]), 1) if line[4] else None,
                education=edu[line[5]],
                source_group=src[line[6]],
                phone="13800000000",
            )
            for i, line in enumerate(lines[:existing])
        ],
        batch_size=1000,
    )
    records = ReserveRecord.objects.bulk_create(
        [
            ReserveRecord(
                person=p,
                reserve_type="village_reserve",
                village=p.village,
                entered_on=datetime.date(2020, 3, 1),
                entry_method=C.ENTRY_MANUAL,
                entry_reason="基准数据",
            )
            for p in people
        ],
        batch_size=1000,
    )
    ReservePlacement.objects.bulk_create(
        [ReservePlacement(record=r, village=r.village, start=r.entered_on) for r in records], batch_size=1000
    )
    # The file: the template's main columns, one person a row.
    wb = Workbook()
    ws = wb.active
    ws.title = "后备干部信息"
    ws.append(["村（社区）", "姓名", "身份证号码", "政治面貌", "入党时间", "学历", "身份", "联系电话", "民族"])
    for line in lines:
        ws.append(line)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), {"rows": rows, "existing": existing, "villages": villages, "township": township.pk}


def run_step(step: str, arg: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports import services
    from imports.models import ImportBatch

    user = User.objects.get(username=USERNAME)
    start_mb = _now_mb()
    started = time.perf_counter()
    if step == "preview":
        data = Path(arg).read_bytes()
        township = OrgUnit.objects.get(code=f"{PREFIX}01100", level=roles.TOWNSHIP)
        options = {"enroll": True, "reserve_type": "village_reserve", "entered_on": "2024-03-01", "override": ""}
        batch = services.batch_upload(
            actor=user, unit=township, upload=SimpleUploadedFile("基准.xlsx", data), options=options
        )
    else:
        batch = services.batch_confirm(actor=user, batch=ImportBatch.objects.get(pk=int(arg)))
    seconds = time.perf_counter() - started
    return {
        "step": step,
        "seconds": seconds,
        "start_mb": start_mb,
        "peak_mb": _peak_mb(),
        "batch": batch.pk,
        "rows": batch.rows,
        "new": batch.new_count,
        "update": batch.update_count,
        "errors": batch.error_count,
        "records": batch.record_count,
        "state": batch.state,
    }


class Command(BaseCommand):
    help = "批量导入基准：5000行文件的预览与确认导入的耗时和内存峰值（各在独立子进程中测量）。"

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="default")
        parser.add_argument("--keep", action="store_true", help="测完保留生成的数据（默认删除）")
        parser.add_argument("--run", choices=["preview", "confirm"], help=_hidden())
        parser.add_argument("--arg", help=_hidden())

    def handle(self, *args, size, keep, run, arg, **options):
        if run:  # child process: one step, one JSON line
            if os.environ.get("BENCH_IMPORT_PROFILE"):
                profile = cProfile.Profile()
                result = profile.runcall(run_step, run, arg)
                profile.dump_stats(os.environ["BENCH_IMPORT_PROFILE"] + f".{run}")
            else:
                result = run_step(run, arg)
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        rows, villages = SIZES[size]
        with transaction.atomic():
            delete_generated()
            started = time.perf_counter()
            data, info = generate(rows, villages)
        self.stdout.write(
            f"已生成：{villages}个村，{info['existing']}人已在库，文件{rows}行（{len(data) / 1024:.0f} KB），"
            f"用时{time.perf_counter() - started:.1f}秒。"
        )
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as tmp:
            tmp.write(data)
        try:
            preview = self._child("preview", tmp.name)
            if preview["errors"]:
                raise CommandError(f"预览有{preview['errors']}行错误，基准数据有误")
            confirm = self._child("confirm", str(preview["batch"]))
        finally:
            os.unlink(tmp.name)
        self._report(size, [preview, confirm])
        if not keep:
            with transaction.atomic():
                delete_generated()
            self.stdout.write("已删除生成的数据（加 --keep 可保留）。")

    def _child(self, step: str, arg: str) -> dict:
        cmd = [sys.executable, "manage.py", "bench_import", "--run", step, "--arg", arg]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=os.environ.copy())
        if proc.returncode != 0:
            raise CommandError(f"{step} 失败：{proc.stderr[-3000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def _report(self, size, results):
        from django.db import connection

        w = self.stdout.write
        w("")
        w(f"导入基准（规模 {size}，{datetime.date.today()}，{connection.vendor}，CPU {os.cpu_count()} 核）")
        w("| step | rows | new | update | records | seconds | goal s | start MB | peak MB | goal MB | ok |")
        w("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in results:
            ok = r["seconds"] <= GOAL_SECONDS and r["peak_mb"] <= GOAL_MB
            w(
                f"| {r['step']} | {r['rows']} | {r['new']} | {r['update']} | {r['records']} | {r['seconds']:.2f} | "
                f"{GOAL_SECONDS:.0f} | {r['start_mb']:.0f} | {r['peak_mb']:.0f} | {GOAL_MB} | "
                f"{'ok' if ok else 'MISS'} |"
            )


def _hidden():
    import argparse

    return argparse.SUPPRESS

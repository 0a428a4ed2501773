"""A fixed cast (as healthchecks' alice/bob/charlie): county admin and staff, township A admin and staff, township B
admin, a village secretary of village A1, a mentor of township A, a city viewer, and an outsider with no role."""

import datetime
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.conf import settings

from org import roles
from org.models import OrgUnit, User
from reserves.builders import make_id, make_user, unit
from reserves.models import CountyPolicy, MentorPairing, Person, ReservePlacement, ReserveRecord
from reserves.policy import preset_values

PASSWORD = "Test2026pass"
TODAY = datetime.date.today()


def require_service(url_env: str, default_port: int, what: str):
    """Skip when a service is down, or fail when CI said services are required."""
    url = os.environ.get(url_env, "")
    if not url:
        reason = f"{what} 未配置（{url_env} 未设置）"
    else:
        parsed = urlparse(url)
        try:
            socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2).close()
            return
        except OSError as exc:
            reason = f"{what} 无法连接：{exc}"
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _audit_entries_read_as_chinese(monkeypatch):
    """Every audit entry any test writes must read as Chinese on the person page and the 审计日志 (issue 14): its
    action registered, its change keys labelled, no code or identifier in what is shown. Checked as entries are
    written, so the test that wrote a bad one fails, naming it. AUDIT_LABELS_REPORT=path collects instead of failing."""
    from org.audit_labels import offending_text
    from org.models import AuditLog, AuditQuerySet

    found = []
    original_save, original_bulk = AuditLog.save, AuditQuerySet.bulk_create

    def check(entry):
        bad = offending_text(entry)
        if bad:
            found.append(f"{entry.action}: {'; '.join(bad)}")

    def save(self, *args, **kwargs):
        result = original_save(self, *args, **kwargs)
        check(self)
        return result

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            check(obj)
        return original_bulk(self, objs, *args, **kwargs)

    monkeypatch.setattr(AuditLog, "save", save)
    monkeypatch.setattr(AuditQuerySet, "bulk_create", bulk_create)
    yield
    report = os.environ.get("AUDIT_LABELS_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as fh:
            fh.writelines(line + "\n" for line in found)
    else:
        assert not found, "审计日志中出现未译成中文的内容：\n" + "\n".join(found)


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test is about Celery itself (tests/test_celery.py starts a real worker)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Tests hash many passwords; the production hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # client.login() authenticates without a request, which django-axes refuses; the lockout tests turn it on.
    settings.AXES_ENABLED = False
    # Tests change data without audit entries and reuse primary keys: a cached dashboard could outlive its data.
    settings.DASHBOARD_CACHE_SECONDS = 0
    # No collectstatic before tests: serve from the source folders.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }


@dataclass
class Cast:
    city: OrgUnit
    county: OrgUnit
    township_a: OrgUnit
    township_b: OrgUnit
    village_a1: OrgUnit
    village_a2: OrgUnit
    community_a3: OrgUnit
    village_b1: OrgUnit
    policy: CountyPolicy
    county_admin: User
    county_staff: User
    township_a_admin: User
    township_a_staff: User
    township_b_admin: User
    village_secretary: User
    mentor: User
    city_viewer: User
    outsider: User

    def users(self):
        return {
            "county_admin": self.county_admin,
            "county_staff": self.county_staff,
            "township_a_admin": self.township_a_admin,
            "township_a_staff": self.township_a_staff,
            "township_b_admin": self.township_b_admin,
            "village_secretary": self.village_secretary,
            "mentor": self.mentor,
            "city_viewer": self.city_viewer,
            "outsider": self.outsider,
        }


@pytest.fixture
def cast(db):
    city = unit(roles.CITY, "眉山市", "5114")
    county = unit(roles.COUNTY, "青神县", "511425", city)
    ta = unit(roles.TOWNSHIP, "青竹街道", "511425100", county)
    tb = unit(roles.TOWNSHIP, "汉阳镇", "511425101", county)
    a1 = unit(roles.VILLAGE, "兰沟村", "511425100201", ta, OrgUnit.KIND_CUN)
    a2 = unit(roles.VILLAGE, "甘家沟村", "511425100202", ta, OrgUnit.KIND_CUN)
    a3 = unit(roles.VILLAGE, "青竹社区", "511425100101", ta, OrgUnit.KIND_SHEQU)
    b1 = unit(roles.VILLAGE, "汉阳村", "511425101201", tb, OrgUnit.KIND_CUN)
    policy = CountyPolicy.objects.create(
        county=county, effective_from=datetime.date(2017, 10, 1), preset="QS2017", **preset_values("QS2017")
    )
    outsider = User.objects.create_user("outsider", password=PASSWORD, display_name="无角色用户")
    return Cast(
        city=city,
        county=county,
        township_a=ta,
        township_b=tb,
        village_a1=a1,
        village_a2=a2,
        community_a3=a3,
        village_b1=b1,
        policy=policy,
        county_admin=make_user("county_admin", "县管理员", county, "county_admin", PASSWORD),
        county_staff=make_user("county_staff", "县干事", county, "county_staff", PASSWORD),
        township_a_admin=make_user("ta_admin", "青竹书记", ta, "township_admin", PASSWORD),
        township_a_staff=make_user("ta_staff", "青竹委员", ta, "township_staff", PASSWORD),
        township_b_admin=make_user("tb_admin", "汉阳书记", tb, "township_admin", PASSWORD),
        village_secretary=make_user("a1_sec", "兰沟书记", a1, "village_secretary", PASSWORD),
        mentor=make_user("mentor_a", "副镇长", ta, "mentor", PASSWORD),
        city_viewer=make_user("city", "市组织部", city, "city_viewer", PASSWORD),
        outsider=outsider,
    )


_seq = iter(range(10_000))


def make_person(village, *, birth=datetime.date(1990, 1, 15), sex="M", name="张三", **extra) -> Person:
    seq = next(_seq)
    number = make_id("511425", birth, seq, sex)
    fields = {"political_status": "member", "education": "college", "source_group": "group_leader"} | extra
    return Person.objects.create(name=name, id_number=number, sex=sex, birth_date=birth, village=village, **fields)


def make_record(
    person,
    village=None,
    *,
    entered=datetime.date(2020, 3, 1),
    rtype="village_reserve",
    ended=None,
    status="active",
    mentor=None,
) -> ReserveRecord:
    village = village or person.village
    record = ReserveRecord.objects.create(
        person=person,
        reserve_type=rtype,
        village=village,
        entered_on=entered,
        entry_method="manual",
        entry_reason="测试",
        status=status,
        ended_on=ended,
    )
    ReservePlacement.objects.create(record=record, village=village, start=entered, end=ended)
    if mentor is not None:
        MentorPairing.objects.create(
            record=record, mentor_user=mentor, mentor_kind="township_leader", post="副镇长", start=entered
        )
    return record


@pytest.fixture
def people(cast):
    """One person in the pool in each of A1, A2, A3 and B1; A1's is paired with the mentor."""
    p_a1 = make_person(cast.village_a1, name="李兰")
    p_a2 = make_person(cast.village_a2, name="王甘")
    p_a3 = make_person(cast.community_a3, name="陈青", sex="F")
    p_b1 = make_person(cast.village_b1, name="赵汉")
    return {
        "a1": make_record(p_a1, mentor=cast.mentor),
        "a2": make_record(p_a2),
        "a3": make_record(p_a3),
        "b1": make_record(p_b1),
    }

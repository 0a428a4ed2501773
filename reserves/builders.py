"""Builders shared by the demo, the benchmark generator and the tests: valid fictional ID numbers, org trees,
accounts with roles. Nothing here checks permissions: callers are management commands and tests."""

import datetime
import random

from guardian.shortcuts import assign_perm

from org import roles
from org.models import Membership, OrgUnit, User
from reserves.identity import check_char

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志文斌浩宇欣怡晨阳佳琪雪梅海燕春兰德福"


def make_id(area: str, birth: datetime.date, seq: int, sex: str) -> str:
    """A checksum-valid number: area(6) + birth(8) + seq(2) + sex digit + check."""
    sex_digit = (seq % 5) * 2 + (1 if sex == "M" else 0)
    body = f"{area}{birth:%Y%m%d}{seq % 100:02d}{sex_digit}"
    return body + check_char(body)


def random_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def make_user(
    username: str,
    display_name: str,
    unit: OrgUnit,
    role_key: str,
    password: str,
    title: str = "",
    must_change: bool = False,
) -> User:
    user = User(username=username, display_name=display_name, must_change_password=must_change)
    user.set_password(password)
    user.save()
    grant(user, unit, role_key, title)
    return user


def grant(user: User, unit: OrgUnit, role_key: str, title: str = ""):
    Membership.objects.get_or_create(user=user, unit=unit, role=role_key, defaults={"title": title})
    for perm in roles.ROLES[role_key].perms:
        assign_perm(f"org.{perm}", user, unit)


def unit(
    level: str,
    name: str,
    code: str,
    parent: OrgUnit | None = None,
    kind: str = "",
    valid_from=datetime.date(2015, 1, 1),
) -> OrgUnit:
    return OrgUnit.objects.create(level=level, name=name, code=code, parent=parent, kind=kind, valid_from=valid_from)

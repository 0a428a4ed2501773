"""Build a fictional county with people in every state and one account per role, then print the accounts."""

import datetime
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from org import roles
from org.models import OrgUnit, User, VillageLeader
from reserves import choices as C
from reserves.builders import make_id, make_user, random_name, unit
from reserves.models import CountyPolicy, MentorPairing, Person, ReservePlacement, ReserveRecord
from reserves.policy import preset_values

PASSWORD = "Demo2026pass"
TOWNSHIPS = [
    ("青禾镇", ["青禾社区", "河坝村", "石桥村", "柳湾村", "竹林村", "新华村", "桂花社区", "观音村"]),
    ("白鹭乡", ["白鹭村", "双河村", "松林村", "金竹村", "太平村", "红星村", "鹭岛社区"]),
    ("南山镇", ["南山社区", "茶园村", "龙井村", "杨柳村", "高峰村", "永丰村", "云台村", "瑞丰社区"]),
    ("东岳街道", ["东岳社区", "和平社区", "文昌社区", "滨江社区", "长乐村", "清泉村", "联合村"]),
]


class Command(BaseCommand):
    help = "载入演示数据：一个虚构的县（4个乡镇、约30个村和社区、约80名人员、每个角色一个账号）"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="库中已有数据时不再载入")

    @transaction.atomic
    def handle(self, *args, if_empty=False, **options):
        if OrgUnit.objects.exists():
            if if_empty:
                self.stdout.write("数据库已有数据，跳过演示数据载入。")
                self.print_accounts()
                return
            raise SystemExit("数据库已有数据；演示数据只能载入空库（或加 --if-empty）。")
        rng = random.Random(20261122)
        today = datetime.date.today()
        city = unit(roles.CITY, "示范市", "5199")
        county = unit(roles.COUNTY, "青禾县", "519921", city)
        policy = CountyPolicy(
            county=county,
            effective_from=datetime.date(2017, 10, 1),
            preset="QS2017",
            note="按县委组织部2017年工作方案",
            **preset_values("QS2017"),
        )
        policy.save()

        accounts = []

        def account(username, name, u, role, title=""):
            user = make_user(username, name, u, role, PASSWORD, title)
            accounts.append((username, name, u.name, roles.ROLES[role].label))
            return user

        account("city", "市委组织部 吴敏", city, "city_viewer")
        account("county_admin", "县委组织部 李静", county, "county_admin", "组织科科长")
        account("county_staff", "县委组织部 王强", county, "county_staff", "组织科干事")

        villages, township_units, leaders = [], [], {}
        for t_index, (t_name, v_names) in enumerate(TOWNSHIPS):
            township = unit(roles.TOWNSHIP, t_name, f"519921{100 + t_index:03d}", county)
            township_units.append(township)
            for v_index, v_name in enumerate(v_names):
                kind = OrgUnit.KIND_SHEQU if v_name.endswith("社区") else OrgUnit.KIND_CUN
                code = f"{township.code}{(1 if kind == OrgUnit.KIND_SHEQU else 2)}{v_index + 1:02d}"
                villages.append(unit(roles.VILLAGE, v_name, code, township, kind))
        ta = township_units[0]
        secretary_a = account("township_a", "青禾镇党委书记 张华", ta, "township_admin", "党委书记")
        staff_a = account("township_a_staff", "青禾镇组织委员 陈洋", ta, "township_staff", "组织委员")
        account("township_b", "白鹭乡党委书记 刘军", township_units[1], "township_admin", "党委书记")
        account("village_sec", "河坝村党总支书记 赵勇", villages[1], "village_secretary", "党总支书记")
        mentor = account("mentor", "青禾镇副镇长 周涛", ta, "mentor", "副镇长")
        for t in township_units[1:]:
            leaders[t.pk] = make_user(
                f"leader_{t.code}", f"{t.name}副书记", t, "township_staff", PASSWORD, "党委副书记"
            )
        leaders[ta.pk] = staff_a
        for v in villages:
            VillageLeader.objects.create(
                village=v, user=leaders[v.parent_id], start=datetime.date(2021, 1, 1), assigned_by=secretary_a
            )

        statuses = [C.STATUS_ACTIVE] * 60 + [C.STATUS_USED] * 6 + [C.STATUS_REMOVED] * 5 + [C.STATUS_EXITED] * 3
        people = []
        for i in range(82):
            village = villages[i % len(villages)]
            sex = "F" if rng.random() < 0.35 else "M"
            birth = datetime.date(rng.randint(1976, 2001), rng.randint(1, 12), rng.randint(1, 28))
            political = rng.choice(["member"] * 5 + ["probationary", "league", "masses", "masses"])
            groups = C.SOURCE_COMMUNITY if village.kind == OrgUnit.KIND_SHEQU else C.SOURCE_VILLAGE
            person = Person.objects.create(
                name=random_name(rng),
                id_number=make_id("519921", birth, i, sex),
                sex=sex,
                birth_date=birth,
                political_status=political,
                village=village,
                party_joined=datetime.date(birth.year + rng.randint(19, 24), rng.randint(1, 12), 1)
                if political in C.PARTY_STATUSES
                else None,
                work_started=datetime.date(birth.year + rng.randint(18, 23), rng.choice((7, 9)), 1),
                education=rng.choice(["bachelor", "college", "college", "high_school", "postgraduate", "junior"]),
                source_group=rng.choice(groups)[0],
                phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                native_place="四川青禾",
                birthplace="四川青禾",
                occupation=rng.choice(["务农", "个体经营", "网格员", "教师"]),
                school_major=rng.choice(["四川农业大学 农学", "青禾职业技术学院 电子商务", "县职业中学", ""]),
            )
            people.append(person)
        for i, person in enumerate(people):
            if i >= len(statuses):
                break  # the last few are registered but never entered the pool
            status = statuses[i]
            entered = datetime.date(rng.randint(2018, 2025), rng.randint(1, 12), rng.randint(1, 28))
            entered = min(entered, today - datetime.timedelta(days=40))
            ended = None if status == C.STATUS_ACTIVE else entered + datetime.timedelta(days=rng.randint(30, 300))
            ended = min(ended, today) if ended else None
            rtype = "village_reserve" if i % 7 else "secretary_reserve"
            record = ReserveRecord.objects.create(
                person=person,
                reserve_type=rtype,
                village=person.village,
                entered_on=entered,
                entry_method=C.ENTRY_MANUAL,
                entry_reason="系统启用前已在库",
                status=status,
                ended_on=ended,
                end_reason={
                    C.STATUS_USED: "当选村委会委员",
                    C.STATUS_REMOVED: "群众公认度不高，经乡镇党委审批、县委组织部备案取消资格",
                    C.STATUS_EXITED: "本人申请退出",
                }.get(status, ""),
                policy=policy,
            )
            ReservePlacement.objects.create(record=record, village=person.village, start=entered, end=ended)
            if person.village.parent_id == ta.pk and status == C.STATUS_ACTIVE:
                MentorPairing.objects.create(
                    record=record, mentor_user=mentor, mentor_kind="township_leader", post="副镇长", start=entered
                )
            elif status == C.STATUS_ACTIVE:
                MentorPairing.objects.create(
                    record=record,
                    mentor_name=random_name(rng),
                    mentor_kind="village_head",
                    post="村党支部书记",
                    start=entered,
                )
        self.demo_rounds(rng, today, secretary_a, User.objects.get(username="township_b"), township_units, villages)
        self.demo_cultivation(today, secretary_a, mentor, township_units[0])
        self.print_accounts(accounts)

    def demo_cultivation(self, today, ta_user, mentor, township):
        """A training, mentoring entries and reviews in 青禾镇, and a removal waiting for the township."""
        from assessment import services as assessment
        from lifecycle import services as lifecycle
        from mentoring import services as mentoring
        from training import services as training

        records = list(
            ReserveRecord.objects.filter(village__parent=township, ended_on__isnull=True)
            .select_related("village", "person")
            .order_by("village__code", "pk")
        )
        start = today - datetime.timedelta(days=45)
        event = training.training_create(
            actor=ta_user,
            unit=township,
            data={
                "form": "concentrated",
                "start": start,
                "end": start + datetime.timedelta(days=4),
                "days": 5,
                "content": "村级后备干部集中轮训：基层治理与乡村振兴",
                "organiser": "青禾镇党委",
            },
        )
        training.enrol(actor=ta_user, event=event, records=[r for r in records if r.entered_on <= start][:8])
        year, quarter = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)
        q_end = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - datetime.timedelta(days=1)
        for pairing in MentorPairing.objects.filter(
            mentor_user=mentor, end__isnull=True, start__lte=q_end - datetime.timedelta(days=10)
        ):
            mentoring.entry_create(
                actor=mentor,
                pairing=pairing,
                year=year,
                quarter=quarter,
                date=q_end - datetime.timedelta(days=10),
                content="走访了解思想和工作情况，指导参与村务",
                assessment="表现积极",
            )
        village = records[0].village
        in_quarter = [r for r in records if r.village_id == village.pk and r.entered_on <= q_end]
        opinion = {
            "potential": "熟悉村情，发展潜力较大",
            "shortcomings": "群众工作经验尚需积累",
            "rating": "fairly_good",
        }
        # This quarter's reviews: it is open whenever the demo is loaded.
        this_year, this_quarter = today.year, (today.month - 1) // 3 + 1
        assessment.quarter_reviews_save(
            actor=ta_user,
            village=village,
            year=this_year,
            quarter=this_quarter,
            rows={r.pk: {"township": opinion, "village": opinion} for r in in_quarter},
        )
        sec = User.objects.get(username="village_sec")
        target = ReserveRecord.objects.filter(village__memberships__user=sec, ended_on__isnull=True).first()
        if target is not None:
            lifecycle.removal_propose(
                actor=sec,
                record=target,
                grounds=["recognition"],
                account="近一年群众反映较多，经村党总支研究，建议取消其后备干部资格。",
            )

    def demo_rounds(self, rng, today, ta_user, tb_user, townships, villages):
        """One round still in its democratic evaluation (青禾镇) and one finished (白鹭乡), through the services."""
        from selection import services as sel

        def days(n):
            return today - datetime.timedelta(days=n)

        def newcomer(village, i):
            birth = datetime.date(rng.randint(1988, 2000), rng.randint(1, 12), rng.randint(1, 28))
            return Person.objects.create(
                name=random_name(rng),
                id_number=make_id("519921", birth, 90 + i, "M"),
                sex="M",
                birth_date=birth,
                political_status="member",
                party_joined=datetime.date(birth.year + 21, 7, 1),
                village=village,
                education=rng.choice(["bachelor", "college"]),
                source_group=rng.choice(C.SOURCE_VILLAGE)[0],
            )

        qh = [v for v in villages if v.parent_id == townships[0].pk][1:3]
        r1 = sel.round_open(
            actor=ta_user,
            township=townships[0],
            villages=qh,
            kind="qs",
            reserve_type="village_reserve",
            title=f"{today.year}年第二批村级后备干部选拔",
            announcement="为加强村级后备干部队伍建设，现开展选拔工作。",
            announced_on=days(40),
            nomination_deadline=days(26),
        )
        for i, village in enumerate(qh * 2):
            sel.nominate(
                actor=ta_user,
                round_=r1,
                village=village,
                channel="village_org",
                nominated_by=f"{village.name}党组织",
                nominated_on=days(35),
                person=newcomer(village, i),
            )
        sel.round_close_nominations(actor=ta_user, round_=r1)
        for c in r1.candidacies.all():
            sel.candidacy_review(actor=ta_user, candidacy=c, passed=True, note="符合条件", reviewed_on=days(20))
        sel.round_finish_review(actor=ta_user, round_=r1)

        bl = [v for v in villages if v.parent_id == townships[1].pk][:2]
        r2 = sel.round_open(
            actor=tb_user,
            township=townships[1],
            villages=bl,
            kind="qs",
            reserve_type="village_reserve",
            title=f"{today.year}年村级后备干部选拔",
            announcement="为加强村级后备干部队伍建设，现开展选拔工作。",
            announced_on=days(100),
            nomination_deadline=days(90),
        )
        for i, village in enumerate(bl):
            sel.nominate(
                actor=tb_user,
                round_=r2,
                village=village,
                channel="self",
                nominated_by="本人",
                nominated_on=days(95),
                person=newcomer(village, 10 + i),
            )
        sel.round_close_nominations(actor=tb_user, round_=r2)
        for c in r2.candidacies.all():
            sel.candidacy_review(actor=tb_user, candidacy=c, passed=True, note="符合条件", reviewed_on=days(88))
        sel.round_finish_review(actor=tb_user, round_=r2)
        for village in bl:
            sel.meeting_record(
                actor=tb_user,
                round_=r2,
                village=village,
                date=days(80),
                place="村党群服务中心",
                categories=["village_cadres", "member_reps", "villager_reps"],
                expected=45,
                present=41,
            )
            sel.votes_record(
                actor=tb_user,
                round_=r2,
                village=village,
                counts={
                    c.pk: {"excellent": 25, "competent": 12, "basic": 3, "incompetent": 1}
                    for c in r2.candidacies.filter(village=village)
                },
            )
        sel.round_finish_evaluation(actor=tb_user, round_=r2)
        ids = list(r2.candidacies.values_list("pk", flat=True))
        sel.inspection_candidates_select(
            actor=tb_user, round_=r2, chosen_ids=ids, staffing_note="两村各缺1名委员", notice_start=days(70)
        )
        sel.round_start_inspection(actor=tb_user, round_=r2, on=days(60))
        sel.inspection_record(
            actor=tb_user,
            round_=r2,
            team="县委组织部、乡镇组织委员",
            date=days(58),
            findings=dict.fromkeys(ids, "政治素质好，群众公认"),
        )
        sel.round_finish_inspection(actor=tb_user, round_=r2)
        sel.decision_record(
            actor=tb_user,
            round_=r2,
            date=days(50),
            text="经党委会研究，确定为村级后备干部",
            decided_ids=ids,
            notice_start=days(48),
        )
        sel.round_finish(actor=tb_user, round_=r2, on=days(35))

    def print_accounts(self, accounts=None):
        if accounts is None:
            accounts = [
                (u.username, u.display_name, m.unit.name, m.get_role_display())
                for u in User.objects.filter(
                    username__in=[
                        "city",
                        "county_admin",
                        "county_staff",
                        "township_a",
                        "township_a_staff",
                        "township_b",
                        "village_sec",
                        "mentor",
                    ]
                ).prefetch_related("memberships__unit")
                for m in u.memberships.all()
            ]
        self.stdout.write(f"\n演示账号（密码均为 {PASSWORD}）：")
        for username, name, unit_name, role in accounts:
            self.stdout.write(f"  {username:<18} {role:<18} {unit_name:<8} {name}")

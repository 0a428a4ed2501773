"""Build two fictional counties of one city — 青禾县 on the 青神 2017 plan (QS2017) and 清溪县 on the 清流 2022 rules
(QL2022: leave routing, absence limits, stipends, shadowing, 乡镇领导 + 村干部 pairs) — with people in every state and
accounts per role, then print the accounts of both."""

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
# The second county, on QL2022: two townships, nine villages.
QL_CODE = "519922"
QL_TOWNSHIPS = [
    ("溪口镇", ["溪口社区", "上坪村", "下坪村", "枫林村", "石门村"]),
    ("龙门乡", ["龙门村", "桃源村", "安乐村", "青云村"]),
]
LEADER_NAMES = ["杨振华", "许文斌", "曹志刚"]  # the 包村领导 of the QS townships but 青禾镇
QS_USERNAMES = ["city", "county_admin", "county_staff", "township_a", "township_a_staff", "township_b"]
QS_USERNAMES += ["village_sec", "mentor"]
QL_USERNAMES = ["ql_county_admin", "ql_township", "ql_leader", "ql_township_b", "ql_village_sec", "ql_mentor"]


def _with_title(name: str, title: str) -> str:
    """周涛（副镇长）: the account list tells who is who, the account's name stays a plain name."""
    return f"{name}（{title}）" if title else name


class Command(BaseCommand):
    help = (
        "载入演示数据：一个虚构的市下两个县——青禾县（按青神县2017年工作方案，4个乡镇、约30个村和社区、约80名人员）"
        "和清溪县（按清流县2022年管理办法，2个乡镇、9个村和社区），每个角色一个账号"
    )

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
            accounts.append((username, _with_title(name, title), u.name, roles.ROLES[role].label))
            return user

        account("city", "吴敏", city, "city_viewer", "市委组织部组织科干事")
        account("county_admin", "李静", county, "county_admin", "组织科科长")
        account("county_staff", "王强", county, "county_staff", "组织科干事")

        villages, township_units, leaders = [], [], {}
        for t_index, (t_name, v_names) in enumerate(TOWNSHIPS):
            township = unit(roles.TOWNSHIP, t_name, f"519921{100 + t_index:03d}", county)
            township_units.append(township)
            for v_index, v_name in enumerate(v_names):
                kind = OrgUnit.KIND_SHEQU if v_name.endswith("社区") else OrgUnit.KIND_CUN
                code = f"{township.code}{(1 if kind == OrgUnit.KIND_SHEQU else 2)}{v_index + 1:02d}"
                villages.append(unit(roles.VILLAGE, v_name, code, township, kind))
        ta = township_units[0]
        secretary_a = account("township_a", "张华", ta, "township_admin", "党委书记")
        staff_a = account("township_a_staff", "陈洋", ta, "township_staff", "组织委员")
        account("township_b", "刘军", township_units[1], "township_admin", "党委书记")
        account("village_sec", "赵勇", villages[1], "village_secretary", "党总支书记")
        mentor = account("mentor", "周涛", ta, "mentor", "副镇长")
        # Accounts hold plain names: the 职务 is the membership's title, printed after the name where a paper needs
        # it (a title in the name would print twice: "青禾镇副镇长 周涛 副镇长").
        for t, leader_name in zip(township_units[1:], LEADER_NAMES, strict=True):
            leaders[t.pk] = make_user(f"leader_{t.code}", leader_name, t, "township_staff", PASSWORD, "党委副书记")
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
        ql_accounts = []

        def ql_account(username, name, u, role, title=""):
            user = make_user(username, name, u, role, PASSWORD, title)
            ql_accounts.append((username, _with_title(name, title), u.name, roles.ROLES[role].label))
            return user

        self.demo_ql_county(rng, today, city, ql_account)
        self.print_accounts(accounts, ql_accounts)

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

    def demo_ql_county(self, rng, today, city, account):
        """清溪县 on QL2022, built as 青禾县 is, through the services where a duty of QL shows: pairs of a township
        leader and a village cadre, leave approved by the village secretary (≤ 1 day) and by the 包村领导 (longer, and
        one waiting for them), an absence over the 15-day limit (a removal flag), shadowing at the township, stipends
        (the month's sheet; one reserve used last month stops this month, a serving village cadre is not paid)."""
        from assessment import services as assessment
        from training import services as training
        from training.models import SHADOWING

        county = unit(roles.COUNTY, "清溪县", QL_CODE, city)
        policy = CountyPolicy(
            county=county,
            effective_from=datetime.date(2022, 6, 1),
            preset="QL2022",
            note="按清委组〔2022〕34号管理办法",
            **preset_values("QL2022"),
        )
        policy.save()
        account("ql_county_admin", "林峰", county, "county_admin", "组织股股长")
        townships, villages = [], []
        for t_index, (t_name, v_names) in enumerate(QL_TOWNSHIPS):
            township = unit(roles.TOWNSHIP, t_name, f"{QL_CODE}{100 + t_index:03d}", county)
            townships.append(township)
            for v_index, v_name in enumerate(v_names):
                kind = OrgUnit.KIND_SHEQU if v_name.endswith("社区") else OrgUnit.KIND_CUN
                code = f"{township.code}{(1 if kind == OrgUnit.KIND_SHEQU else 2)}{v_index + 1:02d}"
                villages.append(unit(roles.VILLAGE, v_name, code, township, kind))
        xk, lm = townships
        xk_admin = account("ql_township", "黄磊", xk, "township_admin", "党委书记")
        leader = account("ql_leader", "郑伟", xk, "township_staff", "党委副书记（包村领导）")
        lm_admin = account("ql_township_b", "何平", lm, "township_admin", "党委书记")
        shangping = villages[1]
        village_sec = account("ql_village_sec", "罗成", shangping, "village_secretary", "党支部书记")
        mentor = account("ql_mentor", "孙丽", xk, "mentor", "副镇长")
        lm_leader = make_user(f"leader_{lm.code}", "冯建国", lm, "township_staff", PASSWORD, "党委副书记")
        for v in villages:
            VillageLeader.objects.create(
                village=v,
                user=leader if v.parent_id == xk.pk else lm_leader,
                start=datetime.date(2022, 1, 1),
                assigned_by=xk_admin if v.parent_id == xk.pk else lm_admin,
            )

        # Two reserves in each village but 青云村 (one short of QL's 1 per village: 跟进补充 shows it); one used last
        # month (paid to its end, stopped this month), one removed and one exited earlier; one serving village cadre.
        first_this_month = today.replace(day=1)
        used_on = first_this_month - datetime.timedelta(days=10)
        plan = [(v, i) for v in villages[:-1] for i in range(2)]
        statuses = {5: C.STATUS_USED, 7: C.STATUS_REMOVED, 11: C.STATUS_EXITED}
        records = []
        for seq, (village, i) in enumerate(plan):
            sex = "F" if rng.random() < 0.4 else "M"
            birth = datetime.date(rng.randint(1980, 2000), rng.randint(1, 12), rng.randint(1, 28))
            groups = C.SOURCE_COMMUNITY if village.kind == OrgUnit.KIND_SHEQU else C.SOURCE_VILLAGE
            person = Person.objects.create(
                name=random_name(rng),
                id_number=make_id(QL_CODE, birth, seq, sex),
                sex=sex,
                birth_date=birth,
                political_status="member" if i == 0 else rng.choice(["member", "league", "masses"]),
                party_joined=datetime.date(birth.year + 21, 7, 1) if i == 0 else None,
                village=village,
                work_started=datetime.date(birth.year + 19, 9, 1),
                education=rng.choice(["bachelor", "college", "high_school", "high_school"]),
                source_group="committee_member" if seq == 9 else rng.choice(groups)[0],
                phone=f"15{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                native_place="福建清溪",
                birthplace="福建清溪",
                occupation=rng.choice(["务农", "个体经营", "返乡创业", "村务工作"]),
            )
            status = statuses.get(seq, C.STATUS_ACTIVE)
            entered = datetime.date(rng.randint(2022, 2024), rng.randint(1, 12), rng.randint(1, 28))
            ended = {
                C.STATUS_USED: used_on,
                C.STATUS_REMOVED: entered + datetime.timedelta(days=200),
                C.STATUS_EXITED: entered + datetime.timedelta(days=120),
            }.get(status)
            record = ReserveRecord.objects.create(
                person=person,
                reserve_type="village_reserve",
                village=village,
                entered_on=entered,
                entry_method=C.ENTRY_MANUAL,
                entry_reason="系统启用前已在库",
                status=status,
                ended_on=ended,
                end_reason={
                    C.STATUS_USED: "当选村民委员会委员",
                    C.STATUS_REMOVED: "年底评估考评不称职，经乡镇党委审批、县委组织部备案取消资格",
                    C.STATUS_EXITED: "本人申请退出",
                }.get(status, ""),
                policy=policy,
            )
            ReservePlacement.objects.create(record=record, village=village, start=entered, end=ended)
            if status == C.STATUS_ACTIVE:
                records.append(record)
                # QL §12: "一名乡镇领导联系，一名村干部结对"
                in_xk = village.parent_id == xk.pk
                MentorPairing.objects.create(
                    record=record,
                    mentor_user=mentor if in_xk else None,
                    mentor_name="" if in_xk else random_name(rng),
                    mentor_kind="township_leader",
                    post="副镇长" if in_xk else "乡党委委员",
                    start=entered,
                )
                MentorPairing.objects.create(
                    record=record,
                    mentor_name=random_name(rng),
                    mentor_kind="village_cadre",
                    post="村党支部委员",
                    start=entered,
                )

        def days(n):
            return today - datetime.timedelta(days=n)

        # Leave in 上坪村 (QL §10): one day, approved by the village secretary; three days, by the 包村领导; two days
        # from tomorrow, waiting for the 包村领导.
        sp = [r for r in records if r.village_id == shangping.pk]
        short = assessment.leave_create(
            actor=village_sec, record=sp[0], village=shangping, start=days(12), end=days(12), reason="家中有事"
        )
        assessment.leave_decide(actor=village_sec, leave=short, approve=True)
        assessment.leave_close(actor=village_sec, leave=short, returned_on=days(11))
        long = assessment.leave_create(
            actor=village_sec, record=sp[0], village=shangping, start=days(30), end=days(28), reason="外出参加培训"
        )
        assessment.leave_decide(actor=leader, leave=long, approve=True, note="同意，按时销假")
        assessment.leave_close(actor=village_sec, leave=long, returned_on=days(27))
        waiting = sp[1] if len(sp) > 1 else sp[0]
        assessment.leave_create(
            actor=village_sec,
            record=waiting,
            village=shangping,
            start=today + datetime.timedelta(days=1),
            end=today + datetime.timedelta(days=2),
            reason="陪同家人就医",
        )
        # An absence over QL §11's fifteen consecutive days in 下坪村: the removal flag is raised.
        xp = next(r for r in records if r.village_id == villages[2].pk)
        assessment.absence_add(
            actor=xk_admin, record=xp, village=villages[2], start=days(25), end=days(9), note="外出务工未请假"
        )
        # Shadowing at the township (QL §15: ≥ 1 month a year): two done, one under way.
        xk_records = [r for r in records if r.village.parent_id == xk.pk]
        for n, record in enumerate(xk_records[:3]):
            start = days(150 - 40 * n)
            training.practice_add(
                actor=xk_admin,
                record=record,
                data={
                    "kind": SHADOWING,
                    "content": "在镇党政办跟班学习",
                    "start": start,
                    "end": start + datetime.timedelta(days=30) if n < 2 else None,
                    "performance": "熟悉乡镇工作流程",
                },
            )

    def print_accounts(self, accounts=None, ql_accounts=None):
        def stored(usernames):
            users = User.objects.filter(username__in=usernames).prefetch_related("memberships__unit")
            by_name = {u.username: u for u in users}
            return [
                (u.username, _with_title(u.display_name, m.title), m.unit.name, m.get_role_display())
                for name in usernames
                if (u := by_name.get(name))
                for m in u.memberships.all()
            ]

        if accounts is None:
            accounts, ql_accounts = stored(QS_USERNAMES), stored(QL_USERNAMES)
        self.stdout.write(f"\n演示账号（密码均为 {PASSWORD}）：")
        self.stdout.write("  青禾县（青神县2017年工作方案）")
        for username, name, unit_name, role in accounts:
            self.stdout.write(f"  {username:<18} {role:<18} {unit_name:<8} {name}")
        if ql_accounts:
            self.stdout.write("  清溪县（清流县2022年管理办法：请销假、缺勤、补贴、跟班学习、结对）")
            for username, name, unit_name, role in ql_accounts:
                self.stdout.write(f"  {username:<18} {role:<18} {unit_name:<8} {name}")

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from notices.pdf import render_pdf
from org import roles
from org.attachments import attachment_save, attachments_for
from org.audit import audit
from org.fields import posted_text
from org.models import OrgUnit
from org.parsing import INT_MAX, parse_id, parse_ids, parse_int
from org.scope import get_scope
from org.viewutils import apply_errors, submit
from reserves.eligibility import check_eligibility
from selection import services
from selection.forms import (
    AttachmentForm,
    CountyDecisionForm,
    DecisionForm,
    InspectionForm,
    MeetingForm,
    NewPersonForm,
    NominationForm,
    ReasonForm,
    ReviewForm,
    RoundForm,
    SelectInspectionForm,
)
from selection.models import (
    APPROVING,
    KIND_QL,
    STAGE_LABELS,
    STAGES,
    VOTE_OPTIONS,
    Candidacy,
    EvaluationMeeting,
    Nomination,
    Round,
)


def _process_order() -> list[tuple[str, str]]:
    """Every stage of either kind in the order a round goes through them (the filter of the list): the longer 三推
    sequence, each stage only the other kind has placed right after the stage it follows there; 已终止 last."""
    order: list[str] = []
    for stages in sorted(STAGES.values(), key=len, reverse=True):
        previous = None
        for key, _label in stages:
            if key not in order:
                order.insert(order.index(previous) + 1 if previous in order else len(order), key)
            previous = key
    return [(key, STAGE_LABELS[key]) for key in [*order, "cancelled"]]


STAGES_IN_PROCESS_ORDER = _process_order()


def get_round_for_user(request, pk, *, write=False) -> Round:
    round_ = (
        Round.objects.for_user(request.user)
        .select_related("township", "policy__county", "notice1", "notice2")
        .filter(pk=pk)
        .first()
    )
    if round_ is None:
        raise Http404("未找到该选拔")
    if write and not get_scope(request.user).has(roles.EDIT_PEOPLE, round_.township):
        raise Http404("未找到该选拔")
    return round_


def get_candidacy_for_user(request, pk, *, write=False) -> Candidacy:
    candidacy = (
        Candidacy.objects.for_user(request.user)
        .select_related("round__township", "round__policy", "person__village", "village")
        .filter(pk=pk)
        .first()
    )
    if candidacy is None or (write and not get_scope(request.user).has(roles.EDIT_PEOPLE, candidacy.round.township)):
        raise Http404("未找到该候选人")
    return candidacy


def waiting_for(round_: Round, today: datetime.date) -> str:
    """What the round waits for, from the row and its annotations only (no queries)."""
    stage = round_.stage
    if stage == "announced":
        return f"推荐截止 {round_.nomination_deadline:%m月%d日}，已推荐 {round_.n_total} 人"
    if stage == "review":
        return f"{round_.n_nominated} 人待资格审查"
    if stage == "evaluation":
        return "待召开评选会议、录入票数"
    if stage in ("notice1", "notice2"):
        notice = round_.notice1 if stage == "notice1" else round_.notice2
        if notice and notice.end >= today:
            return f"公示中，{notice.end:%m月%d日}期满"
        return "公示期满，待进入下一步"
    if stage == "filing":
        return "等待县委组织部备案"
    if stage == "closed":
        return f"已入库 {round_.n_entered} 人"
    if stage == "cancelled":
        return round_.cancel_reason
    return STAGE_LABELS.get(stage, stage)


@login_required
def round_list(request):
    scope = get_scope(request.user)
    rounds = (
        Round.objects.for_user(request.user)
        .select_related("township", "notice1", "notice2")
        .annotate(
            n_total=Count("candidacies"),
            n_nominated=Count("candidacies", filter=Q(candidacies__state=Candidacy.NOMINATED)),
            n_qualified=Count("candidacies", filter=~Q(candidacies__state__in=[Candidacy.NOMINATED, Candidacy.FAILED])),
            n_entered=Count("candidacies", filter=Q(candidacies__state=Candidacy.ENTERED)),
        )
        .order_by("-announced_on", "-id")
    )
    township = request.GET.get("township", "")
    stage = request.GET.get("stage", "")
    if parse_id(township) is not None:
        rounds = rounds.filter(township_id=parse_id(township))
    if stage == "open":
        rounds = rounds.exclude(stage__in=["closed", "cancelled"])
    elif stage in STAGE_LABELS:
        rounds = rounds.filter(stage=stage)
    page = Paginator(rounds, 50).get_page(request.GET.get("page"))
    today = datetime.date.today()
    for r in page:
        r.waiting = waiting_for(r, today)
    townships = OrgUnit.objects.filter(level=roles.TOWNSHIP).filter(scope.q(roles.VIEW, "code"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "selection/round_list.html",
        {
            "page": page,
            "townships": townships,
            "township": township,
            "stage": stage,
            "stages": STAGES_IN_PROCESS_ORDER,
            "query": params.urlencode(),
            "can_open": scope.has(roles.EDIT_PEOPLE) and townships.exists() and scope.top_level == roles.TOWNSHIP,
        },
    )


DEFAULT_ANNOUNCEMENT = (
    "为加强村级后备干部队伍建设，经乡镇党委研究，决定在下列村（社区）开展村级后备干部选拔工作。\n"
    "一、选拔范围：优秀的大学生村官、村民小组长、新型农业经营主体负责人、回乡创业优秀党员、外出务工经商能人、"
    "复员退伍军人、返乡高校毕业生、乡村教师医生等；社区重点从网格员、居民小组长、居民代表、群团和社会组织负责人、"
    "社工、楼院门栋长等群体中选拔。\n"
    "二、选拔条件：政治素质好、干事能力强、发展潜力大、群众口碑好，年龄、学历等条件按县委组织部规定执行。\n"
    "三、选拔程序：采取村党组织推荐、党员群众推荐、个人自我推荐，党员群众评选、组织挑选，考察对象公示、"
    "村内公示的“三推两选两公示”方式进行。"
)


@login_required
def round_create(request):
    scope = get_scope(request.user)
    if not scope.has(roles.EDIT_PEOPLE):
        raise Http404("页面不存在")
    today = datetime.date.today()
    form = RoundForm(
        request.POST or None,
        user=request.user,
        initial={
            "announced_on": today,
            "nomination_deadline": today + datetime.timedelta(days=14),
            "announcement": DEFAULT_ANNOUNCEMENT,
            "title": f"{today.year}年村级后备干部选拔",
            # 跟进补充 links here with the short villages already chosen.
            "township": request.GET.get("township") or None,
            "villages": request.GET.getlist("villages"),
            "reserve_type": request.GET.get("reserve_type") or None,
        },
    )
    done = submit(
        request,
        form,
        lambda d: services.round_open(
            actor=request.user,
            township=d["township"],
            villages=d["villages"],
            kind=d["kind"],
            reserve_type=d["reserve_type"],
            title=d["title"],
            announcement=d["announcement"],
            announced_on=d["announced_on"],
            nomination_deadline=d["nomination_deadline"],
            request=request,
        ),
        success="已发布选拔公告。",
        then=lambda r: ("round_detail", r.pk),
    )
    return done or render(request, "selection/round_form.html", {"form": form})


def _ranked(candidacies):
    """Rank within each village by approval (votes) or total score (QL), highest first."""
    by_village = {}
    for c in candidacies:
        by_village.setdefault(c.village_id, []).append(c)
    for group in by_village.values():
        key = (
            (lambda c: c.total_score or Decimal(-1))
            if group[0].round.kind == KIND_QL
            else (lambda c: c.approval if c.approval is not None else Decimal(-1))
        )
        for rank, c in enumerate(sorted([c for c in group if key(c) >= 0], key=key, reverse=True), start=1):
            c.rank = rank
    return candidacies


@login_required
def round_detail(request, pk):
    round_ = get_round_for_user(request, pk)
    scope = get_scope(request.user)
    can_write = scope.has(roles.EDIT_PEOPLE, round_.township)
    candidacies = list(
        Candidacy.objects.for_user(request.user)
        .filter(round=round_)
        .select_related("person__village", "village", "round", "record")
        .prefetch_related(Prefetch("nominations", queryset=Nomination.objects.order_by("id")))
        .order_by("village__code", "-approval", "id")
    )
    _ranked(candidacies)
    villages = list(round_.villages.order_by("code"))
    meetings = {m.village_id: m for m in EvaluationMeeting.objects.filter(round=round_).order_by()}
    for v in villages:
        v.meeting = meetings.get(v.pk)
    options = VOTE_OPTIONS[round_.policy.vote_scale if round_.policy else "four_grade"]
    nominate_villages = [v for v in villages if scope.has(roles.NOMINATE, v)]
    transition = services.TRANSITIONS.get(round_.stage)
    if round_.stage == "decision" and round_.kind == KIND_QL:
        transition = None
    # The filing step is shown only where the county's policy asks for it.
    filing_needed = bool(round_.policy and round_.policy.selection_filing_required) or round_.stage == "filing"
    stages = [(key, label, i) for i, (key, label) in enumerate(round_.stages) if key != "filing" or filing_needed]
    return render(
        request,
        "selection/round_detail.html",
        {
            "round": round_,
            "candidacies": candidacies,
            "villages": villages,
            "options": options,
            "can_write": can_write,
            "can_nominate": round_.stage == "announced" and bool(nominate_villages),
            "transition_label": transition[1] if transition and can_write else "",
            "stages": stages,
            "stage_index": round_.stage_index,
            "attachments": attachments_for(round_.subject),
            "current_notice": {"notice1": round_.notice1, "notice2": round_.notice2}.get(round_.stage),
            "county_decides": round_.kind == KIND_QL
            and round_.stage == "decision"
            and scope.has(roles.EDIT_PEOPLE, round_.township.parent)
            and round_.township.parent.level == roles.COUNTY,
        },
    )


@login_required
def announcement_pdf(request, pk):
    round_ = get_round_for_user(request, pk)
    villages = list(round_.villages.order_by("code"))
    pdf = render_pdf(
        "selection/pdf/announcement.html", {"round": round_, "villages": villages, "today": datetime.date.today()}
    )
    audit(request.user, "selection.announcement_pdf", round_, unit=round_.township, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    # A Chinese name like every other download (RFC 5987 filename*), shown inline for printing
    name = f"选拔公告-{round_.township.name}-{round_.announced_on.year}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response


@login_required
def nominate(request, pk):
    round_ = get_round_for_user(request, pk)
    scope = get_scope(request.user)
    if not any(scope.has(roles.NOMINATE, v) for v in round_.villages.all()):
        raise Http404("页面不存在")
    form = NominationForm(request.POST or None, request.FILES or None, round_=round_, user=request.user)
    new_data = request.POST if request.method == "POST" and not request.POST.get("existing_id", "").strip() else None
    person_form = NewPersonForm(new_data, request.FILES or None, user=request.user, prefix="p")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        new_person = None
        if d["person"] is None:
            if person_form.is_valid():
                new_person = person_form.service_data()
            else:
                messages.error(request, "请在下方完整登记新人员的信息，或填写已登记人员的身份证号。")
        if d["person"] is not None or new_person is not None:
            try:
                services.nominate(
                    actor=request.user,
                    round_=round_,
                    village=d["village"],
                    channel=d["channel"],
                    nominated_by=d["nominated_by"],
                    nominated_on=d["nominated_on"],
                    person=d["person"],
                    new_person=new_person,
                    cross_village_reason=d["cross_village_reason"],
                    ban_override=d["ban_override"],
                    upload=d.get("form_scan"),
                    request=request,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and set(exc.error_dict) & set(person_form.fields):
                    apply_errors(person_form, exc)
                else:
                    apply_errors(form, exc)
            else:
                messages.success(request, "已录入推荐。")
                return redirect("round_detail", pk=round_.pk)
    return render(request, "selection/nominate.html", {"round": round_, "form": form, "person_form": person_form})


@login_required
def candidacy_review(request, pk):
    candidacy = get_candidacy_for_user(request, pk, write=True)
    round_ = candidacy.round
    with_checklist = bool(round_.policy and round_.policy.ql7_checklist)
    form = ReviewForm(request.POST or None, with_checklist=with_checklist)
    done = submit(
        request,
        form,
        lambda d: services.candidacy_review(
            actor=request.user,
            candidacy=candidacy,
            passed=d["passed"],
            note=d["note"],
            checklist=form.checklist(),
            request=request,
        ),
        success=f"已完成 {candidacy.person.name} 的资格审查。",
        then=("round_detail", round_.pk),
    )
    if done:
        return done
    preview = check_eligibility(candidacy.person, round_.policy, on=round_.announced_on)
    return render(
        request, "selection/review.html", {"form": form, "candidacy": candidacy, "round": round_, "preview": preview}
    )


@login_required
def candidacy_withdraw(request, pk):
    candidacy = get_candidacy_for_user(request, pk, write=True)
    form = ReasonForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda d: services.candidacy_withdraw(
            actor=request.user, candidacy=candidacy, reason=d["reason"], request=request
        ),
        success=f"{candidacy.person.name} 已退出本次选拔。",
        then=("round_detail", candidacy.round_id),
    )
    return done or render(
        request,
        "selection/reason_form.html",
        {"form": form, "round": candidacy.round, "heading": f"{candidacy.person.name} 退出选拔"},
    )


@login_required
def round_cancel(request, pk):
    round_ = get_round_for_user(request, pk, write=True)
    form = ReasonForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda d: services.round_cancel(actor=request.user, round_=round_, reason=d["reason"], request=request),
        success="已终止本次选拔。",
        then=("round_detail", round_.pk),
    )
    return done or render(
        request, "selection/reason_form.html", {"form": form, "round": round_, "heading": f"终止：{round_.title}"}
    )


@login_required
@require_POST
def round_advance(request, pk):
    """The button that leaves the current stage. The form carries the stage it was shown for, so a stale tab or
    a double click is refused instead of skipping a stage."""
    round_ = get_round_for_user(request, pk, write=True)
    shown_for = request.POST.get("stage", "")
    transition = services.TRANSITIONS.get(shown_for)
    if transition is None or shown_for != round_.stage:
        messages.error(request, f"该选拔已处于“{round_.stage_label}”阶段，请刷新后再操作。")
        return redirect("round_detail", pk=round_.pk)
    try:
        transition[0](actor=request.user, round_=round_, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        round_.refresh_from_db()
        messages.success(request, f"已进入“{round_.stage_label}”阶段。")
    return redirect("round_detail", pk=round_.pk)


def _int(value):
    value = (value or "").strip()
    if not value:
        return 0
    number = parse_int(value, lo=-INT_MAX, hi=INT_MAX)
    if number is None:  # "²" and full-width digits pass str.isdigit() but are not a count of votes
        raise ValidationError("票数须为整数。")
    return number


@login_required
def evaluation_village(request, pk, village_pk):
    round_ = get_round_for_user(request, pk, write=True)
    village = round_.villages.filter(pk=village_pk).first()
    if village is None:
        raise Http404("该村不在本次选拔范围内")
    meeting = EvaluationMeeting.objects.filter(round=round_, village=village).first()
    initial = {"place": f"{village.name}党群服务中心", "date": datetime.date.today()}
    if meeting:
        initial |= {
            "date": meeting.date,
            "place": meeting.place,
            "categories": meeting.categories,
            "expected": meeting.expected,
            "present": meeting.present,
        }
    form = MeetingForm(request.POST or None, request.FILES or None, initial=initial)
    options = VOTE_OPTIONS[round_.policy.vote_scale if round_.policy else "four_grade"]
    candidacies = list(round_.candidacies.filter(village=village, state=Candidacy.QUALIFIED).select_related("person"))
    vote_errors = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        counts = {}
        for c in candidacies:
            try:
                counts[c.pk] = {key: _int(request.POST.get(f"v{c.pk}_{key}")) for key, _ in options}
            except ValidationError as exc:
                vote_errors.append(f"{c.person.name}：{exc.messages[0]}")
        if not vote_errors:
            try:
                with transaction.atomic():  # the meeting and its votes are saved together or not at all
                    services.meeting_record(
                        actor=request.user,
                        round_=round_,
                        village=village,
                        date=d["date"],
                        place=d["place"],
                        categories=d["categories"],
                        expected=d["expected"],
                        present=d["present"],
                        upload=d.get("minutes"),
                        request=request,
                    )
                    if counts:
                        services.votes_record(
                            actor=request.user, round_=round_, village=village, counts=counts, request=request
                        )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已保存{village.name}的评选会议和票数。")
                return redirect("round_detail", pk=round_.pk)
    for c in candidacies:
        c.inputs = [
            (key, label, request.POST.get(f"v{c.pk}_{key}") if request.method == "POST" else c.votes.get(key, ""))
            for key, label in options
        ]
    return render(
        request,
        "selection/evaluation.html",
        {
            "round": round_,
            "village": village,
            "form": form,
            "candidacies": candidacies,
            "options": options,
            "vote_errors": vote_errors,
            "approving": [label for key, label in options if key in APPROVING],
        },
    )


def _chosen_ids(request, name="chosen"):
    return parse_ids(request.POST.getlist(name))


@login_required
def select_inspection(request, pk):
    round_ = get_round_for_user(request, pk, write=True)
    form = SelectInspectionForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda d: services.inspection_candidates_select(
            actor=request.user,
            round_=round_,
            chosen_ids=_chosen_ids(request),
            staffing_note=d["staffing_note"],
            notice_start=d["notice_start"],
            place=d["place"],
            contact=d["contact"],
            request=request,
        ),
        success="已确定考察对象并发布公示。",
        then=("round_detail", round_.pk),
    )
    if done:
        return done
    candidacies = _ranked(
        list(
            round_.candidacies.filter(state=Candidacy.QUALIFIED)
            .select_related("person", "village", "round")
            .order_by("village__code", "-approval")
        )
    )
    return render(
        request,
        "selection/select_inspection.html",
        {"round": round_, "form": form, "candidacies": candidacies, "chosen": set(_chosen_ids(request))},
    )


@login_required
def inspection(request, pk):
    round_ = get_round_for_user(request, pk, write=True)
    candidacies = list(round_.candidacies.filter(state=Candidacy.INSPECTION).select_related("person", "village"))
    form = InspectionForm(
        request.POST or None,
        initial={"team": round_.inspection_team, "date": round_.inspection_date or datetime.date.today()},
    )
    done = submit(
        request,
        form,
        lambda d: services.inspection_record(
            actor=request.user,
            round_=round_,
            team=d["team"],
            date=d["date"],
            findings={c.pk: posted_text(request.POST, f"f{c.pk}") for c in candidacies},
            request=request,
        ),
        success="已保存考察情况。",
        then=("round_detail", round_.pk),
    )
    if done:
        return done
    for c in candidacies:
        c.input = request.POST.get(f"f{c.pk}", "") if request.method == "POST" else c.findings
    return render(request, "selection/inspection.html", {"round": round_, "form": form, "candidacies": candidacies})


@login_required
def decision(request, pk):
    round_ = get_round_for_user(request, pk, write=True)
    form = DecisionForm(request.POST or None, request.FILES or None, initial={"date": datetime.date.today()})
    done = submit(
        request,
        form,
        lambda d: services.decision_record(
            actor=request.user,
            round_=round_,
            date=d["date"],
            text=d["text"],
            decided_ids=_chosen_ids(request),
            notice_start=d["notice_start"],
            place=d["place"],
            contact=d["contact"],
            upload=d.get("minutes"),
            request=request,
        ),
        success="已记录党委会决定并发布村内公示。",
        then=("round_detail", round_.pk),
    )
    if done:
        return done
    candidacies = list(round_.candidacies.filter(state=Candidacy.INSPECTION).select_related("person", "village"))
    return render(
        request,
        "selection/decision.html",
        {"round": round_, "form": form, "candidacies": candidacies, "chosen": set(_chosen_ids(request))},
    )


SCORE_RE = re.compile(r"-?\d{1,3}(\.\d{1,2})?", re.ASCII)  # 0-100 is checked by the service


def _score(value):
    value = (value or "").strip()
    if not value:
        return None
    # ASCII digits and one point only: Decimal() also reads "٥", "NaN" and "1e999", which no score is
    if not (value.isascii() and SCORE_RE.fullmatch(value)):
        raise ValidationError("成绩须为数字。")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValidationError("成绩须为数字。") from None


@login_required
def scores(request, pk):
    round_ = get_round_for_user(request, pk, write=True)
    candidacies = list(round_.candidacies.filter(state=Candidacy.QUALIFIED).select_related("person", "village"))
    errors = []
    if request.method == "POST":
        try:
            values = {
                c.pk: (_score(request.POST.get(f"w{c.pk}")), _score(request.POST.get(f"i{c.pk}"))) for c in candidacies
            }
            services.scores_record(actor=request.user, round_=round_, scores=values, request=request)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "已保存成绩。")
            return redirect("round_detail", pk=round_.pk)
    return render(request, "selection/scores.html", {"round": round_, "candidacies": candidacies, "errors": errors})


@login_required
def joint_review(request, pk):
    round_ = get_round_for_user(request, pk, write=True)
    candidacies = list(round_.candidacies.filter(state=Candidacy.QUALIFIED).select_related("person", "village"))
    errors = []
    if request.method == "POST":
        results = {
            c.pk: (request.POST.get(f"ok{c.pk}") == "1", posted_text(request.POST, f"n{c.pk}")) for c in candidacies
        }
        try:
            services.joint_review_record(actor=request.user, round_=round_, results=results, request=request)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "已保存协审意见。")
            return redirect("round_detail", pk=round_.pk)
    return render(
        request, "selection/joint_review.html", {"round": round_, "candidacies": candidacies, "errors": errors}
    )


@login_required
def county_decision(request, pk):
    round_ = get_round_for_user(request, pk)
    if not get_scope(request.user).has(roles.EDIT_PEOPLE, round_.township.parent):
        raise Http404("页面不存在")
    form = CountyDecisionForm(request.POST or None, initial={"date": datetime.date.today()})
    done = submit(
        request,
        form,
        lambda d: services.county_decide(
            actor=request.user,
            round_=round_,
            date=d["date"],
            text=d["text"],
            decided_ids=_chosen_ids(request),
            request=request,
        ),
        success="已记录县级研究决定，人选已入库。",
        then=("round_detail", round_.pk),
    )
    if done:
        return done
    candidacies = list(round_.candidacies.filter(state=Candidacy.QUALIFIED).select_related("person", "village"))
    return render(
        request,
        "selection/decision.html",
        {
            "round": round_,
            "form": form,
            "candidacies": candidacies,
            "chosen": set(_chosen_ids(request)),
            "county": True,
        },
    )


@login_required
def round_attach(request, pk):
    """Any step's documents (minutes, inspection material, photos of the posted notice), filed on the round."""
    round_ = get_round_for_user(request, pk, write=True)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    done = submit(
        request,
        form,
        lambda d: attachment_save(
            actor=request.user,
            unit=round_.township,
            owner=round_.subject,
            upload=d["file"],
            purpose=f"{round_.stage_label}：{d['purpose']}",
            request=request,
        ),
        success="已上传附件。",
        then=("round_detail", round_.pk),
    )
    return done or render(
        request,
        "selection/reason_form.html",
        {"form": form, "round": round_, "heading": f"上传附件：{round_.title}", "multipart": True},
    )

"""Writes of meetings: creating and convening one (notice, agenda, a request and its signatories), the roll
built from the registry, sign-in, motions, voting (counts, paper ballots or roll call), tally corrections,
closing and the minutes. Each checks `governance.run_meetings` at the village, runs in one transaction and
writes audit there. Every threshold comes from `assembly_rules` (the law as data).

- The roll is one INSERT … SELECT from the registry (`core.sql.insert_select`) on the meeting date: a person
  whose 18th birthday is that day is on it.
- A sign-in locks the meeting row, marks the roll entry and adds to the meeting's live counters in the same
  transaction, so the quorum banner reads one row.
- A motion's counts are a log (`TallyEntry`): the first record, then corrections with a reason, appended,
  never overwritten. Closing the meeting locks every result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import BigIntegerField, Case, CharField, F, Q, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core import sql
from guanhuai.core.errors import Conflict, NotFound, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.scopes import unscoped
from guanhuai.core.states import transition
from guanhuai.governance import assembly_rules
from guanhuai.governance.models import (
    Delegate,
    Meeting,
    MeetingRequest,
    Motion,
    RollEntry,
    VillagerGroup,
)
from guanhuai.governance.permissions import RUN_MEETINGS, VIEW
from guanhuai.governance.selectors.meetings import Quorum, adult_cutoff, quorum
from guanhuai.governance.states import (
    MEETING_TRANSITIONS,
    ConvenedBy,
    DelegateRole,
    MeetingKind,
    MeetingStatus,
    MotionStatus,
    SignInVia,
)
from guanhuai.orgs.models import Level
from guanhuai.registry.models import Person

MAX_REASON = 1000
# The printed code of a roll entry: a bijection of the person's id (mod a prime), offset per meeting, so a
# code is short, unique within the meeting, and not the registry's id.
_CODE_PRIME = 2147483647
_CODE_FACTOR = 48271


def _require(actor: Actor, meeting: Meeting) -> None:
    scoping.require(actor, RUN_MEETINGS, meeting.unit, visible_perm=VIEW)


def _not_closed(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise Conflict(_("会议已闭会，结果已锁定，不能再修改。"), code="meeting_closed")


def meeting_create(
    *,
    actor: Actor,
    unit: Any,
    kind: str,
    title: str,
    scheduled_at: dt.datetime,
    group: VillagerGroup | None = None,
) -> Meeting:
    scoping.require(actor, RUN_MEETINGS, unit, visible_perm=VIEW)
    if unit.level != Level.VILLAGE:
        raise ValidationError(_("会议属于村(社区)，请选择村或社区。"), code="unit")
    if kind not in MeetingKind.values:
        raise ValidationError(_("未知的会议类别。"), code="kind")
    if kind == MeetingKind.GROUP_MEETING and (group is None or group.unit_id != unit.pk):
        raise ValidationError(_("村民小组会议须选择本村的一个村民小组。"), code="group")
    if kind != MeetingKind.GROUP_MEETING:
        group = None
    with transaction.atomic():
        meeting = Meeting(
            unit=unit,
            kind=kind,
            title=title.strip(),
            scheduled_at=scheduled_at,
            group=group,
            created_by=signed_in(actor),
        )
        meeting.full_clean()
        meeting.save()
        log(meeting, "governance.meeting.created", actor=actor, org_unit=unit)
    return meeting


# --- convening ---------------------------------------------------------------------------------------------


def notice_days(meeting: Meeting, notice_at: dt.datetime) -> int:
    """Whole days between the notice and the meeting date (local dates): 10 means "提前十天"."""
    return (timezone.localdate(meeting.scheduled_at) - timezone.localdate(notice_at)).days


def meeting_convene(
    *,
    actor: Actor,
    meeting: Meeting,
    agenda: str,
    notice_at: dt.datetime | None = None,
    short_notice_reason: str = "",
) -> Meeting:
    """The notice goes out with the agenda. A notice shorter than the kind's period (村民会议: 提前十天) is
    a warning that needs a recorded reason, since urgent meetings happen; without one it is refused."""
    _require(actor, meeting)
    agenda = agenda.strip()
    if not agenda:
        raise ValidationError(_("请填写会议议程，随通知一并发出。"), code="agenda")
    notice_at = notice_at or timezone.now()
    rules = assembly_rules.rules_for(meeting.kind)
    days = notice_days(meeting, notice_at)
    if days < 0:
        raise ValidationError(_("通知时间不能晚于会议时间。"), code="notice_at")
    reason = short_notice_reason.strip()[:MAX_REASON]
    if days < rules.notice_days:
        if not reason:
            raise ValidationError(
                _("通知距会议只有%(days)s天，少于法定的%(need)s天（%(article)s）；如确属紧急，请填写理由。")
                % {"days": days, "need": rules.notice_days, "article": rules.notice_article},
                code="short_notice",
            )
    else:
        reason = ""
    with transaction.atomic():
        meeting = relock(meeting)
        transition(meeting, MeetingStatus.CONVENED, MEETING_TRANSITIONS)
        meeting.agenda, meeting.notice_at, meeting.short_notice_reason = agenda, notice_at, reason
        meeting.save(update_fields=["status", "agenda", "notice_at", "short_notice_reason"])
        log(
            meeting,
            "governance.meeting.convened",
            actor=actor,
            org_unit=meeting.unit,
            data={"notice_days": days, "short_notice_reason": reason},
        )
    return meeting


def meeting_request_record(
    *,
    actor: Actor,
    meeting: Meeting,
    basis: str,
    received_on: dt.date,
    signatories: Iterable[int],
    note: str = "",
) -> MeetingRequest:
    """The request (提议) that the committee convene the meeting, with its signatories (persons of the
    village; for a representatives' request, current representatives). Whether it reaches the law's share is
    shown beside it (selectors.request_check); a request below it is still recorded."""
    _require(actor, meeting)
    if basis not in (ConvenedBy.VILLAGERS, ConvenedBy.REPRESENTATIVES):
        raise ValidationError(_("请选择提议人是村民还是村民代表。"), code="basis")
    ids = sorted(set(signatories))
    if not ids:
        raise ValidationError(_("请登记提议人。"), code="signatories")
    if basis == ConvenedBy.REPRESENTATIVES:
        found = set(
            Delegate.objects.unscoped("the meeting's village was checked")
            .filter(unit=meeting.unit, ended_on__isnull=True, person_id__in=ids)
            .values_list("person_id", flat=True)
        )
        missing = _("不是本村现任村民代表")
    else:
        found = set(
            Person.objects.unscoped("the meeting's village was checked")
            .filter(org_unit=meeting.unit, died_on__isnull=True, pk__in=ids)
            .values_list("pk", flat=True)
        )
        missing = _("不是本村村民")
    if len(found) != len(ids):
        raise ValidationError(
            _("%(n)s名提议人%(why)s。") % {"n": len(ids) - len(found), "why": missing}, code="signatories"
        )
    with transaction.atomic():
        meeting = relock(meeting)
        if meeting.status != MeetingStatus.DRAFT:
            raise Conflict(_("会议通知已发出，不能再登记提议。"), code="meeting_convened")
        if MeetingRequest.objects.filter(meeting=meeting).exists():
            raise Conflict(_("本次会议已登记提议。"), code="request_exists")
        request = MeetingRequest.objects.create(meeting=meeting, received_on=received_on, note=note.strip())
        # the signatories were checked against the meeting's village above; `set` reads the (empty) current
        # ones through Person's guarded manager
        with unscoped("the signatories were checked against the meeting's village"):
            request.signatories.set(ids)
        meeting.convened_by = basis
        meeting.save(update_fields=["convened_by"])
        log(
            meeting,
            "governance.meeting.requested",
            actor=actor,
            org_unit=meeting.unit,
            data={"basis": basis, "signatories": len(ids)},
        )
    return request


# --- the roll ----------------------------------------------------------------------------------------------


def _code_expr(meeting: Meeting) -> Any:
    offset = (meeting.pk * 1000003) % _CODE_PRIME
    # The SQL `%` operator (integer on both databases; Django's Mod() is a float on SQLite).
    value = (
        (Cast("pk", BigIntegerField()) + Value(offset, output_field=BigIntegerField()))
        * Value(_CODE_FACTOR, output_field=BigIntegerField())
    ) % Value(_CODE_PRIME, output_field=BigIntegerField())
    return Cast(value, CharField(max_length=12))


def _electorate(meeting: Meeting, on: dt.date) -> Any:
    """The persons on the roll of `meeting` on `on`, as the rows of an INSERT … SELECT into RollEntry."""
    alive = Q(died_on__isnull=True) | Q(died_on__gt=on)
    people = Person.objects.unscoped("the roll of a meeting in the clerk's village").filter(
        alive, org_unit=meeting.unit, anonymised_at__isnull=True
    )
    if meeting.kind == MeetingKind.REPRESENTATIVES_MEETING:
        delegates = Delegate.objects.unscoped("the village was checked").filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=on), unit=meeting.unit, started_on__lte=on
        )
        role = {d["person_id"]: d["role"] for d in delegates.values("person_id", "role")}
        people = people.filter(pk__in=list(role))
        role_expr: Any = Case(
            *[When(pk=pk, then=Value(r)) for pk, r in role.items()],
            default=Value(""),
            output_field=CharField(),
        )
        rep: Any = Value(False)
    else:
        people = people.filter(birth_date__lte=adult_cutoff(on))
        if meeting.kind == MeetingKind.GROUP_MEETING:
            group = VillagerGroup.objects.unscoped("the meeting's own group").filter(meetings=meeting).first()
            if group is None:
                raise ValidationError(_("村民小组会议须选择本村的一个村民小组。"), code="group")
            people = people.filter(household__in=group.households.all())
        role_expr = Value("")
        rep = Case(When(household__head_id=F("pk"), then=Value(True)), default=Value(False))
    return people.order_by().values_list(
        Value(meeting.pk),
        "pk",
        "household_id",
        "name",
        "name_pinyin",
        "sex",
        role_expr,
        _code_expr(meeting),
        rep,
        Value(False),
        Value(""),
        Value(""),
    )


ROLL_COLUMNS = [
    "meeting_id",
    "person_id",
    "household_id",
    "name",
    "name_pinyin",
    "sex",
    "role",
    "code",
    "household_rep",
    "for_household",
    "via",
    "proxy_letter",
]


def roll_build(*, actor: Actor, meeting: Meeting) -> int:
    """The roll on the meeting date, from the registry, in one INSERT … SELECT: the village's living adults
    (18 on the meeting date or older; a group meeting: the group's households), or the current committee
    members and representatives for a representatives' meeting. Built again (replacing the last build) until
    the meeting opens. Returns the number on the roll."""
    _require(actor, meeting)
    with transaction.atomic():
        meeting = relock(meeting)
        if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.CONVENED):
            raise Conflict(_("会议已开始，名册不能重建。"), code="meeting_open")
        on = timezone.localdate(meeting.scheduled_at)
        # Before the meeting opens nothing points at its roll (no votes, no proxies): one DELETE.
        sql.delete_rows(meeting.roll.all())
        size = sql.insert_select(RollEntry, ROLL_COLUMNS, _electorate(meeting, on))
        households = (
            0
            if meeting.kind == MeetingKind.REPRESENTATIVES_MEETING
            else meeting.roll.filter(household__isnull=False).values("household_id").distinct().count()
        )
        meeting.roll_date, meeting.roll_size, meeting.roll_households = on, size, households
        meeting.present = meeting.households_present = 0
        meeting.save(
            update_fields=["roll_date", "roll_size", "roll_households", "present", "households_present"]
        )
        log(
            meeting,
            "governance.roll.built",
            actor=actor,
            org_unit=meeting.unit,
            data={"on": on, "size": size, "households": households},
        )
    return size


# --- sign-in -----------------------------------------------------------------------------------------------


def _entry(meeting: Meeting, *, entry_id: Any = None, code: str = "") -> RollEntry:
    rows = meeting.roll.all()  # the meeting is in the actor's scope; its roll with it
    found = (
        rows.filter(code=code.strip()).first()
        if code
        else rows.filter(pk=entry_id).first()
        if entry_id
        else None
    )
    if found is None:
        raise NotFound(
            _("签到码“%(code)s”不在本次会议的名册上。") % {"code": code.strip()}
            if code
            else _("此人不在本次会议的名册上。"),
            code="not_on_roll",
        )
    return found


def sign_in(
    *,
    actor: Actor,
    meeting: Meeting,
    entry_id: Any = None,
    code: str = "",
    for_household: bool | None = None,
    proxy_holder_id: Any = None,
    proxy_letter: UploadedFile | None = None,
) -> tuple[RollEntry, Quorum]:
    """Sign one person in, by their roll entry (found by search) or by their code (typed or scanned).

    - Someone not on the roll, or already signed in, is refused with who and when.
    - The first of a household to sign in represents it (counts towards 三分之二以上的户的代表) unless the
      clerk says otherwise (`for_household=False`); a second representative of a household is refused.
    - By proxy (`proxy_holder_id`: the roll entry of the person attending for them): only where the kind's
      rules allow it, the holder signed in, with the written authorisation attached.
    Returns the entry and the quorum after it."""
    _require(actor, meeting)
    via = SignInVia.CODE if code else SignInVia.SEARCH
    with transaction.atomic():
        meeting = relock(meeting)
        if meeting.status not in (MeetingStatus.CONVENED, MeetingStatus.OPEN, MeetingStatus.VOTING):
            raise Conflict(
                _("会议%(status)s，不能签到。") % {"status": MeetingStatus(meeting.status).label},
                code="meeting_status",
            )
        if meeting.roll_date is None:
            raise Conflict(_("请先生成会议名册。"), code="no_roll")
        entry = _entry(meeting, entry_id=entry_id, code=code)
        entry = relock(entry)
        if entry.signed_in_at is not None:
            raise Conflict(
                _("%(name)s已于%(at)s签到，不能重复签到。")
                % {"name": entry.name, "at": timezone.localtime(entry.signed_in_at).strftime("%H:%M")},
                code="signed_in_twice",
            )
        proxy = None
        if proxy_holder_id:
            rules = assembly_rules.rules_for(meeting.kind)
            if not rules.proxies:
                raise ValidationError(
                    _("%(kind)s不能委托他人参加：%(basis)s。")
                    % {"kind": MeetingKind(meeting.kind).label, "basis": rules.proxies_basis},
                    code="proxy_forbidden",
                )
            proxy = _entry(meeting, entry_id=proxy_holder_id)
            if proxy.pk == entry.pk:
                raise ValidationError(_("不能委托本人。"), code="proxy")
            if proxy.signed_in_at is None or proxy.proxy_id is not None:
                raise ValidationError(
                    _("受托人%(name)s须本人到会签到后才能代为参加。") % {"name": proxy.name}, code="proxy"
                )
            if not proxy_letter:
                raise ValidationError(_("委托参加须附书面委托书。"), code="proxy_letter")
            via = SignInVia.PROXY
        represents = False
        if entry.household_id is not None and meeting.kind != MeetingKind.REPRESENTATIVES_MEETING:
            taken = meeting.roll.filter(household_id=entry.household_id, for_household=True).first()
            if for_household and taken is not None:
                raise Conflict(
                    _("本户已由%(name)s作为户代表签到。") % {"name": taken.name}, code="household_represented"
                )
            represents = taken is None if for_household is None else bool(for_household)
        entry.signed_in_at, entry.signed_in_by, entry.via = timezone.now(), signed_in(actor), via
        entry.for_household, entry.proxy = represents, proxy
        fields = ["signed_in_at", "signed_in_by", "via", "for_household", "proxy"]
        if proxy is not None and proxy_letter is not None:
            entry.proxy_letter.save(proxy_letter.name or "letter", proxy_letter, save=False)
            fields.append("proxy_letter")
        entry.save(update_fields=fields)
        meeting.present += 1
        meeting.households_present += int(represents)
        meeting.save(update_fields=["present", "households_present"])
        log(
            entry,
            "governance.roll.signed_in",
            actor=actor,
            org_unit=meeting.unit,
            data={"meeting": meeting.pk, "via": via, "for_household": represents},
        )
    return entry, quorum(meeting)


def meeting_close(*, actor: Actor, meeting: Meeting) -> Meeting:
    """The chair closes the meeting: every result is locked from now on."""
    _require(actor, meeting)
    with transaction.atomic():
        meeting = relock(meeting)
        voting = Motion.objects.filter(meeting=meeting, status=MotionStatus.VOTING).first()
        if voting is not None:
            raise Conflict(
                _("议题“%(title)s”正在表决，请先计票。") % {"title": voting.title}, code="motion_voting"
            )
        transition(meeting, MeetingStatus.CLOSED, MEETING_TRANSITIONS)
        meeting.closed_at = timezone.now()
        meeting.save(update_fields=["status", "closed_at"])
        log(
            meeting,
            "governance.meeting.closed",
            actor=actor,
            org_unit=meeting.unit,
            data={"present": meeting.present},
        )
    return meeting


def minutes_approve(*, actor: Actor, meeting: Meeting, role: str, minutes: str = "") -> Meeting:
    """The chair and the recorder each approve the minutes of a closed meeting (two different people). The
    text may be edited until the first approval."""
    _require(actor, meeting)
    if role not in ("chair", "recorder"):
        raise ValidationError(_("请选择以主持人还是记录人身份确认。"), code="role")
    user = signed_in(actor)
    with transaction.atomic():
        meeting = relock(meeting)
        if meeting.status != MeetingStatus.CLOSED:
            raise Conflict(_("会议闭会后才能确认会议记录。"), code="meeting_status")
        approved = [meeting.minutes_chair_approved_by_id, meeting.minutes_recorder_approved_by_id]
        fields = []
        if minutes.strip():
            if any(approved):
                raise Conflict(_("会议记录已有人确认，不能再修改。"), code="minutes_approved")
            meeting.minutes = minutes.strip()
            fields.append("minutes")
        if not meeting.minutes:
            raise ValidationError(_("请填写会议记录。"), code="minutes")
        mine, other = ("chair", "recorder") if role == "chair" else ("recorder", "chair")
        if getattr(meeting, f"minutes_{mine}_approved_by_id"):
            raise Conflict(_("已确认过。"), code="minutes_approved")
        if getattr(meeting, f"minutes_{other}_approved_by_id") == user.pk:
            raise ValidationError(_("主持人和记录人须由不同的人确认。"), code="role")
        setattr(meeting, f"minutes_{mine}_approved_by", user)
        setattr(meeting, f"minutes_{mine}_approved_at", timezone.now())
        fields += [f"minutes_{mine}_approved_by", f"minutes_{mine}_approved_at"]
        meeting.save(update_fields=fields)
        log(meeting, "governance.minutes.approved", actor=actor, org_unit=meeting.unit, data={"role": role})
    return meeting


# --- the representatives' meeting's members and the villager groups -----------------------------------------


def delegate_add(
    *, actor: Actor, unit: Any, person: Person, role: str, started_on: dt.date, households: int | None = None
) -> Delegate:
    scoping.require(actor, RUN_MEETINGS, unit, visible_perm=VIEW)
    if role not in DelegateRole.values:
        raise ValidationError(_("请选择村民委员会成员或村民代表。"), code="role")
    if person.org_unit_id != unit.pk:
        raise ValidationError(_("村民代表会议组成人员须是本村村民。"), code="person")
    with transaction.atomic():
        if (
            Delegate.objects.unscoped("checked")
            .filter(unit=unit, person=person, ended_on__isnull=True)
            .exists()
        ):
            raise Conflict(
                _("%(name)s已是村民代表会议组成人员。") % {"name": person.name}, code="delegate_exists"
            )
        delegate = Delegate.objects.create(
            unit=unit, person=person, role=role, started_on=started_on, households=households
        )
        log(delegate, "governance.delegate.added", actor=actor, org_unit=unit, data={"role": role})
    return delegate


def group_create(*, actor: Actor, unit: Any, name: str, household_ids: Iterable[int]) -> VillagerGroup:
    scoping.require(actor, RUN_MEETINGS, unit, visible_perm=VIEW)
    name = name.strip()
    if not name:
        raise ValidationError(_("请填写小组名称。"), code="name")
    with transaction.atomic():
        group = VillagerGroup.objects.create(unit=unit, name=name)
        group.households.set(list(household_ids))
        log(group, "governance.group.created", actor=actor, org_unit=unit)
    return group

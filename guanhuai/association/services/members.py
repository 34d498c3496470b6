"""Writes of members (会员): joining with a card number from the branch's sequence, withdrawing, moving to
another branch (the old row stays, 转出), member groups, Members' Day events, and the end of membership
when the registry records a death (a durable job queued by receivers.py).

A member's status changes only here and in campaigns.py, by the rules in states.MEMBER_TRANSITIONS; there is
no service that sets a status by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.association.models import CardSequence, Member, MemberGroup, MembersDayEvent
from guanhuai.association.permissions import MANAGE_MEMBERS, VIEW
from guanhuai.association.states import MEMBER_TRANSITIONS, MemberKind, MemberStatus
from guanhuai.audit.services import log, log_select
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.states import check, transition
from guanhuai.orgs.models import OrgUnit

MEMBER_DEATH = "association.member_death"
# Statuses a death still ends (a withdrawn or transferred membership ended before it).
LIVING = (MemberStatus.ACTIVE, MemberStatus.LAPSED)


def card_numbers(org_unit: OrgUnit, count: int) -> list[str]:
    """Take the branch's next `count` card numbers under a row lock (call inside a transaction): the
    branch's division code, a dash and six digits, never handed out twice."""
    CardSequence.objects.get_or_create(org_unit=org_unit)
    seq = CardSequence.objects.select_for_update().get(org_unit=org_unit)
    first = seq.last + 1
    seq.last += count
    seq.save(update_fields=["last"])
    return [f"{org_unit.code}-{n:06d}" for n in range(first, first + count)]


def _check_date(day: dt.date, *, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天。"), code=field)


def _check_not_member(org_unit: OrgUnit, person: Any) -> None:
    if (
        person is not None
        and Member.objects.filter(org_unit=org_unit, person=person, status=MemberStatus.ACTIVE).exists()
    ):
        raise Conflict(
            _("%(name)s 已是“%(unit)s”的在册会员，不能重复入会。")
            % {"name": person.name, "unit": org_unit.name},
            code="already_member",
        )


def member_create(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    joined_on: dt.date,
    person: Any = None,
    name: str = "",
    kind: str = MemberKind.INDIVIDUAL,
    group: MemberGroup | None = None,
) -> Member:
    """Enrol a member. An individual is a registry person (`person`, who must be alive and visible to the
    actor) or standalone (`name` only); a group member (团体会员) is an organisation's name."""
    scoping.require(actor, MANAGE_MEMBERS, org_unit, visible_perm=VIEW)
    if kind not in MemberKind.values:
        raise ValidationError(_("会员类型不正确。"), code="kind")
    if person is not None:
        if kind != MemberKind.INDIVIDUAL:
            raise ValidationError(_("团体会员不能关联个人。"), code="person")
        if person.died_on is not None:
            raise ValidationError(_("%(name)s 已登记死亡，不能入会。") % {"name": person.name}, code="person")
        name = person.name
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写会员姓名或团体名称。"), code="name")
    _check_date(joined_on, field="joined_on")
    if group is not None and group.org_unit_id != org_unit.pk:
        raise ValidationError(_("会员小组不属于该协会。"), code="group")
    with transaction.atomic():
        _check_not_member(org_unit, person)
        (card,) = card_numbers(org_unit, 1)
        member = Member(
            org_unit=org_unit,
            kind=kind,
            person=person,
            name=name,
            card_no=card,
            joined_on=joined_on,
            group=group,
        )
        member.full_clean(validate_constraints=False)
        member.save()
        log(member, "association.member.created", actor=actor, org_unit=org_unit, data={"card_no": card})
    return member


def _check_end(member: Member, on: dt.date, before_joining: str) -> None:
    """A membership's end date: a real date, not in the future, not before the member joined."""
    _check_date(on, field="on")
    if on < member.joined_on:
        raise ValidationError(before_joining, code="on")


def _move(
    member: Member, status: str, *, ended_on: dt.date | None, joins: OrgUnit | None = None
) -> tuple[Member, str, dt.date | None]:
    """Inside the caller's transaction: re-read the member under lock, move it to `status` by the table,
    refuse if the person would hold a second active membership of `joins`, and set the end date. Returns
    the saved member, its old status and its old end date."""
    member = relock(member)
    old, ended = member.status, member.ended_on
    transition(member, status, MEMBER_TRANSITIONS)
    if joins is not None:
        _check_not_member(joins, member.person)
    member.ended_on = ended_on
    member.save(update_fields=["status", "ended_on"])
    return member, old, ended


def member_withdraw(*, actor: Actor, member: Member, on: dt.date, reason: str = "") -> Member:
    """A member leaves the association (退会) on a date; the row and its card number stay."""
    scoping.require(actor, MANAGE_MEMBERS, member.org_unit, visible_perm=VIEW)
    _check_end(member, on, _("退会日期不能早于入会日期。"))
    with transaction.atomic():
        member, old, _ended = _move(member, MemberStatus.WITHDRAWN, ended_on=on)
        log(
            member,
            "association.member.withdrawn",
            actor=actor,
            org_unit=member.org_unit,
            changes={"status": [old, member.status]},
            data={"on": on, "reason": reason[:200]},
        )
    return member


def member_reinstate(*, actor: Actor, member: Member) -> Member:
    """A lapsed member re-registers late (补办再登记): active again, the same card number, no end date."""
    scoping.require(actor, MANAGE_MEMBERS, member.org_unit, visible_perm=VIEW)
    with transaction.atomic():
        member, old, ended = _move(member, MemberStatus.ACTIVE, ended_on=None, joins=member.org_unit)
        log(
            member,
            "association.member.reinstated",
            actor=actor,
            org_unit=member.org_unit,
            changes={"status": [old, member.status], "ended_on": [ended, None]},
        )
    return member


def member_transfer(*, actor: Actor, member: Member, to_unit: OrgUnit, on: dt.date) -> Member:
    """Move a member to another branch: the old row ends as 转出 on `on`, and a new row in `to_unit` (with
    a card number of that branch) points back to it, so the history of both branches stays true."""
    scoping.require(actor, MANAGE_MEMBERS, member.org_unit, visible_perm=VIEW)
    scoping.require(actor, MANAGE_MEMBERS, to_unit, visible_perm=VIEW)
    if to_unit.pk == member.org_unit_id:
        raise ValidationError(_("转入协会与原协会相同。"), code="to_unit")
    if not to_unit.is_open:
        raise ValidationError(_("“%(unit)s”已撤销。") % {"unit": to_unit.name}, code="to_unit")
    _check_end(member, on, _("转出日期不能早于入会日期。"))
    with transaction.atomic():
        member, old, _ended = _move(member, MemberStatus.TRANSFERRED_OUT, ended_on=on, joins=to_unit)
        (card,) = card_numbers(to_unit, 1)
        moved = Member.objects.create(
            org_unit=to_unit,
            kind=member.kind,
            person=member.person,
            name=member.name,
            card_no=card,
            joined_on=on,
            transferred_from=member,
        )
        log(
            member,
            "association.member.transferred_out",
            actor=actor,
            org_unit=member.org_unit,
            changes={"status": [old, member.status]},
            data={"to_unit": to_unit.pk, "new_member": moved.pk, "on": on},
        )
        log(
            moved,
            "association.member.transferred_in",
            actor=actor,
            org_unit=to_unit,
            data={"from_unit": member.org_unit_id, "old_member": member.pk, "card_no": card},
        )
    return moved


def members_end_for_death(*, actor: Actor, person_id: int, died_on: dt.date) -> int:
    """Every living membership (在册 or 未再登记) of a person the registry records as dead becomes 去世 on
    that date: one UPDATE, one audit row per membership (`log_select`). Running it again changes nothing."""
    rows = Member.objects.filter(person_id=person_id, status__in=LIVING)
    check(MEMBER_TRANSITIONS, LIVING, MemberStatus.DECEASED)
    with transaction.atomic():
        log_select(
            rows,
            "association.member.deceased",
            actor=actor,
            object_repr=Concat("name", Value("（"), "card_no", Value("）")),
            data={"died_on": died_on},
        )
        return rows.update(status=MemberStatus.DECEASED, ended_on=Greatest("joined_on", Value(died_on)))


def death_job_submit(*, actor: Actor, person: Any, died_on: dt.date) -> Any:
    """Queue MEMBER_DEATH inside the death's transaction (it commits with the death and runs after it, as
    the recorder); keyed by person and date, so a replayed death queues nothing. None when the person has
    no living membership."""
    from guanhuai.jobs.services import job_submit

    if not Member.objects.filter(person_id=person.pk, status__in=LIVING).exists():
        return None
    job, _created = job_submit(
        actor=actor,
        kind=MEMBER_DEATH,
        idempotency_key=f"{MEMBER_DEATH}:{person.pk}:{died_on.isoformat()}",
        params={"person_id": person.pk, "died_on": died_on.isoformat()},
    )
    return job


def member_group_create(
    *, actor: Actor, org_unit: OrgUnit, name: str, leader: Member | None = None
) -> MemberGroup:
    """A member group (会员小组) of a branch; its leader, if named, must be an active member of the branch."""
    scoping.require(actor, MANAGE_MEMBERS, org_unit, visible_perm=VIEW)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写小组名称。"), code="name")
    if leader is not None and (leader.org_unit_id != org_unit.pk or leader.status != MemberStatus.ACTIVE):
        raise ValidationError(_("组长须为本协会的在册会员。"), code="leader")
    if MemberGroup.objects.filter(org_unit=org_unit, name=name).exists():
        raise Conflict(_("该协会已有名为“%(name)s”的会员小组。") % {"name": name}, code="name")
    with transaction.atomic():
        group = MemberGroup.objects.create(org_unit=org_unit, name=name, leader=leader)
        if leader is not None and leader.group_id != group.pk:
            Member.objects.filter(pk=leader.pk).update(group=group)
        log(
            group, "association.member_group.created", actor=actor, org_unit=org_unit, data={"leader": leader}
        )
    return group


def member_group_set_leader(*, actor: Actor, group: MemberGroup, leader: Member | None) -> MemberGroup:
    """Change a member group's leader later (or leave it without one): the new leader must be an active
    member of the group's branch, and joins the group. The change is audited with the old and new leader."""
    scoping.require(actor, MANAGE_MEMBERS, group.org_unit, visible_perm=VIEW)
    if leader is not None and (
        leader.org_unit_id != group.org_unit_id or leader.status != MemberStatus.ACTIVE
    ):
        raise ValidationError(_("组长须为本协会的在册会员。"), code="leader")
    with transaction.atomic():
        group = relock(group, "leader")
        old = group.leader
        if (old.pk if old else None) == (leader.pk if leader else None):
            return group
        group.leader = leader
        group.save(update_fields=["leader"])
        if leader is not None and leader.group_id != group.pk:
            Member.objects.filter(pk=leader.pk).update(group=group)
        log(
            group,
            "association.member_group.leader_changed",
            actor=actor,
            org_unit=group.org_unit,
            changes={"leader": [str(old) if old else None, str(leader) if leader else None]},
        )
    return group


def members_day_record(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    held_on: dt.date,
    kind: str,
    title: str,
    participants: int,
    note: str = "",
) -> MembersDayEvent:
    """Record a Members' Day (5·29) activity of a branch."""
    scoping.require(actor, MANAGE_MEMBERS, org_unit, visible_perm=VIEW)
    _check_date(held_on, field="held_on")
    if participants < 0:
        raise ValidationError(_("参加人数不能为负数。"), code="participants")
    event = MembersDayEvent(
        org_unit=org_unit,
        held_on=held_on,
        kind=kind,
        title=(title or "").strip(),
        participants=participants,
        note=note,
        created_by=signed_in(actor),
    )
    event.full_clean(exclude=["created_by"])
    with transaction.atomic():
        event.save()
        log(event, "association.members_day.recorded", actor=actor, org_unit=org_unit, data={"kind": kind})
    return event


def active_in(unit_path: str) -> Q:
    """Active members of a subtree (for selectors and campaigns)."""
    from guanhuai.orgs import paths

    return Q(
        status=MemberStatus.ACTIVE,
        org_unit__path__gte=unit_path,
        org_unit__path__lt=paths.upper_bound(unit_path),
    )

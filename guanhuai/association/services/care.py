"""Writes of special-family care ("三个全覆盖": liaisons, family-doctor contracts, medical fast lanes), visits
and their follow-ups, and volunteers. Each checks the permission at the family's village, refuses a family
that is not special (or not visible: the same 404), writes audit in the same transaction.

Opening a visit is a read of the most sensitive data here (needs found in a 失独 or 伤残 family), so
`visit_open` writes an audit entry like the registry's unmask does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.association.models import (
    Cadre,
    CareArrangement,
    FollowUp,
    Visit,
    Volunteer,
    VolunteerService,
    VolunteerTeam,
)
from guanhuai.association.permissions import MANAGE_CARE, MANAGE_VOLUNTEERS, VIEW, VIEW_CARE
from guanhuai.association.selectors import care as selectors
from guanhuai.association.states import FOLLOW_UP_TRANSITIONS, CoverageKind, FollowUpStatus, LiaisonLevel
from guanhuai.audit.services import log, log_select
from guanhuai.core.errors import NotFound, ValidationError
from guanhuai.core.masking import mask_name
from guanhuai.core.states import transition
from guanhuai.core.xlsx_stream import XlsxStream
from guanhuai.registry.models import Household


def _special(actor: Actor, household: Household, perm: str) -> Household:
    """The household as a special family the actor may act on; otherwise the same 404 as a missing one, or a
    precise refusal when it is visible but not special."""
    scoping.require(actor, perm, household.org_unit, visible_perm=VIEW_CARE)
    # specialness only: the coverage aggregates special_households() adds are not needed here
    if not Household.objects.filter(selectors.is_special(), pk=household.pk).exists():
        raise ValidationError(
            _("该户不是计生特殊家庭（失独或独生子女伤残），无需登记关爱覆盖。"), code="not_special"
        )
    return household


def _dates(starts_on: dt.date, ends_on: dt.date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("结束日期不能早于开始日期。"), code="ends_before_start")


def care_arrangement_add(
    *,
    actor: Actor,
    household: Household,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    cadre: Cadre | None = None,
    liaison_level: str = "",
    person_name: str = "",
    institution: str = "",
    phone: str = "",
) -> CareArrangement:
    """Record one coverage of a special family. A liaison names a cadre (of the family's village or of a
    branch above it, and visible to the actor) or a person by name; a doctor's contract names the doctor and
    the institution; a fast lane names the hospital."""
    _special(actor, household, MANAGE_CARE)
    _dates(starts_on, ends_on)
    if kind not in CoverageKind.values:
        raise ValidationError(_("关爱覆盖类别无效。"), code="kind")
    if kind == CoverageKind.LIAISON:
        if cadre is not None:
            if not scoping.can(actor, VIEW, cadre.org_unit) or not household.org_unit.path.startswith(
                cadre.org_unit.path
            ):
                raise ValidationError(
                    _("联系人须为该家庭所在村或其上级协会的干部，且在您的管辖范围内。"), code="cadre"
                )
            if cadre.left_on is not None and cadre.left_on < starts_on:
                raise ValidationError(
                    _("%(name)s 已于 %(d)s 离任，不能再结对联系。")
                    % {"name": cadre.name, "d": cadre.left_on.isoformat()},
                    code="cadre",
                )
            if cadre.left_on is not None and (ends_on is None or ends_on > cadre.left_on):
                ends_on = cadre.left_on  # a pairing recorded after the fact ends when its cadre left
            person_name = person_name or cadre.name
        if not person_name:
            raise ValidationError(_("请填写联系人姓名。"), code="person_name")
        if liaison_level not in LiaisonLevel.values:
            raise ValidationError(_("请选择联系人层级（乡镇干部或村干部）。"), code="liaison_level")
    elif kind == CoverageKind.DOCTOR:
        if not person_name or not institution:
            raise ValidationError(_("家庭医生签约须填写医生姓名和医疗机构。"), code="person_name")
    elif not institution:
        raise ValidationError(_("就医绿色通道须填写医院。"), code="institution")
    with transaction.atomic():
        row = CareArrangement(
            household=household,
            org_unit=household.org_unit,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            cadre=cadre if kind == CoverageKind.LIAISON else None,
            liaison_level=liaison_level if kind == CoverageKind.LIAISON else "",
            person_name=person_name,
            institution=institution,
            phone=phone,
            created_by=signed_in(actor),
        )
        row.full_clean()
        row.save()
        log(row, "association.care.added", actor=actor, org_unit=household.org_unit, data={"kind": kind})
    return row


def care_arrangement_end(*, actor: Actor, arrangement: CareArrangement, ends_on: dt.date) -> CareArrangement:
    """End a pairing, contract or lane on a date (never deleted: the coverage history stays)."""
    scoping.require(actor, MANAGE_CARE, arrangement.org_unit, visible_perm=VIEW_CARE)
    if arrangement.ends_on is not None and arrangement.ends_on <= ends_on:
        raise ValidationError(
            _("该记录已于 %(day)s 结束。") % {"day": arrangement.ends_on.isoformat()}, code="ended"
        )
    _dates(arrangement.starts_on, ends_on)
    with transaction.atomic():
        old = arrangement.ends_on
        arrangement.ends_on = ends_on
        arrangement.save(update_fields=["ends_on"])
        log(
            arrangement,
            "association.care.ended",
            actor=actor,
            org_unit=arrangement.org_unit,
            changes={"ends_on": [old, ends_on]},
        )
    return arrangement


def liaisons_end_with_cadre(*, actor: Actor, cadre: Cadre, left_on: dt.date) -> int:
    """End, on the day the cadre left, every liaison pairing of theirs still running after it, in one UPDATE
    (a pairing not yet begun ends on its first day). Each is audited as ended; the families are back in the
    gap lists from the next day, with no other step. Called by `cadre_leave` inside its transaction; returns
    the number of pairings ended."""
    running = CareArrangement.objects.filter(cadre=cadre, kind=CoverageKind.LIAISON).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=left_on)
    )
    log_select(
        running,
        "association.care.ended",
        actor=actor,
        object_repr=Concat(Value(str(CoverageKind.LIAISON.label) + " "), F("person_name")),
        data={"ends_on": left_on, "cadre_left": cadre.name},
    )
    return running.update(ends_on=Greatest(F("starts_on"), Value(left_on)))


def visit_record(
    *,
    actor: Actor,
    household: Household,
    visited_on: dt.date,
    visitors: str,
    kind: str,
    needs: str = "",
    follow_ups: list[tuple[str, Any, dt.date]] = (),  # type: ignore[assignment]
) -> Visit:
    """Log a visit with what it found, and the follow-ups it sets: (what, owner, due date). An owner must be
    someone who may see this family's care (scoping.holders), so an overdue item reaches a queue that can act."""
    _special(actor, household, MANAGE_CARE)
    today = timezone.localdate()
    if visited_on > today:
        raise ValidationError(_("走访日期不能晚于今天。"), code="visited_on")
    if not visitors.strip():
        raise ValidationError(_("请填写走访人。"), code="visitors")
    allowed = set(scoping.holders(VIEW_CARE, household.org_unit).values_list("pk", flat=True))
    for action, owner, due_on in follow_ups:
        if owner is None or owner.pk not in allowed:
            raise ValidationError(_("跟进负责人须是能查看该家庭关爱信息的工作人员。"), code="owner")
        if due_on < visited_on:
            raise ValidationError(_("跟进期限不能早于走访日期。"), code="due_on")
        if not action.strip():
            raise ValidationError(_("请填写跟进事项。"), code="action")
    with transaction.atomic():
        visit = Visit(
            household=household,
            org_unit=household.org_unit,
            visited_on=visited_on,
            visitors=visitors.strip(),
            kind=kind,
            needs=needs.strip(),
            recorded_by=signed_in(actor),
        )
        visit.full_clean()
        visit.save()
        FollowUp.objects.bulk_create(
            [
                FollowUp(visit=visit, org_unit=household.org_unit, action=a.strip(), owner=o, due_on=d)
                for a, o, d in follow_ups
            ]
        )
        log(
            visit,
            "association.visit.recorded",
            actor=actor,
            org_unit=household.org_unit,
            data={"follow_ups": len(follow_ups)},
        )
    return visit


def visit_open(*, actor: Actor, visit_id: Any) -> Visit:
    """A visit with its needs, for reading; the read is audited (special-family data)."""
    visit = selectors.visit_get(actor=actor, visit_id=visit_id)
    log(visit, "association.visit.viewed", actor=actor, org_unit=visit.org_unit)
    return visit


def follow_up_done(*, actor: Actor, follow_up: FollowUp, note: str = "") -> FollowUp:
    """Close a follow-up: its owner, or anyone who manages care at its village."""
    if follow_up.owner_id != actor.pk:
        scoping.require(actor, MANAGE_CARE, follow_up.org_unit, visible_perm=VIEW_CARE)
    with transaction.atomic():
        old = follow_up.status
        transition(follow_up, FollowUpStatus.DONE, FOLLOW_UP_TRANSITIONS)
        follow_up.done_on = timezone.localdate()
        follow_up.note = note.strip()
        follow_up.save(update_fields=["status", "done_on", "note"])
        log(
            follow_up,
            "association.follow_up.done",
            actor=actor,
            org_unit=follow_up.org_unit,
            changes={"status": [old, follow_up.status]},
        )
    return follow_up


def care_gaps_export(*, actor: Actor, unit: Any, gap: str, out: IO[bytes]) -> int:
    """Write the gap list (names masked) as one Excel sheet to `out`, and audit the export: it lists special
    families. Returns the number of families written. The page and `guanhuai care coverage --xlsx` use it."""
    scoping.require(actor, VIEW_CARE, unit)
    yes, no = _("有"), _("无")
    with XlsxStream(out, str(_("关爱缺项")), widths=[24, 12, 30, 10, 12, 12]) as sheet:
        sheet.append(
            [_("村(社区)"), _("户主"), _("住址"), _("结对联系人"), _("家庭医生签约"), _("就医绿色通道")]
        )
        families = selectors.coverage_gaps(actor=actor, unit=unit, gap=gap).values_list(  # type: ignore[misc]  # annotations the plugin does not see
            "org_unit__name", "head__name", "address", "has_liaison", "has_doctor", "has_fast_lane"
        )
        for village, head, address, *flags in families.iterator(chunk_size=2000):
            sheet.append([village, mask_name(head or ""), address, *(yes if f else no for f in flags)])
        rows = sheet.rows
    log(unit, "association.care.exported", actor=actor, org_unit=unit, data={"gap": gap, "rows": rows})
    return rows


# --- volunteers -----------------------------------------------------------------------------------------


def volunteer_team_create(
    *, actor: Actor, org_unit: Any, name: str, leader: str = "", founded_on: dt.date | None = None
) -> VolunteerTeam:
    scoping.require(actor, MANAGE_VOLUNTEERS, org_unit, visible_perm=VIEW)
    if VolunteerTeam.objects.filter(org_unit=org_unit, name=name.strip()).exists():
        raise ValidationError(_("本单位已有同名志愿者队伍。"), code="name")
    with transaction.atomic():
        team = VolunteerTeam(
            org_unit=org_unit, name=name.strip(), leader=leader.strip(), founded_on=founded_on
        )
        team.full_clean()
        team.save()
        log(team, "association.volunteer_team.created", actor=actor, org_unit=org_unit)
    return team


def volunteer_add(
    *, actor: Actor, org_unit: Any, name: str, joined_on: dt.date, team: VolunteerTeam | None = None
) -> Volunteer:
    scoping.require(actor, MANAGE_VOLUNTEERS, org_unit, visible_perm=VIEW)
    if team is not None and not org_unit.path.startswith(team.org_unit.path):
        raise ValidationError(_("志愿者须加入本单位或上级单位的队伍。"), code="team")
    with transaction.atomic():
        volunteer = Volunteer(org_unit=org_unit, team=team, name=name.strip(), joined_on=joined_on)
        volunteer.full_clean()
        volunteer.save()
        log(volunteer, "association.volunteer.added", actor=actor, org_unit=org_unit)
    return volunteer


def volunteer_service_record(
    *,
    actor: Actor,
    volunteer: Volunteer,
    served_on: dt.date,
    hours: Decimal,
    activity: str,
    household: Household | None = None,
) -> VolunteerService:
    scoping.require(actor, MANAGE_VOLUNTEERS, volunteer.org_unit, visible_perm=VIEW)
    if served_on > timezone.localdate():
        raise ValidationError(_("服务日期不能晚于今天。"), code="served_on")
    if served_on < volunteer.joined_on or (volunteer.left_on and served_on > volunteer.left_on):
        raise ValidationError(_("服务日期不在该志愿者的在队期间内。"), code="served_on")
    if not Decimal("0") < hours <= Decimal("24"):
        raise ValidationError(_("服务时长须大于 0 且不超过 24 小时。"), code="hours")
    if household is not None and not scoping.can(actor, VIEW_CARE, household.org_unit):
        raise NotFound(_("未找到该家庭，或您无权访问。"))
    with transaction.atomic():
        service = VolunteerService(
            volunteer=volunteer,
            org_unit=volunteer.org_unit,
            served_on=served_on,
            hours=hours,
            activity=activity.strip(),
            household=household,
            recorded_by=signed_in(actor),
        )
        service.full_clean()
        service.save()
        log(
            service,
            "association.volunteer.served",
            actor=actor,
            org_unit=volunteer.org_unit,
            data={"hours": hours},
        )
    return service

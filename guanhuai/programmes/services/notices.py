"""The village public notice (公示) of applications, and objections to it (docs/programmes.md).

Closing a notice after its last day moves every application without an unresolved objection to its next
step; an upheld objection returns its application to the village."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log, log_many
from guanhuai.core import states
from guanhuai.core.errors import (
    Conflict,
    InvalidTransition,
    ValidationError,
)
from guanhuai.core.locks import relock
from guanhuai.programmes.models import (
    Application,
    Objection,
    Programme,
    PublicNotice,
    ReviewDecision,
)
from guanhuai.programmes.permissions import (
    MANAGE_NOTICES,
    VIEW,
)
from guanhuai.programmes.services.application_common import _lock, _log, _next_step, _now, _today, _transition
from guanhuai.programmes.services.approval import _approve
from guanhuai.programmes.states import (
    APPLICATION_TRANSITIONS,
    NOTICE_TRANSITIONS,
    OBJECTION_TRANSITIONS,
    ApplicationStatus,
    Decision,
    NoticeStatus,
    ObjectionChannel,
    ObjectionIdentity,
    ObjectionStatus,
    Step,
)

# --- public notice -----------------------------------------------------------------------------------------


def notice_open(
    *, actor: Actor, programme: Programme, org_unit: Any, opens_on: dt.date | None = None
) -> PublicNotice:
    """Open the village's notice of every application of `programme` waiting at the notice step. It runs
    `programme.notice_days` calendar days including the first."""
    scoping.require(actor, MANAGE_NOTICES, org_unit, visible_perm=VIEW)
    opens_on = opens_on or _today()
    if opens_on < _today():
        raise ValidationError(_("公示开始日期不能早于今天。"), code="notice_in_past")
    closes_on = opens_on + dt.timedelta(days=programme.notice_days - 1)
    with transaction.atomic():
        waiting = list(
            Application.objects.unscoped("the village's applications, after scoping.require on it")
            .select_for_update(of=("self",))
            .filter(
                programme=programme,
                org_unit=org_unit,
                status=ApplicationStatus.UNDER_REVIEW,
                step=Step.NOTICE,
            )
            .order_by("pk")
        )
        if not waiting:
            raise ValidationError(
                _("%(unit)s 没有等待公示的“%(programme)s”申请。")
                % {"unit": org_unit.name, "programme": programme.name},
                code="nothing_to_notice",
            )
        notice = PublicNotice.objects.create(
            org_unit=org_unit,
            programme=programme,
            title=_("%(unit)s%(programme)s对象公示") % {"unit": org_unit.name, "programme": programme.name},
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=signed_in(actor),
        )
        states.check(APPLICATION_TRANSITIONS, {a.status for a in waiting}, ApplicationStatus.IN_PUBLIC_NOTICE)
        Application.objects.filter(pk__in=[a.pk for a in waiting]).update(
            status=ApplicationStatus.IN_PUBLIC_NOTICE, notice=notice
        )
        log(
            notice,
            "programmes.notice.opened",
            actor=actor,
            org_unit=org_unit,
            data={"applications": len(waiting), "opens_on": opens_on, "closes_on": closes_on},
        )
        log_many(
            waiting,
            "programmes.application.in_notice",
            actor=actor,
            data={"notice": notice.pk, "opens_on": opens_on, "closes_on": closes_on},
        )
    return notice


def _after_notice(applications: list[Application], *, actor: Actor) -> None:
    """Applications whose notice is over without an unresolved objection move to the next step."""
    if not applications:
        return
    by_next: dict[str | None, list[Application]] = {}
    for a in applications:
        by_next.setdefault(_next_step(a), []).append(a)
    for nxt, group in by_next.items():
        if nxt is None:  # a programme whose last step is the notice: closing it approves
            for a in group:
                _approve(a, actor=actor, comment=_("公示期满无异议"))
            continue
        states.check(APPLICATION_TRANSITIONS, {a.status for a in group}, ApplicationStatus.UNDER_REVIEW)
        Application.objects.filter(pk__in=[a.pk for a in group]).update(
            status=ApplicationStatus.UNDER_REVIEW, step=nxt
        )
        log_many(group, "programmes.application.notice_passed", actor=actor, data={"next_step": nxt})


def notice_closable_on(notice: PublicNotice) -> dt.date:
    """The first day a notice may be closed: the day after its last day. Pages offer "结束公示" from then
    on, and show this date before it."""
    return notice.closes_on + dt.timedelta(days=1)


def notice_takes_objections(notice: PublicNotice) -> bool:
    """Objections are recorded while the notice is open and up to its last day (the page offers the form
    only then)."""
    return notice.status == NoticeStatus.OPEN and _today() <= notice.closes_on


def notice_may_close(notice: PublicNotice) -> bool:
    """Whether today is on or after `notice_closable_on` (the page disables "结束公示" before it)."""
    return _today() >= notice_closable_on(notice)


def notice_close(*, actor: Actor, notice: PublicNotice) -> PublicNotice:
    """Close a notice after its last day. Applications without an unresolved objection move on; the others
    wait in the notice until their objections are resolved."""
    scoping.require(actor, MANAGE_NOTICES, notice.org_unit, visible_perm=VIEW)
    with transaction.atomic():
        notice = relock(notice, "org_unit")
        if notice.status != NoticeStatus.OPEN:
            raise InvalidTransition(_("该公示已经结束。"), code="notice_closed")
        if not notice_may_close(notice):
            raise Conflict(
                _("公示期至 %(closes)s，%(next)s 起方可结束公示。")
                % {"closes": notice.closes_on, "next": notice.closes_on + dt.timedelta(days=1)},
                code="notice_not_over",
            )
        states.transition(notice, NoticeStatus.CLOSED, NOTICE_TRANSITIONS)
        notice.closed_at = _now()
        notice.save(update_fields=["status", "closed_at"])
        in_notice = list(
            Application.objects.unscoped("a re-read under lock of a row the service already holds")
            .select_for_update(of=("self",))
            .select_related("programme", "person", "spouse", "org_unit")
            .filter(notice=notice, status=ApplicationStatus.IN_PUBLIC_NOTICE)
            .exclude(objections__status=ObjectionStatus.OPEN)
            .order_by("pk")
        )
        _after_notice(in_notice, actor=actor)
        waiting = (
            Application.objects.unscoped("the applications of a notice the service already holds")
            .filter(notice=notice, status=ApplicationStatus.IN_PUBLIC_NOTICE)
            .count()
        )
        log(
            notice,
            "programmes.notice.closed",
            actor=actor,
            org_unit=notice.org_unit,
            data={"moved_on": len(in_notice), "waiting_for_objections": waiting},
        )
    return notice


def objection_record(
    *,
    actor: Actor,
    notice: PublicNotice,
    application: Application,
    content: str,
    raised_by: str = "",
    contact: str = "",
    received_on: dt.date | None = None,
) -> Objection:
    """An objection received while the notice is open (anonymous allowed)."""
    scoping.require(actor, MANAGE_NOTICES, notice.org_unit, visible_perm=VIEW)
    content = (content or "").strip()
    if not content:
        raise ValidationError(_("请填写异议内容。"), code="content_required")
    received_on = received_on or _today()
    with transaction.atomic():
        notice = relock(notice)
        if not notice_takes_objections(notice):
            raise Conflict(
                _("公示期（%(opens)s 至 %(closes)s）已过，不能再登记异议；如有意见请登记为投诉。")
                % {"opens": notice.opens_on, "closes": notice.closes_on},
                code="notice_closed",
            )
        if received_on < notice.opens_on or received_on > _today():
            raise ValidationError(
                _("收到日期须在公示开始（%(opens)s）之后、不晚于今天。") % {"opens": notice.opens_on},
                code="received_on",
            )
        application = _lock(application)
        if application.notice_id != notice.pk or application.status != ApplicationStatus.IN_PUBLIC_NOTICE:
            raise ValidationError(_("该申请不在这次公示中。"), code="not_in_notice")
        objection = Objection.objects.create(
            notice=notice,
            application=application,
            raised_by=raised_by.strip(),
            contact=contact.strip(),
            content=content,
            received_on=received_on,
            recorded_by=signed_in(actor),
        )
        _log(
            application, "programmes.objection.recorded", actor=actor, objection=objection.pk, comment=content
        )
    return objection


_PHONE_LIKE = re.compile(r"^[0-9+\-（）() ]{7,20}$")
ONLINE_TEXT_MAX = 2000


def objection_file_online(
    *, notice_id: int, row_ref: str, content: str, raised_by: str = "", contact: str = ""
) -> Objection:
    """An objection filed by a member of the public on the portal. It lands in the same records as one
    taken at the village (the village's objection list, its work queue, the application's history), with
    channel "online" and no clerk.

    No actor: the public has no account, and we do not invent a user to stand for them. What a counter
    clerk checks by looking at the person is replaced by what the programme asks (`objection_identity`:
    name and phone required or optional); the portal adds a rate limit and a challenge before this call.
    The same checks as at the counter: the notice still open and within its period, the row still in it."""
    from guanhuai.programmes.selectors.public import public_ref

    content = (content or "").strip()
    raised_by = (raised_by or "").strip()[:50]
    contact = (contact or "").strip()[:50]
    if not content:
        raise ValidationError(_("请填写异议内容。"), code="content_required")
    if len(content) > ONLINE_TEXT_MAX:
        raise ValidationError(
            _("异议内容请不超过 %(n)d 字。") % {"n": ONLINE_TEXT_MAX}, code="content_too_long"
        )
    with transaction.atomic():
        notice = (
            PublicNotice.objects.unscoped("a public notice named by the portal, under lock")
            .select_for_update(of=("self",))
            .select_related("programme", "org_unit")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None:
            raise ValidationError(_("该公示不存在。"), code="unknown_notice")
        if not notice_takes_objections(notice):
            raise Conflict(
                _("公示期（%(opens)s 至 %(closes)s）已过，不能再提交异议。")
                % {"opens": notice.opens_on, "closes": notice.closes_on},
                code="notice_closed",
            )
        if notice.programme.objection_identity == ObjectionIdentity.REQUIRED:
            if not raised_by or not contact:
                raise ValidationError(
                    _("本项目的异议须署名：请填写您的姓名和联系电话，我们会严格保密。"),
                    code="identity_required",
                )
        if contact and not _PHONE_LIKE.match(contact):
            raise ValidationError(
                _("联系电话“%(v)s”不像电话号码，请填写手机或带区号的固定电话。") % {"v": contact},
                code="bad_contact",
            )
        in_notice = (
            Application.objects.unscoped("the applications of a notice the service already holds")
            .filter(notice=notice, status=ApplicationStatus.IN_PUBLIC_NOTICE)
            .values_list("pk", flat=True)
        )
        target = next((pk for pk in in_notice if public_ref("row", pk) == row_ref), None)
        if target is None:
            raise ValidationError(_("请选择您要反映的公示对象。"), code="not_in_notice")
        application = _lock(Application(pk=target))
        objection = Objection.objects.create(
            notice=notice,
            application=application,
            raised_by=raised_by,
            contact=contact,
            content=content,
            received_on=_today(),
            channel=ObjectionChannel.ONLINE,
            recorded_by=None,
        )
        log(
            application,
            "programmes.objection.recorded",
            actor=None,
            org_unit=application.org_unit,
            data={"objection": objection.pk, "channel": ObjectionChannel.ONLINE, "comment": content},
        )
    return objection


def objection_resolve(*, actor: Actor, objection: Objection, upheld: bool, resolution: str) -> Objection:
    """Upheld: the application goes back to the village (returned), which corrects it and resubmits, or
    withdraws it. Dismissed: once its notice is closed and no other objection is open, it moves on."""
    scoping.require(actor, MANAGE_NOTICES, objection.notice.org_unit, visible_perm=VIEW)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError(_("请填写处理意见（核实情况和结论）。"), code="reason_required")
    with transaction.atomic():
        objection = relock(objection, "notice")
        if objection.status != ObjectionStatus.OPEN:
            raise InvalidTransition(_("该异议已经处理过。"), code="already_resolved")
        new = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        states.transition(objection, new, OBJECTION_TRANSITIONS)
        objection.resolution = resolution
        objection.resolved_by = signed_in(actor)
        objection.resolved_at = _now()
        objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        application = _lock(objection.application)
        if upheld:
            _log(
                application,
                "programmes.objection.upheld",
                actor=actor,
                objection=objection.pk,
                comment=resolution,
            )
            if application.status == ApplicationStatus.IN_PUBLIC_NOTICE:
                ReviewDecision.objects.create(
                    application=application,
                    step=Step.NOTICE,
                    decision=Decision.RETURN,
                    comment=resolution,
                    reviewer=signed_in(actor),
                )
                _transition(application, ApplicationStatus.RETURNED)
                application.step = ""
                application.save(update_fields=["status", "step"])
        else:
            _log(
                application,
                "programmes.objection.dismissed",
                actor=actor,
                objection=objection.pk,
                comment=resolution,
            )
            if (
                application.status == ApplicationStatus.IN_PUBLIC_NOTICE
                and objection.notice.status == NoticeStatus.CLOSED
                and not application.objections.filter(status=ObjectionStatus.OPEN).exists()
            ):
                _after_notice([application], actor=actor)
    return objection

"""The multi-level review of an application, one at a time or in bulk, with segregation of duties; the
last level's pass approves and enrols (`approval.py`). The path is drawn in `applications.py`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.core.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from guanhuai.programmes.models import Application, ReviewDecision
from guanhuai.programmes.permissions import VIEW
from guanhuai.programmes.services.application_common import (
    STEP_PERMISSIONS,
    _lock,
    _log,
    _next_step,
    _now,
    _perm_label,
    _transition,
)
from guanhuai.programmes.services.approval import _approve
from guanhuai.programmes.states import ApplicationStatus, Decision, NoticeStatus, ObjectionStatus, Step

# --- review ------------------------------------------------------------------------------------------------


def _check_notice_over(application: Application) -> None:
    """Nothing moves on while its notice is open or while an objection to it is unresolved."""
    notice = application.notice
    if application.status == ApplicationStatus.IN_PUBLIC_NOTICE and notice is not None:
        if notice.status == NoticeStatus.OPEN:
            raise Conflict(
                _("该申请正在公示（%(opens)s 至 %(closes)s），公示期结束前不能审核通过。")
                % {"opens": notice.opens_on, "closes": notice.closes_on},
                code="notice_open",
            )
    if application.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise Conflict(
            _("该申请有尚未处理的公示异议，异议处理完毕前不能审核通过。"), code="objection_unresolved"
        )


def _advance(application: Application, *, actor: Actor, comment: str) -> None:
    """Passed the current level: on to the next (a notice step waits for the village to open a notice),
    or approved after the last."""
    nxt = _next_step(application)
    if nxt is None:
        _approve(application, actor=actor, comment=comment)
        return
    _transition(application, ApplicationStatus.UNDER_REVIEW)
    application.step = nxt
    application.save(update_fields=["status", "step"])


def application_review(
    *, actor: Actor, application: Application, decision: str, comment: str = ""
) -> Application:
    """One decision at the application's current level. The actor needs that level's permission on the
    application's branch; whoever created or submitted the application may never pass it (segregation of
    duties), and one person passes at most one step of it; a return or a refusal needs a reason; nothing passes while its notice is open or an objection
    is unresolved. The last level's pass approves and enrols."""
    comment = (comment or "").strip()
    if decision not in Decision.values:
        raise ValidationError(_("审核结论“%(d)s”无效。") % {"d": decision}, code="bad_decision")
    if not scoping.can(actor, VIEW, application.org_unit):
        raise NotFound(_("未找到该记录，或您无权访问。"))
    with transaction.atomic():
        application = _lock(application)
        if application.status not in (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.IN_PUBLIC_NOTICE):
            raise InvalidTransition(
                _("申请当前状态为“%(status)s”，不在审核中。") % {"status": application.get_status_display()},
                code="not_under_review",
            )
        step = application.step
        if decision == Decision.PASS:
            if step == Step.NOTICE:
                if application.status == ApplicationStatus.IN_PUBLIC_NOTICE:
                    _check_notice_over(application)
                raise Conflict(
                    _("公示环节不能直接审核通过：请发布公示，公示期满无异议后由结束公示转入下一环节。"),
                    code="notice_required",
                )
            _check_notice_over(application)
        perm = STEP_PERMISSIONS.get(step)
        if perm is None:
            raise Conflict(_("申请所处环节“%(step)s”无效。") % {"step": step}, code="bad_step")
        if not scoping.can(actor, perm, application.org_unit):
            raise PermissionDenied(
                _("当前环节是“%(step)s”，您在“%(unit)s”没有“%(perm)s”权限。")
                % {
                    "step": Step(step).label if step in Step.values else step,
                    "unit": application.org_unit.name,
                    "perm": _perm_label(perm),
                },
                code="wrong_level",
            )
        if decision == Decision.PASS and getattr(actor, "pk", None) in (
            application.created_by_id,
            application.submitted_by_id,
        ):
            raise PermissionDenied(
                _("您录入或提交了这份申请，不能在任何环节审核通过它（申请与审批须由不同的人办理）。"),
                code="segregation_of_duties",
            )
        if (
            decision == Decision.PASS
            and application.decisions.filter(reviewer=signed_in(actor), decision=Decision.PASS)
            .exclude(step=step)
            .exists()
        ):
            # Four eyes along the chain: a township reviewer holds the village step's permission too, but
            # one person passing two levels would make the second level no check at all.
            raise PermissionDenied(
                _("您已在本申请的另一环节审核通过，同一人只能审核通过一个环节。"), code="one_step_per_person"
            )
        if decision != Decision.PASS and not comment:
            raise ValidationError(
                _("退回修改须说明需要修改什么。")
                if decision == Decision.RETURN
                else _("不予批准须说明理由（将告知申请人）。"),
                code="reason_required",
            )
        ReviewDecision.objects.create(
            application=application, step=step, decision=decision, comment=comment, reviewer=signed_in(actor)
        )
        if decision == Decision.PASS:
            _advance(application, actor=actor, comment=comment)
            if application.status != ApplicationStatus.APPROVED:
                _log(
                    application,
                    "programmes.application.passed",
                    actor=actor,
                    step=step,
                    next_step=application.step,
                    comment=comment,
                )
        elif decision == Decision.RETURN:
            _transition(application, ApplicationStatus.RETURNED)
            application.step = ""
            application.save(update_fields=["status", "step"])
            _log(application, "programmes.application.returned", actor=actor, step=step, comment=comment)
        else:
            _transition(application, ApplicationStatus.REFUSED)
            application.step = ""
            application.decided_at = _now()
            application.save(update_fields=["status", "step", "decided_at"])
            _log(application, "programmes.application.refused", actor=actor, step=step, comment=comment)
    return application


@dataclass
class BulkResult:
    id: int
    ok: bool
    message: str
    status: str = ""
    step: str = ""
    code: str = ""
    name: str = ""  # the applicant's name, only for an application the actor may see


BULK_MAX = 500


def applications_review_bulk(
    *, actor: Actor, ids: list[int], decision: str, comment: str = ""
) -> list[BulkResult]:
    """The same decision on many applications; each in its own savepoint, so one refusal (a SoD case, an
    open notice) does not undo the others. One result per id, in the order given."""
    unique = list(dict.fromkeys(int(i) for i in ids))
    if not unique:
        raise ValidationError(_("请至少选择一份申请。"), code="nothing_selected")
    if len(unique) > BULK_MAX:
        raise ValidationError(_("一次最多处理 %(n)d 份申请。") % {"n": BULK_MAX}, code="too_many")
    visible = {
        a.pk: a
        for a in scoping.scope(Application.objects.select_related("org_unit", "person"), actor, VIEW).filter(
            pk__in=unique
        )
    }
    results: list[BulkResult] = []
    with transaction.atomic():
        for pk in unique:
            application = visible.get(pk)
            if application is None:
                results.append(BulkResult(pk, False, _("未找到该记录，或您无权访问。"), code="not_found"))
                continue
            name = application.person.name
            try:
                with transaction.atomic():
                    done = application_review(
                        actor=actor, application=application, decision=decision, comment=comment
                    )
            except DomainError as exc:
                results.append(
                    BulkResult(pk, False, str(exc), application.status, application.step, exc.code, name)
                )
            else:
                results.append(
                    BulkResult(pk, True, done.get_status_display(), done.status, done.step, "ok", name)
                )
    return results

"""Applications and their review: documents, the multi-level review with segregation of duties, the village
public notice (公示) with objections, grievances, and enrolment when the last level approves.

The path of an application (docs/programmes.md, "Applications, review workflow and public notice"):

    draft ──submit──► under_review @ steps[0] ──pass──► … ──pass──► approved (+ Enrolment rows)
                           │  ▲
                 return ◄──┘  └── resubmit (returned → under_review @ steps[0])
                 refuse ──► refused (a reason is required at every level)

The `notice` step is not passed by a reviewer: the village opens a notice for every application of a
programme waiting at that step (under_review @ notice → in_public_notice), and closing the notice after its
last day moves every application without an unresolved objection to the next step. An upheld objection
returns its application to the village (the village corrects it and resubmits, or withdraws it; the
county may still refuse it later); a dismissed one lets it move on.

Every service checks scope and permission, locks the application row, re-checks the state inside the
transaction, writes audit (the application's timeline is its audit trail) and never returns a success flag.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.registry import permissions as all_permissions
from guanhuai.audit.services import log_action
from guanhuai.core import states
from guanhuai.core.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from guanhuai.programmes import rules
from guanhuai.programmes.models import (
    Application,
    ApplicationDocument,
    Enrolment,
    Programme,
    ReviewDecision,
)
from guanhuai.programmes.periods import month_index
from guanhuai.programmes.permissions import (
    APPLY,
    APPROVE_COUNTY,
    MANAGE_NOTICES,
    REVIEW_TOWNSHIP,
    REVIEW_VILLAGE,
    VIEW,
)
from guanhuai.programmes.services.enrolments import enrolment_reactivate
from guanhuai.programmes.states import (
    APPLICATION_TRANSITIONS,
    ApplicationStatus,
    Decision,
    DocumentKind,
    EnrolmentStatus,
    NoticeStatus,
    ObjectionStatus,
    Step,
    Target,
)
from guanhuai.registry.models import Marriage, Person
from guanhuai.registry.permissions import VIEW_PERSONS

OPEN_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.IN_PUBLIC_NOTICE,
    ApplicationStatus.RETURNED,
)
LIVE_ENROLMENT = (EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED)

# The permission that acts at each review level. The notice step is managed, not reviewed.
STEP_PERMISSIONS: dict[str, str] = {
    Step.VILLAGE: REVIEW_VILLAGE,
    Step.NOTICE: MANAGE_NOTICES,
    Step.TOWNSHIP: REVIEW_TOWNSHIP,
    Step.COUNTY: APPROVE_COUNTY,
}

# --- documents ---------------------------------------------------------------------------------------------

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# Magic bytes → (content type, allowed file name extensions).
_SIGNATURES: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
)

# Documents a programme template requires before an application may be submitted. Each inner tuple is a
# choice: one document of any of its kinds satisfies it. Custom programmes (no template) require none.
REQUIRED_DOCUMENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "special_assistance": (
        (DocumentKind.ID_CARD, DocumentKind.HUKOU_BOOK),
        (DocumentKind.DEATH_CERTIFICATE, DocumentKind.DISABILITY_CERTIFICATE),
    ),
    "rural_reward": ((DocumentKind.ID_CARD, DocumentKind.HUKOU_BOOK),),
    "childcare_subsidy": ((DocumentKind.BIRTH_CERTIFICATE,), (DocumentKind.HUKOU_BOOK,)),
}


def required_documents(programme: Programme) -> tuple[tuple[str, ...], ...]:
    return REQUIRED_DOCUMENTS.get(programme.template or "", ())


def missing_documents(application: Application) -> list[str]:
    """The unmet requirements, each as "死亡证明或残疾证"."""
    have = set(application.documents.values_list("kind", flat=True))
    labels = dict(DocumentKind.choices)
    return [
        _("或").join(str(labels[k]) for k in choice)
        for choice in required_documents(application.programme)
        if not have.intersection(choice)
    ]


# --- small helpers -------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _perm_label(perm: str) -> str:
    return str(all_permissions()[perm].label)


def _lock(application: Application) -> Application:
    """Re-read the application under a row lock: the state checks below see what concurrent reviewers did."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("programme", "person", "org_unit")
        .get(pk=application.pk)
    )


def _transition(application: Application, new: str) -> None:
    states.transition(application, new, APPLICATION_TRANSITIONS)


def _log(application: Application, action: str, *, actor: Any, **data: Any) -> None:
    log_action(application, action, actor=actor, org_unit=application.org_unit, data=data)


def _current_spouse(person: Person) -> Person | None:
    marriage = (
        Marriage.objects.filter(Q(a=person) | Q(b=person), ended_on__isnull=True)
        .select_related("a", "b")
        .order_by("-married_on", "-id")
        .first()
    )
    if marriage is None:
        return None
    return marriage.b if marriage.a_id == person.pk else marriage.a


def eligible_now(programme: Programme, person: Person) -> bool | None:
    """Does the person meet the programme's current rule today? None when the rule cannot be evaluated
    (a rule the engine refuses): shown as "unknown", never a block."""
    try:
        return rules.eligible(programme, as_of=_today(), persons=Person.objects.filter(pk=person.pk)).exists()
    except DomainError:
        return None


def _check_not_enrolled(programme: Programme, person: Person) -> None:
    if Enrolment.objects.filter(programme=programme, person=person, status__in=LIVE_ENROLMENT).exists():
        raise Conflict(
            _("%(name)s 已是“%(programme)s”的享受对象，不能重复申请。")
            % {"name": person.name, "programme": programme.name},
            code="already_enrolled",
        )


def _check_no_open_application(programme: Programme, person: Person) -> None:
    if Application.objects.filter(programme=programme, person=person, status__in=OPEN_STATUSES).exists():
        raise Conflict(
            _("%(name)s 已有一份“%(programme)s”的申请正在办理，不能重复申请。")
            % {"name": person.name, "programme": programme.name},
            code="open_application",
        )


# --- create, documents, submit -------------------------------------------------------------------------


def application_create(
    *,
    actor: Any,
    programme: Programme,
    person: Person,
    spouse: Person | None = None,
    household: Any = None,
    reason: str = "",
    idempotency_key: str | None = None,
) -> Application:
    """A village clerk records an application (a draft) for a person of their village.

    Whether the person meets the current rule is evaluated and recorded (audit data `eligible_now`) but does
    not block: the village may know facts the registry does not yet hold."""
    if idempotency_key:
        existing = Application.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.created_by_id != getattr(actor, "pk", None):
                raise Conflict(_("该幂等键已被其他用户使用。"), code="idempotency_key_reused")
            return existing
    # Out of scope is indistinguishable from missing (404), like everywhere.
    if not scoping.can(actor, VIEW_PERSONS, person.org_unit) and not scoping.can(
        actor, APPLY, person.org_unit
    ):
        raise NotFound(_("未找到该人员，或您无权访问。"))
    scoping.require(actor, APPLY, person.org_unit, visible_perm=VIEW_PERSONS)
    if not person.org_unit.path.startswith(programme.org_unit.path):
        raise ValidationError(
            _("%(name)s 不在“%(programme)s”的实施范围（%(unit)s）内。")
            % {"name": person.name, "programme": programme.name, "unit": programme.org_unit.name},
            code="outside_programme",
        )
    if not programme.active:
        raise Conflict(
            _("“%(programme)s”已停用，不再受理申请。") % {"programme": programme.name}, code="inactive"
        )
    if person.died_on is not None:
        raise ValidationError(
            _("%(name)s 已于 %(d)s 死亡，不能提出申请。") % {"name": person.name, "d": person.died_on},
            code="person_dead",
        )
    _check_not_enrolled(programme, person)
    _check_no_open_application(programme, person)

    if programme.target == Target.COUPLE:
        current_spouse = _current_spouse(person)
        if spouse is not None and (current_spouse is None or spouse.pk != current_spouse.pk):
            raise ValidationError(
                _("%(spouse)s 不是 %(name)s 的现任配偶（以户籍登记的婚姻关系为准）。")
                % {"spouse": spouse.name, "name": person.name},
                code="not_spouse",
            )
        if spouse is None and current_spouse is not None and current_spouse.died_on is None:
            spouse = current_spouse
        if spouse is not None:
            if spouse.died_on is not None:
                spouse = None  # a widowed parent applies alone
            else:
                _check_not_enrolled(programme, spouse)
    elif spouse is not None:
        raise ValidationError(
            _("“%(programme)s”按个人或家庭户申请，不需要填写配偶。") % {"programme": programme.name},
            code="spouse_not_needed",
        )
    if programme.target == Target.HOUSEHOLD:
        household = household or person.household
        if household is None:
            raise ValidationError(
                _("%(name)s 没有户籍登记的家庭户，不能申请按户发放的项目。") % {"name": person.name},
                code="no_household",
            )
        if household.pk != person.household_id:
            raise ValidationError(_("申请人不属于所选的家庭户。"), code="wrong_household")
    else:
        household = None

    eligible = eligible_now(programme, person)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                programme=programme,
                person=person,
                spouse=spouse,
                household=household,
                org_unit=person.org_unit,
                reason=reason.strip(),
                created_by=actor,
                idempotency_key=idempotency_key or None,
            )
            _log(
                application,
                "programmes.application.created",
                actor=actor,
                programme=programme.pk,
                person=person.pk,
                spouse=spouse.pk if spouse else None,
                eligible_now=eligible,
            )
    except IntegrityError:
        # Two clerks (or a double click) at the same moment: the partial unique index decides.
        if idempotency_key and Application.objects.filter(idempotency_key=idempotency_key).exists():
            raise Conflict(_("该申请已经提交过（重复提交）。"), code="duplicate_request")
        raise Conflict(
            _("%(name)s 已有一份“%(programme)s”的申请正在办理，不能重复申请。")
            % {"name": person.name, "programme": programme.name},
            code="open_application",
        )
    application.eligible_now = eligible  # type: ignore[attr-defined]
    return application


def _sniff(head: bytes, file_name: str) -> str:
    lowered = file_name.lower()
    for magic, content_type, extensions in _SIGNATURES:
        if head.startswith(magic):
            if not lowered.endswith(extensions):
                raise ValidationError(
                    _("文件“%(name)s”的内容是 %(type)s，与扩展名不符。请上传原始文件。")
                    % {"name": file_name, "type": content_type.split("/")[1].upper()},
                    code="document_type_mismatch",
                )
            return content_type
    raise ValidationError(
        _("文件“%(name)s”不是 PDF、JPEG 或 PNG 文件（按文件内容判断，不看扩展名）。") % {"name": file_name},
        code="document_type",
    )


def document_max_bytes() -> int:
    return min(int(getattr(settings, "GUANHUAI_MAX_UPLOAD_BYTES", DOCUMENT_MAX_BYTES)), DOCUMENT_MAX_BYTES)


def application_document_add(
    *, actor: Any, application: Application, kind: str, upload: Any
) -> ApplicationDocument:
    """Attach a typed document (PDF, JPEG or PNG, judged by its first bytes). The same file twice on one
    application is refused. Files are stored under a random name and served only through a scoped view."""
    scoping.require(actor, APPLY, application.org_unit, visible_perm=VIEW)
    if kind not in DocumentKind.values:
        raise ValidationError(_("材料类型“%(kind)s”不存在。") % {"kind": kind}, code="document_kind")
    file_name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200] or "upload"
    size = getattr(upload, "size", None)
    limit = document_max_bytes()
    if size is not None and size > limit:
        raise ValidationError(
            _("文件“%(name)s”有 %(size).1f MB，超过 %(limit)d MB 的上限。")
            % {"name": file_name, "size": size / 1024 / 1024, "limit": limit // 1024 // 1024},
            code="document_too_large",
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("文件“%(name)s”超过 %(limit)d MB 的上限。")
            % {"name": file_name, "limit": limit // 1024 // 1024},
            code="document_too_large",
        )
    if not content:
        raise ValidationError(_("文件“%(name)s”是空文件。") % {"name": file_name}, code="document_empty")
    content_type = _sniff(content[:16], file_name)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        application = _lock(application)
        if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
            raise Conflict(
                _("申请已提交审核（%(status)s），不能再补充材料；如需补充，请由审核人退回。")
                % {"status": application.get_status_display()},
                code="not_editable",
            )
        if application.documents.filter(sha256=digest).exists():
            raise Conflict(_("这份文件已经上传过（内容完全相同），不必重复上传。"), code="duplicate_document")
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
        document = ApplicationDocument(
            application=application,
            kind=kind,
            file_name=file_name,
            content_type=content_type,
            size=len(content),
            sha256=digest,
            uploaded_by=actor,
        )
        document.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
        try:
            document.save()
        except Exception:
            document.file.delete(save=False)
            raise
        _log(
            application,
            "programmes.document.added",
            actor=actor,
            document=document.pk,
            kind=kind,
            file_name=file_name,
            sha256=digest,
        )
    return document


def application_submit(*, actor: Any, application: Application) -> Application:
    """Draft or returned → under review at the programme's first step. Required documents must be there."""
    scoping.require(actor, APPLY, application.org_unit, visible_perm=VIEW)
    with transaction.atomic():
        application = _lock(application)
        if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
            raise InvalidTransition(
                _("申请当前状态为“%(status)s”，不能提交。") % {"status": application.get_status_display()},
                code="not_submittable",
            )
        missing = missing_documents(application)
        if missing:
            raise ValidationError(
                _("还缺少以下材料，不能提交：%(missing)s。") % {"missing": _("；").join(missing)},
                code="documents_missing",
                details={"missing": missing},
            )
        steps = list(application.programme.steps or [])
        if not steps:
            raise Conflict(_("该项目没有配置审核环节，请联系项目管理员。"), code="no_steps")
        person = application.person
        if person.died_on is not None:
            raise ValidationError(
                _("%(name)s 已于 %(d)s 死亡，不能提交申请。") % {"name": person.name, "d": person.died_on},
                code="person_dead",
            )
        _check_not_enrolled(application.programme, person)
        _transition(application, ApplicationStatus.UNDER_REVIEW)
        application.step = steps[0]
        application.submitted_by = actor
        application.submitted_at = _now()
        application.save(update_fields=["status", "step", "submitted_by", "submitted_at"])
        _log(application, "programmes.application.submitted", actor=actor, step=application.step)
    return application


def application_withdraw(*, actor: Any, application: Application, reason: str) -> Application:
    scoping.require(actor, APPLY, application.org_unit, visible_perm=VIEW)
    if not reason.strip():
        raise ValidationError(_("请填写撤回原因。"), code="reason_required")
    with transaction.atomic():
        application = _lock(application)
        _transition(application, ApplicationStatus.WITHDRAWN)
        application.step = ""
        application.decided_at = _now()
        application.save(update_fields=["status", "step", "decided_at"])
        _log(application, "programmes.application.withdrawn", actor=actor, comment=reason.strip())
    return application


# --- review ------------------------------------------------------------------------------------------------


def _next_step(application: Application) -> str | None:
    steps = list(application.programme.steps or [])
    try:
        i = steps.index(application.step)
    except ValueError:
        return steps[0] if steps else None
    return steps[i + 1] if i + 1 < len(steps) else None


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


def _enrol(application: Application, *, actor: Any) -> list[Enrolment]:
    """One enrolment per beneficiary (the applicant, and the spouse of a couple programme), re-activating an
    exited row rather than adding one (one row per person per programme)."""
    programme = application.programme
    submitted = timezone.localdate(application.submitted_at) if application.submitted_at else _today()
    beneficiaries: list[Person] = [application.person]
    if application.spouse is not None:
        beneficiaries.append(application.spouse)
    enrolments = []
    for person in beneficiaries:
        if programme.age_limit_months:
            birth = month_index(person.birth_date)
            start = max(birth, month_index(programme.counts_from)) if programme.counts_from else birth
            end: int | None = birth + programme.age_limit_months - 1
        else:
            start = month_index(submitted)
            if programme.counts_from:
                start = max(start, month_index(programme.counts_from))
            end = None
        if end is not None and end < start:
            raise Conflict(
                _("%(name)s 已超过享受年龄（%(months)s 个月），不能纳入享受对象。")
                % {"name": person.name, "months": programme.age_limit_months},
                code="age_limit_passed",
            )
        existing = (
            Enrolment.objects.select_for_update(of=("self",))
            .filter(programme=programme, person=person)
            .first()
        )
        if existing is not None:
            if existing.status != EnrolmentStatus.EXITED:
                raise Conflict(
                    _("%(name)s 已是“%(programme)s”的享受对象。")
                    % {"name": person.name, "programme": programme.name},
                    code="already_enrolled",
                )
            enrolments.append(
                enrolment_reactivate(
                    actor=actor, enrolment=existing, application=application, start_month=start, end_month=end
                )
            )
        else:
            enrolments.append(
                Enrolment.objects.create(
                    programme=programme,
                    person=person,
                    application=application,
                    org_unit_id=person.org_unit_id,
                    start_month=start,
                    end_month=end,
                )
            )
    application.start_month = enrolments[0].start_month
    return enrolments


def _approve(application: Application, *, actor: Any, comment: str) -> None:
    enrolments = _enrol(application, actor=actor)
    _transition(application, ApplicationStatus.APPROVED)
    application.step = ""
    application.decided_at = _now()
    application.save(update_fields=["status", "step", "decided_at", "start_month"])
    _log(
        application,
        "programmes.application.approved",
        actor=actor,
        comment=comment,
        enrolments=[e.pk for e in enrolments],
        start_month=application.start_month,
    )


def _advance(application: Application, *, actor: Any, comment: str) -> None:
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
    *, actor: Any, application: Application, decision: str, comment: str = ""
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
            and application.decisions.filter(reviewer=actor, decision=Decision.PASS)
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
            application=application, step=step, decision=decision, comment=comment, reviewer=actor
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
    *, actor: Any, ids: list[int], decision: str, comment: str = ""
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

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

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.core.errors import Conflict, InvalidTransition, NotFound, ValidationError
from guanhuai.core.uploads import read_document, store  # the one copy of the upload checks
from guanhuai.programmes.models import Application, ApplicationDocument, Programme
from guanhuai.programmes.permissions import APPLY, VIEW
from guanhuai.programmes.services.application_common import (
    LIVE_ENROLMENT,
    OPEN_STATUSES,
    STEP_PERMISSIONS,
    _check_no_open_application,
    _check_not_enrolled,
    _lock,
    _log,
    _now,
    _transition,
    eligibility_checks,
    eligible_now,
)
from guanhuai.programmes.services.review import (
    BULK_MAX,
    BulkResult,
    application_review,
    applications_review_bulk,
)
from guanhuai.programmes.states import ApplicationStatus, DocumentKind, Target
from guanhuai.registry import selectors as registry_selectors
from guanhuai.registry.models import Person
from guanhuai.registry.permissions import VIEW_PERSONS

# The review and the shared names live in their own modules; re-exported so that callers keep writing
# `applications.application_review(...)`.
__all__ = [
    "BULK_MAX",
    "DOCUMENT_MAX_BYTES",
    "LIVE_ENROLMENT",
    "OPEN_STATUSES",
    "REQUIRED_DOCUMENTS",
    "STEP_PERMISSIONS",
    "BulkResult",
    "application_create",
    "application_document_add",
    "application_review",
    "application_submit",
    "application_withdraw",
    "applications_review_bulk",
    "document_max_bytes",
    "eligibility_checks",
    "eligible_now",
    "missing_documents",
    "required_documents",
]

# --- documents ---------------------------------------------------------------------------------------------

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
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


# --- create, documents, submit -------------------------------------------------------------------------


def application_create(
    *,
    actor: Actor,
    programme: Programme,
    person: Person,
    spouse: Person | None = None,
    household: Any = None,
    reason: str = "",
    idempotency_key: str | None = None,
) -> tuple[Application, bool]:
    """A village clerk records an application (a draft) for a person of their village.

    Returns `(application, created)`, like every create that may be replayed (docs/api.md, "Idempotency"):
    the same `idempotency_key` returns the first application with `created` False and writes nothing, also
    when two requests race (the unique key decides). The caller compares what defines the request.

    Whether the person meets the current rule is evaluated and recorded (audit data `eligible_now`) but does
    not block: the village may know facts the registry does not yet hold."""
    if idempotency_key and (existing := _replayed(actor, idempotency_key)) is not None:
        return existing, False
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
        current_spouse = registry_selectors.current_spouse(person)
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
                created_by=signed_in(actor),
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
        # Two clerks (or a double click) at the same moment: the partial unique index decides. A request
        # that lost the race to its own replay answers with the winner's application.
        if idempotency_key and (existing := _replayed(actor, idempotency_key)) is not None:
            return existing, False
        raise Conflict(
            _("%(name)s 已有一份“%(programme)s”的申请正在办理，不能重复申请。")
            % {"name": person.name, "programme": programme.name},
            code="open_application",
        )
    application.eligible_now = eligible  # type: ignore[attr-defined]
    return application, True


def _replayed(actor: Actor, idempotency_key: str) -> Application | None:
    """The application an earlier request with this key created; a key is its creator's alone."""
    existing = (
        Application.objects.unscoped("an idempotency key is looked up across branches")
        .filter(idempotency_key=idempotency_key)
        .first()
    )
    if existing is not None and existing.created_by_id != getattr(actor, "pk", None):
        raise Conflict(_("该幂等键已被其他用户使用。"), code="idempotency_key_reused")
    return existing


def document_max_bytes() -> int:
    return min(int(getattr(settings, "GUANHUAI_MAX_UPLOAD_BYTES", DOCUMENT_MAX_BYTES)), DOCUMENT_MAX_BYTES)


def application_document_add(
    *, actor: Actor, application: Application, kind: str, upload: Any
) -> ApplicationDocument:
    """Attach a typed document (PDF, JPEG or PNG, judged by its first bytes). The same file twice on one
    application is refused. Files are stored under a random name and served only through a scoped view."""
    scoping.require(actor, APPLY, application.org_unit, visible_perm=VIEW)
    if kind not in DocumentKind.values:
        raise ValidationError(_("材料类型“%(kind)s”不存在。") % {"kind": kind}, code="document_kind")
    checked = read_document(upload, max_bytes=document_max_bytes())
    with transaction.atomic():
        application = _lock(application)
        if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
            raise Conflict(
                _("申请已提交审核（%(status)s），不能再补充材料；如需补充，请由审核人退回。")
                % {"status": application.get_status_display()},
                code="not_editable",
            )
        if application.documents.filter(sha256=checked.sha256).exists():
            raise Conflict(_("这份文件已经上传过（内容完全相同），不必重复上传。"), code="duplicate_document")
        document = ApplicationDocument(
            application=application,
            kind=kind,
            uploaded_by=signed_in(actor),
        )
        store(document, checked)
        _log(
            application,
            "programmes.document.added",
            actor=actor,
            document=document.pk,
            kind=kind,
            file_name=checked.name,
            sha256=checked.sha256,
        )
    return document


def application_submit(*, actor: Actor, application: Application) -> Application:
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
        application.submitted_by = signed_in(actor)
        application.submitted_at = _now()
        application.save(update_fields=["status", "step", "submitted_by", "submitted_at"])
        _log(application, "programmes.application.submitted", actor=actor, step=application.step)
    return application


def application_withdraw(*, actor: Actor, application: Application, reason: str) -> Application:
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

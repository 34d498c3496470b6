"""/api/v1/applications…: applications, documents and the multi-level review (one decision or many). The
public notices with their objections are in `api/notices.py`, the grievances in `api/grievances.py`.

Thin, like the pages: reads through programmes.selectors.applications (scoped: an application, notice or
grievance outside the actor's branches is a 404, exactly like one that does not exist), writes through
programmes.services.applications. A DomainError becomes `{"code", "message"}` with its status: 422 bad
input (`reason_required`, `document_type`, `documents_missing` …), 409 a state conflict (`notice_open`,
`objection_unresolved`, `already_enrolled`, `open_application` …), 403 a missing permission or segregation
of duties (`segregation_of_duties`, `wrong_level`).

POST /applications takes an optional `Idempotency-Key` header: a replay by the same user returns the first
application with 200 instead of 201.

No `from __future__ import annotations` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from guanhuai.core.api import (
    LIST,
    READ,
    WRITE,
    IdempotencyKeyHeader,
    Paged,
    check_replay,
    created_or_replayed,
    idempotency_key,
    paginate,
    ref,
)
from guanhuai.core.api import actor as actor_of
from guanhuai.core.errors import ValidationError
from guanhuai.programmes.models import Application, Programme
from guanhuai.programmes.permissions import VIEW
from guanhuai.programmes.selectors import applications as sel
from guanhuai.programmes.selectors.programmes import visible_q
from guanhuai.programmes.services import applications as svc
from guanhuai.registry import selectors as registry_selectors

router = Router()

APPLICATIONS = ["programmes: applications and review"]


# --- schemas (names prefixed: unique across the project) ---------------------------------------------------


class ApplicationCreateIn(Schema):
    programme_id: int
    person_id: int
    spouse_id: int | None = None
    reason: str = Field("", max_length=2000)


class ApplicationReviewIn(Schema):
    decision: Literal["pass", "return", "refuse"]
    comment: str = Field("", max_length=2000)


class ApplicationBulkReviewIn(Schema):
    ids: list[int] = Field(..., min_length=1, max_length=svc.BULK_MAX)
    decision: Literal["pass", "return", "refuse"]
    comment: str = Field("", max_length=2000)


class ApplicationBulkResultOut(Schema):
    id: int
    ok: bool
    code: str
    message: str
    status: str
    step: str


class ApplicationWithdrawIn(Schema):
    reason: str = Field(..., max_length=500)


class ApplicationPersonOut(Schema):
    id: int
    name: str
    id_masked: str


class ApplicationListOut(Schema):
    id: int
    programme_id: int
    programme: str
    person: ApplicationPersonOut
    spouse: ApplicationPersonOut | None
    village_id: int
    village: str
    status: str
    step: str
    notice_id: int | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None


class ApplicationDocumentOut(Schema):
    id: int
    kind: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class ApplicationDecisionOut(Schema):
    step: str
    decision: str
    comment: str
    reviewer: str
    decided_at: dt.datetime


class ApplicationTimelineOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    text: str
    comment: str


class ApplicationDetailOut(ApplicationListOut):
    reason: str
    start_month: int | None
    eligible_now: bool | None
    missing_documents: list[str]
    documents: list[ApplicationDocumentOut]
    decisions: list[ApplicationDecisionOut]
    timeline: list[ApplicationTimelineOut]


# --- helpers ---------------------------------------------------------------------------------------------


def _person(p: Any) -> dict[str, Any] | None:
    return {"id": p.pk, "name": p.name, "id_masked": p.id_masked} if p is not None else None


def _list_out(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "programme_id": a.programme_id,
        "programme": a.programme.name,
        "person": _person(a.person),
        "spouse": _person(a.spouse),
        "village_id": a.org_unit_id,
        "village": a.org_unit.name,
        "status": a.status,
        "step": a.step,
        "notice_id": a.notice_id,
        "submitted_at": a.submitted_at,
        "decided_at": a.decided_at,
    }


def _detail_out(request: HttpRequest, pk: int) -> dict[str, Any]:
    a = sel.application_get(actor=actor_of(request), application_id=pk)
    return {
        **_list_out(a),
        "reason": a.reason,
        "start_month": a.start_month,
        "eligible_now": svc.eligible_now(a.programme, a.person),
        "missing_documents": svc.missing_documents(a),
        "documents": list(a.documents.all()),
        "decisions": [
            {
                "step": d.step,
                "decision": d.decision,
                "comment": d.comment,
                "reviewer": str(d.reviewer),
                "decided_at": d.decided_at,
            }
            for d in a.decisions.select_related("reviewer")
        ],
        "timeline": [e.__dict__ for e in sel.application_timeline(a)],
    }


def _programme_ref(request: HttpRequest, programme_id: int, perm: str) -> Programme:
    try:
        return (
            Programme.objects.filter(visible_q(actor_of(request), perm))
            .select_related("org_unit")
            .get(pk=programme_id)
        )
    except Programme.DoesNotExist:
        raise ValidationError(
            _("指定的扶助项目（编号 %(id)s）不存在，或您无权操作。") % {"id": programme_id},
            code="unknown_programme",
        )


def _application_ref(request: HttpRequest, application_id: int) -> Application:
    return ref(
        lambda: sel.application_get(actor=actor_of(request), application_id=application_id),
        code="unknown_application",
        message=_("指定的申请（编号 %(id)s）不存在，或您无权操作。") % {"id": application_id},
    )


# --- applications ------------------------------------------------------------------------------------------


@router.get(
    "/applications",
    response={200: list[ApplicationListOut], **LIST},
    tags=APPLICATIONS,
    summary="申请列表（限本辖区）",
    description="筛选：status、step、programme、village、q（姓名包含）、awaiting_me=true（等待我审核的，不含本人录入或提交的）。"
    "分页 limit/offset（最多200）。",
)
@paginate
def application_list(
    request: HttpRequest,
    status: str = "",
    step: str = "",
    programme: int | None = None,
    village: int | None = None,
    q: str = "",
    awaiting_me: bool = False,
) -> Any:
    f = sel.ApplicationFilters(
        status=status, step=step, programme=programme, village=village, q=q, awaiting_me=awaiting_me
    )
    rows = sel.application_list(actor=actor_of(request), filters=f)
    return Paged(rows, lambda page: [_list_out(a) for a in page])


@router.post(
    "/applications",
    response={201: ApplicationDetailOut, 200: ApplicationDetailOut, **WRITE},
    tags=APPLICATIONS,
    summary="录入申请（村级专干，草稿）",
    description="404：申请人不存在或不在辖区内（两者不可区分）；409：已是享受对象（already_enrolled）或已有办理中的申请"
    "（open_application）；422：已死亡、不是现任配偶、不在项目实施范围等。同一 Idempotency-Key 重放返回原申请（200）。"
    "当前是否符合资格条件见 eligible_now（仅作提示，不阻止申请）。",
)
def application_create(
    request: HttpRequest,
    payload: ApplicationCreateIn,
    header_key: IdempotencyKeyHeader = None,
) -> Any:
    actor = actor_of(request)
    full_key = idempotency_key(request, "application", header_key, None)
    person = registry_selectors.person_get(actor=actor, person_id=payload.person_id)
    spouse = (
        registry_selectors.person_ref(actor=actor, person_id=payload.spouse_id) if payload.spouse_id else None
    )
    programme = _programme_ref(request, payload.programme_id, VIEW)
    application, created = svc.application_create(
        actor=actor,
        programme=programme,
        person=person,
        spouse=spouse,
        reason=payload.reason,
        idempotency_key=full_key,
    )
    if not created:
        check_replay(
            {"programme": application.programme_id, "person": application.person_id},
            {"programme": programme.pk, "person": person.pk},
            pk=application.pk,
        )
    return created_or_replayed(created, _detail_out(request, application.pk))


@router.get(
    "/applications/{int:application_id}",
    response={200: ApplicationDetailOut, **READ},
    tags=APPLICATIONS,
    summary="申请详情，含材料、各级审核意见和办理过程",
)
def application_detail(request: HttpRequest, application_id: int) -> Any:
    return _detail_out(request, application_id)


@router.post(
    "/applications/{int:application_id}/documents",
    response={201: ApplicationDocumentOut, **WRITE},
    tags=APPLICATIONS,
    summary="上传申请材料（PDF、JPEG、PNG，按文件内容判断，≤10 MB）",
    description="multipart：kind（材料类型）、file。422：类型不符（document_type / document_type_mismatch）、"
    "过大（document_too_large）；409：同一文件已上传（duplicate_document）或申请已提交（not_editable）。",
)
def application_document_add(
    request: HttpRequest,
    application_id: int,
    kind: str = Form(...),
    file: UploadedFile = File(...),  # noqa: B008
) -> Any:
    application = sel.application_get(actor=actor_of(request), application_id=application_id)
    document = svc.application_document_add(
        actor=actor_of(request), application=application, kind=kind, upload=file
    )
    return Status(201, document)


@router.get(
    "/applications/{int:application_id}/documents/{int:document_id}",
    response={200: None, **READ},
    tags=APPLICATIONS,
    summary="下载申请材料（限本辖区，留痕）",
)
def application_document_get(request: HttpRequest, application_id: int, document_id: int) -> Any:
    from guanhuai.audit.services import log

    actor = actor_of(request)
    application = sel.application_get(actor=actor, application_id=application_id)
    document = sel.document_get(actor=actor, application=application, document_id=document_id)
    log(
        application,
        "programmes.document.viewed",
        actor=actor,
        org_unit=application.org_unit,
        data={"document": document.pk, "file_name": document.file_name},
    )
    with document.file.open("rb") as f:
        response = HttpResponse(f.read(), content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/applications/{int:application_id}/submit",
    response={200: ApplicationDetailOut, **WRITE},
    tags=APPLICATIONS,
    summary="提交审核（草稿或退回的申请）",
    description="422：缺少必需材料（documents_missing，details.missing 列出）；409：状态不允许提交。",
)
def application_submit(request: HttpRequest, application_id: int) -> Any:
    application = sel.application_get(actor=actor_of(request), application_id=application_id)
    svc.application_submit(actor=actor_of(request), application=application)
    return _detail_out(request, application_id)


@router.post(
    "/applications/{int:application_id}/withdraw",
    response={200: ApplicationDetailOut, **WRITE},
    tags=APPLICATIONS,
    summary="撤回申请（草稿或退回的申请）",
)
def application_withdraw(request: HttpRequest, application_id: int, payload: ApplicationWithdrawIn) -> Any:
    application = sel.application_get(actor=actor_of(request), application_id=application_id)
    svc.application_withdraw(actor=actor_of(request), application=application, reason=payload.reason)
    return _detail_out(request, application_id)


@router.post(
    "/applications/{int:application_id}/review",
    response={200: ApplicationDetailOut, **WRITE},
    tags=APPLICATIONS,
    summary="审核：通过、退回修改、不予批准（当前环节的权限）",
    description="403：没有当前环节的权限（wrong_level）或本人录入/提交的申请（segregation_of_duties）；"
    "409：公示期内（notice_open）、有未处理异议（objection_unresolved）、公示环节须发布公示（notice_required）、"
    "不在审核中（not_under_review）；422：退回或不予批准未说明理由（reason_required）。最后一级通过即批准并纳入享受对象。",
)
def application_review(request: HttpRequest, application_id: int, payload: ApplicationReviewIn) -> Any:
    application = sel.application_get(actor=actor_of(request), application_id=application_id)
    svc.application_review(
        actor=actor_of(request), application=application, decision=payload.decision, comment=payload.comment
    )
    return _detail_out(request, application_id)


@router.post(
    "/applications/review",
    response={200: list[ApplicationBulkResultOut], **WRITE},
    tags=APPLICATIONS,
    summary="批量审核：逐份处理，每份返回结果",
    description="每份申请独立处理（互不影响）；ok=false 时 code/message 说明原因（不存在或无权访问的编号同样报告）。",
)
def applications_review_bulk(request: HttpRequest, payload: ApplicationBulkReviewIn) -> Any:
    results = svc.applications_review_bulk(
        actor=actor_of(request), ids=payload.ids, decision=payload.decision, comment=payload.comment
    )
    return [r.__dict__ for r in results]

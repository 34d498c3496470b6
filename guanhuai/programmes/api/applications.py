"""/api/v1/applications…, /api/v1/notices…, /api/v1/objections…, /api/v1/grievances…: applications, documents,
the multi-level review (one decision or many), public notices with objections and the notice PDF, and
grievances.

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
from ninja import Field, File, Form, Header, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from guanhuai.accounts import scoping
from guanhuai.core.api import AUTH_ERRORS, READ, WRITE, ErrorOut, Money, Paged, idempotency_key, paginate
from guanhuai.core.api import actor as actor_of
from guanhuai.core.errors import NotFound, ValidationError
from guanhuai.programmes import notices as notice_documents
from guanhuai.programmes.models import Application, Objection, Programme, PublicNotice
from guanhuai.programmes.permissions import MANAGE_NOTICES, VIEW
from guanhuai.programmes.selectors import applications as sel
from guanhuai.programmes.selectors.programmes import visible_q
from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.services import grievances, notices
from guanhuai.registry import selectors as registry_selectors

router = Router()

APPLICATIONS = ["programmes: applications and review"]
NOTICES = ["programmes: public notices and objections"]
GRIEVANCES = ["programmes: grievances"]


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


class NoticeOpenIn(Schema):
    programme_id: int
    village_id: int
    opens_on: dt.date | None = None


class NoticeRowOut(Schema):
    name: str
    village: str
    amount: Money | None
    unit: str


class NoticeOut(Schema):
    id: int
    title: str
    programme_id: int
    village_id: int
    village: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    applications: list[int]
    rows: list[NoticeRowOut]
    how_to_object: str


class ObjectionIn(Schema):
    application_id: int
    content: str = Field(..., max_length=2000)
    raised_by: str = Field("", max_length=50)
    contact: str = Field("", max_length=50)
    received_on: dt.date | None = None


class ObjectionResolveIn(Schema):
    upheld: bool
    resolution: str = Field(..., max_length=2000)


class ObjectionOut(Schema):
    id: int
    notice_id: int
    application_id: int
    content: str
    raised_by: str
    received_on: dt.date
    status: str
    resolution: str


class GrievanceIn(Schema):
    application_id: int | None = None
    payment_id: int | None = None
    complainant: str = Field(..., max_length=50)
    contact: str = Field("", max_length=50)
    content: str = Field(..., max_length=4000)


class GrievanceAssignIn(Schema):
    assignee_id: int


class GrievanceFinishIn(Schema):
    outcome: Literal["resolve", "reject"]
    text: str = Field(..., max_length=4000)


class GrievanceOut(Schema):
    id: int
    application_id: int | None
    payment_id: int | None
    complainant: str
    content: str
    status: str
    assigned_to_id: int | None
    resolution: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None


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


def _notice_out(notice: PublicNotice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "title": notice.title,
        "programme_id": notice.programme_id,
        "village_id": notice.org_unit_id,
        "village": notice.org_unit.name,
        "opens_on": notice.opens_on,
        "closes_on": notice.closes_on,
        "status": notice.status,
        "applications": list(notice.applications.order_by("pk").values_list("pk", flat=True)),
        "rows": [r.__dict__ for r in sel.notice_rows(notice)],
        "how_to_object": sel.how_to_object(notice),
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
    try:
        return sel.application_get(actor=actor_of(request), application_id=application_id)
    except NotFound:
        raise ValidationError(
            _("指定的申请（编号 %(id)s）不存在，或您无权操作。") % {"id": application_id},
            code="unknown_application",
        )


# --- applications ------------------------------------------------------------------------------------------


@router.get(
    "/applications",
    response={200: list[ApplicationListOut], **AUTH_ERRORS, 422: ErrorOut},
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
    header_key: str | None = Header(None, alias="Idempotency-Key", max_length=64),
) -> Any:
    actor = actor_of(request)
    full_key = idempotency_key(request, "application", header_key, None)
    replay = bool(full_key) and Application.objects.filter(idempotency_key=full_key).exists()
    person = registry_selectors.person_get(actor=actor, person_id=payload.person_id)
    spouse = (
        registry_selectors.person_ref(actor=actor, person_id=payload.spouse_id) if payload.spouse_id else None
    )
    application = svc.application_create(
        actor=actor,
        programme=_programme_ref(request, payload.programme_id, VIEW),
        person=person,
        spouse=spouse,
        reason=payload.reason,
        idempotency_key=full_key,
    )
    return Status(200 if replay else 201, _detail_out(request, application.pk))


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
    from guanhuai.audit.services import log_action

    actor = actor_of(request)
    application = sel.application_get(actor=actor, application_id=application_id)
    document = sel.document_get(actor=actor, application=application, document_id=document_id)
    log_action(
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


# --- notices and objections ----------------------------------------------------------------------------


@router.get(
    "/notices",
    response={200: list[NoticeOut], **AUTH_ERRORS},
    tags=NOTICES,
    summary="公示列表（限本辖区）",
)
@paginate
def notice_list(request: HttpRequest, status: str = "") -> Any:
    return Paged(
        sel.notice_list(actor=actor_of(request), status=status), lambda page: [_notice_out(n) for n in page]
    )


@router.post(
    "/notices",
    response={201: NoticeOut, **WRITE},
    tags=NOTICES,
    summary="发布村级公示：该村所有待公示的该项目申请",
    description="422：没有待公示的申请（nothing_to_notice）、开始日期早于今天；403：无权发布。",
)
def notice_open(request: HttpRequest, payload: NoticeOpenIn) -> Any:
    actor = actor_of(request)
    programme = _programme_ref(request, payload.programme_id, MANAGE_NOTICES)
    village = scoping.unit_or_404(actor, VIEW, payload.village_id)
    notice = notices.notice_open(
        actor=actor, programme=programme, org_unit=village, opens_on=payload.opens_on
    )
    return Status(201, _notice_out(sel.notice_get(actor=actor, notice_id=notice.pk)))


@router.get("/notices/{int:notice_id}", response={200: NoticeOut, **READ}, tags=NOTICES, summary="公示详情")
def notice_detail(request: HttpRequest, notice_id: int) -> Any:
    return _notice_out(sel.notice_get(actor=actor_of(request), notice_id=notice_id))


@router.post(
    "/notices/{int:notice_id}/close",
    response={200: NoticeOut, **WRITE},
    tags=NOTICES,
    summary="结束公示（公示期最后一天之后）",
    description="409：公示期未满（notice_not_over）或已结束。无未处理异议的申请转入下一环节。",
)
def notice_close(request: HttpRequest, notice_id: int) -> Any:
    actor = actor_of(request)
    notice = sel.notice_get(actor=actor, notice_id=notice_id)
    notices.notice_close(actor=actor, notice=notice)
    return _notice_out(sel.notice_get(actor=actor, notice_id=notice_id))


@router.get(
    "/notices/{int:notice_id}/pdf",
    response={200: None, **READ},
    tags=NOTICES,
    summary="打印公示（A4 PDF，姓名脱敏）",
)
def notice_pdf(request: HttpRequest, notice_id: int) -> Any:
    notice = sel.notice_get(actor=actor_of(request), notice_id=notice_id)
    response = HttpResponse(notice_documents.notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


@router.get(
    "/notices/{int:notice_id}/objections",
    response={200: list[ObjectionOut], **READ},
    tags=NOTICES,
    summary="公示异议",
)
def objection_list(request: HttpRequest, notice_id: int) -> Any:
    notice = sel.notice_get(actor=actor_of(request), notice_id=notice_id)
    return list(sel.objection_list(actor=actor_of(request), notice=notice).order_by("received_on", "id"))


@router.post(
    "/notices/{int:notice_id}/objections",
    response={201: ObjectionOut, **WRITE},
    tags=NOTICES,
    summary="登记公示异议（公示期内）",
    description="409：公示已结束（notice_closed）；422：内容为空、申请不在本次公示中。",
)
def objection_record(request: HttpRequest, notice_id: int, payload: ObjectionIn) -> Any:
    actor = actor_of(request)
    notice = sel.notice_get(actor=actor, notice_id=notice_id)
    objection = notices.objection_record(
        actor=actor,
        notice=notice,
        application=_application_ref(request, payload.application_id),
        content=payload.content,
        raised_by=payload.raised_by,
        contact=payload.contact,
        received_on=payload.received_on,
    )
    return Status(201, objection)


@router.post(
    "/objections/{int:objection_id}/resolve",
    response={200: ObjectionOut, **WRITE},
    tags=NOTICES,
    summary="处理异议：成立（申请退回村级）或不成立，须说明理由",
)
def objection_resolve(request: HttpRequest, objection_id: int, payload: ObjectionResolveIn) -> Any:
    actor = actor_of(request)
    objection = sel.objection_get(actor=actor, objection_id=objection_id)
    notices.objection_resolve(
        actor=actor, objection=objection, upheld=payload.upheld, resolution=payload.resolution
    )
    return Objection.objects.get(pk=objection_id)


# --- grievances ----------------------------------------------------------------------------------------


@router.get(
    "/grievances", response={200: list[GrievanceOut], **AUTH_ERRORS}, tags=GRIEVANCES, summary="投诉列表"
)
@paginate
def grievance_list(request: HttpRequest, status: str = "", mine: bool = False) -> Any:
    return sel.grievance_list(actor=actor_of(request), status=status, mine=mine).order_by(
        "-created_at", "-pk"
    )


@router.post(
    "/grievances",
    response={201: GrievanceOut, **WRITE},
    tags=GRIEVANCES,
    summary="登记投诉（针对申请或一笔发放）",
)
def grievance_record(request: HttpRequest, payload: GrievanceIn) -> Any:
    from guanhuai.programmes.models import Payment

    actor = actor_of(request)
    payment = None
    if payload.payment_id is not None:
        try:
            payment = scoping.get_or_404(
                Payment.objects.select_related("org_unit"), actor, VIEW, pk=payload.payment_id
            )
        except NotFound:
            raise ValidationError(_("指定的发放记录不存在，或您无权操作。"), code="unknown_payment")
    grievance = grievances.grievance_record(
        actor=actor,
        application=_application_ref(request, payload.application_id) if payload.application_id else None,
        payment=payment,
        complainant=payload.complainant,
        contact=payload.contact,
        content=payload.content,
    )
    return Status(201, grievance)


@router.get(
    "/grievances/{int:grievance_id}",
    response={200: GrievanceOut, **READ},
    tags=GRIEVANCES,
    summary="投诉详情",
)
def grievance_detail(request: HttpRequest, grievance_id: int) -> Any:
    return sel.grievance_get(actor=actor_of(request), grievance_id=grievance_id)


@router.post(
    "/grievances/{int:grievance_id}/assign",
    response={200: GrievanceOut, **WRITE},
    tags=GRIEVANCES,
    summary="指定承办人",
)
def grievance_assign(request: HttpRequest, grievance_id: int, payload: GrievanceAssignIn) -> Any:
    from django.contrib.auth import get_user_model

    actor = actor_of(request)
    grievance = sel.grievance_get(actor=actor, grievance_id=grievance_id)
    assignee = get_user_model().objects.filter(pk=payload.assignee_id).first()
    return grievances.grievance_assign(actor=actor, grievance=grievance, assignee=assignee)


@router.post(
    "/grievances/{int:grievance_id}/finish",
    response={200: GrievanceOut, **WRITE},
    tags=GRIEVANCES,
    summary="办结或不予受理（须说明结果或理由）",
)
def grievance_finish(request: HttpRequest, grievance_id: int, payload: GrievanceFinishIn) -> Any:
    actor = actor_of(request)
    grievance = sel.grievance_get(actor=actor, grievance_id=grievance_id)
    if payload.outcome == "resolve":
        return grievances.grievance_resolve(actor=actor, grievance=grievance, resolution=payload.text)
    return grievances.grievance_reject(actor=actor, grievance=grievance, reason=payload.text)

"""/api/v1/notices…, /api/v1/objections…: the village public notices (公示) with their objections, and the
notice PDF. Thin like `api/applications.py`: reads through programmes.selectors.applications (a notice
outside the actor's branches is a 404), writes through programmes.services.notices.

No `from __future__ import annotations` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from guanhuai.accounts import scoping
from guanhuai.core.api import AUTH_ERRORS, READ, WRITE, Money, Paged, paginate
from guanhuai.core.api import actor as actor_of
from guanhuai.programmes import notices as notice_documents
from guanhuai.programmes.api.applications import _application_ref, _programme_ref
from guanhuai.programmes.models import PublicNotice
from guanhuai.programmes.permissions import MANAGE_NOTICES, VIEW
from guanhuai.programmes.selectors import applications as sel
from guanhuai.programmes.services import notices

router = Router()

NOTICES = ["programmes: public notices and objections"]


# --- schemas (names prefixed: unique across the project) ---------------------------------------------------


class NoticeOpenIn(Schema):
    programme_id: int
    village_id: int
    opens_on: dt.date | None = None


class NoticeRowOut(Schema):
    name: str = Field(..., description="姓名，按项目的纸质公示设置脱敏（张*明 或 张**）")
    village: str
    amount: Money | None = Field(..., description="每期金额；无适用的发放标准时为 null")
    unit: str = Field(..., description="期间，紧跟金额书写：/月、/季 或 /年")


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


# --- helpers ---------------------------------------------------------------------------------------------


def _notices_out(notices: list[PublicNotice]) -> list[dict[str, Any]]:
    """The notices' answers, their rows and applications read for the whole list at once (no query per
    notice: programmes.selectors.applications.notice_rows_of)."""
    rows = sel.notice_rows_of(notices, paper=True)
    applications = sel.notice_application_ids(notices)
    return [
        {
            "id": notice.pk,
            "title": notice.title,
            "programme_id": notice.programme_id,
            "village_id": notice.org_unit_id,
            "village": notice.org_unit.name,
            "opens_on": notice.opens_on,
            "closes_on": notice.closes_on,
            "status": notice.status,
            "applications": applications[notice.pk],
            "rows": [r.__dict__ for r in rows[notice.pk]],
            "how_to_object": sel.how_to_object(notice),
        }
        for notice in notices
    ]


def _notice_out(notice: PublicNotice) -> dict[str, Any]:
    return _notices_out([notice])[0]


# --- notices and objections ----------------------------------------------------------------------------


@router.get(
    "/notices",
    response={200: list[NoticeOut], **AUTH_ERRORS},
    tags=NOTICES,
    summary="公示列表（限本辖区）",
)
@paginate
def notice_list(request: HttpRequest, status: str = "") -> Any:
    return Paged(sel.notice_list(actor=actor_of(request), status=status), _notices_out)


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
    return sel.objection_get(actor=actor, objection_id=objection_id)

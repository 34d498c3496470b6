"""/api/v1/governance/designation…: demonstration villages and counties (示范村/县): applications and their
review, designations in force and their revocation, and the report by branch. Scoped like the pages."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from guanhuai.accounts import scoping
from guanhuai.core.api import AUTH_ERRORS, READ, WRITE, actor, paginate
from guanhuai.governance import selectors, services
from guanhuai.governance.permissions import VIEW

router = Router()
DESIGNATIONS = ["governance: designations"]


class DesignationEvidenceIn(Schema):
    met: bool = False
    evidence: str = Field("", max_length=500)


class DesignationApplyIn(Schema):
    unit_id: int
    rating: str = Field(
        ..., description="qualified（合格）或 demonstration（示范）；县(区)只能申报 demonstration"
    )
    evidence: dict[str, DesignationEvidenceIn] = Field(
        ..., description="“五有”自评：association、funding、charter、venue、publicity，每项 met 与佐证"
    )
    note: str = Field("", max_length=1000)


class DesignationIndicatorOut(Schema):
    code: str
    shown: str
    met: bool


class DesignationReviewOut(Schema):
    step: str
    decision: str
    comment: str
    reviewer_id: int
    decided_at: dt.datetime


class DesignationApplicationOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    rating: str
    status: str
    step: str
    evidence: dict[str, Any]
    indicators: list[DesignationIndicatorOut]
    renews_id: int | None = None
    submitted_at: dt.datetime
    decided_at: dt.datetime | None = None


class DesignationApplicationDetailOut(DesignationApplicationOut):
    reviews: list[DesignationReviewOut]

    @staticmethod
    def resolve_reviews(obj: Any) -> list[Any]:
        return list(obj.reviews.all())


class DesignationReviewIn(Schema):
    decision: str = Field(..., description="pass（通过）或 refuse（不通过，须有意见）")
    comment: str = Field("", max_length=1000)


class DesignationOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    rating: str
    status: str
    valid_from: dt.date
    valid_until: dt.date
    application_id: int
    revoke_reason: str = ""


class DesignationRevokeIn(Schema):
    reason: str = Field("", max_length=1000, description="撤销理由（必填）")


class DesignationReportRowOut(Schema):
    unit_id: int
    unit_name: str
    villages: int
    qualified: int
    share: str
    demonstration: int


class DesignationReportOut(Schema):
    rows: list[DesignationReportRowOut]
    totals: DesignationReportRowOut


@router.get(
    "/designation-applications",
    response={200: list[DesignationApplicationOut], **AUTH_ERRORS},
    tags=DESIGNATIONS,
    summary="辖区内的合格村、示范村（县）申报，审核中的在前",
    description="分页：limit（最多200）、offset；status 可选 under_review、approved、refused。",
)
@paginate
def designation_application_list(request: HttpRequest, status: str = "") -> Any:
    return selectors.application_list(actor=actor(request), status=status or None)


@router.post(
    "/designation-applications",
    response={201: DesignationApplicationOut, **WRITE},
    tags=DESIGNATIONS,
    summary="申报合格村、示范村（县）：五有自评及佐证，指标由系统读取",
    description="422：五有未全部达到或缺佐证、指标未达标准、等级不适用于该单位；409：已有申报在审核中，"
    "或已有有效评定且未到复评期；403：无权申报。",
)
def designation_apply(request: HttpRequest, payload: DesignationApplyIn) -> Any:
    unit = scoping.unit_or_404(actor(request), VIEW, payload.unit_id)
    application = services.designation_apply(
        actor=actor(request),
        unit=unit,
        rating=payload.rating,
        evidence={k: v.dict() for k, v in payload.evidence.items()},
        note=payload.note,
    )
    return Status(201, application)


@router.get(
    "/designation-applications/{int:application_id}",
    response={200: DesignationApplicationDetailOut, **READ},
    tags=DESIGNATIONS,
    summary="一份申报：自评、指标和各级审核记录（不存在或不在辖区内为404）",
)
def designation_application_get(request: HttpRequest, application_id: int) -> Any:
    return selectors.application_get(actor=actor(request), application_id=application_id)


@router.post(
    "/designation-applications/{int:application_id}/review",
    response={200: DesignationApplicationDetailOut, **WRITE},
    tags=DESIGNATIONS,
    summary="当前环节的审核结论；最后一级通过即评定",
    description="403：没有当前环节的审核权限、审核自己的申报、同一人审核第二个环节；422：不通过而无意见；"
    "409：申报已审结。",
)
def designation_application_review(
    request: HttpRequest, application_id: int, payload: DesignationReviewIn
) -> Any:
    application = selectors.application_get(actor=actor(request), application_id=application_id)
    services.designation_review(actor=actor(request), application=application, **payload.dict())
    return selectors.application_get(actor=actor(request), application_id=application_id)


@router.get(
    "/designations",
    response={200: list[DesignationOut], **AUTH_ERRORS},
    tags=DESIGNATIONS,
    summary="辖区内有效的评定，先到期的在前",
    description="分页：limit（最多200）、offset；rating 可选 qualified、demonstration；due=true 只列已到复评期的。",
)
@paginate
def designation_list(request: HttpRequest, rating: str = "", due: bool = False) -> Any:
    return selectors.designation_list(
        actor=actor(request), rating=rating or None, due_by=timezone.localdate() if due else None
    )


@router.get(
    "/designations/{int:designation_id}",
    response={200: DesignationOut, **READ},
    tags=DESIGNATIONS,
    summary="一项评定（不存在或不在辖区内为404）",
)
def designation_get(request: HttpRequest, designation_id: int) -> Any:
    return selectors.designation_get(actor=actor(request), designation_id=designation_id)


@router.post(
    "/designations/{int:designation_id}/revoke",
    response={200: DesignationOut, **WRITE},
    tags=DESIGNATIONS,
    summary="撤销评定（须说明理由）",
    description="422：没有理由；409：已撤销、已到期；403：无权管理评定。",
)
def designation_revoke(request: HttpRequest, designation_id: int, payload: DesignationRevokeIn) -> Any:
    designation = selectors.designation_get(actor=actor(request), designation_id=designation_id)
    return services.designation_revoke(actor=actor(request), designation=designation, reason=payload.reason)


def _row(r: Any) -> dict[str, Any]:
    return {
        "unit_id": r.unit.pk,
        "unit_name": r.unit.name,
        "villages": r.villages,
        "qualified": r.qualified,
        "share": r.share,
        "demonstration": r.demonstration,
    }


@router.get(
    "/designation-report",
    response={200: DesignationReportOut, **READ},
    tags=DESIGNATIONS,
    summary="按下级单位统计：村(社区)数、合格以上、比例、示范村(社区)数",
)
def designation_report(request: HttpRequest, unit_id: int) -> Any:
    unit = scoping.unit_or_404(actor(request), VIEW, unit_id)
    rows, total = selectors.designation_report(actor=actor(request), unit=unit)
    return {"rows": [_row(r) for r in rows], "totals": _row(total)}

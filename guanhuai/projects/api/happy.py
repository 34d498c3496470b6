"""/api/v1/projects…/happy-families: the Happy Family selection (幸福家庭评选) over the API. The same
selectors and services as the pages: a project or a nomination outside the actor's branches is the 404 of a
missing id; a household outside the project's area or a criterion without its statement is a 422 with the
service's message; a second nomination of a household, or a decision for a step the nomination has left, is a
409; nothing is saved. The five criteria are `happy_rules.CRITERIA`; `families_named` is computed from the
named nominations (`GET /{id}/outcomes`), never sent."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema
from ninja.responses import Status

from guanhuai.core.api import READ, WRITE, Id, actor, paginate
from guanhuai.projects import selectors, services
from guanhuai.projects.api.common import router

HAPPY = ["projects: Happy Family selection"]


class HappyEvidenceIn(Schema):
    civilised: str = Field("", max_length=300, description="文明：事实依据")
    healthy: str = Field("", max_length=300, description="健康：事实依据")
    eugenic: str = Field("", max_length=300, description="优生：事实依据")
    prosperous: str = Field("", max_length=300, description="致富：事实依据")
    dedicated: str = Field("", max_length=300, description="奉献：事实依据")


class HappyNominationIn(Schema):
    household_id: Id | None = Field(None, description="登记户的编号（id）")
    household_number: str = Field("", max_length=30, description="或户编号（如 440224100001-0001）")
    evidence: HappyEvidenceIn


class HappyReviewIn(Schema):
    decision: Literal["recommend", "not_recommended", "name"] = Field(
        ...,
        description="recommend 推荐（最后一级以下）；name 命名（最后一级）；not_recommended 不予推荐（须写理由）",
    )
    comment: str = Field("", max_length=1000)
    step: str = Field(
        "", max_length=16, description="您看到的环节（township/county/city…）；提名已离开该环节时 409，不保存"
    )


class HappyRevokeIn(Schema):
    reason: str = Field(..., max_length=300, description="撤销理由（必填），如事实依据不实")


class HappyReviewOut(Schema):
    step: str
    decision: str
    comment: str
    reviewer: str
    decided_at: dt.datetime

    @staticmethod
    def resolve_reviewer(obj: Any) -> str:
        return str(obj.reviewer)


class HappyNominationOut(Schema):
    id: int
    project_id: int
    household_id: int
    household_number: str = Field(..., alias="household.number")
    village: str = Field(..., alias="household.org_unit.name")
    status: str
    step: str = Field(..., description="当前评审环节（评选中时），否则为空")
    nominated_at: dt.datetime
    named_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoke_reason: str


class HappyNominationDetailOut(HappyNominationOut):
    evidence: dict[str, str]
    document_id: int | None
    steps: list[str]
    reviews: list[HappyReviewOut]
    consented: bool = Field(..., description="户主的荣誉公开同意是否有效（决定门户网站是否公开姓名）")

    @staticmethod
    def resolve_steps(obj: Any) -> list[str]:
        return services.nomination_steps(obj)

    @staticmethod
    def resolve_reviews(obj: Any) -> list[Any]:
        return list(obj.reviews.all())


def _get(request: HttpRequest, nomination_id: int) -> Any:
    return selectors.nomination_get(actor=actor(request), nomination_id=nomination_id)


@router.get(
    "/{int:project_id}/happy-families",
    response={200: list[HappyNominationOut], **READ},
    tags=HAPPY,
    summary="项目的幸福家庭提名（辖区内），可按状态、环节、待我评审筛选",
    description="404：项目不存在、不在辖区内或不是幸福家庭评选项目。",
)
@paginate
def happy_list(
    request: HttpRequest,
    project_id: int,
    status: str = Query("", max_length=20, description="under_review / named / not_recommended"),
    step: str = Query("", max_length=16),
    mine: bool = Query(False, description="只看等待我这一级评审的"),
) -> Any:
    who = actor(request)
    project = selectors.selection_project_get(actor=who, project_id=project_id)
    return selectors.nomination_list(actor=who, project=project, status=status, step=step, to_review=mine)


@router.post(
    "/{int:project_id}/happy-families",
    response={201: HappyNominationDetailOut, **WRITE},
    tags=HAPPY,
    summary="提名幸福家庭：户须在项目实施范围和您的村内，五项标准各写事实依据",
    description="422 household_outside_area：户不在项目实施范围内；422 evidence_missing：有标准未写事实依据；"
    "422 unknown_household：户不存在或不在辖区内；422 not_selecting：不是幸福家庭评选项目；"
    "403 not_your_village：不是您所在村的户；409 duplicate_nomination：已被提名；"
    "409 project_not_running：项目未批准或已结项。",
)
def happy_create(request: HttpRequest, project_id: int, payload: HappyNominationIn) -> Any:
    who = actor(request)
    project = selectors.selection_project_get(actor=who, project_id=project_id)
    household = selectors.household_for_project(
        actor=who, number=payload.household_number, household_id=payload.household_id
    )
    row = services.nomination_create(
        actor=who, project=project, household=household, evidence=payload.evidence.dict()
    )
    return Status(201, selectors.nomination_get(actor=who, nomination_id=row.pk))


@router.get(
    "/happy-families/{int:nomination_id}",
    response={200: HappyNominationDetailOut, **READ},
    tags=HAPPY,
    summary="一份提名：五项事实依据、评审环节和逐级意见",
)
def happy_detail(request: HttpRequest, nomination_id: int) -> Any:
    return _get(request, nomination_id)


@router.post(
    "/happy-families/{int:nomination_id}/review",
    response={200: HappyNominationDetailOut, **WRITE},
    tags=HAPPY,
    summary="在当前环节评审：推荐、不予推荐，最后一级命名",
    description="403 own_nomination：提名人不能评审；403 wrong_level：不是该环节的评审单位；"
    "403 one_step_per_person：同一人只能评审一级；409 stale_step：提名已离开您提交的环节（如重复提交）；"
    "409 not_under_review：已命名或未获推荐；422 reason_required：不予推荐未写理由；"
    "422 not_last_step / last_step_names：命名只在最后一级，推荐只在最后一级以下。",
)
def happy_review(request: HttpRequest, nomination_id: int, payload: HappyReviewIn) -> Any:
    who = actor(request)
    services.nomination_review(
        actor=who,
        nomination=_get(request, nomination_id),
        decision=payload.decision,
        comment=payload.comment,
        step=payload.step or None,
    )
    return _get(request, nomination_id)


@router.post(
    "/happy-families/{int:nomination_id}/revoke",
    response={200: HappyNominationDetailOut, **WRITE},
    tags=HAPPY,
    summary="撤销命名：由命名单位撤销已命名的幸福家庭（须写理由），门户网站随即不再公开",
    description="403 wrong_level：不是命名单位有评审权限的人员；409 not_named：未命名或已撤销（如重复提交）；"
    "422 reason_required：未写理由。",
)
def happy_revoke(request: HttpRequest, nomination_id: int, payload: HappyRevokeIn) -> Any:
    services.nomination_revoke(
        actor=actor(request), nomination=_get(request, nomination_id), reason=payload.reason
    )
    return _get(request, nomination_id)

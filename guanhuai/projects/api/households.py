"""/api/v1/projects…: a project's beneficiary households, their aid agreements (帮扶协议) and income records.
The same selectors and services as the pages: a project or a household outside the actor's branches is the
404 of a missing id; a household outside the project's area, a follow-up dated before its baseline or an
income in a bad number format is a 422 with the service's message; nothing is saved. The gain is computed
(`outcomes.with_gain`), never sent."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from guanhuai.core.api import READ, WRITE, DayIn, Id, Money, actor, paginate
from guanhuai.projects import selectors, services
from guanhuai.projects.api.common import router

HOUSEHOLDS = ["projects: beneficiary households"]


class ProjectBeneficiaryIn(Schema):
    household_id: Id | None = Field(None, description="登记户的编号（id）")
    household_number: str = Field("", max_length=30, description="或户编号（如 440224100001-0001）")


class ProjectBeneficiaryOut(Schema):
    id: int
    project_id: int
    household_id: int
    household_number: str = Field(..., alias="household.number")
    village: str = Field(..., alias="household.org_unit.name")
    baseline: Money | None
    latest: Money | None
    years: int | None
    gain: Money | None = Field(None, description="年增收（计算所得）；无跟踪数据为 null，不按零计")


class ProjectAidAgreementIn(Schema):
    support_kind: Literal["cash", "goods", "loan_guarantee", "skills_training", "market_link"]
    amount: str = Field(..., max_length=20, description="金额或折价，元，最多两位小数；可为 0")
    signed_on: DayIn
    note: str = Field("", max_length=200)


class ProjectAidAgreementOut(Schema):
    id: int
    beneficiary_id: int
    support_kind: str
    amount: Money
    signed_on: dt.date
    note: str


class ProjectIncomeOut(Schema):
    id: int
    beneficiary_id: int
    kind: str
    recorded_on: dt.date
    net_income: Money
    source: str
    document_id: int | None


class ProjectBeneficiaryDetailOut(ProjectBeneficiaryOut):
    agreements: list[ProjectAidAgreementOut]
    incomes: list[ProjectIncomeOut]

    @staticmethod
    def resolve_agreements(obj: Any) -> list[Any]:
        return list(obj.agreements.all())

    @staticmethod
    def resolve_incomes(obj: Any) -> list[Any]:
        return list(obj.incomes.all())


def _beneficiary(request: HttpRequest, beneficiary_id: int) -> Any:
    return selectors.beneficiary_get(actor=actor(request), beneficiary_id=beneficiary_id)


@router.get(
    "/{int:project_id}/beneficiaries",
    response={200: list[ProjectBeneficiaryOut], **READ},
    tags=HOUSEHOLDS,
    summary="项目的受益户（辖区内），含基线、最近跟踪收入和计算出的年增收",
)
@paginate
def project_beneficiary_list(request: HttpRequest, project_id: int) -> Any:
    who = actor(request)
    project = selectors.project_get(actor=who, project_id=project_id)
    return selectors.beneficiary_list(actor=who, project=project)


@router.post(
    "/{int:project_id}/beneficiaries",
    response={201: ProjectBeneficiaryOut, **WRITE},
    tags=HOUSEHOLDS,
    summary="添加受益户（登记户，须在项目实施范围和您的辖区内）",
    description="422 household_outside_area：户不在项目实施范围内；422 unknown_household：户不存在或不在辖区内；"
    "409 duplicate_beneficiary：已是受益户；409 project_not_running：项目未批准；403：无权登记项目活动。",
)
def project_beneficiary_create(request: HttpRequest, project_id: int, payload: ProjectBeneficiaryIn) -> Any:
    who = actor(request)
    project = selectors.project_get(actor=who, project_id=project_id)
    household = selectors.household_for_project(
        actor=who, number=payload.household_number, household_id=payload.household_id
    )
    row = services.beneficiary_add(actor=who, project=project, household=household)
    return Status(201, selectors.beneficiary_get(actor=who, beneficiary_id=row.pk))


@router.get(
    "/beneficiaries/{int:beneficiary_id}",
    response={200: ProjectBeneficiaryDetailOut, **READ},
    tags=HOUSEHOLDS,
    summary="一户受益户：帮扶协议和收入记录",
)
def project_beneficiary_detail(request: HttpRequest, beneficiary_id: int) -> Any:
    return _beneficiary(request, beneficiary_id)


@router.post(
    "/beneficiaries/{int:beneficiary_id}/agreements",
    response={201: ProjectAidAgreementOut, **WRITE},
    tags=HOUSEHOLDS,
    summary="登记帮扶协议（现金、物资、贷款担保、技能培训、产销对接）",
    description="422 amount_format / amount_precision：金额格式不对；403：无权登记项目活动。",
)
def project_agreement_create(
    request: HttpRequest, beneficiary_id: int, payload: ProjectAidAgreementIn
) -> Any:
    row = services.aid_agreement_add(
        actor=actor(request), beneficiary=_beneficiary(request, beneficiary_id), **payload.dict()
    )
    return Status(201, row)


@router.post(
    "/beneficiaries/{int:beneficiary_id}/incomes",
    response={201: ProjectIncomeOut, **WRITE},
    tags=HOUSEHOLDS,
    summary="登记家庭年纯收入：基线（每户一条）或年度跟踪，可附调查表（multipart）",
    description="422 amount_format：收入格式不对（如“1.2万”）；422 follow_up_before_baseline：跟踪日期早于或等于基线；"
    "422 baseline_missing：尚无基线；409 duplicate_baseline：已有基线；422 document_type 等：附件不合格；"
    "403：无权登记项目活动。",
)
def project_income_create(
    request: HttpRequest,
    beneficiary_id: int,
    kind: Literal["baseline", "follow_up"] = Form(...),
    recorded_on: DayIn = Form(...),  # noqa: B008
    net_income: str = Form(..., max_length=20),
    source: Literal["survey", "village_record"] = Form(...),
    document: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    row = services.income_record(
        actor=actor(request),
        beneficiary=_beneficiary(request, beneficiary_id),
        kind=kind,
        recorded_on=recorded_on,
        net_income=net_income,
        source=source,
        document=document,
    )
    return Status(201, row)

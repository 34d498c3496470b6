"""/api/v1/projects…: projects, their types and money. Thin, on the core/api kit: reads through the
selectors (scoped by projects.view; out of scope is the same 404 as missing), writes through the services
(403 without the permission, 422 for bad input with the same message as on the page, 409 for a move the
state table refuses)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from guanhuai.core.api import AUTH_ERRORS, LIST, READ, Money, actor, paginate
from guanhuai.projects import selectors
from guanhuai.projects.api.common import router
from guanhuai.projects.models import Project

PROJECTS = ["projects"]


class ConfigEntryOut(Schema):
    code: str
    label: str


class TypeOut(Schema):
    id: int
    code: str
    name: str
    description: str
    is_builtin: bool
    active: bool
    activity_kinds: list[ConfigEntryOut]
    venue_kinds: list[ConfigEntryOut]
    participant_fields: list[ConfigEntryOut]
    outcome_indicators: list[ConfigEntryOut]
    approval_steps: list[ConfigEntryOut]

    @staticmethod
    def resolve_activity_kinds(obj: Any) -> list[dict[str, str]]:
        return obj.entries("activity_kinds")

    @staticmethod
    def resolve_venue_kinds(obj: Any) -> list[dict[str, str]]:
        return obj.entries("venue_kinds")

    @staticmethod
    def resolve_participant_fields(obj: Any) -> list[dict[str, str]]:
        return obj.entries("participant_fields")

    @staticmethod
    def resolve_outcome_indicators(obj: Any) -> list[dict[str, str]]:
        return obj.entries("outcome_indicators")

    @staticmethod
    def resolve_approval_steps(obj: Any) -> list[dict[str, str]]:
        return obj.entries("approval_steps")


class ProjectRowOut(Schema):
    id: int
    code: str
    name: str
    type_code: str = Field(alias="type.code")
    type_name: str = Field(alias="type.name")
    unit_id: int = Field(alias="org_unit_id")
    unit_name: str = Field(alias="org_unit.name")
    status: str
    step: str
    start_date: dt.date
    end_date: dt.date
    budget_total: Money
    allocated: Money
    spent: Money
    goods_used: Money = Field(..., description="已使用的捐赠物资（按收据估值，不含已冲销；不计入 spent）")


class ProjectOut(ProjectRowOut):
    objectives: str
    targets: dict[str, Any]
    area: list[int]

    @staticmethod
    def resolve_area(obj: Project) -> list[int]:
        return [row.org_unit_id for row in obj.area_rows.all()]


@router.get(
    "/types",
    response={200: list[TypeOut], **AUTH_ERRORS},
    tags=PROJECTS,
    summary="项目类型（含活动类型、场所类型、参与人字段、成效指标和审批环节）",
)
def type_list(request: HttpRequest) -> Any:
    actor(request)
    return list(selectors.type_list())


@router.get(
    "",
    response={200: list[ProjectRowOut], **LIST},
    tags=PROJECTS,
    summary="辖区内的协会项目",
    description="type：项目类型代码；status：状态；year：实施年份（含跨年项目）。分页：limit（最多200）、offset。",
)
@paginate
def project_list(
    request: HttpRequest, type: str = "", status: str = "", year: int | None = Query(None, ge=1990, le=2100)
) -> Any:
    return selectors.project_list(actor=actor(request), type_code=type, status=status, year=year)


@router.get(
    "/{int:project_id}",
    response={200: ProjectOut, **READ},
    tags=PROJECTS,
    summary="一个协会项目（含预算、已安排和已支出金额、已使用物资价值）",
)
def project_detail(request: HttpRequest, project_id: int) -> Any:
    return selectors.project_get(actor=actor(request), project_id=project_id)

"""/api/v1/projects/outcomes and /api/v1/projects/{id}/outcomes: the outcome service's report, the same
figures as the page, the Excel export and `guanhuai projects report`. Scoped like every projects read: the
province report counts only what the actor may see; a project outside the actor's branches is a 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from guanhuai.core.api import LIST, READ, Money, actor
from guanhuai.projects import selectors
from guanhuai.projects.api.common import router

PROJECTS = ["projects"]


class ActivityRowOut(Schema):
    key: str
    label: str
    activities: int
    participants: int
    respondents: int
    knowledge_pre: Decimal | None
    knowledge_post: Decimal | None

    @staticmethod
    def resolve_key(obj: Any) -> str:
        return "" if obj.key is None else str(obj.key)


class BandOut(Schema):
    label: str
    households: int

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj.label)


class IncomeOut(Schema):
    households: int
    with_baseline: int
    measured: int
    missing: int
    mean_baseline: Money | None
    mean_gain: Money | None
    median_gain: Money | None
    distribution: list[BandOut]


class ProjectCoverageOut(Schema):
    cities: int
    venue_kinds: int
    city_names: list[str]
    venue_labels: list[str]


class OutcomesOut(Schema):
    year: int | None
    type_code: str
    projects: int
    totals: ActivityRowOut  # all rows together ("total" is reserved for money fields in this API)
    venues: list[ActivityRowOut]
    cities: list[ActivityRowOut]
    years: list[ActivityRowOut]
    coverage: ProjectCoverageOut
    income: IncomeOut
    families_named: int = Field(0, description="评选出的幸福家庭数：已命名的提名数，由评选记录计算")

    @staticmethod
    def resolve_type_code(obj: Any) -> str:
        return obj.project_type.code if obj.project_type else ""

    @staticmethod
    def resolve_totals(obj: Any) -> Any:
        return obj.total


@router.get(
    "/outcomes",
    response={200: OutcomesOut, **LIST},
    tags=PROJECTS,
    summary="项目成效报告（辖区内，按年份和类型）",
    description="year：活动年份（收入按该年实施的项目）；type：项目类型代码或名称（如 youth_health、青春健康）。"
    "增收由基线和最近一次跟踪收入计算，按年折算；缺跟踪数据的户单列，不按零计。",
)
def outcome_report(
    request: HttpRequest, year: int | None = Query(None, ge=1990, le=2100), type: str = ""
) -> Any:
    return selectors.outcome_report(actor=actor(request), year=year, type_code=type[:40])


@router.get(
    "/{int:project_id}/outcomes",
    response={200: OutcomesOut, **READ},
    tags=PROJECTS,
    summary="一个项目的成效（活动、参与人、问卷分数、帮扶户增收）",
)
def project_outcomes(request: HttpRequest, project_id: int) -> Any:
    who = actor(request)
    project = selectors.project_get(actor=who, project_id=project_id)
    return selectors.project_outcomes(actor=who, project=project)

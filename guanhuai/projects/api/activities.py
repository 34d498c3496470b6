"""/api/v1/projects/{id}/activities: a project's activities, logging one, and adding a photo to one. The same
service and the same refusals as the phone page (`projects/{id}/activities/new/`): a kind or venue kind the
type does not list, a date outside the project's dates, a place outside its area or not the caller's, a
negative count or a total that does not match its breakdown, scores outside 0–100 (422); a project not
running (409). A project outside the caller's scope is a 404, as one that does not exist; a place is one of
the page's choices (`selectors.activity_places`), anything else one 422 that names no branch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from guanhuai.core.api import READ, WRITE, actor, not_found, paginate, ref
from guanhuai.projects import selectors, services
from guanhuai.projects.api.common import router
from guanhuai.projects.api.lifecycle import ProjectDocumentOut

ACTIVITIES = ["projects"]


class ActivityIn(Schema):
    kind: str = Field(description="活动类型代码（项目类型所列，如 peer_education）")
    venue_kind: str = Field(description="场所类型代码（如 school）")
    venue_unit_id: int = Field(description="活动地点所在单位（须在项目实施范围内，且您在那里可登记活动）")
    venue_name: str
    held_on: dt.date
    participants: int = Field(description="参与人数合计")
    counts: dict[str, int] = Field(
        default_factory=dict, description="参与人分项，如 {'male': 10, 'female': 12, 'age_15_19': 22}"
    )
    description: str = ""
    respondents: int = 0
    knowledge_pre: Decimal | None = Field(None, description="前测平均分（0–100）")
    knowledge_post: Decimal | None = Field(None, description="后测平均分（0–100）")


class ActivityOut(Schema):
    id: int
    kind: str
    venue_kind: str
    venue_unit_id: int
    venue_unit_name: str
    venue_name: str
    held_on: dt.date
    description: str
    participants: int
    counts: dict[str, int]
    respondents: int
    knowledge_pre: Decimal | None
    knowledge_post: Decimal | None
    photo_ids: list[int]
    recorded_at: dt.datetime

    @staticmethod
    def resolve_venue_unit_name(obj: Any) -> str:
        return obj.venue_unit.name

    @staticmethod
    def resolve_counts(obj: Any) -> dict[str, int]:
        return {c.field: c.count for c in obj.counts.all()}

    @staticmethod
    def resolve_photo_ids(obj: Any) -> list[int]:
        return [p.pk for p in obj.photos.all()]

    @staticmethod
    def resolve_recorded_at(obj: Any) -> dt.datetime:
        return obj.created_at


def _activities(request: HttpRequest, project_id: int) -> Any:
    project = selectors.project_get(actor=actor(request), project_id=project_id)
    return selectors.activity_list(actor=actor(request), project=project).prefetch_related("counts")


@router.get(
    "/{int:project_id}/activities",
    response={200: list[ActivityOut], **READ},
    tags=ACTIVITIES,
    summary="项目的活动（新的在前），含参与人分项和照片编号",
    description="分页：limit（最多200）、offset。",
)
@paginate
def activity_list(request: HttpRequest, project_id: int) -> Any:
    return _activities(request, project_id)


@router.post(
    "/{int:project_id}/activities",
    response={201: ActivityOut, **WRITE},
    tags=ACTIVITIES,
    summary="登记一次项目活动（照片另行上传到 …/activities/{id}/photos）",
    description="422：活动或场所类型不属于该项目类型、日期不在实施期内、地点不是实施范围内您可登记活动的单位"
    "（venue_outside_area）、人数为负或与分项不符、分数不在0–100之间；409：项目不在实施中。",
)
def activity_create(request: HttpRequest, project_id: int, payload: ActivityIn) -> Any:
    who = actor(request)
    project = selectors.project_get(actor=who, project_id=project_id)
    # the page's choices: a branch of the project's area where the caller logs activities; any other id gets
    # one answer that names no branch
    venue = ref(
        lambda: selectors.activity_place_get(actor=who, project=project, unit_id=payload.venue_unit_id),
        code="venue_outside_area",
        message=_("活动地点须是项目实施范围内、您可以登记活动的单位。"),
    )
    activity = services.activity_log(
        actor=who,
        project=project,
        kind=payload.kind,
        venue_kind=payload.venue_kind,
        venue_unit=venue,
        venue_name=payload.venue_name,
        held_on=payload.held_on,
        participants=payload.participants,
        counts=payload.counts,
        description=payload.description,
        respondents=payload.respondents,
        knowledge_pre=payload.knowledge_pre,
        knowledge_post=payload.knowledge_post,
    )
    return Status(201, _activities(request, project_id).get(pk=activity.pk))


@router.post(
    "/{int:project_id}/activities/{int:activity_id}/photos",
    response={201: ProjectDocumentOut, **WRITE},
    tags=ACTIVITIES,
    summary="为一次活动上传照片（JPEG、PNG 或 PDF，按文件内容判断）",
    description="422：文件类型不对、与扩展名不符、过大或为空；409：同一文件已上传过；403：您不能在活动地点登记活动。",
)
def activity_photo_create(
    request: HttpRequest,
    project_id: int,
    activity_id: int,
    file: UploadedFile = File(...),  # noqa: B008
) -> Any:
    activity = _activities(request, project_id).filter(pk=activity_id).first()
    if activity is None:
        raise not_found()
    return Status(201, services.activity_photo_add(actor=actor(request), activity=activity, upload=file))

"""/api/v1/association/campaigns…: re-registration campaigns (会员再登记) over the API, the same steps as the
pages: open one over a branch's subtree (its roll is built by a durable job), a village confirms its members,
and after the deadline it is closed by another durable job that lapses the unconfirmed
(`association.services.campaigns`). Thin, on the core/api kit.

No `from __future__ import annotations`: ninja reads annotations at import time."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from guanhuai.association import selectors, services
from guanhuai.association.api.common import unit_ref
from guanhuai.core.api import AUTH_ERRORS, READ, WRITE, DayIn, Id, actor, paginate
from guanhuai.jobs.api import JobOut, job_accepted

router = Router(tags=["协会会员与组织"])


class CampaignOut(Schema):
    id: int
    org_unit_id: int
    title: str
    opened_on: dt.date
    deadline: dt.date
    status: str
    lapsed: int


class VillageProgressOut(Schema):
    unit_id: int
    name: str
    on_roll: int = Field(description="名单上的会员数")
    confirmed: int

    @staticmethod
    def resolve_on_roll(obj: Any) -> int:
        return int(obj.total)


class CampaignDetailOut(CampaignOut):
    villages: list[VillageProgressOut]


class CampaignConfirmIn(Schema):
    unit_id: int = Field(ge=1, le=2**63 - 1, description="确认的村(社区)")
    member_ids: list[int] = Field(min_length=1, max_length=5000)


class CampaignConfirmOut(Schema):
    confirmed: int


class CampaignOpenIn(Schema):
    org_unit_id: Id = Field(description="发起再登记的协会：名单为其下全部在册会员")
    title: str = Field(min_length=1, max_length=100)
    opened_on: DayIn
    deadline: DayIn


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], **AUTH_ERRORS},
    summary="会员再登记（本辖区及覆盖本辖区的）",
)
@paginate
def campaign_list(request: HttpRequest) -> Any:
    return selectors.campaign_list(actor=actor(request))


@router.get(
    "/campaigns/{int:campaign_id}",
    response={200: CampaignDetailOut, **READ},
    summary="会员再登记及各村确认进度",
)
def campaign_get(request: HttpRequest, campaign_id: int) -> Any:
    who = actor(request)
    campaign = selectors.campaign_get(actor=who, campaign_id=campaign_id)
    campaign.villages = selectors.campaign_progress(actor=who, campaign=campaign)  # type: ignore[attr-defined]
    return campaign


@router.post(
    "/campaigns/{int:campaign_id}/confirm",
    response={200: CampaignConfirmOut, **WRITE},
    summary="村(社区)批量确认会员再登记",
    description="一次确认多名会员；已确认的不重复计数。422：名单外的会员、已截止或未开始的再登记、unit_id 不在辖区内。",
)
def campaign_confirm(request: HttpRequest, campaign_id: int, payload: CampaignConfirmIn) -> Any:
    who = actor(request)
    campaign = selectors.campaign_get(actor=who, campaign_id=campaign_id)
    n = services.campaign_confirm(
        actor=who,
        campaign=campaign,
        village=unit_ref(request, payload.unit_id),
        member_ids=payload.member_ids,
    )
    return {"confirmed": n}


@router.post(
    "/campaigns",
    response={201: CampaignOut, **WRITE},
    summary="发起会员再登记",
    description="名单（其下全部在册会员）由后台任务生成，生成期间状态为 preparing，完成后为 open。"
    "422 deadline：截止日期早于开始日期或今天；422 title：未填名称，或该范围内（上级、本级或下级）已有进行中的再登记；"
    "422 unknown_unit：协会不存在或不在辖区内；403：无权管理会员。",
)
def campaign_open(request: HttpRequest, payload: CampaignOpenIn) -> Any:
    who = actor(request)
    campaign = services.campaign_open(
        actor=who,
        org_unit=unit_ref(request, payload.org_unit_id),
        title=payload.title,
        opened_on=payload.opened_on,
        deadline=payload.deadline,
    )
    # Read again: an inline task may have built the roll and opened it already.
    return Status(201, selectors.campaign_get(actor=who, campaign_id=campaign.pk))


@router.post(
    "/campaigns/{int:campaign_id}/close",
    response={202: JobOut, **WRITE},
    summary="结束会员再登记（后台任务：未确认的会员逾期失效）",
    description="截止日期之后才能结束；状态变为 closing，排入一个后台任务，把名单上仍未确认的在册会员一次设为逾期未登记，"
    "然后状态为 closed。202：返回该任务（GET /api/v1/jobs/{id} 查看进度）。"
    "409 invalid_transition：已在结束中（任务已排队，不再排第二个）或已结束，或名单尚未生成；"
    "422 deadline：尚未过截止日期；403：可查看但无权管理会员；"
    "404：再登记不存在或不在辖区内（下级只能查看上级发起的再登记，不能结束它）。",
)
def campaign_close(request: HttpRequest, campaign_id: int) -> Any:
    who = actor(request)
    campaign = selectors.campaign_get(actor=who, campaign_id=campaign_id)
    job = services.campaign_close_submit(actor=who, campaign=campaign)
    return job_accepted(who, job)

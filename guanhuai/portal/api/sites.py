"""/api/v1/portal/sites: the public sites of the branches in the actor's scope, and a site's name, footer
contacts, Traditional conversion and openness (the same service as the page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from guanhuai.core.api import AUTH_ERRORS, READ, WRITE, paginate
from guanhuai.core.api import actor as actor_of
from guanhuai.portal import selectors, services
from guanhuai.portal.permissions import MANAGE_SITES
from guanhuai.portal.states import TraditionalVariant

router = Router()


class SiteOut(Schema):
    id: int
    slug: str
    unit_code: str = Field(alias="unit.code")
    name: str
    address: str
    postcode: str
    phone: str
    email: str
    record_no: str
    traditional: TraditionalVariant
    is_active: bool


class SiteEditIn(Schema):
    """Only the fields sent change; the branch and the address in URLs cannot."""

    name: str | None = Field(None, min_length=1, max_length=60)
    address: str | None = Field(None, max_length=120)
    postcode: str | None = Field(None, max_length=10)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    record_no: str | None = Field(None, max_length=40)
    traditional: TraditionalVariant | None = None
    is_active: bool | None = None


@router.get("", response={200: list[SiteOut], **AUTH_ERRORS}, summary="本辖区的门户网站")
@paginate
def portal_site_list(request: HttpRequest) -> Any:
    return selectors.site_list(actor=actor_of(request))


@router.get("/{int:site_id}", response={200: SiteOut, **READ}, summary="门户网站详情")
def portal_site_get(request: HttpRequest, site_id: int) -> Any:
    return selectors.site_get(actor=actor_of(request), id=site_id)


@router.patch(
    "/{int:site_id}",
    response={200: SiteOut, **WRITE},
    summary="修改网站名称、页脚联系方式、繁体转换方式或是否对外开放",
    description="公开页面即时更新；每项改动记入审计日志（原值和新值）。422：邮箱格式不对等；403：无网站管理权限；"
    "404：不在本辖区。",
)
def portal_site_update(request: HttpRequest, site_id: int, payload: SiteEditIn) -> Any:
    actor = actor_of(request)
    site = selectors.site_get(actor=actor, id=site_id)
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    services.site_update(actor=actor, site=site, **fields)
    return selectors.site_get(actor=actor, id=site_id, perm=MANAGE_SITES)

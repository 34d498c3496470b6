"""/api/v1/portal/articles…: articles of the sites in the actor's scope, and their workflow. Reads through
`selectors` (an editor's or approver's scope; out of scope is the same 404 as missing), writes through
`services` (403 without the permission or for an approver publishing their own article, 409 for a move
the state table refuses, 422 for bad input with the same message as on the page)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from guanhuai.core.api import LIST, READ, WRITE, Id, paginate
from guanhuai.core.api import actor as actor_of
from guanhuai.portal import selectors, services
from guanhuai.portal.states import ArticleStatus, BodyFormat

router = Router()


class ArticleOut(Schema):
    id: int
    code: str
    site: str = Field(alias="site.slug")
    column: str = Field(alias="column.path")
    title: str
    subtitle: str
    author: str
    source: str
    status: ArticleStatus
    body_format: BodyFormat
    body_source: str
    body: str
    tags: str
    publish_at: dt.datetime | None
    expire_at: dt.datetime | None
    withdrawn_reason: str
    return_note: str


class ArticleIn(Schema):
    column_id: Id
    title: str = Field(min_length=1, max_length=200)
    subtitle: str = Field("", max_length=200)
    author: str = Field("", max_length=100)
    source: str = Field("", max_length=100)
    body_format: BodyFormat = BodyFormat.MARKDOWN
    body_source: str = Field("", max_length=200_000)
    tags: str = Field("", max_length=200)
    expire_at: dt.datetime | None = None


class ArticleEditIn(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    subtitle: str | None = Field(None, max_length=200)
    author: str | None = Field(None, max_length=100)
    source: str | None = Field(None, max_length=100)
    body_format: BodyFormat | None = None
    body_source: str | None = Field(None, max_length=200_000)
    tags: str | None = Field(None, max_length=200)


class PublishIn(Schema):
    publish_at: dt.datetime | None = None


class PublishOut(Schema):
    article: ArticleOut
    published_now_although_scheduled: bool


class ArticleReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class NoteIn(Schema):
    note: str = Field(min_length=1, max_length=200)


@router.get(
    "",
    response={200: list[ArticleOut], **LIST},
    summary="门户文章列表（限本辖区网站）",
    description="status：draft / pending / scheduled / published / withdrawn。分页：limit（最多200）、offset。",
)
@paginate
def portal_article_list(request: HttpRequest, status: ArticleStatus | None = None) -> Any:
    return selectors.article_list(actor=actor_of(request), status=status or "")


@router.post(
    "",
    response={201: ArticleOut, **WRITE},
    summary="起草文章",
    description="正文经过净化（去掉脚本、事件属性和外部框架）；图片缺少说明文字或标题跳级时 422。403：无编辑权限。",
)
def portal_article_create(request: HttpRequest, payload: ArticleIn) -> Any:
    actor = actor_of(request)
    column = selectors.column_get(actor=actor, id=payload.column_id)
    data = payload.dict(exclude={"column_id"})
    return Status(201, services.article_create(actor=actor, column=column, **data))


@router.get("/{int:article_id}", response={200: ArticleOut, **READ}, summary="文章详情")
def portal_article_get(request: HttpRequest, article_id: int) -> Any:
    return selectors.article_get(actor=actor_of(request), id=article_id)


@router.patch(
    "/{int:article_id}",
    response={200: ArticleOut, **WRITE},
    summary="修改草稿",
    description="只能修改草稿或待审核的文章（待审核的改后回到草稿）；其他状态 422。",
)
def portal_article_update(request: HttpRequest, article_id: int, payload: ArticleEditIn) -> Any:
    actor = actor_of(request)
    article = selectors.article_get(actor=actor, id=article_id)
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    return services.article_update(actor=actor, article=article, **fields)


@router.post("/{int:article_id}/submit", response={200: ArticleOut, **WRITE}, summary="提交审核")
def portal_article_submit(request: HttpRequest, article_id: int) -> Any:
    actor = actor_of(request)
    return services.article_submit(actor=actor, article=selectors.article_get(actor=actor, id=article_id))


@router.post(
    "/{int:article_id}/return", response={200: ArticleOut, **WRITE}, summary="退回修改（须写明意见）"
)
def portal_article_return(request: HttpRequest, article_id: int, payload: NoteIn) -> Any:
    actor = actor_of(request)
    article = selectors.article_get(actor=actor, id=article_id)
    return services.article_return(actor=actor, article=article, note=payload.note)


@router.post(
    "/{int:article_id}/publish",
    response={200: PublishOut, **WRITE},
    summary="审核发布（立即或定时）",
    description="publish_at 为空或已过：立即发布，published_now_although_scheduled 说明是否因时间已过而立即发布。"
    "403：无发布权限，或审核人就是作者。409：文章不是待审核状态。",
)
def portal_article_publish(request: HttpRequest, article_id: int, payload: PublishIn) -> Any:
    actor = actor_of(request)
    article = selectors.article_get(actor=actor, id=article_id)
    past = services.article_publish(actor=actor, article=article, publish_at=payload.publish_at)
    return {"article": article, "published_now_although_scheduled": past}


@router.post(
    "/{int:article_id}/withdraw",
    response={200: ArticleOut, **WRITE},
    summary="撤回（须写明原因，文章留档、不再公开）",
)
def portal_article_withdraw(request: HttpRequest, article_id: int, payload: ArticleReasonIn) -> Any:
    actor = actor_of(request)
    article = selectors.article_get(actor=actor, id=article_id)
    return services.article_withdraw(actor=actor, article=article, reason=payload.reason)

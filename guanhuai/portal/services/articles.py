"""Writes of sites, columns and articles. Each service checks permission and state, runs in one
transaction, saves with `update_fields`, writes its audit entry, and starts side effects after commit
(the page cache of the site is bumped on publish and withdraw, so the public sees the change at once).

The workflow (`states.ARTICLE_TRANSITIONS`, docs/portal.md): an editor drafts and submits; an approver at
the same branch publishes or schedules; the approver may never be the article's author; a published
article is withdrawn with a reason and stays in the archive."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import PermissionDenied, ValidationError
from guanhuai.core.states import transition
from guanhuai.core.text import to_simplified
from guanhuai.orgs.models import OrgUnit
from guanhuai.portal import public
from guanhuai.portal.models import Article, Column, Site
from guanhuai.portal.permissions import EDIT, MANAGE_SITES, PUBLISH
from guanhuai.portal.sanitise import plain_text, render_body
from guanhuai.portal.states import ARTICLE_TRANSITIONS, ArticleStatus, BodyFormat

RESERVED_SLUGS = {"hant", "hans", "manage", "static", "media", "api"}
ARTICLE_FIELDS = ("title", "subtitle", "author", "source", "body_format", "body_source", "tags", "expire_at")


def _code(day: dt.date) -> str:
    """An article's public name: its creation date and six random characters (no internal id leaks)."""
    return f"{day:%Y%m%d}-{secrets.token_hex(3)}"


def _bump_after_commit(site_id: int) -> None:
    transaction.on_commit(lambda: public.bump_site(site_id))


# --- sites and columns ---------------------------------------------------------------------------------


def site_create(*, actor: Actor | None, unit: OrgUnit, name: str, slug: str, **contacts: Any) -> Site:
    """Open a public site for a branch (one per branch). `actor=None` is system work (the demo)."""
    if actor is not None:
        scoping.require(actor, MANAGE_SITES, unit)
    if slug in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s”是保留的网址名，请换一个。") % {"slug": slug}, code="slug")
    with transaction.atomic():
        if Site.objects.filter(unit=unit).exists():
            raise ValidationError(_("该协会已开设门户网站。"), code="unit")
        if Site.objects.filter(slug=slug).exists():
            raise ValidationError(_("网址名已被其他网站使用。"), code="slug")
        site = Site(unit=unit, name=name, slug=slug, **contacts)
        site.full_clean()
        site.save()
        log(site, "portal.site.created", actor=actor, org_unit=unit, data={"slug": slug})
    return site


SITE_FIELDS = ("name", "address", "postcode", "phone", "email", "record_no", "traditional", "is_active")


def site_update(*, actor: Actor, site: Site, **values: Any) -> list[str]:
    """Change a site's name, the contacts in its footer (address, postcode, phone, email, the ICP record
    number), how it converts to Traditional, or whether it is open to the public (`SITE_FIELDS`; its branch
    and its address in URLs stay). Audited with each changed field's old and new value; the public pages
    show the change at once (the site's cache generation moves). Returns the names of the changed fields."""
    scoping.require(actor, MANAGE_SITES, site.unit)
    unknown = set(values) - set(SITE_FIELDS)
    if unknown:
        raise ValidationError(
            _("不能设置字段：%(fields)s。") % {"fields": ", ".join(sorted(unknown))}, code="bad_field"
        )
    with transaction.atomic():
        locked = Site.objects.unscoped("the site just read through scoping, under lock").select_for_update()
        site = locked.select_related("unit").get(pk=site.pk)
        changed = {f: (getattr(site, f), v) for f, v in values.items() if getattr(site, f) != v}
        if not changed:
            return []
        for field, (_old, new) in changed.items():
            setattr(site, field, new)
        try:
            site.full_clean()
        except DjangoValidationError as exc:
            field, errors = next(iter(exc.message_dict.items()))
            raise ValidationError(errors[0], code=field) from None
        site.save(update_fields=list(changed))
        log(
            site,
            "portal.site.saved",
            actor=actor,
            org_unit=site.unit,
            data={"changes": {f: {"old": old, "new": new} for f, (old, new) in changed.items()}},
        )
    _bump_after_commit(site.pk)
    return list(changed)


def column_create(
    *,
    actor: Actor | None,
    site: Site,
    name: str,
    slug: str,
    parent: Column | None = None,
    position: int = 0,
    description: str = "",
) -> Column:
    if actor is not None:
        scoping.require(actor, MANAGE_SITES, site.unit)
    if parent is not None and parent.site_id != site.pk:
        raise ValidationError(_("上级栏目不属于这个网站。"), code="parent")
    path = f"{parent.path}/{slug}" if parent is not None else slug
    with transaction.atomic():
        if Column.objects.filter(site=site, path=path).exists():
            raise ValidationError(_("同一级栏目中已有这个网址名。"), code="slug")
        column = Column(
            site=site,
            parent=parent,
            name=name,
            slug=slug,
            position=position,
            path=path,
            description=description,
        )
        column.full_clean()
        column.save()
        log(column, "portal.column.created", actor=actor, org_unit=site.unit, data={"path": path})
    return column


def column_update(
    *,
    actor: Actor,
    column: Column,
    name: str,
    slug: str,
    parent: Column | None = None,
    position: int = 0,
    description: str = "",
    is_active: bool = True,
) -> Column:
    """Rename, re-slug, hide or move a column (under another parent of the same site, or to the top). Its
    path and the paths of every column below it follow; the public pages change at once."""
    scoping.require(actor, MANAGE_SITES, column.site.unit)
    if parent is not None and parent.site_id != column.site_id:
        raise ValidationError(_("上级栏目不属于这个网站。"), code="parent")
    if parent is not None and (parent.pk == column.pk or parent.path.startswith(column.path + "/")):
        raise ValidationError(_("不能把栏目移到它自己或它的下级栏目之下。"), code="parent")
    old_path = column.path
    path = f"{parent.path}/{slug}" if parent is not None else slug
    with transaction.atomic():
        if Column.objects.filter(site_id=column.site_id, path=path).exclude(pk=column.pk).exists():
            raise ValidationError(_("同一级栏目中已有这个网址名。"), code="slug")
        column.parent, column.name, column.slug, column.path = parent, name, slug, path
        column.position, column.description, column.is_active = position, description, is_active
        column.full_clean()
        column.save(update_fields=["parent", "name", "slug", "path", "position", "description", "is_active"])
        if path != old_path:
            below = list(
                Column.objects.unscoped("a moved column's sub-columns, already in the actor's scope").filter(
                    site_id=column.site_id, path__startswith=old_path + "/"
                )
            )
            for child in below:
                child.path = path + child.path[len(old_path) :]
            Column.objects.bulk_update(below, ["path"])
        log(
            column,
            "portal.column.saved",
            actor=actor,
            org_unit=column.site.unit,
            data={"path": path, "old_path": old_path, "name": name, "is_active": is_active},
        )
    _bump_after_commit(column.site_id)
    return column


def column_delete(*, actor: Actor, column: Column) -> None:
    """Remove an empty column. A column that holds articles (of any status: the archive keeps withdrawn
    ones) or sub-columns is refused with a message: move or hide it instead."""
    scoping.require(actor, MANAGE_SITES, column.site.unit)
    with transaction.atomic():
        if Article.objects.filter(column=column).exists():
            raise ValidationError(
                _(
                    "栏目“%(name)s”中还有文章（含草稿和已撤回的），不能删除；可以先把文章移到其他栏目，或把栏目设为隐藏。"
                )
                % {"name": column.name},
                code="has_articles",
            )
        if Column.objects.filter(parent=column).exists():
            raise ValidationError(
                _("栏目“%(name)s”还有下级栏目，不能删除；请先删除或移走下级栏目。") % {"name": column.name},
                code="has_children",
            )
        log(
            column,
            "portal.column.deleted",
            actor=actor,
            org_unit=column.site.unit,
            data={"path": column.path},
        )
        column.delete()
    _bump_after_commit(column.site_id)


# --- articles ----------------------------------------------------------------------------------------------


def _render(article: Article) -> None:
    article.body = render_body(article.body_source, article.body_format)
    text = " ".join([article.title, article.subtitle, article.author, article.tags, plain_text(article.body)])
    article.search_text = to_simplified(text).lower()


def _require_edit(actor: Actor, site: Site) -> None:
    scoping.require(actor, EDIT, site.unit)


def article_create(
    *,
    actor: Actor,
    column: Column,
    title: str,
    body_source: str = "",
    body_format: str = BodyFormat.MARKDOWN,
    subtitle: str = "",
    author: str = "",
    source: str = "",
    tags: str = "",
    expire_at: dt.datetime | None = None,
    legacy_key: str | None = None,
) -> Article:
    """A draft in `column`. The body is sanitised now; what the editor wrote is kept as written."""
    site = column.site
    _require_edit(actor, site)
    article = Article(
        site=site, column=column, code=_code(timezone.localdate()), title=title.strip(), subtitle=subtitle,
        author=author, source=source, body_source=body_source, body_format=body_format, tags=tags,
        expire_at=expire_at, legacy_key=legacy_key, created_by=signed_in(actor),
    )  # fmt: skip
    if not article.title:
        raise ValidationError(_("请填写标题。"), code="title")
    _render(article)
    with transaction.atomic():
        article.full_clean(exclude=["cover"])
        article.save()
        log(article, "portal.article.created", actor=actor, org_unit=site.unit, data={"column": column.path})
    return article


def article_update(*, actor: Actor, article: Article, column: Column | None = None, **fields: Any) -> Article:
    """Edit a draft (or a pending article, which goes back to draft: the approver must see what they
    approve). A published article is withdrawn and written anew, never changed under its readers."""
    _require_edit(actor, article.site)
    if article.status not in (ArticleStatus.DRAFT, ArticleStatus.PENDING):
        raise ValidationError(_("只有草稿和待审核的文章可以修改。"), code="status")
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise ValueError(f"not article fields: {sorted(unknown)}")
    changes = {k: [str(getattr(article, k)), str(v)] for k, v in fields.items() if getattr(article, k) != v}
    for name, value in fields.items():
        setattr(article, name, value)
    update = [*fields, "body", "search_text", "updated_at"]
    if column is not None and column.pk != article.column_id:
        if column.site_id != article.site_id:
            raise ValidationError(_("栏目不属于这个网站。"), code="column")
        article.column = column
        update.append("column")
    if article.status == ArticleStatus.PENDING:
        transition(article, ArticleStatus.DRAFT, ARTICLE_TRANSITIONS)
        update.append("status")
    _render(article)
    with transaction.atomic():
        article.full_clean(exclude=["cover"])
        article.save(update_fields=update)
        log(article, "portal.article.saved", actor=actor, org_unit=article.site.unit, changes=changes)
    return article


def article_submit(*, actor: Actor, article: Article) -> Article:
    _require_edit(actor, article.site)
    with transaction.atomic():
        transition(article, ArticleStatus.PENDING, ARTICLE_TRANSITIONS)
        article.return_note = ""
        article.save(update_fields=["status", "return_note", "updated_at"])
        log(article, "portal.article.submitted", actor=actor, org_unit=article.site.unit)
    return article


def _require_approver(actor: Actor, article: Article) -> None:
    scoping.require(actor, PUBLISH, article.site.unit)
    if article.created_by_id is not None and article.created_by_id == signed_in(actor).pk:
        raise PermissionDenied(_("文章须由作者以外的审核人发布。"), code="same_person")


def article_return(*, actor: Actor, article: Article, note: str) -> Article:
    _require_approver(actor, article)
    if not note.strip():
        raise ValidationError(_("请写明退回意见。"), code="note")
    with transaction.atomic():
        transition(article, ArticleStatus.DRAFT, ARTICLE_TRANSITIONS)
        article.return_note = note.strip()
        article.save(update_fields=["status", "return_note", "updated_at"])
        log(article, "portal.article.returned", actor=actor, org_unit=article.site.unit, data={"note": note})
    return article


def article_publish(*, actor: Actor, article: Article, publish_at: dt.datetime | None = None) -> bool:
    """Publish now, or schedule for `publish_at`. A time already past publishes now; the return value says
    so (True: published now although a time was given), and the page tells the approver."""
    _require_approver(actor, article)
    now = timezone.now()
    past = publish_at is not None and publish_at <= now
    scheduled = publish_at is not None and not past
    when = publish_at if scheduled and publish_at is not None else now
    if article.expire_at is not None and article.expire_at <= when:
        raise ValidationError(_("下线时间必须晚于发布时间。"), code="expire_at")
    with transaction.atomic():
        transition(
            article, ArticleStatus.SCHEDULED if scheduled else ArticleStatus.PUBLISHED, ARTICLE_TRANSITIONS
        )
        article.publish_at = when
        article.approved_by = signed_in(actor)
        article.save(update_fields=["status", "publish_at", "approved_by", "updated_at"])
        log(
            article,
            "portal.article.scheduled" if scheduled else "portal.article.published",
            actor=actor,
            org_unit=article.site.unit,
            data={"publish_at": when.isoformat(), "asked_in_past": past},
        )
        _bump_after_commit(article.site_id)
    return past


def article_withdraw(*, actor: Actor, article: Article, reason: str) -> Article:
    """Take a published or scheduled article off the public site. It stays in the archive with its reason."""
    _require_approver_or_editor(actor, article)
    if not reason.strip():
        raise ValidationError(_("请写明撤回原因。"), code="reason")
    with transaction.atomic():
        transition(article, ArticleStatus.WITHDRAWN, ARTICLE_TRANSITIONS)
        article.withdrawn_reason = reason.strip()[:200]
        article.withdrawn_at = timezone.now()
        article.save(update_fields=["status", "withdrawn_reason", "withdrawn_at", "updated_at"])
        log(
            article,
            "portal.article.withdrawn",
            actor=actor,
            org_unit=article.site.unit,
            data={"reason": reason},
        )
        _bump_after_commit(article.site_id)
    return article


def _require_approver_or_editor(actor: Actor, article: Article) -> None:
    """Withdrawal is urgent work (a wrong figure in public): the approver of the branch may do it, and so
    may its editor, even the author; it is the opposite of publishing, so segregation does not apply."""
    if scoping.can(actor, PUBLISH, article.site.unit):
        return
    scoping.require(actor, EDIT, article.site.unit)


def articles_publish_due(*, now: dt.datetime | None = None) -> int:
    """System work (the `portal.publish_due` job): scheduled articles whose time has come become published.
    Public reads already show them from their time (`selectors.public.public_q`); this makes the staff
    status say so and moves the sites' page caches on."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Article.objects.unscoped("scheduled articles of every site are published on time")
            .select_for_update()
            .filter(status=ArticleStatus.SCHEDULED, publish_at__lte=now)
            .select_related("site__unit")
        )
        for article in due:
            transition(article, ArticleStatus.PUBLISHED, ARTICLE_TRANSITIONS)
            article.save(update_fields=["status", "updated_at"])
            log(
                article,
                "portal.article.published",
                actor=None,
                org_unit=article.site.unit,
                data={"scheduled": True},
            )
        for site_id in {a.site_id for a in due}:
            _bump_after_commit(site_id)
    return len(due)

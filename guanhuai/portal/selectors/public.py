"""What the public may read: open sites, their visible columns, and articles that are public now
(published, or scheduled with the time come; not expired). Drafts, pending, withdrawn and expired
articles do not exist here: a path probe for one is the same `NotFound` as a missing one.

These reads cross branches on purpose (the public site of any branch is public); each says so with
`unscoped(...)`, and none returns a staff-only field to a template."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.core.errors import NotFound
from guanhuai.core.text import to_simplified
from guanhuai.portal.models import Article, Attachment, Column, Site
from guanhuai.portal.states import ArticleStatus

WHY = "the public portal shows published articles of every branch"


def _missing() -> NotFound:
    return NotFound(_("您访问的页面不存在或已删除。"))


def public_q(prefix: str = "") -> Q:
    """The one definition of "public now"."""
    now = timezone.now()
    return (
        Q(**{f"{prefix}status__in": [ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED]})
        & Q(**{f"{prefix}publish_at__lte": now})
        & (Q(**{f"{prefix}expire_at__isnull": True}) | Q(**{f"{prefix}expire_at__gt": now}))
    )


def site_public_get(*, slug: str) -> Site:
    site = Site.objects.unscoped(WHY).filter(slug=slug, is_active=True).first()
    if site is None:
        raise _missing()
    return site


def site_moved_to(*, slug: str) -> Site | None:
    """The open site that a site closed by a branch merge now answers with (following merges of merges),
    or None: an unknown slug, a site closed for another reason, or a chain that ends at a closed site."""
    site = Site.objects.unscoped(WHY).filter(slug=slug, is_active=False, moved_to__isnull=False).first()
    seen = set()
    while site is not None and not site.is_active and site.moved_to_id and site.pk not in seen:
        seen.add(site.pk)
        site = Site.objects.unscoped(WHY).filter(pk=site.moved_to_id).first()
    return site if site is not None and site.is_active and seen else None


def site_public_list() -> QuerySet[Site]:
    return Site.objects.unscoped(WHY).filter(is_active=True).select_related("unit")


def columns_public(site: Site) -> list[Column]:
    """The site's visible columns in tree order (parents before children), for the navigation."""
    return list(Column.objects.unscoped(WHY).filter(site=site, is_active=True).order_by("position", "pk"))


def column_public_get(*, site: Site, path: str) -> Column:
    column = Column.objects.unscoped(WHY).filter(site=site, path=path.strip("/"), is_active=True).first()
    if column is None:
        raise _missing()
    return column


def column_trail(column: Column) -> list[Column]:
    """The column and its ancestors, root first (the breadcrumbs). One query per level; trees are shallow."""
    trail = [column]
    while trail[0].parent_id:
        trail.insert(0, Column.objects.unscoped(WHY).get(pk=trail[0].parent_id))
    return trail


def articles_public(
    *, site: Site, column: Column | None = None, descendants: bool = True
) -> QuerySet[Article]:
    """Public articles of the site, newest first; of a column and (by default) its sub-columns."""
    qs = Article.objects.unscoped(WHY).filter(public_q(), site=site)
    if column is not None:
        if descendants:
            # The column and its sub-columns as a short list of ids (one small query), so the index on
            # (column, status, publish_at) serves the filter; a join on the column's path could not.
            ids = [column.pk] + list(
                Column.objects.unscoped(WHY)
                .filter(site=site, path__startswith=column.path + "/")
                .values_list("pk", flat=True)
            )
            # One column (the usual case) is an equality, so the (column, publish_at) index serves the order
            # and a page stops after its rows; several need a sort.
            qs = qs.filter(column_id=ids[0]) if len(ids) == 1 else qs.filter(column_id__in=ids)
        else:
            qs = qs.filter(column=column)
    return qs.select_related("column").order_by("-publish_at", "-pk")


def article_public_get(*, site: Site, code: str) -> Article:
    article = articles_public(site=site).filter(code=code).first()
    if article is None:
        raise _missing()
    return article


def article_neighbours(article: Article) -> tuple[Article | None, Article | None]:
    """(previous, next) within the article's column: previous is the one published just before."""
    same = articles_public(site=article.site, column=article.column, descendants=False)
    assert article.publish_at is not None
    before = same.filter(
        Q(publish_at__lt=article.publish_at) | Q(publish_at=article.publish_at, pk__lt=article.pk)
    ).first()
    after = (
        same.filter(
            Q(publish_at__gt=article.publish_at) | Q(publish_at=article.publish_at, pk__gt=article.pk)
        )
        .order_by("publish_at", "pk")
        .first()
    )
    return before, after


def attachments_public(article: Article) -> list[Attachment]:
    return list(article.attachments.all())


def attachment_public_get(*, article: Article, code: str) -> Attachment:
    attachment = article.attachments.filter(code=code).first()
    if attachment is None:
        raise _missing()
    return attachment


def search_public(*, site: Site, query: str) -> QuerySet[Article]:
    """Public articles whose title or body holds every word of the query, in either form: the query is
    folded to Simplified as `search_text` is, and matched as substrings (Chinese needs no word breaks;
    a substring match works the same on SQLite and PostgreSQL)."""
    words = [w for w in to_simplified(query).lower().split() if w][:5]
    if not words:
        return articles_public(site=site).none()
    qs = articles_public(site=site)
    for word in words:
        qs = qs.filter(search_text__contains=word)
    return qs

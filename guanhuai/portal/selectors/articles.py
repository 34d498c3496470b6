"""Staff reads of sites, columns and articles, scoped by the site's branch (`accounts.scoping`): an
editor of 仁化县 sees 仁化县's site and nothing of 韶关市's. Missing and out of scope are the same
`NotFound`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.portal.models import Article, Column, Site
from guanhuai.portal.permissions import EDIT, PUBLISH, VIEW_STATS

STAFF = "staff"  # an editor's, an approver's or an auditor's view: any of the three lets a person see it


def site_list(*, actor: Actor, perm: str = EDIT) -> QuerySet[Site]:
    return scoping.scope(Site.objects.select_related("unit"), actor, perm, unit_field="unit").order_by(
        "unit__path"
    )


def site_get(*, actor: Actor, id: Any, perm: str = EDIT) -> Site:
    return scoping.get_or_404(Site.objects.select_related("unit"), actor, perm, unit_field="unit", pk=id)


def column_list(*, actor: Actor, site: Site | None = None, perm: str = EDIT) -> QuerySet[Column]:
    qs = scoping.scope(Column.objects.select_related("site"), actor, perm, unit_field="site__unit")
    if site is not None:
        qs = qs.filter(site=site)
    return qs.order_by("site_id", "path")


def column_get(*, actor: Actor, id: Any, perm: str = EDIT) -> Column:
    return scoping.get_or_404(
        Column.objects.select_related("site"), actor, perm, unit_field="site__unit", pk=id
    )


def _staff_scope(qs: QuerySet[Article], actor: Actor, perm: str) -> QuerySet[Article]:
    if perm != STAFF:
        return scoping.scope(qs, actor, perm, unit_field="site__unit")
    parts = [scoping.path_q(actor, p, path_field="site__unit__path") for p in (EDIT, PUBLISH, VIEW_STATS)]
    if not all(parts):  # an empty Q: a superuser, who sees everything
        return scoping.mark_scoped(qs)
    q = parts[0] | parts[1] | parts[2]
    return scoping.mark_scoped(qs.filter(q))


def article_list(
    *, actor: Actor, perm: str = STAFF, status: str = "", site: Site | None = None, q: str = ""
) -> QuerySet[Article]:
    qs = _staff_scope(
        Article.objects.select_related("site", "column", "created_by", "approved_by"), actor, perm
    )
    if status:
        qs = qs.filter(status=status)
    if site is not None:
        qs = qs.filter(site=site)
    if q:
        qs = qs.filter(title__contains=q)
    return qs.order_by("-updated_at", "-pk")


def article_get(*, actor: Actor, id: Any, perm: str = STAFF) -> Article:
    qs = _staff_scope(
        Article.objects.select_related("site", "site__unit", "column", "created_by", "approved_by"),
        actor,
        perm,
    )
    try:
        return qs.get(pk=id)
    except (Article.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。")) from None

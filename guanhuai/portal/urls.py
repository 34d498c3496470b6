"""The portal's routes (namespace "portal"), mounted in guanhuai/urls.py before the web app's.

Public pages live under `gk/` (公开): every route in `PUBLIC_ROUTES` is mounted twice, at
`gk/<site>/<route>` (Simplified, name `portal:<name>`) and `gk/hant/<site>/<route>` (Traditional, name
`portal:hant_<name>`), so that each form has its own URL and is cached under it (`portal.public`). A
site's slug may not be "hant" (`services.articles.RESERVED_SLUGS`). Staff pages live under
`portal/manage/` and need a login, as other apps' pages do."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponseBase
from django.urls import URLPattern, path

from guanhuai.portal.views import disclosure, manage
from guanhuai.portal.views import public as pub

app_name = "portal"
View = Callable[..., HttpResponseBase]

# (route below the site, view, name). po2's disclosure pages add theirs here.
PUBLIC_ROUTES: list[tuple[str, View, str]] = [
    ("", pub.site_home, "site"),
    ("c/<path:column_path>/", pub.column, "column"),
    ("a/<slug:code>/", pub.article, "article"),
    ("a/<slug:code>/print/", pub.article_print, "article_print"),
    ("a/<slug:code>/files/<slug:file>/", pub.attachment, "attachment"),
    ("search/", pub.search, "search"),
    ("feed/<path:column_path>/rss.xml", pub.rss, "rss"),
    ("feed/<path:column_path>/atom.xml", pub.atom, "atom"),
    ("sitemap.xml", pub.sitemap, "sitemap"),
    # 阳光计生 disclosure (po2)
    ("ygjs/", disclosure.disclosure, "disclosure"),
    ("ygjs/gs/", disclosure.notice_list, "notices"),
    ("ygjs/gs/<slug:ref>/", disclosure.notice, "notice"),
    ("ygjs/funds/", disclosure.funds, "funds"),
    ("ygjs/report/<int:year>/", disclosure.annual_report, "annual_report"),
    # projects and villages (po3)
    ("ygjs/projects/", disclosure.project_list, "projects"),
    ("ygjs/projects/<str:code>/", disclosure.project, "project"),
    ("ygjs/happy-families/", disclosure.happy_families, "happy_families"),
    ("ygjs/villages/", disclosure.village_list, "villages"),
    ("ygjs/villages/<slug:code>/", disclosure.village, "village"),
]


def _public(routes: list[tuple[str, View, str]]) -> list[URLPattern]:
    patterns = []
    for script, prefix, name_prefix in (
        ("hant", "gk/hant/<slug:site>/", "hant_"),
        ("hans", "gk/<slug:site>/", ""),
    ):
        for route, view, name in routes:
            patterns.append(
                path(prefix + route, view, {"script": script, "url_name": name}, name=name_prefix + name)
            )
    return patterns


urlpatterns = [
    path("gk/", pub.index, name="index"),
    path("portal/manage/", manage.article_list, name="manage"),
    path("portal/manage/articles/new/", manage.article_create, name="manage_article_create"),
    path("portal/manage/articles/<int:pk>/", manage.article_detail, name="manage_article"),
    path("portal/manage/articles/<int:pk>/edit/", manage.article_edit, name="manage_article_edit"),
    path("portal/manage/articles/<int:pk>/submit/", manage.article_submit, name="manage_article_submit"),
    path("portal/manage/articles/<int:pk>/return/", manage.article_return, name="manage_article_return"),
    path("portal/manage/articles/<int:pk>/publish/", manage.article_publish, name="manage_article_publish"),
    path(
        "portal/manage/articles/<int:pk>/withdraw/", manage.article_withdraw, name="manage_article_withdraw"
    ),
    path("portal/manage/articles/<int:pk>/attachments/", manage.attachment_add, name="manage_attachment_add"),
    path(
        "portal/manage/articles/<int:pk>/attachments/<int:file>/remove/",
        manage.attachment_remove,
        name="manage_attachment_remove",
    ),
    path("portal/manage/articles/<int:pk>/cover/", manage.cover_set, name="manage_cover"),
    path("portal/manage/columns/<int:pk>/", manage.column_edit, name="manage_column"),
    path("portal/manage/columns/<int:pk>/delete/", manage.column_delete, name="manage_column_delete"),
    path("portal/manage/sites/", manage.site_list, name="manage_sites"),
    path("portal/manage/sites/new/", manage.site_create, name="manage_site_create"),
    path("portal/manage/sites/<int:pk>/", manage.site_detail, name="manage_site"),
    path("portal/manage/sites/<int:pk>/edit/", manage.site_edit, name="manage_site_edit"),
    path("portal/manage/stats/", manage.stats, name="stats"),
    path("portal/manage/stats/rollup/", manage.stats_rollup, name="stats_rollup"),
    path("portal/manage/legacy/", disclosure.legacy_upload, name="manage_legacy"),
    *_public(PUBLIC_ROUTES),
]

"""The public pages of a site: its home, column pages, articles. Thin: each reads `selectors.public` and
renders a template extending `portal/public/base.html`; `public.public_page` does 简/繁, caching, read
counts and the CSP (see its docstring for how a new page joins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from guanhuai.core.web import page_of
from guanhuai.portal import reads
from guanhuai.portal.models import Article, Column, Site
from guanhuai.portal.public import public_page, public_url
from guanhuai.portal.sanitise import plain_text
from guanhuai.portal.selectors import public as sel

COLUMN_PAGE = 20
HOME_PER_COLUMN = 6


def frame(site: Site) -> dict:
    """What every public page's frame shows: the column navigation and the visit counter."""
    columns = sel.columns_public(site)
    return {
        "site": site,
        "nav": [c for c in columns if c.parent_id is None],
        "visits": reads.site_visits(site),
    }


@public_page()
def site_home(request: HttpRequest, site: Site) -> HttpResponse:
    shown = frame(site)
    blocks = [(c, list(sel.articles_public(site=site, column=c)[:HOME_PER_COLUMN])) for c in shown["nav"]]
    return render(request, "portal/public/home.html", {**shown, "blocks": blocks})


@dataclass(frozen=True)
class Window:
    """A page of a column without counting the column: the page's rows plus one tell whether a next page
    exists. At 100,000 articles the count was most of an uncached column page's time; a reader pages on
    with 上一页/下一页 and never needed the total."""

    object_list: list[Article]
    number: int
    has_next: bool
    paginator: None = None  # the pager shows "共 N 页" only for a counted page (search)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def window_of(request: HttpRequest, items: QuerySet[Article], *, size: int) -> Window:
    asked = request.GET.get("page", "")
    number = min(int(asked), 100_000) if asked.isdigit() and int(asked) > 0 else 1
    start = (number - 1) * size
    rows = list(items[start : start + size + 1])
    return Window(object_list=rows[:size], number=number, has_next=len(rows) > size)


@public_page()
def column(request: HttpRequest, site: Site, column_path: str) -> HttpResponse:
    col = sel.column_public_get(site=site, path=column_path)
    page = window_of(request, sel.articles_public(site=site, column=col), size=COLUMN_PAGE)
    children = [c for c in sel.columns_public(site) if c.parent_id == col.pk]
    return render(
        request,
        "portal/public/column.html",
        {**frame(site), "column": col, "trail": sel.column_trail(col), "page": page, "children": children},
    )


@public_page()
def article(request: HttpRequest, site: Site, code: str) -> HttpResponse:
    return _article(request, site, code, "portal/public/article.html")


@public_page()
def article_print(request: HttpRequest, site: Site, code: str) -> HttpResponse:
    return _article(request, site, code, "portal/public/article_print.html")


def _article(request: HttpRequest, site: Site, code: str, template: str) -> HttpResponse:
    art = sel.article_public_get(site=site, code=code)
    art.site = site  # already read by public_page: the neighbours' query needs it
    previous, following = sel.article_neighbours(art)
    response = render(
        request,
        template,
        {
            **frame(site),
            "article": art,
            "trail": sel.column_trail(art.column),
            "reads": reads.article_reads(art),
            "attachments": sel.attachments_public(art),
            "previous": previous,
            "next": following,
        },
    )
    response.__dict__["portal_article_id"] = art.pk  # read by public_page to count the read
    return response


SEARCH_PAGE = 20


@public_page()
def search(request: HttpRequest, site: Site) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    results = sel.search_public(site=site, query=query)
    page = page_of(request, results, size=SEARCH_PAGE) if query else None
    return render(request, "portal/public/search.html", {**frame(site), "query": query, "page": page})


@public_page(cache_page=False)
def attachment(request: HttpRequest, site: Site, code: str, file: str) -> HttpResponseBase:
    """An attachment of a public article, served as a download (never rendered inline: an uploaded file
    must not run in the site's origin)."""
    art = sel.article_public_get(site=site, code=code)
    att = sel.attachment_public_get(article=art, code=file)
    response = FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.name, content_type=att.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@public_page()
def sitemap(request: HttpRequest, site: Site) -> HttpResponse:
    base = request.build_absolute_uri("/")[:-1]
    articles = (
        sel.articles_public(site=site)
        .select_related(None)
        .only("code", "updated_at", "publish_at")[:SITEMAP_LIMIT]
    )
    return render(
        request,
        "portal/public/sitemap.xml",
        {"base": base, "site": site, "columns": sel.columns_public(site), "articles": articles},
        content_type="application/xml; charset=utf-8",
    )


SITEMAP_LIMIT = 50_000  # the sitemap protocol's limit per file


class _ColumnFeed(Feed):
    """The column's newest articles as RSS 2.0 (or Atom): title, link, time and a summary of the body."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> tuple[Site, Column]:
        self.request = request
        site: Site = kwargs["site"]
        return site, sel.column_public_get(site=site, path=kwargs["column_path"])

    def title(self, obj: tuple[Site, Column]) -> str:
        site, col = obj
        return f"{col.name} - {site.name}"

    def link(self, obj: tuple[Site, Column]) -> str:
        return public_url(self.request, "column", column_path=obj[1].path)

    def description(self, obj: tuple[Site, Column]) -> str:
        return obj[1].description or obj[0].name

    def items(self, obj: tuple[Site, Column]) -> QuerySet[Article]:
        site, col = obj
        return sel.articles_public(site=site, column=col)[:FEED_ITEMS]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return Truncator(plain_text(item.body)).chars(200)

    def item_link(self, item: Article) -> str:
        return public_url(self.request, "article", code=item.code)

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        return item.publish_at

    def item_author_name(self, item: Article) -> str | None:
        return item.author or None


class _ColumnAtom(_ColumnFeed):
    feed_type = Atom1Feed
    subtitle = _ColumnFeed.description


FEED_ITEMS = 20


@public_page()
def rss(request: HttpRequest, site: Site, column_path: str) -> HttpResponse:
    return _ColumnFeed()(request, site=site, column_path=column_path)


@public_page()
def atom(request: HttpRequest, site: Site, column_path: str) -> HttpResponse:
    return _ColumnAtom()(request, site=site, column_path=column_path)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """`/gk/`: the list of open sites, for a visitor who typed the prefix only."""
    return render(request, "portal/public/index.html", {"sites": sel.site_public_list()})

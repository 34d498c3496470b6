"""How a public page of the portal is served: Simplified or Traditional, cached, counted, and under a
Content-Security-Policy. Every public view goes through `public_page`; nothing else converts, caches or
counts.

**A new public page** (po2's notices, the funds disclosure …):

1. Write a plain view `def notice_list(request, site): ...` that renders a template extending
   `portal/public/base.html` (blocks `title`, `crumbs`, `content`) and returns the response. `site` is the
   `Site` object, already checked to be open to the public; `request.portal` is the `PublicContext` below
   (script, the other script's URL, the site). Build links with `{% load portal %}{% purl "name" … %}`
   (or `public_url(request, "name", …)` in Python): it keeps the reader in the form they chose.
2. Decorate it: `@public_page()` (or `@public_page(cache_page=False)` for a page with a form that carries a CSRF
   token, or whose answer depends on the visitor).
3. Add its route to `PUBLIC_ROUTES` in `portal/urls.py`: it is mounted twice, at `/gk/<site>/…`
   (Simplified, name `portal:<name>`) and `/gk/hant/<site>/…` (Traditional, name `portal:hant_<name>`), so
   each form has its own URL and is cached under it.

What the decorator does, in order:
- renders in Chinese whatever language the browser asks for (the staff UI's English is for staff);
- finds the site by its slug; a missing or closed site, and a `NotFound` from the view (a missing, draft,
  withdrawn or expired article), are the same public 404 page (`portal/public/404.html`);
- records the visit (site-wide, once per visitor per day) and, when the page is an article's, the read
  (`portal.reads`): also on a cached answer;
- answers a GET from the page cache when it can. The key holds the site's generation, which
  `bump_site(site)` moves on every publish and withdraw (after commit), so an article appears and
  disappears at once; a page is kept at most `GUANHUAI_PORTAL_CACHE_SECONDS`;
- otherwise runs the view and, for a Traditional URL, converts the whole rendered page with OpenCC
  (`core.text.to_traditional`, with the site's variant: s2t, s2hk or s2twp). Stored text keeps the form
  it was written in: only the page is converted, never the database;
- sets the CSP (`PUBLIC_CSP`, through django-csp's middleware): no inline script at all, nothing from
  another origin except images over https.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponsePermanentRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from guanhuai.core.errors import NotFound
from guanhuai.core.text import to_traditional
from guanhuai.portal.models import Site
from guanhuai.portal.states import Script

# No inline script or style attribute is needed by any public page; images may come from https hosts
# because an article's body may show one (its alt text is required by the sanitiser).
PUBLIC_CSP: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "frame-src": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

VISITOR_COOKIE = "gk_v"
CSP_HEADER_NAME = "Content-Security-Policy"
TRADITIONAL_PATH = "/gk/hant/"
PUBLIC_LANGUAGE = "zh-hans"  # the language of the public pages' own words, whatever the browser asks
TRADITIONAL_PREFIX = "hant_"


@dataclass(frozen=True)
class PublicContext:
    """What a public page knows about how it is being read (`request.portal`)."""

    site: Site
    script: str  # Script.SIMPLIFIED or Script.TRADITIONAL
    url_name: str  # the route's name without the script prefix: "article"
    kwargs: dict[str, Any]

    @property
    def traditional(self) -> bool:
        return self.script == Script.TRADITIONAL

    @property
    def lang(self) -> str:
        return "zh-Hant" if self.traditional else "zh-Hans"

    def url(self, name: str, *, script: str | None = None, **kwargs: Any) -> str:
        return _reverse(script or self.script, name, site=self.site.slug, **kwargs)

    @property
    def simplified_url(self) -> str:
        return self.url(self.url_name, script=Script.SIMPLIFIED, **self.kwargs)

    @property
    def traditional_url(self) -> str:
        return self.url(self.url_name, script=Script.TRADITIONAL, **self.kwargs)


def _reverse(script: str, name: str, **kwargs: Any) -> str:
    prefix = TRADITIONAL_PREFIX if script == Script.TRADITIONAL else ""
    return reverse(f"portal:{prefix}{name}", kwargs=kwargs)


def context_of(request: HttpRequest) -> PublicContext:
    """The `PublicContext` that `public_page` put on the request (templates read it as `request.portal`)."""
    ctx: PublicContext = request.__dict__["portal"]
    return ctx


def _set_csp(response: HttpResponseBase) -> None:
    """The public policy on this response (django-csp's middleware leaves a header it finds alone)."""
    response[CSP_HEADER_NAME] = _csp_header()


def public_url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    """The URL of public page `name` of the current site, in the form the reader is reading."""
    return context_of(request).url(name, **kwargs)


def site_url(site: Site, name: str = "site", *, script: str = Script.SIMPLIFIED, **kwargs: Any) -> str:
    """A public URL from outside a public request (feeds, the sitemap, staff pages' "view on site")."""
    return _reverse(script, name, site=site.slug, **kwargs)


KEEP = re.compile(r"(<!--keep-->.*?<!--/keep-->)", re.S)
# in fixtures/, which the package data ships (pyproject.toml); not a loaddata fixture (.tsv is never loaded)
FIXES_FILE = Path(__file__).parent / "fixtures" / "traditional_fixes.tsv"


@lru_cache(maxsize=1)
def _fixes() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """OpenCC's known phrase errors and their corrections (`fixtures/traditional_fixes.tsv`), as one pattern."""
    table = {}
    for line in FIXES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            wrong, right = line.split("\t")
            table[wrong] = right
    if not table:
        return None, table
    return re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True)))), table


def fix_traditional(text: str) -> str:
    pattern, table = _fixes()
    return pattern.sub(lambda m: table[m.group(0)], text) if pattern else text


def convert(text: str, site: Site) -> str:
    """Simplified → Traditional with the site's OpenCC configuration. A part of a template between
    `<!--keep-->` and `<!--/keep-->` stays as written: the 简体/繁體 switch names each form in its own
    characters, whichever form the page is in."""
    parts = KEEP.split(text)
    return "".join(
        p if p.startswith("<!--keep-->") else fix_traditional(to_traditional(p, config=site.traditional))
        for p in parts
    )


# --- the page cache ---------------------------------------------------------------------------------------


def _generation(site_id: int) -> int:
    return cache.get_or_set(f"portal:gen:{site_id}", 1, timeout=None) or 1


def bump_site(site_id: int) -> None:
    """Every cached page of the site is stale from now on (call after commit of a publish or withdraw)."""
    key = f"portal:gen:{site_id}"
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, timeout=None)


def _page_key(path: str) -> str:
    """One cache entry per full path: the path names the site and the form (`/gk/hant/<site>/…`)."""
    return "portal:page:" + hashlib.sha256(path.encode()).hexdigest()[:32]


def _cached(path: str) -> dict[str, Any] | None:
    """The cached page at `path` if it is still current: it was rendered in the site's generation of now.
    Two cache reads (the page, then its site's generation), no database query."""
    entry = cache.get(_page_key(path))
    if entry is None or entry["gen"] != _generation(entry["site_id"]):
        return None
    return entry


def _csp_header() -> str:
    global _CSP_HEADER
    if _CSP_HEADER is None:
        from csp.utils import build_policy

        _CSP_HEADER = build_policy(config=PUBLIC_CSP["DIRECTIVES"])
    return _CSP_HEADER


_CSP_HEADER: str | None = None


def _finish(request: HttpRequest, response: HttpResponseBase, visitor: str, new_visitor: bool) -> None:
    """What every public answer carries, from the full stack or the fast path: the visitor's cookie (first
    visit), the Content-Security-Policy and the frame rule."""
    if new_visitor:
        response.set_cookie(
            VISITOR_COOKIE,
            visitor,
            max_age=400 * 86400,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    response[CSP_HEADER_NAME] = _csp_header()
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    response["Content-Language"] = "zh-Hant" if TRADITIONAL_PATH in request.path_info else "zh-Hans"


def _from_cache(request: HttpRequest, entry: dict[str, Any], visitor: str, new_visitor: bool) -> HttpResponse:
    from guanhuai.portal import reads

    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    response["X-Portal-Cache"] = "hit"
    if request.method == "GET":
        reads.record(request, site_id=entry["site_id"], article_id=entry["article_id"], visitor=visitor)
    _finish(request, response, visitor, new_visitor)
    return response


def serve_cached(request: HttpRequest) -> HttpResponse | None:
    """The fast path (`portal.middleware.PublicCacheMiddleware`): a cached public page answered before the
    session, authentication, CSRF, locale and scope middleware run, with the same headers and the same
    read counting as the full stack. None when the page is not cached (or no longer current): the full
    stack then renders it (and caches it)."""
    entry = _cached(request.get_full_path())
    if entry is None:
        return None
    visitor, new_visitor = _visitor(request)
    return _from_cache(request, entry, visitor, new_visitor)


# --- the decorator -----------------------------------------------------------------------------------------


def public_page(
    *, cache_page: bool = True
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
            # The public site is Chinese whatever the visitor's browser asks (the staff UI's English is
            # for staff); its two forms are 简 and 繁. One language also keeps one cache entry per URL.
            with translation.override(PUBLIC_LANGUAGE):
                return serve(request, **kwargs)

        def serve(
            request: HttpRequest, *, site: str, script: str, url_name: str, **kwargs: Any
        ) -> HttpResponseBase:
            from guanhuai.portal import reads
            from guanhuai.portal.selectors import public as public_selectors

            try:
                site_obj = public_selectors.site_public_get(slug=site)
            except NotFound:
                moved = public_selectors.site_moved_to(slug=site)
                if moved is not None:
                    return _moved(moved, script, url_name, kwargs)
                return _not_found(request, None, script)
            request.__dict__["portal"] = PublicContext(
                site=site_obj, script=script, url_name=url_name, kwargs=kwargs
            )
            visitor, new_visitor = _visitor(request)
            use_cache = cache_page and request.method in ("GET", "HEAD")
            path = request.get_full_path()
            hit = _cached(path) if use_cache else None
            if hit is not None:
                return _from_cache(request, hit, visitor, new_visitor)
            generation = _generation(site_obj.pk)  # read before rendering: a publish meanwhile makes it stale
            try:
                response = view(request, site=site_obj, **kwargs)
            except NotFound:
                return _not_found(request, site_obj, script)
            if hasattr(response, "render"):
                response.render()
            article_id = getattr(response, "portal_article_id", None)
            if script == Script.TRADITIONAL and isinstance(response, HttpResponse) and _is_text(response):
                response.content = convert(response.content.decode(response.charset), site_obj).encode(
                    response.charset
                )
            if use_cache and response.status_code == 200 and isinstance(response, HttpResponse):
                entry = {
                    "content": response.content,
                    "content_type": response["Content-Type"],
                    "article_id": article_id,
                    "site_id": site_obj.pk,
                    "gen": generation,
                }
                cache.set(_page_key(path), entry, timeout=settings.GUANHUAI_PORTAL_CACHE_SECONDS)
                response["X-Portal-Cache"] = "miss"
            if response.status_code == 200 and request.method == "GET":
                reads.record(request, site_id=site_obj.pk, article_id=article_id, visitor=visitor)
            _finish(request, response, visitor, new_visitor)
            return response

        return wrapper

    return decorate


# The pages whose address means the same on the receiving branch's site after a merge: its disclosure covers
# the merged branch's notices, projects and villages, which followed the merge. An article, a column, a
# feed or a file belonged to the closed site: they go to the receiving site's home page.
SAME_AFTER_MERGE = {
    "site",
    "search",
    "disclosure",
    "notices",
    "notice",
    "funds",
    "annual_report",
    "projects",
    "project",
    "villages",
    "village",
}


def _moved(site: Site, script: str, url_name: str, kwargs: dict[str, Any]) -> HttpResponse:
    """301 from a site closed by a branch merge to the receiving branch's site, in the same form."""
    if url_name in SAME_AFTER_MERGE:
        return HttpResponsePermanentRedirect(site_url(site, url_name, script=script, **kwargs))
    return HttpResponsePermanentRedirect(site_url(site, "site", script=script))


def _not_found(request: HttpRequest, site: Site | None, script: str) -> HttpResponse:
    """The public 404: the same page for a missing article, a draft, a withdrawn one and an unknown site
    (the selectors raise the same `NotFound` for all of them), without the staff site's chrome."""
    html = str(render_to_string("portal/public/404.html", {"site": site}, request=None))
    if script == Script.TRADITIONAL:
        html = fix_traditional(to_traditional(html))
    response = HttpResponse(html, status=404)
    _set_csp(response)
    return response


def _is_text(response: HttpResponseBase) -> bool:
    kind = response.get("Content-Type", "")
    return kind.startswith(("text/", "application/xml", "application/rss+xml", "application/atom+xml"))


def _visitor(request: HttpRequest) -> tuple[str, bool]:
    """The visitor's anonymous key: a random cookie of ours (no Django session is opened for a reader).
    Without the cookie (a first visit, a client that refuses cookies) the key is a keyed hash of the
    address and browser for the day: the address itself is never stored."""
    cookie = request.COOKIES.get(VISITOR_COOKIE, "")
    if len(cookie) == 32 and all(c in "0123456789abcdef" for c in cookie):
        return cookie, False
    # The cookie then takes this key, so the first read and the next ones are the same visitor.
    raw = f"{settings.SECRET_KEY}|{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')}"
    return hashlib.sha256(f"{raw}|{timezone.localdate()}".encode()).hexdigest()[:32], True

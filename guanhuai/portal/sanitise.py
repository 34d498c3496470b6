"""The one way an article's body becomes HTML the public sees: Markdown or limited HTML in, sanitised HTML
out, through nh3 (the Rust `ammonia` sanitiser), with an allow-list of tags and attributes.

- No script, no style, no inline event handler, no `javascript:` URL: nh3 drops them.
- No iframe at all: a video is linked, not embedded (a foreign frame is a way around the CSP).
- Links to other sites get `rel="noopener noreferrer"`.
- An image without alt text is refused (`missing_alt`), not silently kept: GB/T 37668 asks that every
  image says what it shows, and only the editor knows.
- Headings start at h2 (the page's title is the h1) and may not skip a level (`heading_order`); in
  Markdown the highest heading the editor used becomes h2.
Markdown is rendered by markdown-it-py in its CommonMark preset with raw HTML allowed, then sanitised the
same way, so Markdown is no way around the allow-list."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from guanhuai.core.errors import ValidationError
from guanhuai.portal.states import BodyFormat

TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "caption",
    "pre", "code", "span", "div", "figure", "figcaption",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")


def clean_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_body(source: str, body_format: str) -> str:
    """The sanitised HTML of what the editor wrote. Raises `ValidationError` (code `missing_alt` or
    `heading_order`) for what only the editor can fix."""
    html = _markdown.render(source or "") if body_format == BodyFormat.MARKDOWN else (source or "")
    # The page's title is the h1: a Markdown body's highest heading (# or ##, as the editor chose) becomes h2.
    if body_format == BodyFormat.MARKDOWN:
        levels = [int(n) for n in re.findall(r"<h([1-6])>", html)]
        shift = 2 - min(levels) if levels else 0
        html = re.sub(r"<(/?)h([1-6])>", lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}>", html)
    cleaned = clean_html(html)
    _check_accessibility(cleaned)
    return cleaned


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.missing_alt = 0
        self.levels: list[int] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and not (dict(attrs).get("alt") or "").strip():
            self.missing_alt += 1
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _check_accessibility(html: str) -> None:
    outline = _Outline()
    outline.feed(html)
    if outline.missing_alt:
        raise ValidationError(
            _("有 %(n)d 张图片没有说明文字（alt）。请为每张图片写明它显示的内容，方便视障读者。")
            % {"n": outline.missing_alt},
            code="missing_alt",
        )
    previous = 1
    for level in outline.levels:
        if level > previous + 1:
            raise ValidationError(
                _("标题层级不能跳级：正文从二级标题开始，下一级标题只能比上一级低一级。"),
                code="heading_order",
            )
        previous = level


def plain_text(html: str) -> str:
    """The text of sanitised HTML, for search and summaries."""
    outline = _Outline()
    outline.feed(html)
    return re.sub(r"\s+", " ", "".join(outline.text)).strip()

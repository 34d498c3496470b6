"""PDF output with an embedded CJK font: receipts now, notices and certificates later.

Every PDF the platform hands out must print the same on any machine, so the Chinese font is embedded
(subset) in the file, never just named. reportlab embeds TrueType (glyf) outlines only; CFF-outline
OpenType fonts such as Noto Sans CJK are refused. The default is therefore WenQuanYi Zen Hei (Debian
`fonts-wqy-zenhei`, a TrueType collection, GPL with a font-embedding exception); AR PL UMing (Debian
`fonts-arphic-uming`) is the fallback. `GUANHUAI_CJK_FONT` (a setting or an environment variable) names
another TrueType file; `path.ttc#1` picks a face in a collection.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

FONT_NAME = "GuanhuaiCJK"
ENV_VAR = "GUANHUAI_CJK_FONT"
# (file, face index in a .ttc collection), tried in order when nothing is configured.
CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
)
INSTALL_HINT = "apt-get install fonts-wqy-zenhei"

_lock = threading.Lock()
_registered: str | None = None


class FontMissing(ImproperlyConfigured):
    """No usable CJK TrueType font: a deployment problem, not a user error."""


@dataclass(frozen=True)
class FontSpec:
    path: Path
    index: int = 0


def _parse(value: str) -> FontSpec:
    path, _sep, index = value.strip().partition("#")
    try:
        return FontSpec(Path(path).expanduser(), int(index) if index else 0)
    except ValueError:
        raise FontMissing(
            _("%(var)s=%(value)s 格式不正确：应为字体文件路径，或“路径#序号”。")
            % {"var": ENV_VAR, "value": value}
        )


def font_spec() -> FontSpec:
    """The font to embed: the configured one (which must exist), else the first installed candidate."""
    configured = getattr(settings, ENV_VAR, "") or os.environ.get(ENV_VAR, "")
    if configured:
        spec = _parse(str(configured))
        if not spec.path.is_file():
            raise FontMissing(
                _("%(var)s 指定的字体文件不存在：%(path)s") % {"var": ENV_VAR, "path": spec.path}
            )
        return spec
    for path, index in CANDIDATES:
        if Path(path).is_file():
            return FontSpec(Path(path), index)
    raise FontMissing(
        _(
            "找不到可嵌入PDF的中文字体。请安装 fonts-wqy-zenhei（%(hint)s），"
            "或用 %(var)s 指定一个 TrueType 字体文件（.ttf/.ttc）。"
        )
        % {"hint": INSTALL_HINT, "var": ENV_VAR}
    )


def cjk_font() -> str:
    """Register the CJK font with reportlab once per process and return its name."""
    global _registered
    if _registered:
        return _registered
    with _lock:
        if _registered:
            return _registered
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFError, TTFont

        spec = font_spec()
        try:
            font = TTFont(FONT_NAME, str(spec.path), subfontIndex=spec.index)
        except TTFError as exc:
            # Typically "postscript outlines are not supported": a CFF font such as Noto Sans CJK.
            raise FontMissing(
                _("字体 %(path)s 无法嵌入PDF（需要 TrueType 轮廓的字体，例如 fonts-wqy-zenhei）：%(err)s")
                % {"path": spec.path, "err": exc}
            )
        pdfmetrics.registerFont(font)
        _registered = FONT_NAME
        return _registered


def styles() -> dict[str, Any]:
    """Paragraph styles in the CJK font, with CJK line breaking (any character may end a line)."""
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    font = cjk_font()
    base = ParagraphStyle("cjk", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("cjk-small", parent=base, fontSize=8.5, leading=12),
        "title": ParagraphStyle("cjk-title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER),
        "heading": ParagraphStyle("cjk-heading", parent=base, fontSize=12.5, leading=18, spaceBefore=6),
        "right": ParagraphStyle("cjk-right", parent=base, alignment=TA_RIGHT),
        "cell": ParagraphStyle("cjk-cell", parent=base, fontSize=9.5, leading=13),
        "cell_right": ParagraphStyle(
            "cjk-cell-right", parent=base, fontSize=9.5, leading=13, alignment=TA_RIGHT
        ),
    }


def watermark(canvas: Any, text: str, *, color: tuple[float, float, float] = (0.85, 0.1, 0.1)) -> None:
    """A large diagonal stamp across the page (e.g. 作废), drawn translucent so the content stays legible."""
    width, height = canvas._pagesize
    canvas.saveState()
    canvas.setFont(cjk_font(), min(width, height) / 3.2)
    canvas.setFillColorRGB(*color, alpha=0.28)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(28)
    canvas.drawCentredString(0, -min(width, height) / 12, text)
    canvas.restoreState()


PageHook = Callable[[Any, Any], None]


def build(
    story: list[Any],
    *,
    pagesize: tuple[float, float],
    title: str,
    author: str = "",
    margins: float = 36.0,
    on_page: PageHook | None = None,
) -> bytes:
    """Lay out `story` (platypus flowables) and return the PDF bytes. `on_page(canvas, doc)` draws on every
    page (watermarks, footers)."""
    from reportlab.platypus import SimpleDocTemplate

    font = cjk_font()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=pagesize,
        title=title,
        author=author,
        creator="Guanhuai",
        leftMargin=margins,
        rightMargin=margins,
        topMargin=margins,
        bottomMargin=margins,
        # The canvas starts in the CJK font too, so the file names no font it does not embed (Helvetica).
        initialFontName=font,
    )
    hook = on_page or (lambda canvas, doc: None)
    doc.build(story, onFirstPage=hook, onLaterPages=hook)
    return buf.getvalue()

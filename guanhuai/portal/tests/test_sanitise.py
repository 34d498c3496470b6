"""What an editor writes can never run in a reader's browser: scripts, event handlers, javascript: links
and foreign frames are removed, through Markdown or HTML alike; images need alt text; headings keep
their order."""

from __future__ import annotations

import pytest

from guanhuai.core.errors import ValidationError
from guanhuai.portal.sanitise import plain_text, render_body
from guanhuai.portal.states import BodyFormat

HTML = BodyFormat.HTML
MD = BodyFormat.MARKDOWN


@pytest.mark.parametrize("fmt", [HTML, MD])
def test_a_script_is_removed_with_its_content(fmt):
    body = render_body("<p>通知</p><script>alert('x')</script><SCRIPT src=//evil.example/a.js></SCRIPT>", fmt)
    assert "<script" not in body.lower()
    assert "alert" not in body
    assert "通知" in body


@pytest.mark.parametrize("fmt", [HTML, MD])
def test_inline_event_handlers_and_javascript_links_are_removed(fmt):
    body = render_body(
        '<p onclick="steal()">点我</p><a href="javascript:steal()">链接</a>'
        '<img src="https://example.org/a.png" alt="会场" onerror="steal()">',
        fmt,
    )
    assert "onclick" not in body and "onerror" not in body and "javascript:" not in body
    assert "点我" in body and 'alt="会场"' in body


@pytest.mark.parametrize("fmt", [HTML, MD])
def test_frames_objects_and_styles_are_removed(fmt):
    body = render_body(
        '<iframe src="https://evil.example/"></iframe><object data="x.swf"></object>'
        '<embed src="x.swf"><style>body{display:none}</style><p style="position:fixed">正文</p>',
        fmt,
    )
    lowered = body.lower()
    for tag in ("<iframe", "<object", "<embed", "<style", "style="):
        assert tag not in lowered
    assert "正文" in body


def test_links_to_other_sites_cannot_reach_back():
    body = render_body('<p><a href="https://www.gov.cn/">中国政府网</a></p>', HTML)
    assert 'rel="noopener noreferrer"' in body


def test_markdown_becomes_paragraphs_lists_and_tables_with_headings_below_the_title():
    body = render_body(
        "# 一、工作目标\n\n第一段。\n\n- 甲\n- 乙\n\n| 项目 | 金额 |\n|---|---|\n| 关怀 | 3000 |\n", MD
    )
    assert "<h2>一、工作目标</h2>" in body
    assert "<p>第一段。</p>" in body and "<li>甲</li>" in body and "<td>3000</td>" in body


@pytest.mark.parametrize(
    "fmt, source", [(HTML, '<img src="https://example.org/a.png">'), (MD, "![](https://example.org/a.png)")]
)
def test_an_image_without_alt_text_is_refused_with_the_reason(fmt, source):
    with pytest.raises(ValidationError) as refused:
        render_body(source, fmt)
    assert refused.value.code == "missing_alt"
    assert "说明文字" in str(refused.value)


@pytest.mark.parametrize("top", ["#", "##"])
def test_the_highest_markdown_heading_becomes_h2(top):
    body = render_body(f"{top} 一、总体要求\n\n{top}# （一）目标\n", MD)
    assert "<h2>一、总体要求</h2>" in body and "<h3>（一）目标</h3>" in body


def test_headings_may_not_skip_a_level():
    with pytest.raises(ValidationError) as refused:
        render_body("<h2>一</h2><h4>二</h4>", HTML)
    assert refused.value.code == "heading_order"
    assert render_body("<h2>一</h2><h3>二</h3><h2>三</h2>", HTML)


def test_plain_text_is_the_words_only():
    assert plain_text("<p>计生<b>协会</b></p><p>关怀</p>") == "计生协会关怀"

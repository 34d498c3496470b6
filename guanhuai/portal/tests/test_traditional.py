"""The Traditional pages read right: OpenCC's s2t (the forms the association's own old site used: 爲, 裏,
衆) plus a small table of corrections for the phrases where OpenCC's longest match cuts across our words."""

from __future__ import annotations

import pytest

from guanhuai.portal.public import convert
from guanhuai.portal.tests.factories import ArticleFactory


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [
        ("省计生协", "省計生協"),
        ("发放补助", "發放補助"),
        ("理发店", "理髮店"),
        ("把握发挥作用", "把握發揮作用"),  # OpenCC alone: 把握髮揮 (the idiom 握髮)
        ("村干部", "村幹部"),
        ("面向全省", "面向全省"),
        ("面条", "麪條"),
        ("一只羊", "一隻羊"),
        ("公示名单只显示姓氏", "公示名單只顯示姓氏"),  # OpenCC alone: 名單隻
        ("只有", "只有"),
        ("以后", "以後"),
        ("皇后", "皇后"),
        ("这里", "這裏"),
        ("公里", "公里"),
    ],
)
def test_known_phrases_convert_right(portal, simplified, traditional):
    assert convert(simplified, portal.site) == traditional


def test_the_traditional_article_page_uses_the_corrections(client, portal):
    article = ArticleFactory(column=portal.news, title="公示名单只显示姓氏", body_source="要把握发挥作用。")
    html = client.get(f"/gk/hant/gd/a/{article.code}/").content.decode()
    assert "公示名單只顯示姓氏" in html and "名單隻" not in html

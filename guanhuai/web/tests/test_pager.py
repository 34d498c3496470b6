"""The pager under every list (`_pagination.html` over `core.web.page_of`): a page size the person picks, a
box to jump to any page, and both keep the list's filters."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory

from guanhuai.core.web import PAGE_SIZES, page_of
from guanhuai.registry.tests.factories import family

PERSONS = "/registry/persons/"


def rows(body: str) -> int:
    return len(re.findall(r'href="/registry/persons/\d+/"', body))


@pytest.fixture
def thirty(tree, people):
    """Three households of ten in 甲村: 30 persons."""
    for k in range(3):
        births = [f"{1980 + k * 10 + i}-03-0{i + 1}" for i in range(8)]
        family(people.clerk_a, tree.village_a, children=8, child_births=births, address=f"甲村{k}号")


def test_a_size_the_person_picks_pages_the_list_and_is_shown_selected(client, people, thirty):
    client.force_login(people.clerk_a)

    body = client.get(PERSONS, {"size": 20}).content.decode()

    assert rows(body) == 20
    assert "第 1 / 2 页" in body
    assert re.search(r'<option value="20" selected>', body)
    second = client.get(PERSONS, {"size": 20, "page": 2}).content.decode()
    assert rows(second) == 10


def test_a_size_not_offered_falls_back_to_the_list_default(client, people, thirty):
    client.force_login(people.clerk_a)
    for size in ("7", "100000", "abc", "-20"):
        body = client.get(PERSONS, {"size": size}).content.decode()
        assert rows(body) == 30, size  # the person list's own 50 a page


def test_the_size_choice_keeps_the_filters_and_the_order(client, people, thirty):
    client.force_login(people.clerk_a)

    body = client.get(
        PERSONS, {"size": 20, "order": "-birth", "hukou_type": "rural", "page": 2}
    ).content.decode()

    size = re.search(r'<form method="get"[^>]*data-pager="size">(.*?)</form>', body, re.S)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', size.group(1)))
    # the filters and order ride along; the page does not (a new size starts at page 1)
    assert hidden == {"order": "-birth", "hukou_type": "rural"}
    assert 'data-pager="jump"' not in body  # two pages: previous and next are enough


def test_page_of_offers_the_lists_own_size_among_the_choices():
    request = RequestFactory().get("/", {"page": "3", "size": "25"})

    page = page_of(request, list(range(200)), size=25)

    assert page.paginator.per_page == 25
    assert page.number == 3
    assert page.paginator.size_choices == tuple(sorted({25, *PAGE_SIZES}))
    assert list(page.object_list) == list(range(50, 75))


def test_the_jump_box_appears_on_a_long_list_and_a_page_out_of_range_is_the_last():
    from django.template.loader import render_to_string

    request = RequestFactory().get("/", {"q": "王", "page": "999", "size": "20"})
    page = page_of(request, list(range(100)), size=50)
    html = render_to_string("_pagination.html", {"page": page}, request=request)

    assert page.number == 5  # 100 rows of 20: the last page, not an error
    jump = re.search(r'data-pager="jump">(.*?)</form>', html, re.S).group(1)
    assert re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', jump) == [("q", "王"), ("size", "20")]
    assert 'max="5"' in jump and 'value="5"' in jump

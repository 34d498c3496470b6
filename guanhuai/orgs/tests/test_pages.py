import re

import pytest
from django.urls import reverse

from guanhuai.orgs import services
from guanhuai.orgs.models import OrgChange, OrgUnit
from guanhuai.orgs.tests.factories import OrgUnitFactory


def unit_url(unit, *extra):
    return reverse("orgs:unit", args=[unit.pk]) + "".join(extra)


def links(response):
    return set(re.findall(r'href="([^"]+)"', response.content.decode()))


# --- browsing -----------------------------------------------------------------------------------------


def test_drill_down_from_province_to_village(client, tree, people):
    client.force_login(people.admin)
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 200
    path = [tree.province, tree.city, tree.county, tree.town_a, tree.village_a]
    assert unit_url(path[0]) in links(response)
    for parent, child in zip(path, path[1:], strict=False):
        response = client.get(unit_url(parent))
        assert response.status_code == 200
        assert unit_url(child) in links(response), f"{parent.name} does not link to {child.name}"
    page = client.get(unit_url(tree.village_a)).content.decode()
    assert "440224100001" in page and "村(社区)" in page
    # breadcrumbs lead all the way back up
    for ancestor in path[:-1]:
        assert unit_url(ancestor) in links(client.get(unit_url(tree.village_a)))


def test_unit_page_shows_counts_per_level_and_per_child(client, tree, people):
    client.force_login(people.admin)
    response = client.get(unit_url(tree.county))
    assert response.context["level_rows"] == [
        {"level": "township", "label": "乡镇(街道)", "n": 2},
        {"level": "village", "label": "村(社区)", "n": 3},
    ]
    children = {c.name: c.count_cells for c in response.context["children"]}
    assert children == {"甲镇": [2], "乙镇": [1]}


def test_township_user_gets_404_for_a_sibling_township(client, tree, people):
    client.force_login(people.reviewer_a)
    for unit in (tree.town_b, tree.village_b, tree.county):
        assert client.get(unit_url(unit)).status_code == 404
        assert client.get(reverse("orgs:children", args=[unit.pk])).status_code == 404
    assert client.get(unit_url(tree.town_a)).status_code == 200
    assert client.get(reverse("orgs:children", args=[tree.town_a.pk])).status_code == 200


def test_township_user_lists_and_searches_only_their_township(client, tree, people):
    client.force_login(people.reviewer_a)
    tree_page = client.get(reverse("orgs:tree"))
    assert [u.name for u in tree_page.context["top_units"]] == ["甲镇"]
    for q in ("乙", "4402241010", "镇", "4402"):
        found = [u.name for u in client.get(reverse("orgs:tree"), {"q": q}).context["results"]]
        assert "乙镇" not in found and "乙村" not in found
    assert [u.name for u in client.get(reverse("orgs:tree"), {"q": "4402"}).context["results"]] == [
        "甲镇",
        "甲村",
        "甲社区",
    ]
    page = client.get(unit_url(tree.town_a))
    assert "乙" not in page.content.decode()
    # breadcrumbs do not reveal the county above
    assert page.context["breadcrumbs"] == []


def test_closed_units_are_hidden_unless_asked_for(client, tree, people):
    services.unit_close(actor=people.admin, unit=tree.community_a, note="撤销")
    client.force_login(people.admin)
    shown = [c.name for c in client.get(unit_url(tree.town_a)).context["children"]]
    assert shown == ["甲村"]
    shown = [c.name for c in client.get(unit_url(tree.town_a), {"closed": "1"}).context["children"]]
    assert shown == ["甲村", "甲社区"]
    assert "已撤销" in client.get(unit_url(tree.town_a), {"closed": "1"}).content.decode()
    assert [u.name for u in client.get(reverse("orgs:tree"), {"q": "甲社区"}).context["results"]] == []
    assert [
        u.name for u in client.get(reverse("orgs:tree"), {"q": "甲社区", "closed": "1"}).context["results"]
    ] == ["甲社区"]


def test_unit_page_shows_history(client, tree, people):
    services.unit_move(actor=people.admin, unit=tree.town_b, new_parent=tree.other_county, note="划归始兴县")
    client.force_login(people.admin)
    page = client.get(unit_url(tree.town_b)).content.decode()
    assert "调整隶属" in page and "从“仁化县”调整到“始兴县”" in page and "划归始兴县" in page


def test_history_does_not_name_parents_outside_scope(client, tree, people):
    services.unit_move(actor=people.admin, unit=tree.town_a, new_parent=tree.other_county)
    client.force_login(people.reviewer_a)
    page = client.get(unit_url(tree.town_a)).content.decode()
    assert "从“辖区外组织”调整到“辖区外组织”" in page
    assert "仁化县" not in page and "始兴县" not in page


def test_unit_page_query_count_does_not_grow_with_children(
    client, tree, people, django_assert_max_num_queries
):
    for i in range(20):
        town = OrgUnitFactory(
            code=f"440224{200 + i:03d}000", name=f"新{i}镇", level="township", kind="town", parent=tree.county
        )
        for j in range(1, 4):
            OrgUnitFactory(
                code=f"440224{200 + i:03d}{j:03d}",
                name=f"新{i}-{j}村",
                level="village",
                kind="village",
                parent=town,
            )
    client.force_login(people.admin)
    client.get(unit_url(tree.county))  # warm up the session
    # session + user + session save (3), one role lookup per permission asked (view, manage, and the two the
    # navigation bar asks about: 4), then unit, breadcrumbs, level counts, children + their counts, history (6).
    with django_assert_max_num_queries(15):
        response = client.get(unit_url(tree.county))
    assert len(response.context["children"]) == 22


# --- management forms ---------------------------------------------------------------------------------


def test_manage_buttons_only_for_managers(client, tree, people):
    client.force_login(people.reviewer_a)
    page = client.get(unit_url(tree.town_a))
    assert reverse("orgs:create", args=[tree.town_a.pk]) not in links(page)
    assert client.get(reverse("orgs:create", args=[tree.town_a.pk])).status_code == 404
    assert client.post(reverse("orgs:close", args=[tree.village_a.pk])).status_code == 404
    client.force_login(people.admin)
    page = client.get(unit_url(tree.town_a))
    for name in ("create", "edit", "move", "merge", "close"):
        assert reverse(f"orgs:{name}", args=[tree.town_a.pk]) in links(page)


def test_create_child_through_the_form(client, tree, people):
    client.force_login(people.admin)
    response = client.post(
        reverse("orgs:create", args=[tree.town_a.pk]),
        {
            "code": "440224100003",
            "name": "丁村",
            "level": "village",
            "kind": "village",
            "opened_on": "2024-01-01",
        },
    )
    unit = OrgUnit.objects.get(code="440224100003")
    assert response.status_code == 302 and response["Location"] == unit_url(unit)
    assert unit.parent == tree.town_a and str(unit.opened_on) == "2024-01-01"


def test_create_form_shows_the_domain_error_and_writes_nothing(client, tree, people):
    client.force_login(people.admin)
    before = OrgUnit.objects.count()
    response = client.post(
        reverse("orgs:create", args=[tree.town_a.pk]),
        {
            "code": "440224101001",
            "name": "重复村",
            "level": "village",
            "kind": "village",
        },
    )
    assert response.status_code == 200
    assert "区划代码 440224101001 已被使用。" in response.content.decode()
    assert OrgUnit.objects.count() == before


def test_edit_through_the_form(client, tree, people):
    client.force_login(people.admin)
    response = client.post(
        reverse("orgs:edit", args=[tree.village_a.pk]),
        {
            "name": "甲村（新）",
            "code": tree.village_a.code,
            "kind": "village",
        },
    )
    assert response.status_code == 302
    tree.village_a.refresh_from_db()
    assert tree.village_a.name == "甲村（新）"
    assert OrgChange.objects.filter(unit=tree.village_a, kind="updated").exists()


def test_move_by_code_through_the_form(client, tree, people):
    client.force_login(people.admin)
    response = client.post(
        reverse("orgs:move", args=[tree.village_a.pk]), {"new_parent_code": "440224101000"}
    )
    assert response.status_code == 302
    tree.village_a.refresh_from_db()
    assert tree.village_a.parent == tree.town_b


def test_move_candidates_are_searchable_and_exclude_own_subtree(client, tree, people):
    client.force_login(people.admin)
    response = client.get(reverse("orgs:move", args=[tree.town_a.pk]))
    names = [u.name for u in response.context["candidates"]]
    assert names[0] == "始兴县"  # the current parent's level comes first
    assert "甲镇" not in names and "甲村" not in names and "仁化县" not in names and "乙镇" not in names
    searched = client.get(
        reverse("orgs:move", args=[tree.town_a.pk]), {"q": "4402"}, headers={"HX-Request": "true"}
    )
    assert [u.name for u in searched.context["candidates"]] == ["始兴县", "韶关市"]
    assert "<option" in searched.content.decode() and "<html" not in searched.content.decode()


def test_move_from_the_list_through_the_form(client, tree, people):
    client.force_login(people.admin)
    client.post(reverse("orgs:move", args=[tree.town_a.pk]), {"new_parent": tree.other_county.pk})
    tree.town_a.refresh_from_db()
    tree.village_a.refresh_from_db()
    assert tree.town_a.parent == tree.other_county
    assert tree.village_a.path.startswith(tree.town_a.path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请选择新的上级，或填写它的区划代码。"),
        ({"new_parent_code": "440224100001"}, "不能把组织调整到它自己或它的下级之下。"),
        ({"new_parent_code": "449999"}, "区划代码 449999 对应的组织不存在，或您无权操作。"),
    ],
)
def test_move_form_errors_change_nothing(client, tree, people, data, message):
    client.force_login(people.admin)
    path = tree.town_a.path
    response = client.post(reverse("orgs:move", args=[tree.town_a.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    tree.town_a.refresh_from_db()
    assert tree.town_a.path == path


def test_move_by_code_outside_scope_is_refused(client, tree, people):
    client.force_login(people.county_admin)
    response = client.post(
        reverse("orgs:move", args=[tree.town_a.pk]), {"new_parent_code": tree.other_county.code}
    )
    assert "区划代码 440222 对应的组织不存在，或您无权操作。" in response.content.decode()
    tree.town_a.refresh_from_db()
    assert tree.town_a.parent == tree.county


def test_merge_through_the_form(client, tree, people):
    client.force_login(people.admin)
    page = client.get(reverse("orgs:merge", args=[tree.town_b.pk]))
    assert list(page.context["form"].fields["into"].queryset) == [tree.town_a]
    response = client.post(reverse("orgs:merge", args=[tree.town_b.pk]), {"into": tree.town_a.pk})
    assert response.status_code == 302 and response["Location"] == unit_url(tree.town_a)
    tree.village_b.refresh_from_db()
    assert tree.village_b.parent == tree.town_a


def test_close_with_open_children_shows_the_reason(client, tree, people):
    client.force_login(people.admin)
    response = client.post(reverse("orgs:close", args=[tree.town_a.pk]), {})
    assert "“甲镇”仍有未撤销的下级组织，请先调整或合并。" in response.content.decode()
    tree.town_a.refresh_from_db()
    assert tree.town_a.is_open
    response = client.post(reverse("orgs:close", args=[tree.village_a.pk]), {"note": "并入社区"})
    assert response.status_code == 302
    tree.village_a.refresh_from_db()
    assert not tree.village_a.is_open

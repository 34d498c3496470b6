import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.orgs import selectors, services
from guanhuai.orgs.models import OrgChange, OrgUnit
from guanhuai.orgs.tests.factories import OrgUnitFactory


def snapshot():
    return sorted(OrgUnit.objects.values_list("code", "path", "depth", "parent_id", "closed_on"))


# --- create -------------------------------------------------------------------------------------------


def test_create_child_writes_unit_and_history(tree, people):
    unit = services.unit_create(
        actor=people.admin,
        parent=tree.town_a,
        code="440224100003",
        name="丁村",
        level="village",
        kind="village",
    )
    assert unit.parent == tree.town_a
    assert unit.path.startswith(tree.town_a.path) and unit.depth == tree.town_a.depth + 1
    assert OrgChange.objects.filter(unit=unit, kind="created", to_parent=tree.town_a).exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("44022410", "格式错误：该级别应为12位数字"),
        ("44022410000A", "格式错误"),
    ],
)
def test_create_with_bad_code_is_refused_and_writes_nothing(tree, people, code, message):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.unit_create(
            actor=people.admin, parent=tree.town_a, code=code, name="丁村", level="village", kind="village"
        )
    assert message in str(exc.value)
    assert snapshot() == before


def test_create_with_duplicate_code_is_a_conflict(tree, people):
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        services.unit_create(
            actor=people.admin,
            parent=tree.town_a,
            code="440224101001",
            name="又一个乙村",
            level="village",
            kind="village",
        )
    assert str(exc.value) == "区划代码 440224101001 已被使用。"
    assert snapshot() == before


def test_unknown_parent_code_is_refused_like_an_invisible_one(tree, people):
    with pytest.raises(ValidationError) as missing:
        selectors.unit_get_by_code(actor=people.reviewer_a, code="440224999000")
    with pytest.raises(ValidationError) as invisible:
        selectors.unit_get_by_code(actor=people.reviewer_a, code=tree.town_b.code)
    assert "不存在，或您无权操作" in str(missing.value)
    assert str(invisible.value).replace(tree.town_b.code, "X") == str(missing.value).replace(
        "440224999000", "X"
    )


@pytest.mark.parametrize(
    ("level", "kind", "message"),
    [
        ("city", "", "市级组织不能隶属于乡镇(街道)级组织"),
        ("township", "town", "乡镇(街道)级组织不能隶属于乡镇(街道)级组织"),
        ("village", "town", "类型与级别不符"),
    ],
)
def test_create_at_wrong_level_is_refused(tree, people, level, kind, message):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.unit_create(
            actor=people.admin, parent=tree.town_a, code="440224100009", name="错级", level=level, kind=kind
        )
    assert message in str(exc.value)
    assert snapshot() == before


def test_create_needs_manage_permission(tree, people):
    with pytest.raises(PermissionDenied):
        services.unit_create(
            actor=people.reviewer_a,
            parent=tree.town_a,
            code="440224100003",
            name="丁村",
            level="village",
            kind="village",
        )
    with pytest.raises(NotFound):
        services.unit_create(
            actor=people.reviewer_a,
            parent=tree.town_b,
            code="440224101003",
            name="丁村",
            level="village",
            kind="village",
        )
    assert not OrgUnit.objects.filter(name="丁村").exists()


# --- move ---------------------------------------------------------------------------------------------


@pytest.fixture
def big_town(tree):
    """甲镇 with 30 more villages, so a per-row rewrite would show up as 30+ UPDATEs."""
    for i in range(3, 33):
        OrgUnitFactory(
            code=f"440224100{i:03d}", name=f"甲{i}村", level="village", kind="village", parent=tree.town_a
        )
    return tree.town_a


def test_move_rewrites_whole_subtree_paths_and_depths_in_one_update(tree, people, big_town):
    # given 甲镇 (depth 4) under 仁化县, with 32 villages
    old_path = big_town.path
    n_villages = OrgUnit.objects.filter(parent=big_town).count()
    # when it moves directly under 韶关市 (depth 2)
    with CaptureQueriesContext(connection) as ctx:
        services.unit_move(actor=people.admin, unit=big_town, new_parent=tree.city, note="区划调整")
    # then one UPDATE re-rooted the whole subtree
    rewrites = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "orgs_orgunit" SET "path"')
    ]
    assert len(rewrites) == 1
    big_town.refresh_from_db()
    assert big_town.parent == tree.city
    assert big_town.path.startswith(tree.city.path) and big_town.path != old_path
    assert big_town.depth == 3
    villages = list(OrgUnit.objects.filter(parent=big_town))
    assert len(villages) == n_villages
    assert all(v.path.startswith(big_town.path) and len(v.path) == len(big_town.path) + 4 for v in villages)
    assert {v.depth for v in villages} == {4}
    # and nothing is left under the old path
    assert not OrgUnit.objects.subtree(old_path).exists()
    # and the subtree is now found below the city, and no longer below the county
    assert OrgUnit.objects.subtree(tree.county.path).filter(pk=tree.village_a.pk).count() == 0


def test_move_keeps_history(tree, people):
    old_path = tree.town_a.path
    services.unit_move(actor=people.admin, unit=tree.town_a, new_parent=tree.other_county, note="划归始兴县")
    kinds = list(OrgChange.objects.filter(unit=tree.town_a).order_by("id").values_list("kind", flat=True))
    assert kinds[-1] == "moved"
    move = OrgChange.objects.get(unit=tree.town_a, kind="moved")
    assert (move.from_parent, move.to_parent, move.old_path, move.note) == (
        tree.county,
        tree.other_county,
        old_path,
        "划归始兴县",
    )
    tree.town_a.refresh_from_db()
    assert move.new_path == tree.town_a.path


def test_move_into_own_subtree_is_refused_and_changes_nothing(tree, people):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.unit_move(actor=people.admin, unit=tree.county, new_parent=tree.town_a)
    assert str(exc.value) == "不能把组织调整到它自己或它的下级之下。"
    assert snapshot() == before
    assert not OrgChange.objects.filter(kind="moved").exists()


def test_move_outside_managed_scope_is_refused(tree, people):
    # 仁化县's administrator cannot pull 甲镇 under 始兴县, which is outside their county.
    with pytest.raises(NotFound):
        services.unit_move(actor=people.county_admin, unit=tree.town_a, new_parent=tree.other_county)
    tree.town_a.refresh_from_db()
    assert tree.town_a.parent == tree.county


# --- merge --------------------------------------------------------------------------------------------


def test_merge_moves_children_closes_unit_and_keeps_history(tree, people):
    services.unit_merge(actor=people.admin, unit=tree.town_b, into=tree.town_a, note="撤乙并甲")
    tree.town_b.refresh_from_db()
    tree.village_b.refresh_from_db()
    assert tree.town_b.closed_on is not None and tree.town_b.merged_into == tree.town_a
    assert tree.village_b.parent == tree.town_a
    assert tree.village_b.path.startswith(tree.town_a.path)
    assert not OrgUnit.objects.subtree(tree.town_b.path, include_self=False).exists()
    # the merged unit is kept (closed, not deleted) with its history
    merge = OrgChange.objects.get(unit=tree.town_b, kind="merged")
    assert (merge.merged_into, merge.from_parent, merge.note) == (tree.town_a, tree.county, "撤乙并甲")
    assert OrgUnit.objects.filter(pk=tree.town_b.pk).exists()


def test_merge_only_into_an_open_sibling_of_the_same_level(tree, people):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.unit_merge(actor=people.admin, unit=tree.village_b, into=tree.village_a)
    assert str(exc.value) == "只能合并到同一上级下的同级组织。"
    assert snapshot() == before


def test_merged_units_children_become_visible_to_the_new_parents_scope(tree, people):
    assert not selectors.unit_list(actor=people.reviewer_a).filter(pk=tree.village_b.pk).exists()
    services.unit_merge(actor=people.admin, unit=tree.town_b, into=tree.town_a)
    assert selectors.unit_list(actor=people.reviewer_a).filter(pk=tree.village_b.pk).exists()
    assert selectors.unit_get(actor=people.reviewer_a, unit_id=tree.village_b.pk) == tree.village_b
    counts = selectors.level_counts(actor=people.reviewer_a, unit=tree.town_a)
    assert counts == {"village": 3}
    # 乙镇's reviewer keeps the closed unit only; its former village has left their scope.
    with pytest.raises(NotFound):
        selectors.unit_get(actor=people.reviewer_b, unit_id=tree.village_b.pk)


# --- close --------------------------------------------------------------------------------------------


def test_close_refuses_a_unit_with_open_children(tree, people):
    with pytest.raises(ValidationError) as exc:
        services.unit_close(actor=people.admin, unit=tree.town_a)
    assert "仍有未撤销的下级组织" in str(exc.value)
    tree.town_a.refresh_from_db()
    assert tree.town_a.is_open


def test_rename_does_not_recheck_an_unchanged_legacy_code(tree, people):
    legacy = OrgUnitFactory(
        code="44022410000", name="旧码村", level="village", kind="village", parent=tree.town_a
    )
    services.unit_update(actor=people.admin, unit=legacy, name="新名村", code="44022410000", kind="village")
    legacy.refresh_from_db()
    assert legacy.name == "新名村"
    with pytest.raises(ValidationError):
        services.unit_update(actor=people.admin, unit=legacy, code="4402241000")

"""The registry's searches give the same answers on SQLite and PostgreSQL (the suite runs on both), and
the PostgreSQL-only parts of their indexes exist there (docs/registry.md, "Finding people")."""

from __future__ import annotations

import pytest
from django.db import connection

from guanhuai.registry.selectors import PersonFilters, person_list
from guanhuai.registry.services import household_create
from guanhuai.registry.states import RelationToHead
from guanhuai.registry.tests.factories import member

NAMES = ["张枫", "曾枫", "赵芳", "张三", "李四", "黎明", "刘丽", "林立", "王丽", "吕方", "欧阳峰"]
NAMES += ["王秀英", "王晓燕", "王星", "魏新宇"]


@pytest.fixture
def registry(tree, people):
    # One household per name, alternating between two villages of the approver's county, and one person
    # in the other county, whom the county approver must never find.
    for i, name in enumerate(NAMES):
        village = tree.village_a if i % 2 else tree.village_b
        household_create(
            actor=people.approver,
            org_unit=village,
            address=f"{i}号",
            hukou_type="rural",
            members=[member(name, f"19{60 + i}-01-01", relation=RelationToHead.HEAD)],
        )
    return people.approver


def found(actor, q: str) -> list[str]:
    return [p.name for p in person_list(actor=actor, filters=PersonFilters(q=q))]


@pytest.mark.parametrize(
    ("q", "names"),
    [
        # initials: 枫 and 芳 and 峰 all start with f; 曾 reads zeng as a surname
        # (zengfeng < zhangfeng < zhaofang)
        ("zf", ["曾枫", "张枫", "赵芳"]),
        ("ZF", ["曾枫", "张枫", "赵芳"]),
        # a full pinyin prefix (liming < linli < lisi < liuli), then longer and shorter ones
        ("li", ["黎明", "林立", "李四", "刘丽"]),
        ("zhang", ["张枫", "张三"]),
        ("zhangf", ["张枫"]),
        ("l", ["黎明", "林立", "李四", "刘丽", "吕方"]),
        # pinyin and initials at once: lv (吕, pinyin) and ll (林立, 刘丽, initials)
        ("lv", ["吕方"]),
        ("ll", ["林立", "刘丽"]),
        # a compound surname: ouyangfeng / oyf
        ("oyf", ["欧阳峰"]),
        ("ouyang", ["欧阳峰"]),
        # any mix of full syllables and initials (wangxiaoyan < wangxing < wangxiuying < weixinyu)
        ("wangxy", ["王晓燕", "王秀英"]),
        ("WangXY", ["王晓燕", "王秀英"]),
        ("wangx", ["王晓燕", "王星", "王秀英"]),
        ("wxy", ["王晓燕", "王秀英", "魏新宇"]),
        ("wxiuy", ["王秀英"]),
        ("wxyan", ["王晓燕"]),
        ("wxiuying", ["王秀英"]),
        ("wangxiuy", ["王秀英"]),
        ("wxying", ["王秀英"]),
        ("wxyu", ["魏新宇"]),
        ("wangxyu", []),
        # nothing
        ("zz", []),
        ("xf", []),
    ],
)
def test_pinyin_search_finds_the_same_people_in_name_order(registry, q, names):
    assert found(registry, q) == names


def test_a_pinyin_search_counts_what_it_lists(registry):
    qs = person_list(actor=registry, filters=PersonFilters(q="l"))
    assert qs.count() == len(list(qs)) == 5


def _index_definitions() -> dict[str, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'registry_person'")
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'registry_person'"
            )
        return {name: sql or "" for name, sql in cursor.fetchall()}


def test_search_and_age_indexes_cover_their_filters_on_postgresql(db):
    indexes = _index_definitions()
    pinyin, birth = indexes["person_unit_pinyin_incl"], indexes["person_unit_birth_incl"]
    migrants = indexes["person_unit_migrants_incl"]
    if connection.vendor == "postgresql":
        # The included columns make a county's count an index-only scan.
        assert "(org_unit_id, name_pinyin) INCLUDE (name_initials, died_on)" in pinyin
        assert "(org_unit_id, birth_date) INCLUDE (sex, hukou_type, died_on)" in birth
        assert "(org_unit_id) INCLUDE (died_on) WHERE is_migrant" in migrants
    else:
        # SQLite has no INCLUDE: the same key columns (and the same partial predicate).
        assert '"org_unit_id", "name_pinyin")' in pinyin and "INCLUDE" not in pinyin
        assert '"org_unit_id", "birth_date")' in birth and "INCLUDE" not in birth
        assert 'WHERE "is_migrant"' in migrants

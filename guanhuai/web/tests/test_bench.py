from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from guanhuai.accounts.models import RoleAssignment, User
from guanhuai.orgs.models import OrgUnit


def counts() -> list[int]:
    return [OrgUnit.objects.count(), User.objects.count(), RoleAssignment.objects.count()]


def test_bench_scope_prints_the_figures_and_leaves_the_database_untouched(tree, people, tmp_path):
    before = counts()
    out = StringIO()

    call_command(
        "bench",
        "scope",
        "--scale",
        "0.001",
        "--runs",
        "3",
        "--naive-runs",
        "1",
        "--json",
        str(tmp_path / "scope.json"),
        stdout=out,
    )

    text = out.getvalue()
    assert "组织数：" in text and "建树 tree_bulk_create" in text
    for label in ("县级用户", "省级用户", "不限范围", "限定范围", "逐级递归遍历"):
        assert label in text
    assert "中位数" in text and "比值" in text
    report = json.loads((tmp_path / "scope.json").read_text(encoding="utf-8"))
    # scale 0.001: 1 province, 1 city, 3 counties, 40 townships, 600 villages.
    assert report["units"] == 645
    assert report["database"] == "sqlite"
    assert report["build_s"] > 0
    assert report["county"]["unscoped"]["count"] == report["county"]["scoped_cold"]["count"] > 1
    assert report["province"]["naive"]["count"] == 645
    assert report["county_ratio_cold"] > 0
    # Nothing was written here: the benchmark ran in its own scratch database.
    assert counts() == before


def test_bench_refuses_to_run_on_the_installations_own_database(db):
    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{settings_dict['NAME']}"
        if settings_dict["NAME"].startswith("file:") or ":memory:" in settings_dict["NAME"]:
            pytest.skip("in-memory test database has no URL")
    else:
        url = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
        )

    with pytest.raises(CommandError, match="own database"):
        call_command("bench", "scope", "--scale", "0.001", "--database-url", url, stdout=StringIO())


def test_bench_refuses_an_existing_scratch_file_and_leaves_it_alone(db, tmp_path):
    existing = tmp_path / "precious.sqlite3"
    existing.write_bytes(b"not a scratch database")

    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "bench", "scope", "--scale", "0.001", "--database-url", f"sqlite:///{existing}", stdout=StringIO()
        )
    assert existing.read_bytes() == b"not a scratch database"


def test_a_child_run_refuses_a_database_that_is_not_the_scratch_database(tree, monkeypatch):
    # As if a stray environment variable made this process believe it were a benchmark child.
    monkeypatch.setenv("GUANHUAI_BENCH_SCRATCH", "sqlite:////tmp/guanhuai-bench-elsewhere.sqlite3")
    before = counts()

    with pytest.raises(CommandError, match="not a benchmark child|not the scratch database"):
        call_command("bench", "scope", "--scale", "0.001", stdout=StringIO())
    assert counts() == before


def registry_counts() -> list[int]:
    from guanhuai.registry.models import Household, Person

    return [*counts(), Household.objects.count(), Person.objects.count()]


def test_bench_registry_prints_its_figures_and_leaves_the_database_untouched(tree, people, tmp_path):
    before = registry_counts()
    out = StringIO()

    call_command(
        "bench",
        "registry",
        "--scale",
        "0.0005",
        "--runs",
        "2",
        "--naive-runs",
        "1",
        "--json",
        str(tmp_path / "registry.json"),
        stdout=out,
    )

    text = out.getvalue()
    for label in ("户籍人口：", "Fernet", "(a) 限定范围的筛选列表", "(b) 身份证号精确查找", "(c) 拼音搜索"):
        assert label in text, label
    assert "盲索引 person_by_id_number" in text and "比值" in text
    report = json.loads((tmp_path / "registry.json").read_text(encoding="utf-8"))
    assert report["database"] == "sqlite"
    # scale 0.0005: 150 households, about 500 persons, with derived special families.
    assert report["build"]["households"] >= 150
    assert 300 < report["build"]["persons"] < 800
    assert report["build"]["encryptions"] >= report["build"]["persons"]
    # The load wrote the family facts with the rows: a recompute of everyone changes nothing, and the
    # recompute after a reset rewrites the parents it was given.
    # recompute after the facts of 1 % and 10 % of households' parents were made wrong rewrites exactly those.
    facts = report["build"]["family_facts"]
    assert facts["unchanged"]["written"] == 0 and "与入库时写入的一致" in text
    for key in ("changed_1pct", "changed_10pct"):
        assert facts[key]["written"] == facts[key]["reset"], key
    assert facts["changed_10pct"]["reset"] > 0 and facts["changed_10pct"]["seconds"] > 0
    assert facts["naive_per_family"]["families"] > 0
    assert report["list"]["all"]["count"] > 0 and report["list"]["all"]["ms"] > 0
    assert report["id_lookup"]["ms"] > 0 and report["id_lookup"]["naive_ms"] > 0
    assert set(report["pinyin"]) == {"zhangf", "zf", "li", "wangxy", "wxying"}
    if "skipped" not in report["import"]:
        assert "(d) 导入" in text and "(e) 导出" in text
        assert report["import"]["imported"] == report["import"]["rows"] > 0
        assert report["export"]["rows"] == report["import"]["rows"]
    # Nothing was written here: the benchmark ran in its own scratch database.
    assert registry_counts() == before

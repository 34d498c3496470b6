"""`guanhuai bench scope`: what does scoping cost on a national-size tree?

Builds 34 provinces, 333 cities, 2,844 counties, 40,000 townships and 600,000 villages (643,211 units;
`--scale` shrinks every level), then times, for a county user and for a province user:

- the subtree count through `guanhuai.accounts.scoping` (`scoped_subtree_count`), with the actor's scope
  cache dropped before every run ("cold": the role assignments are read again, as on a new request) and
  kept ("warm": later queries in the same request);
- the same count without scoping (`unscoped_subtree_count`);
- the naive way: a recursive Python walk that asks for the children of every unit.

Each figure is the median of `--runs` runs; the cases take turns, so drift hits them alike.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import connection

from benchmarks.common import bench_user, spread
from guanhuai.accounts import scoping
from guanhuai.orgs.bulk import Row, tree_bulk_create, validate_rows
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.orgs.permissions import VIEW_UNITS
from guanhuai.orgs.selectors import scoped_subtree_count, unscoped_subtree_count
from guanhuai.web.demo import names
from guanhuai.web.demo.system import system_user

HELP = "全国规模组织树上的范围查询基准（在临时数据库中运行）。"

TARGETS = {
    Level.PROVINCE: 34,
    Level.CITY: 333,
    Level.COUNTY: 2_844,
    Level.TOWNSHIP: 40_000,
    Level.VILLAGE: 600_000,
}
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip
SEED = 2016


def add_arguments(parser: Any) -> None:
    parser.add_argument("--runs", type=int, default=50, help="每项计时的次数（取中位数），默认 50。")
    parser.add_argument(
        "--naive-runs", type=int, default=3, help="省级用户逐级递归遍历的计时次数（很慢），默认 3。"
    )
    parser.add_argument("--validate", action="store_true", help="另外计时全部行的校验（validate_rows）。")


def national_rows(scale: float) -> list[Row]:
    """Rows for a national tree at `scale` (0 < scale ≤ 1), parents before children, with statistical
    codes and plausible names. Deterministic."""
    if not 0 < scale <= 1:
        raise ValueError("scale must be in (0, 1]")
    rng = random.Random(SEED)
    want = {level: max(1, round(n * scale)) for level, n in TARGETS.items()}
    rows: list[Row] = []

    def add(code: str, name: str, parent: str, level: str, kind: str = "") -> str:
        rows.append(Row(line=len(rows) + 1, code=code, name=name, parent_code=parent, level=level, kind=kind))
        return code

    provinces = [
        add(f"{pp}0000", PROVINCES[pp], "", Level.PROVINCE) for pp in list(PROVINCES)[: want[Level.PROVINCE]]
    ]
    cities: list[str] = []
    for province, n in spread(want[Level.CITY], provinces):
        taken: set[str] = set()
        for i in range(1, n + 1):
            stem = names.unique(lambda: rng.choice(names.TOWNSHIP_STEMS), taken)
            cities.append(add(f"{province[:2]}{i:02d}00", stem + "市", province, Level.CITY))
    counties: list[str] = []
    for city, n in spread(want[Level.COUNTY], cities):
        taken = set()
        for i in range(1, n + 1):
            stem = names.unique(lambda: rng.choice(names.TOWNSHIP_STEMS), taken)
            counties.append(add(f"{city[:4]}{i:02d}", stem + "县", city, Level.COUNTY))
    townships: list[str] = []
    for county, n in spread(want[Level.TOWNSHIP], counties):
        taken = set()
        for i in range(n):
            stem = names.unique(lambda: rng.choice(names.TOWNSHIP_STEMS), taken)
            townships.append(add(f"{county}{100 + i:03d}000", stem + "镇", county, Level.TOWNSHIP, "town"))
    for township, n in spread(want[Level.VILLAGE], townships):
        taken = set()
        for i in range(n):
            stem = names.unique(lambda: names.village_stem(rng), taken)
            add(f"{township[:9]}{200 + i:03d}", stem + "村", township, Level.VILLAGE, "village")
    return rows


def naive_subtree_count(unit_id: int) -> int:
    """The way scoping is NOT done: one query for the children of every unit in the subtree."""
    return 1 + sum(
        naive_subtree_count(child)
        for child in OrgUnit.objects.filter(parent_id=unit_id).values_list("pk", flat=True)
    )


def _measure(cases: dict[str, Callable[[], int]], runs: int) -> dict[str, dict[str, Any]]:
    """Median milliseconds per case; the cases take turns within each run. Every case must agree on the
    count, or the benchmark compares different work and stops."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    results: dict[str, int] = {name: fn() for name, fn in cases.items()}  # warm-up, and the answers
    if len(set(results.values())) != 1:
        raise AssertionError(f"cases disagree on the count: {results}")
    for _ in range(runs):
        for name, fn in cases.items():
            started = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {
        name: {"ms": statistics.median(s), "count": results[name], "runs": runs}
        for name, s in samples.items()
    }


def _cases_for(user: Any, unit: OrgUnit) -> dict[str, Callable[[], int]]:
    def cold() -> int:
        scoping.forget(user)
        return scoped_subtree_count(actor=user, unit=unit)

    def raw(qs: Any) -> Callable[[], int]:
        # The same SQL the ORM sends, executed directly: what the database itself spends.
        sql, params = qs.order_by().values("pk").query.sql_with_params()

        def execute() -> int:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS subtree", params)
                return cursor.fetchone()[0]

        return execute

    return {
        "unscoped": lambda: unscoped_subtree_count(unit=unit),
        "scoped_cold": cold,
        "scoped_warm": lambda: scoped_subtree_count(actor=user, unit=unit),
        "unscoped_sql": raw(OrgUnit.objects.subtree(unit.path)),
        "scoped_sql": raw(scoping.units(user, VIEW_UNITS, within=unit.path)),
    }


def run(options: dict[str, Any], write: Callable[[str], None]) -> dict[str, Any]:
    scale, runs = options["scale"], options["runs"]
    vendor = connection.vendor
    report: dict[str, Any] = {"database": vendor, "scale": scale, "runs": runs}
    rows = national_rows(scale)
    per_level = {level: sum(1 for r in rows if r.level == level) for level in TARGETS}
    report["units"] = len(rows)
    report["per_level"] = {str(k): v for k, v in per_level.items()}
    write(
        f"数据库：{vendor}    规模：{scale:g}    组织数：{len(rows):,}（"
        + " · ".join(f"{Level(k).label} {v:,}" for k, v in per_level.items())
        + "）"
    )

    system = system_user()
    if options.get("validate"):
        started = time.perf_counter()
        good, errors = validate_rows(rows, actor=system, check_scope=False)
        report["validate_s"] = time.perf_counter() - started
        assert not errors, errors[:3]
        write(f"校验 validate_rows：{report['validate_s']:.2f} 秒")

    started = time.perf_counter()
    result = tree_bulk_create(rows, actor=system, validate=False, audit=False, check_scope=False)
    report["build_s"] = time.perf_counter() - started
    write(
        f"建树 tree_bulk_create：{report['build_s']:.1f} 秒（{result.created / report['build_s']:,.0f} 个/秒）"
    )

    counties = OrgUnit.objects.filter(level=Level.COUNTY).order_by("path")
    county = counties[counties.count() // 2]
    province = OrgUnit.objects.get(path=county.path[:4])
    county_user = bench_user(system, "bench_county", "county_approver", county)
    province_user = bench_user(system, "bench_province", "province_admin", province)
    # Fresh tables have no planner statistics (and, on PostgreSQL, no visibility map for index-only
    # scans) yet; a live database has both from autovacuum.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")

    sections = (
        ("county", county_user, county, runs),
        ("province", province_user, province, options["naive_runs"]),
    )
    for key, user, unit, naive_runs in sections:
        timed = _measure(_cases_for(user, unit), runs)
        timed["naive"] = _measure({"naive": partial(naive_subtree_count, unit.pk)}, naive_runs)["naive"]
        if timed["naive"]["count"] != timed["unscoped"]["count"]:
            raise AssertionError("the naive walk disagrees with the path range")
        report[key] = {"unit": unit.name, "code": unit.code, **timed}
        base = timed["unscoped"]["ms"]
        label = "县级用户" if key == "county" else "省级用户"
        write("")
        write(f"{label}（{unit.name} {unit.code}，子树 {timed['unscoped']['count']:,} 个组织）")
        lines = (
            ("unscoped", "不限范围 unscoped_subtree_count"),
            ("scoped_cold", "限定范围 scoped_subtree_count（每次清缓存）"),
            ("scoped_warm", "限定范围 scoped_subtree_count（缓存已有）"),
            ("naive", "逐级递归遍历（naive walk）"),
            ("unscoped_sql", "仅数据库：不限范围的 SQL"),
            ("scoped_sql", "仅数据库：限定范围的 SQL"),
        )
        for case, text in lines:
            ms, n = timed[case]["ms"], timed[case]["runs"]
            ref = timed["unscoped_sql"]["ms"] if case.endswith("_sql") else base
            write(f"  {text:<40} 中位数 {ms:9.3f} ms（{n} 次）  比值 {ms / ref:8.2f}×")
    report["county_ratio_cold"] = report["county"]["scoped_cold"]["ms"] / report["county"]["unscoped"]["ms"]
    report["county_ratio_warm"] = report["county"]["scoped_warm"]["ms"] / report["county"]["unscoped"]["ms"]
    report["county_ratio_sql"] = report["county"]["scoped_sql"]["ms"] / report["county"]["unscoped_sql"]["ms"]
    report["province_ratio_cold"] = (
        report["province"]["scoped_cold"]["ms"] / report["province"]["unscoped"]["ms"]
    )
    report["county_naive_ratio"] = report["county"]["naive"]["ms"] / report["county"]["scoped_cold"]["ms"]
    write("")
    write(
        f"县级：限定/不限 = {report['county_ratio_cold']:.2f}×（清缓存），{report['county_ratio_warm']:.2f}×（缓存已有），"
        f"{report['county_ratio_sql']:.2f}×（仅数据库）；省级（清缓存）= {report['province_ratio_cold']:.2f}×；"
        f"递归遍历/限定范围 = {report['county_naive_ratio']:.0f}×"
    )
    if options.get("json"):
        with open(options["json"], "w", encoding="utf-8") as fh:
            json.dump(report, fh, ensure_ascii=False, indent=2)
    return report

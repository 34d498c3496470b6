"""`guanhuai bench association --only care`: special-family care at the scale of a large province.

At --scale 1: 300,000 special families (the registry's 1,000,000 persons and 300,000 households from
`benchmarks.registry`, whose household heads are then marked bereaved or disabled-child by one UPDATE, as
the registry's derivation would for families who lost or have a disabled only child), with 87.5% paired
with a liaison, 80% signed with a family doctor, 60% with a fast lane and 7.5% with none, inserted by INSERT … SELECT.

It times, each the median of --runs runs:
- (a) the province's coverage report (`selectors.care.coverage_report`: one GROUP BY with three EXISTS),
  target < 2 s; against the naive way (each family's three coverages asked one query each), timed on a
  sample of NAIVE_SAMPLE families and scaled up to all of them;
- (b) a county's first gap page (50 families) with its count, target < 200 ms;
- (c) the province's count of families without a liaison (the work-queue tile on the province
  officer's home page, `association.work.families_without_liaison`), target < 200 ms.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Mod
from django.utils import timezone

from benchmarks import registry as registry_bench
from guanhuai.accounts.actor import Actor
from guanhuai.association.models import CareArrangement
from guanhuai.association.selectors import care as selectors
from guanhuai.association.states import CoverageKind, LiaisonLevel
from guanhuai.core.sql import insert_select
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.registry.models import Household, Person
from guanhuai.registry.states import SpecialStatus
from guanhuai.web.demo.system import system_user

SPECIAL_FAMILIES = 300_000
NAIVE_SAMPLE = 2_000
TARGETS = {"report_s": 2.0, "gaps_ms": 200.0, "tile_ms": 200.0}
START = dt.date(2025, 1, 1)


def _median(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def _special_families(scale: float) -> int:
    """Mark the heads of the first N households as bereaved (even pk) or disabled-child (odd pk)."""
    want = round(SPECIAL_FAMILIES * scale)
    heads = Household.objects.order_by("pk").values_list("head_id", flat=True)[:want]
    ids = [h for h in heads if h]
    marked = 0
    for i in range(0, len(ids), 20_000):
        chunk = ids[i : i + 20_000]
        marked += Person.objects.filter(pk__in=[p for p in chunk if p % 2 == 0]).update(
            special_status=SpecialStatus.BEREAVED, died_on=None
        )
        marked += Person.objects.filter(pk__in=[p for p in chunk if p % 2 == 1]).update(
            special_status=SpecialStatus.DISABLED_CHILD, died_on=None
        )
    return marked


def _arrangements(creator: Any) -> int:
    """The coverages, one INSERT … SELECT per kind over the special households, by a share of their ids."""
    columns = [
        "household_id",
        "org_unit_id",
        "kind",
        "starts_on",
        "liaison_level",
        "person_name",
        "institution",
        "phone",
        "created_by_id",
        "created_at",
    ]
    families = Household.objects.filter(selectors.is_special()).annotate(m=Mod(F("pk"), Value(40)))
    shares = {
        CoverageKind.LIAISON: ("m__lt", 35, LiaisonLevel.TOWNSHIP, "联系人", ""),
        CoverageKind.DOCTOR: ("m__range", (4, 35), "", "医生", "卫生院"),
        CoverageKind.FAST_LANE: ("m__lt", 24, "", "", "县人民医院"),
    }
    now = dt.datetime.now(dt.UTC)
    inserted = 0
    for kind, (lookup, bound, level, name, institution) in shares.items():
        rows = families.filter(**{lookup: bound}).values_list(
            "pk",
            "org_unit_id",
            Value(kind),
            Value(START),
            Value(level),
            Value(name),
            Value(institution),
            Value(""),
            Value(creator.pk),
            Value(now),
        )
        inserted += insert_select(CareArrangement, columns, rows)
    return inserted


def _naive(actor: Actor, unit: OrgUnit, day: dt.date) -> float:
    """Seconds per family of the per-family way: list the families, then ask each of the three coverages
    with its own query (what a loop over families in Python would do)."""
    sample = list(
        Household.objects.filter(
            pk__in=selectors.special_households(actor=actor, unit=unit).order_by().values("pk")[:NAIVE_SAMPLE]
        )
    )
    started = time.perf_counter()
    counts = {"all": 0, "none": 0}
    for h in sample:
        found = [
            CareArrangement.objects.filter(selectors.in_force(day), household=h, kind=k).exists()
            for k in CoverageKind.values
        ]
        counts["all"] += all(found)
        counts["none"] += not any(found)
    return (time.perf_counter() - started) / max(1, len(sample))


def run(options: dict[str, Any], write: Callable[[str], None]) -> dict[str, Any]:
    scale = options["scale"]
    runs = max(1, options.get("runs") or 3)
    report: dict[str, Any] = {"database": connection.vendor, "scale": scale}
    write(f"—— 特殊家庭关爱（数据库：{connection.vendor}，规模：{scale:g}）——")
    if not Person.objects.exists():
        registry_bench.build(scale, write, report.setdefault("registry", {}))
    system = system_user()
    province = OrgUnit.objects.get(code="440000")
    admin = registry_bench._user(system, "bench_care_admin", "province_admin", province)
    county = OrgUnit.objects.filter(level=Level.COUNTY).order_by("code").first()
    officer = registry_bench._user(system, "bench_care_county", "association_officer", county)

    started = time.perf_counter()
    families = _special_families(scale)
    arrangements = _arrangements(system)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    report["build"] = {
        "families": families,
        "arrangements": arrangements,
        "seconds": time.perf_counter() - started,
    }
    write(f"特殊家庭 {families:,} 户，关爱记录 {arrangements:,} 条（{report['build']['seconds']:.1f} 秒）")

    day = timezone.localdate()
    seconds, (rows, total) = _median(
        lambda: selectors.coverage_report(actor=admin, unit=province, on=day), runs
    )
    per_family = _naive(admin, province, day)
    naive_s = per_family * total.families
    report["report"] = {
        "families": total.families,
        "all_three": total.all_three,
        "none": total.none,
        "seconds": seconds,
        "naive_s": naive_s,
        "ratio": naive_s / seconds if seconds else None,
    }
    verdict = "达标" if seconds < TARGETS["report_s"] else "未达标"
    write(
        f"(a) 全省覆盖统计 coverage_report：{total.families:,} 户（全覆盖 {total.all_three:,}，三项都没有 "
        f"{total.none:,}），{seconds:.2f} 秒（目标 < {TARGETS['report_s']:g} 秒）{verdict}；"
        f"逐户查询约 {naive_s:.1f} 秒（按 {NAIVE_SAMPLE:,} 户样本推算），快 {naive_s / seconds:.0f} 倍"
    )

    def first_page() -> tuple[int, int]:
        qs = selectors.coverage_gaps(actor=officer, gap="any")
        return len(list(qs[:50])), qs.count()

    gap_s, (shown, count) = _median(first_page, runs)
    report["gaps"] = {"count": count, "ms": gap_s * 1000}
    verdict = "达标" if gap_s * 1000 < TARGETS["gaps_ms"] else "未达标"
    write(
        f"(b) 县级缺项家庭首页（{shown} 户）及总数 {count:,}：{gap_s * 1000:.0f} 毫秒（目标 < "
        f"{TARGETS['gaps_ms']:g} 毫秒）{verdict}"
    )

    tile_s, without = _median(lambda: selectors.coverage_gaps(actor=admin, gap="liaison").count(), runs)
    report["tile"] = {"count": without, "ms": tile_s * 1000}
    verdict = "达标" if tile_s * 1000 < TARGETS["tile_ms"] else "未达标"
    write(
        f"(c) 全省无结对联系人家庭计数（首页工作提示）{without:,} 户：{tile_s * 1000:.0f} 毫秒（目标 < "
        f"{TARGETS['tile_ms']:g} 毫秒）{verdict}"
    )
    return report

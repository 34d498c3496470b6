"""`guanhuai bench projects`: projects and their outcomes at the scale of one large province (at --scale 1:
10,000 projects, 1,000,000 activities, 5,000,000 participant rows, 200,000 income households, 600,000
income records). It times, each against the naive Python aggregation of the same rows in the same run:

- the province outcome report (`selectors.outcome_report`, every type, one year and all years; target < 2 s);
- a project page (the detail page through the test client, a Youth Health and a Three Combinations
  project; target < 200 ms);
- the yearly Youth Health coverage table by city (`selectors.coverage_table`; target < 1 s);
- what keeping the report's rollups costs a write: one project's activity rollup and one household's gain
  rewritten (`services.activities_refresh`, `services.gains_refresh`, as `activity_log` and
  `income_record` do).

Every report is checked against the naive aggregation of the same run (counts and participants equal, the
weighted scores and the mean and median gain within a fen: the naive side adds floats and does not round
each household's gain); a difference stops the bench.

The tree is 21 cities × 5 counties × 4 townships × 10 villages. 70 % of the projects are Youth Health (143
activities each at scale 1, in the project's county, one year of 2021–2025), 30 % Three Combinations (67
households each, a baseline in 2021 and follow-ups in 2022 and 2023; one household in twenty has no
follow-up). Activities, participant rows, households and income records are written by INSERT … SELECT,
then the rollups the report reads are rebuilt from them (`services.outcomes_rebuild`, timed apart)."""

from __future__ import annotations

import argparse
import secrets
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from guanhuai.accounts.services import assignment_grant, user_create
from guanhuai.core.sql import analyze
from guanhuai.orgs.bulk import Row, tree_bulk_create
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.projects import selectors
from guanhuai.projects.models import (
    Activity,
    ActivityRollup,
    Beneficiary,
    IncomeRecord,
    ParticipantCount,
    Project,
    ProjectArea,
)
from guanhuai.projects.services import (
    activities_refresh,
    gains_refresh,
    install_builtin_types,
    outcomes_rebuild,
)
from guanhuai.registry.models import Household
from guanhuai.web.demo.system import system_user

HELP = "协会项目成效：1万个项目、100万次活动、500万条参与人记录、20万帮扶户（默认规模）"

PROJECTS = 10_000
ACTIVITIES = 1_000_000
HOUSEHOLDS = 200_000
CITIES, COUNTIES, TOWNSHIPS, VILLAGES = 21, 5, 4, 10
YOUTH_SHARE = 0.7
YEAR = 2025
FIELDS = ("male", "female", "age_15_19", "age_20_24", "peer_educators")  # five rows per activity
VENUES = ("school", "university", "community", "enterprise", "army_camp")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=3, help="每项计时的次数（取中位数）。")


def _median(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _i in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _tree() -> OrgUnit:
    rows: list[Row] = []

    def add(code: str, name: str, parent: str, level: str, kind: str = "") -> str:
        rows.append(Row(line=len(rows) + 1, code=code, name=name, parent_code=parent, level=level, kind=kind))
        return code

    add("440000", "广东省", "", Level.PROVINCE)
    for c in range(CITIES):
        city = add(f"44{c + 1:02d}00", f"第{c + 1}市", "440000", Level.CITY)
        for k in range(COUNTIES):
            county = add(f"{city[:4]}{k + 1:02d}", f"第{c + 1}市{k + 1}县", city, Level.COUNTY)
            for t in range(TOWNSHIPS):
                town = add(f"{county}{100 + t:03d}000", f"{county}镇{t}", county, Level.TOWNSHIP, "town")
                for v in range(VILLAGES):
                    add(f"{town[:9]}{200 + v:03d}", f"{town}村{v}", town, Level.VILLAGE, "village")
    tree_bulk_create(rows, actor=system_user(), validate=False, audit=False, check_scope=False)
    return OrgUnit.objects.get(code="440000")


def _seq(n: int) -> str:
    return f"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {n}) "


def _date(year_sql: str, month_sql: str) -> str:
    if connection.vendor == "postgresql":
        return f"make_date({year_sql}, {month_sql}, 15)"
    return f"printf('%%d-%%02d-15', {year_sql}, {month_sql})"  # doubled: the statement has parameters


def build(scale: float, write: Callable[[str], None]) -> dict[str, Any]:
    started = time.perf_counter()
    province = _tree()
    types = {t.code: t for t in install_builtin_types()}
    system = system_user()
    counties = list(OrgUnit.objects.filter(level=Level.COUNTY).order_by("path"))
    n_projects = max(20, round(PROJECTS * scale))
    youth_n = round(n_projects * YOUTH_SHARE)
    projects = []
    for i in range(n_projects):
        youth = i < youth_n
        # Youth Health: one-year projects, 2021–2025; Three Combinations: three-year projects starting
        # 2019–2023, so the income figures of a year's report (2025: those started in 2023) are measured too
        year = 2021 + i % 5 if youth else 2019 + i % 5
        projects.append(
            Project(
                type=types["youth_health" if youth else "three_combinations"],
                org_unit=counties[i % len(counties)],
                code=f"B{i:06d}",
                name=f"基准项目{i}",
                start_date=f"{year}-01-01",
                end_date=f"{year if youth else year + 2}-12-31",
                status="in_progress",
                budget_total=Decimal("50000.00"),
                created_by=system,
            )
        )
    Project.objects.bulk_create(projects, batch_size=2000)
    ProjectArea.objects.bulk_create(
        [ProjectArea(project=p, org_unit_id=p.org_unit_id) for p in projects], batch_size=5000
    )
    per_project = max(1, round(ACTIVITIES * scale / youth_n))
    now = timezone.now()
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(
            _seq(per_project)
            + f"INSERT INTO {q(Activity._meta.db_table)} (project_id, kind, venue_kind, venue_unit_id, venue_name,"
            " held_on, description, participants, respondents, knowledge_pre, knowledge_post, recorded_by_id,"
            " created_at) SELECT p.id, 'peer_education', CASE (p.id + seq.n) %% 5 "
            + " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(VENUES))
            + " END, p.org_unit_id, '基准场所', "
            + _date("CAST(substr(CAST(p.start_date AS TEXT), 1, 4) AS INTEGER)", "1 + seq.n %% 12")
            + ", '', 20 + (p.id * 7 + seq.n * 13) %% 60, 18 + (p.id * 7 + seq.n * 13) %% 60,"
            " 50 + (p.id + seq.n) %% 15, 75 + (p.id * 3 + seq.n) %% 20, %s, %s"
            f" FROM {q(Project._meta.db_table)} p CROSS JOIN seq WHERE p.type_id = %s",
            [system.pk, now, types["youth_health"].pk],
        )
        fields = " UNION ALL ".join(f"SELECT '{f}' AS field, {i} AS k" for i, f in enumerate(FIELDS))
        cur.execute(
            f"INSERT INTO {q(ParticipantCount._meta.db_table)} (activity_id, field, count)"
            f" SELECT a.id, f.field, CASE f.k WHEN 0 THEN a.participants / 2"
            " WHEN 1 THEN a.participants - a.participants / 2 WHEN 2 THEN a.participants - a.participants / 4"
            " WHEN 3 THEN a.participants / 4 ELSE 1 + a.participants / 10 END"
            f" FROM {q(Activity._meta.db_table)} a CROSS JOIN ({fields}) f"
        )
    activities = Activity.objects.count()
    write(
        f"项目 {n_projects:,}（青春健康 {youth_n:,}）；活动 {activities:,}；参与人记录 {ParticipantCount.objects.count():,}"
    )
    # households: spread over the villages of the Three Combinations projects' counties
    n_households = max(20, round(HOUSEHOLDS * scale))
    tc = list(Project.objects.unscoped("benchmark").filter(type=types["three_combinations"]).order_by("pk"))
    per_tc = max(1, n_households // len(tc))
    villages_of: dict[int, list[int]] = defaultdict(list)
    for v in OrgUnit.objects.filter(level=Level.VILLAGE).select_related("parent__parent"):
        assert v.parent is not None and v.parent.parent is not None
        villages_of[v.parent.parent.pk].append(v.pk)
    households, owners = [], []
    for p in tc:
        villages = villages_of[p.org_unit_id]
        for k in range(per_tc):
            households.append(
                Household(
                    org_unit_id=villages[k % len(villages)],
                    number=f"{p.code}-{k:05d}",
                    address="基准路",
                    hukou_type="rural",
                )
            )
            owners.append(p)
    Household.objects.bulk_create(households, batch_size=5000)
    Beneficiary.objects.bulk_create(
        [
            Beneficiary(project=p, household=h, added_by=system)
            for p, h in zip(owners, households, strict=True)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cur:
        table, benef = q(IncomeRecord._meta.db_table), q(Beneficiary._meta.db_table)
        cols = "(beneficiary_id, kind, recorded_on, net_income, source, recorded_by_id, created_at)"
        proj = q(Project._meta.db_table)
        base = "(8000 + (b.id * 37) %% 8000)"  # %% : these statements have parameters
        start = "CAST(substr(CAST(p.start_date AS TEXT), 1, 4) AS INTEGER)"
        # the baseline in the project's first year, follow-ups in its second and third (a twentieth: none)
        for kind, after, income, where in (
            ("baseline", 0, base, ""),
            ("follow_up", 1, f"{base} + 4000 + (b.id * 13) %% 2000", "WHERE b.id %% 20 <> 0"),
            ("follow_up", 2, f"{base} + 8000 + (b.id * 17) %% 4000", "WHERE b.id %% 20 <> 0"),
        ):
            cur.execute(
                f"INSERT INTO {table} {cols} SELECT b.id, '{kind}', {_date(f'{start} + {after}', '4')},"
                f" {income}, 'survey', %s, %s FROM {benef} b JOIN {proj} p ON p.id = b.project_id {where}",
                [system.pk, now],
            )
    # the branch tree too: without its statistics PostgreSQL plans the report's scope (a path range over
    # 4,747 branches) for 6 rows, nests loops over 198,000 households and sorts on disk (a database in use
    # has them from autovacuum)
    analyze(Activity, ParticipantCount, Beneficiary, IncomeRecord, Project, Household, OrgUnit)
    write(
        f"帮扶户 {Beneficiary.objects.count():,}；收入记录 {IncomeRecord.objects.count():,}"
        f"（造数 {time.perf_counter() - started:.0f} 秒）"
    )
    rebuilt = time.perf_counter()
    rollup_rows, gains = outcomes_rebuild()
    analyze(ActivityRollup, Beneficiary)
    write(
        f"成效汇总重建：活动汇总 {rollup_rows:,} 行，帮扶户增收 {gains:,} 户"
        f"（{time.perf_counter() - rebuilt:.1f} 秒）"
    )
    return {"province": province, "types": types}


def _officer(unit: OrgUnit) -> Any:
    system = system_user()
    user = user_create(
        actor=system,
        username="bench_projects",
        name="bench",
        home_unit=unit,
        password=secrets.token_urlsafe(16),
        audit=False,
    )
    assignment_grant(actor=system, user=user, org_unit=unit, role="project_officer", audit=False)
    return user


# ---------------------------------------------------------------- the naive way: rows into Python


def naive_youth(year: int | None) -> dict[str, Any]:
    """Fetch every activity row of the year and add up in Python (venue kind, city, totals)."""
    city_len = len(OrgUnit.objects.filter(level=Level.CITY).values_list("path", flat=True).first() or "")
    rows = Activity.objects.all()
    if year:
        rows = rows.filter(held_on__year=year)
    # activities, participants, respondents, weighted pre, weighted post
    by_venue: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0.0])
    by_city: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0.0])
    for venue, path, people, answered, pre, post in rows.values_list(
        "venue_kind", "venue_unit__path", "participants", "respondents", "knowledge_pre", "knowledge_post"
    ).iterator(chunk_size=5000):
        for acc in (by_venue[venue], by_city[path[:city_len]]):
            acc[0] += 1
            acc[1] += people
            if pre is not None and post is not None:
                acc[2] += answered
                acc[3] += float(pre) * answered
                acc[4] += float(post) * answered
    return {"venues": dict(by_venue), "cities": dict(by_city)}


def naive_income(year: int | None = None) -> dict[str, Any]:
    """Fetch every income record (of the projects running in the year) and compute each household's gain
    in Python."""
    base: dict[int, tuple[int, Decimal]] = {}
    last: dict[int, tuple[Any, Decimal]] = {}
    records = IncomeRecord.objects.all()
    if year:
        records = records.filter(
            beneficiary__project__start_date__year__lte=year, beneficiary__project__end_date__year__gte=year
        )
    for b, kind, on, income in records.values_list(
        "beneficiary_id", "kind", "recorded_on", "net_income"
    ).iterator(chunk_size=5000):
        if kind == "baseline":
            base[b] = (on.year, income)
        elif b not in last or on > last[b][0]:
            last[b] = (on, income)
    gains = sorted(
        (last[b][1] - base[b][1]) / max(1, last[b][0].year - base[b][0]) for b in base if b in last
    )
    n = len(gains)
    return {
        "households": len(base),
        "measured": n,
        "missing": len(base) - n,
        "mean": sum(gains) / n if n else None,
        "median": (gains[(n - 1) // 2] + gains[n // 2]) / 2 if n else None,
    }


def _near(a: Any, b: Any) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and abs(float(a) - float(b)) <= 0.011
    )


def _check_rows(label: str, service: list[Any], naive: dict[str, list[float]]) -> None:
    """The service's rows (by venue kind or by city) equal the naive sums: counts exactly, the weighted
    means within a hundredth of a point."""
    got = {r.key: r for r in service}
    if set(got) != set(naive):
        raise AssertionError(f"{label}: {sorted(got)} != {sorted(naive)}")
    for key, (n, people, answered, pre_w, post_w) in naive.items():
        r = got[key]
        pre = pre_w / answered if answered else None
        post = post_w / answered if answered else None
        if (r.activities, r.participants, r.respondents) != (n, people, answered) or not (
            _near(r.knowledge_pre, pre) and _near(r.knowledge_post, post)
        ):
            raise AssertionError(f"{label} {key}: {r} != {(n, people, answered, pre, post)}")


def check(report: Any, youth: dict[str, Any], income: dict[str, Any]) -> None:
    """service == naive, or the bench stops."""
    _check_rows("venues", report.venues, youth["venues"])
    _check_rows("cities", report.cities, youth["cities"])
    i = report.income
    if (i.with_baseline, i.measured, i.missing) != (
        income["households"],
        income["measured"],
        income["missing"],
    ):
        raise AssertionError(f"income counts: {i} != {income}")
    if not (_near(i.mean_gain, income["mean"]) and _near(i.median_gain, income["median"])):
        raise AssertionError(f"income mean/median: {i.mean_gain}, {i.median_gain} != {income}")


def _pages(
    world: dict[str, Any], officer: Any, runs: int, results: list[tuple[str, float, float, float]]
) -> None:
    client = Client()
    client.force_login(officer)
    for label, code in (("青春健康", "youth_health"), ("计生三结合", "three_combinations")):
        project = (
            Project.objects.unscoped("benchmark").filter(type=world["types"][code]).order_by("pk").last()
        )
        assert project is not None
        url = f"/projects/{project.pk}/"
        assert client.get(url).status_code == 200
        seconds, _r = _median(lambda url=url: client.get(url), runs)

        def naive_page(project: Project = project) -> Any:
            acts = list(Activity.objects.filter(project=project).values_list("participants", "respondents"))
            incomes = list(
                IncomeRecord.objects.filter(beneficiary__project=project).values_list("net_income")
            )
            return sum(a[0] for a in acts), len(incomes)

        naive_s, _n = _median(naive_page, runs)
        results.append((f"项目页面（{label}）", seconds, naive_s, 0.2))
        part_s, _o = _median(
            lambda project=project: selectors.project_outcomes(actor=officer, project=project), runs
        )
        results.append((f"  其中成效部分（{label}）", part_s, naive_s, 0.2))


def run(options: dict[str, Any], write: Callable[[str], None]) -> None:
    scale = float(options.get("scale") or 1.0)
    runs = int(options.get("runs") or 3)
    write("")
    write(f"== 协会项目成效（--scale {scale}，{connection.vendor}）==")
    world = build(scale, write)
    officer = _officer(world["province"])
    results: list[tuple[str, float, float, float]] = []

    # 1. the province outcome report
    for label, year in ((f"{YEAR}年", YEAR), ("全部年份", None)):
        seconds, report = _median(lambda year=year: selectors.outcome_report(actor=officer, year=year), runs)
        naive_s, (youth, income) = _median(lambda year=year: (naive_youth(year), naive_income(year)), 1)
        check(report, youth, income)
        write(
            f"全省成效报告（{label}，全部类型）：项目 {report.projects:,}，活动 {report.total.activities:,}，"
            f"参与 {report.total.participants:,} 人，覆盖 {report.coverage.cities} 市；帮扶户 {report.income.households:,}"
            f"（缺跟踪 {report.income.missing:,}），户年均增收 平均 {report.income.mean_gain} 中位数 {report.income.median_gain}"
        )
        results.append((f"全省成效报告（{label}）", seconds, naive_s, 2.0))
        write(
            f"  朴素 Python 核对一致：活动 {sum(v[0] for v in youth['venues'].values()):,}，"
            f"已跟踪 {income['measured']:,}，平均 {income['mean']:.2f}，中位数 {income['median']:.2f}"
        )

    # 2. a project page (static files by plain name: the scratch run has no collected manifest)
    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain):
        _pages(world, officer, runs, results)

    # 3. the yearly Youth Health coverage table
    seconds, rows = _median(
        lambda: selectors.coverage_table(actor=officer, year=YEAR, type_code="youth_health"), runs
    )
    naive_s, youth = _median(lambda: naive_youth(YEAR), 1)  # every activity of the bench is Youth Health
    _check_rows("coverage", rows, youth["cities"])
    write(f"{YEAR}年青春健康覆盖表：{len(rows)} 个市（与朴素 Python 核对一致）")
    results.append((f"{YEAR}年青春健康覆盖表", seconds, naive_s, 1.0))

    # 4. what a write pays to keep the rollups
    project = Project.objects.unscoped("benchmark").filter(type=world["types"]["youth_health"]).last()
    household = Beneficiary.objects.order_by("pk").last()
    assert project is not None and household is not None
    seconds, _n = _median(lambda: activities_refresh(project_ids=[project.pk]), runs)
    results.append(("写入时：一个项目的活动汇总重算", seconds, 0.0, 0.05))
    seconds, _n = _median(lambda: gains_refresh(Beneficiary.objects.filter(pk=household.pk)), runs)
    results.append(("写入时：一户的增收重算", seconds, 0.0, 0.05))

    write("")
    write("| 项目 | 集合运算 (SQL) | 朴素 Python | 目标 | 结果 |")
    write("|---|---|---|---|---|")
    for label, s, n, target in results:
        verdict = "达到" if s < target else "未达到"
        naive_ms = f"{n * 1000:.0f} ms（{n / s:.1f}×）" if n else "—"
        write(f"| {label} | {s * 1000:.1f} ms | {naive_ms} | < {target * 1000:.0f} ms | {verdict} |")

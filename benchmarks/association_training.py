"""Part of `guanhuai bench association` (`--only training`): one province's training at 1,000,000 attendances (at
--scale 1), and the time of the figures per branch per year for the whole province (target: under 2 s), of a
county's drill-down, and of one sign-in on a phone against the full table.

It uses the cadres already in the scratch database (the members part builds them when it runs first); without
them it builds its own province: 10 cities, about 100 counties, 20,000 villages (× scale), one full-time cadre
per township and two part-time cadres per village, some of whom left during the year. Courses run five days with
two three-hour sessions a day and enrol 50 of the county's cadres; attendance is written by one
INSERT … SELECT (enrolments × their course's sessions, 86 % present by a fixed pseudo-random rule), 80 % in the
measured year and the rest in the year before, so the year's filter has rows to skip."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from guanhuai.accounts import scoping
from guanhuai.accounts.services import assignment_grant, user_create
from guanhuai.association import selectors, services
from guanhuai.association.models import Cadre
from guanhuai.association.models_training import (
    Attendance,
    Course,
    CourseEnrolment,
    CourseSession,
    TrainingTopic,
)
from guanhuai.association.selectors.training import _figures_rows
from guanhuai.association.states import CourseLevel, Employment
from guanhuai.core.sql import analyze
from guanhuai.orgs import paths
from guanhuai.orgs.bulk import Row, tree_bulk_create
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.web.demo.association_training import attendance_fill
from guanhuai.web.demo.system import system_user

ATTENDANCES = 1_000_000
VILLAGES = 20_000
CITIES = 10
VILLAGES_PER_TOWNSHIP = 15
TOWNSHIPS_PER_COUNTY = 13
ENROLLED = 50
DAYS, PER_DAY, HOURS = 5, 2, Decimal("3.0")
PRESENT_PERCENT = 86
YEAR = 2025
TARGET_S = 2.0
SEED = 529


def _median(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _i in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _tree(scale: float, write: Callable[[str], None]) -> OrgUnit:
    villages = max(30, round(VILLAGES * scale))
    townships = max(2, math.ceil(villages / VILLAGES_PER_TOWNSHIP))
    counties = max(2, math.ceil(townships / TOWNSHIPS_PER_COUNTY))
    cities = min(CITIES, counties)
    rows: list[Row] = []

    def add(code: str, name: str, parent: str, level: str, kind: str = "") -> str:
        rows.append(Row(line=len(rows) + 1, code=code, name=name, parent_code=parent, level=level, kind=kind))
        return code

    add("440000", "广东省", "", Level.PROVINCE)
    county_codes = []
    for c in range(cities):
        city = add(f"44{c + 1:02d}00", f"第{c + 1}市", "440000", Level.CITY)
        for k in range(c, counties, cities):
            county_codes.append(
                add(f"44{c + 1:02d}{k // cities + 1:02d}", f"第{k + 1}县", city, Level.COUNTY)
            )
    township_codes = []
    for t in range(townships):
        county = county_codes[t % len(county_codes)]
        n = t // len(county_codes)
        township_codes.append(
            add(f"{county}{100 + n:03d}000", f"第{t + 1}镇", county, Level.TOWNSHIP, "town")
        )
    for v in range(villages):
        township = township_codes[v % len(township_codes)]
        n = v // len(township_codes)
        add(f"{township[:9]}{200 + n:03d}", f"第{v + 1}村", township, Level.VILLAGE, "village")
    started = time.perf_counter()
    tree_bulk_create(rows, actor=system_user(), validate=False, audit=False, check_scope=False)
    write(
        f"组织：{cities} 市 · {counties} 县 · {townships:,} 乡镇 · {villages:,} 村（建树 {time.perf_counter() - started:.1f} 秒）"
    )
    return OrgUnit.objects.get(code="440000")


def _cadres(province: OrgUnit, rng: random.Random) -> int:
    rows = []
    below = OrgUnit.objects.filter(
        path__gt=province.path,
        path__lt=paths.upper_bound(province.path),
        level__in=[Level.TOWNSHIP, Level.VILLAGE],
    ).values_list("pk", "level")
    for pk, level in below:
        for i in range(1 if level == Level.TOWNSHIP else 2):
            left = dt.date(YEAR, rng.randint(1, 12), 1) if rng.random() < 0.06 else None
            rows.append(
                Cadre(
                    org_unit_id=pk,
                    name=f"干部{pk}-{i}",
                    employment=Employment.FULL_TIME if level == Level.TOWNSHIP else Employment.PART_TIME,
                    position="秘书长" if level == Level.TOWNSHIP else "会长",
                    appointed_on=dt.date(YEAR - 1 - rng.randint(0, 8), rng.randint(1, 12), 1),
                    left_on=left,
                )
            )
    Cadre.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def build(scale: float, write: Callable[[str], None], report: dict[str, Any]) -> OrgUnit:
    rng = random.Random(SEED)
    province = OrgUnit.objects.filter(level=Level.PROVINCE).order_by("path").first()
    if province is None:
        province = _tree(scale, write)
    started = time.perf_counter()
    in_province = {
        "org_unit__path__gte": province.path,
        "org_unit__path__lt": paths.upper_bound(province.path),
    }
    if not Cadre.objects.filter(**in_province).exists():
        write(f"协会干部：{_cadres(province, rng):,} 人（本基准自建：会员部分的基准未先运行）")
    counties = list(
        OrgUnit.objects.filter(
            path__gt=province.path, path__lt=paths.upper_bound(province.path), level=Level.COUNTY
        ).order_by("path")
    )
    pools: dict[int, list[tuple[int, str]]] = {c.pk: [] for c in counties}
    by_path = sorted((c.path, c.pk) for c in counties)
    for pk, name, path in Cadre.objects.filter(**in_province).values_list("pk", "name", "org_unit__path"):
        for county_path, county_pk in by_path:
            if path.startswith(county_path):
                pools[county_pk].append((pk, name))
                break
    counties = [c for c in counties if len(pools[c.pk]) >= ENROLLED]
    target = max(1000, round(ATTENDANCES * scale))
    per_course = ENROLLED * DAYS * PER_DAY * PRESENT_PERCENT / 100
    n_courses = max(len(counties), math.ceil(target / per_course))
    topics = list(TrainingTopic.objects.all())
    courses = []
    for i in range(n_courses):
        county = counties[i % len(counties)]
        year = YEAR if rng.random() < 0.8 else YEAR - 1
        start = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 355))
        courses.append(
            Course(
                org_unit=county,
                level=CourseLevel.COUNTY,
                topic=topics[i % len(topics)],
                title=f"培训班{i + 1}",
                starts_on=start,
                ends_on=start + dt.timedelta(days=DAYS - 1),
                hours=HOURS * DAYS * PER_DAY,
                capacity=ENROLLED + 10,
            )
        )
    Course.objects.bulk_create(courses, batch_size=5000)
    tz = timezone.get_current_timezone()
    sessions = [
        CourseSession(
            course=c,
            starts_at=dt.datetime.combine(c.starts_on + dt.timedelta(days=d), dt.time(9 + 5 * h), tzinfo=tz),
            ends_at=dt.datetime.combine(c.starts_on + dt.timedelta(days=d), dt.time(12 + 5 * h), tzinfo=tz),
            hours=HOURS,
        )
        for c in courses
        for d in range(DAYS)
        for h in range(PER_DAY)
    ]
    CourseSession.objects.bulk_create(sessions, batch_size=5000)
    enrolments = []
    for c in courses:
        chosen = rng.sample(pools[c.org_unit_id], ENROLLED)
        codes = rng.sample(range(10**6), ENROLLED)
        enrolments += [
            CourseEnrolment(course=c, cadre_id=pk, name=name, personal_code=f"{code:06d}")
            for (pk, name), code in zip(chosen, codes, strict=True)
        ]
    CourseEnrolment.objects.bulk_create(enrolments, batch_size=5000)
    # attendance: every enrolment × its course's sessions, 86 % present by a fixed rule, in one INSERT … SELECT
    written = attendance_fill(
        CourseEnrolment.objects.filter(course__org_unit__path__startswith=province.path),
        percent=PRESENT_PERCENT,
    )
    analyze(Course, CourseSession, CourseEnrolment, Attendance, Cadre)
    report.update(
        courses=len(courses),
        sessions=len(sessions),
        enrolments=len(enrolments),
        attendances=written,
        build_s=time.perf_counter() - started,
    )
    write(
        f"培训班 {len(courses):,} 个，课次 {len(sessions):,} 个，报名 {len(enrolments):,} 人次，"
        f"签到 {written:,} 人次（生成 {report['build_s']:.1f} 秒）"
    )
    return province


def _officer(unit: OrgUnit, username: str) -> Any:
    system = system_user()
    user = user_create(
        actor=system,
        username=username,
        name=username,
        home_unit=unit,
        password=secrets.token_urlsafe(16),
        audit=False,
    )
    assignment_grant(actor=system, user=user, org_unit=unit, role="association_officer", audit=False)
    return user


def run(options: dict[str, Any], write: Callable[[str], None]) -> None:
    scale = float(options.get("scale") or 1.0)
    runs = int(options.get("runs") or 5)
    report: dict[str, Any] = {}
    write("")
    write(f"== 协会培训（--scale {scale}）==")
    province = build(scale, write, report)
    officer = _officer(province, "bench_training_province")
    scoping.forget(officer)

    seconds, figures = _median(
        lambda: selectors.training_figures(actor=officer, year=YEAR, unit=province), runs
    )
    report["figures_province_s"] = seconds
    total = figures.total
    write(
        f"全省 {YEAR} 年干部培训统计：在任干部 {total.cadres:,}，参训 {total.trained:,}，人均 {total.hours_per_cadre} 学时，"
        f"达标（≥{figures.min_hours}学时）{total.share_reached}%；{len(figures.rows)} 行"
    )
    write(
        f"  用时（中位数，{runs} 次）：{seconds * 1000:.0f} ms — 目标 < {TARGET_S:.0f} s："
        + ("达到" if seconds < TARGET_S else "未达到")
    )
    county = (
        OrgUnit.objects.filter(path__startswith=province.path, level=Level.COUNTY).order_by("path").first()
    )
    seconds, _f = _median(lambda: selectors.training_figures(actor=officer, year=YEAR, unit=county), runs)
    report["figures_county_s"] = seconds
    write(f"一个县（{county.name}）的下钻统计：{seconds * 1000:.0f} ms")
    # the two ways of reading each cadre's hours (selectors.training.GROUPED_LEVELS says which is used where)
    first, last = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    for key, label, unit in (("province", "全省", province), ("county", "一个县", county)):
        for per_cadre, way in ((True, "逐人索引求和"), (False, "全年一次汇总")):
            seconds, _rows = _median(
                lambda unit=unit, per_cadre=per_cadre: _figures_rows(
                    unit, first=first, last=last, min_hours=Decimal(16), per_cadre=per_cadre
                ),
                runs,
            )
            report[f"sql_{key}_{'per_cadre' if per_cadre else 'grouped'}_s"] = seconds
            write(f"  {label}·{way}（仅SQL）：{seconds * 1000:.0f} ms")

    # one sign-in on a phone, against the full attendance table: a course running now
    now = timezone.now()
    course = Course.objects.create(
        org_unit=county,
        level=CourseLevel.COUNTY,
        topic=TrainingTopic.objects.first(),
        title="基准签到",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        hours=HOURS,
        capacity=500,
    )
    session = CourseSession.objects.create(
        course=course,
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=2),
        hours=HOURS,
    )
    cadres = list(Cadre.objects.filter(org_unit__path__startswith=county.path, left_on__isnull=True)[:200])
    made = services.enrol(actor=officer, course=course, cadres=cadres)
    code = services.signin_code_issue(actor=officer, session=session)
    times = []
    for e in made:
        started = time.perf_counter()
        services.attendance_sign_in(
            code=services.signin_code_find(word=code.word), personal_code=e.personal_code
        )
        times.append(time.perf_counter() - started)
    report["sign_in_ms"] = statistics.median(times) * 1000
    write(
        f"手机签到（查签到码、核对、写入并记审计，{len(times)} 人）：中位数 {report['sign_in_ms']:.1f} ms/人"
    )
    options.setdefault("_reports", {})["training"] = report

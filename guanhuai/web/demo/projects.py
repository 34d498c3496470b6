"""The demo's association projects, recorded against the money the funds demo already paid, so that the fund
statement and the project pages agree to the fen:

- the 40 provincial Youth Health projects of 2015 in 18 cities (schools, communities, enterprises, army
  camps): one project per payment of the allocation "2015年省级青春健康项目", each approved by the city and the
  province, funded with its share, its payment recorded as its spending, its final report handed in, closed
  once the outcome demo has recorded its activities (`close_historical`: closing freezes the figures);
- the Three Combinations projects of 2013–2015 (one per payment of each year's allocation), closed likewise;
- a mushroom-growing Three Combinations project in 仁化县 (2024–2026), funded from the 韶关市 fund and paid
  through the project's own spending, still in progress;
- the 2025 Youth Health school projects of six cities, in progress, one with an overdue progress report (on
  the 韶关市 project officer's work queue);
- the Warm Home sites of 2023 in four counties of 韶关市, and two Happy Family creation projects.

Proposals are recorded by the system user and reviewed by two provincial project officers this module adds
(`sheng_xiangmu`, `sheng_pinggu`, with the demo password) and the province administrator, so segregation of
duties holds. `demo_projects()` returns the projects with what the outcome demo needs (type, venue kind,
city), so activities and outcomes can fill them. Skipped when the projects exist or the funds demo has not run.
"""

from __future__ import annotations

import datetime as dt
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.models import User
from guanhuai.accounts.registry import Role
from guanhuai.accounts.services import assignment_grant, user_create
from guanhuai.core.money import yuan
from guanhuai.funds import selectors as funds_selectors
from guanhuai.funds import services as funds_services
from guanhuai.funds.models import Allocation, Disbursement, Fund, LedgerEntry, Purpose
from guanhuai.funds.states import Account, TargetKind
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.projects import services
from guanhuai.projects.models import Project, ProjectSpending
from guanhuai.projects.states import RUNNING
from guanhuai.web.demo import funds_plan
from guanhuai.web.demo.province import PROVINCE_CODE
from guanhuai.web.demo.system import system_user

# The two provincial project officers who review (data, in the source language).
REVIEWERS = (("sheng_xiangmu", "王海燕"), ("sheng_pinggu", "刘志远"))
SITE_VENUES = {"学校": "school", "社区": "community", "企业": "enterprise", "军营": "army_camp"}
YOUTH_2015_REF = "project:youth-health-2015"
YOUTH_2025_REF = "project:youth-health-2025"
WARM_HOME_REF = "project:warm-home-shaoguan-2023"
MUSHROOM_CODE = "TC2024-440224-MR"


@dataclass(frozen=True)
class DemoProject:
    """A demo project and what the outcome demo needs to fill it."""

    project: Project
    type_code: str
    city: str  # the city's name
    venue_kind: str = ""  # Youth Health: school, community, enterprise or army_camp
    mushroom: bool = False


@dataclass
class ProjectsSummary:
    built: bool = False
    skipped: str = ""
    seconds: float = 0.0
    by_type: dict[str, int] = field(default_factory=dict)
    youth_2015: int = 0
    youth_2015_cities: int = 0
    spent: Decimal = Decimal("0.00")
    disbursed: Decimal = Decimal("0.00")  # what the project allocations paid, from the funds' books
    reviewers: list[str] = field(default_factory=list)  # the logins this module added


def demo_exists() -> bool:
    return Project.objects.filter(code__startswith="YH2015-").exists()


def _reviewers(system: User) -> tuple[User, User, User] | None:
    admin = User.objects.filter(username="sheng_admin").first()
    province = OrgUnit.objects.filter(code=PROVINCE_CODE).first()
    if admin is None or province is None:
        return None
    out = []
    for username, name in REVIEWERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=system,
                username=username,
                name=name,
                home_unit=province,
                password=settings.GUANHUAI_DEMO_PASSWORD or "",
            )
            assignment_grant(actor=system, user=user, org_unit=province, role=Role.PROJECT_OFFICER)
        out.append(user)
    return out[0], out[1], admin


class _Builder:
    def __init__(self, system: User, reviewers: tuple[User, User, User], manager: User) -> None:
        self.system, self.manager = system, manager
        self.first, self.second, self.admin = reviewers
        self.types = {t.code: t for t in services.install_builtin_types()}

    def approve(self, project: Project) -> Project:
        """Submitted by the system user, then passed at each step by a different reviewer."""
        services.project_submit(actor=self.system, project=project)
        passers = [self.first, self.second, self.admin]
        steps = services.steps_of(project)
        for i in range(len(steps)):
            # the last step is the province's (or the city's): its passer is the last of the three
            who = (
                passers[i] if i < len(steps) - 1 else (self.admin if steps[-1] == "province" else self.second)
            )
            services.project_review(actor=who, project=project, decision="pass", comment=_("同意。"))
        project.refresh_from_db()
        return project

    def create(
        self,
        *,
        code: str,
        type_code: str,
        unit: OrgUnit,
        name: str,
        start: dt.date,
        end: dt.date,
        budget: list[tuple[str, Decimal]],
        objectives: str,
        targets: dict[str, Any] | None = None,
    ) -> Project:
        return services.project_create(
            actor=self.system,
            org_unit=unit,
            project_type=self.types[type_code],
            code=code,
            name=name,
            objectives=objectives,
            start_date=start,
            end_date=end,
            budget_lines=budget,
            targets=targets or {},
        )

    def record_payment(self, project: Project, allocation: Allocation, disbursement: Disbursement) -> None:
        """The project's share of the allocation is the payment the funds demo made to it, recorded as its
        spending: the ledger is not touched again."""
        funding = services.project_fund(
            actor=self.manager, project=project, allocation=allocation, amount=disbursement.amount
        )
        services.project_link_disbursement(actor=self.manager, funding=funding, disbursement=disbursement)

    def hand_in(self, project: Project, *, report: str, submitted_on: dt.date) -> None:
        """The final report; the closing waits for the outcome demo's records (`close_historical`)."""
        final = project.reports.get(kind="final")
        services.report_submit(actor=self.system, report=final, body=report, submitted_on=submitted_on)


# The historical projects' evaluations, by project number prefix: closed once their outcomes are recorded.
EVALUATIONS = {
    "YH2015-": ("good", "完成项目目标，经费使用规范。"),
    "TC2013-": ("excellent", "帮扶户增收明显。"),
    "TC2014-": ("excellent", "帮扶户增收明显。"),
    "TC2015-": ("excellent", "帮扶户增收明显。"),
}


def close_historical() -> int:
    """Close the 2013–2015 projects whose final report is in, after the outcome demo recorded what they did:
    closing freezes a project's outcome figures (`projects.selectors.snapshot`), so it comes last, as it
    did in the field. The province administrator evaluates (the approving level). Idempotent."""
    admin = User.objects.filter(username="sheng_admin").first()
    if admin is None:
        return 0
    closed = 0
    for prefix, (rating, evaluation) in EVALUATIONS.items():
        for project in (
            Project.objects.unscoped("the demo closes its own historical projects")
            .filter(code__startswith=prefix, status__in=RUNNING)
            .filter(reports__kind="final", reports__submitted_on__isnull=False)
            .select_related("type", "org_unit")
            .order_by("code")
        ):
            services.project_close(actor=admin, project=project, evaluation=evaluation, rating=rating)
            closed += 1
    return closed


def _payments(target_ref: str) -> tuple[Allocation | None, list[Disbursement]]:
    allocation = (
        Allocation.objects.unscoped("the demo reads its own allocations")
        .filter(target_kind=TargetKind.PROJECT, target_ref=target_ref)
        .first()
    )
    if allocation is None:
        return None, []
    return allocation, list(Disbursement.objects.filter(allocation=allocation, reversed=False).order_by("pk"))


def _png(shade: int) -> bytes:
    """A small grey PNG (64×48), so the demo's documents are real images without shipping files."""
    width, height = 64, 48

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([shade, shade, shade]) * width for _row in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _unit(name: str, level: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(name=name, level=level, code__startswith="44").order_by("code").first()


def _youth_2015(b: _Builder) -> int:
    allocation, paid = _payments(YOUTH_2015_REF)
    if allocation is None:
        return 0
    seen: dict[str, int] = {}
    for n, d in enumerate(paid, start=1):
        city_name, _dot, rest = d.payee.partition("计生协·")
        site = rest.removesuffix("青春健康项目")
        city = _unit(city_name, Level.CITY)
        if city is None:
            continue
        seen[d.payee] = seen.get(d.payee, 0) + 1
        suffix = "" if seen[d.payee] == 1 else _("（第二批）")
        project = b.create(
            code=f"YH2015-{n:02d}",
            type_code="youth_health",
            unit=city,
            name=f"2015年{city_name}{site}青春健康项目{suffix}",
            start=dt.date(2015, 3, 10),
            end=dt.date(2015, 12, 31),
            budget=[
                ("同伴教育和家长课堂", d.amount * 6 / 10),
                ("师资培训", d.amount * 25 / 100),
                ("宣传资料", d.amount * 15 / 100),
            ],
            objectives=f"在{city_name}的{site}开展青春健康同伴教育、家长课堂和咨询服务。",
            targets={"participants": 600},
        )
        b.approve(project)
        b.record_payment(project, allocation, d)
        b.hand_in(
            project,
            report=f"{city_name}{site}青春健康项目按计划完成，详见活动记录。",
            submitted_on=dt.date(2016, 1, 20),
        )
    return len(paid)


def _three_combinations(b: _Builder) -> int:
    made = 0
    for year in (2013, 2014, 2015):
        allocation, paid = _payments(f"project:three-combinations-{year}")
        if allocation is None:
            continue
        for n, d in enumerate(paid, start=1):
            branch, _dot, rest = d.payee.partition("计生协·")
            crop = rest.removesuffix("三结合项目")
            county = _unit(branch, Level.COUNTY)
            if county is None:
                continue
            project = b.create(
                code=f"TC{year}-{n:02d}",
                type_code="three_combinations",
                unit=county,
                name=f"{year}年{branch}{crop}三结合帮扶项目",
                start=dt.date(year, 4, 1),
                end=dt.date(year, 12, 31),
                budget=[
                    ("种苗和农资", d.amount * 7 / 10),
                    ("技能培训", d.amount * 2 / 10),
                    ("产销对接", d.amount / 10),
                ],
                objectives=f"与困难家庭签订帮扶协议，发展{crop}，帮助每户年增收约5000元。",
                targets={"households": 60, "income_gain": 5000},
            )
            b.approve(project)
            b.record_payment(project, allocation, d)
            b.hand_in(
                project,
                report=f"{branch}{crop}项目完成帮扶协议签订和技能培训，次年跟踪收入。",
                submitted_on=dt.date(year + 1, 1, 25),
            )
            made += 1
    return made


def _mushroom(b: _Builder) -> int:
    """仁化县's mushroom (香菇) project, from the 韶关市 fund: a live project paying through its own spending."""
    county = OrgUnit.objects.filter(code="440224").first()
    city_fund = Fund.objects.filter(name=funds_plan.FUNDS[2].name, org_unit__code="440200").first()
    if county is None or city_fund is None:
        return 0
    amount = Decimal("30000.00")
    if funds_selectors.balances(city_fund).available < amount:
        return 0
    project = b.create(
        code=MUSHROOM_CODE,
        type_code="three_combinations",
        unit=county,
        name="仁化县香菇种植计生三结合项目",
        start=dt.date(2024, 3, 1),
        end=dt.date(2026, 12, 31),
        budget=[("菌种和菌棒", Decimal("18000.00")), ("大棚改造", Decimal("12000.00"))],
        objectives="组织计生困难家庭种植香菇，由合作社统一收购，帮助每户年增收约20000元。",
        targets={"households": 12, "income_gain": 20000},
    )
    b.approve(project)
    allocation, _created = funds_services.allocation_create(
        actor=b.manager,
        fund=city_fund,
        purpose=Purpose.objects.get(code="three_combinations"),
        target_kind=TargetKind.PROJECT,
        target_ref=f"project:{MUSHROOM_CODE}",
        name="仁化县香菇种植三结合项目",
        amount=amount,
        posted_on=dt.date(2024, 3, 5),
    )
    funding = services.project_fund(actor=b.manager, project=project, allocation=allocation, amount=amount)
    for on, what, value in (
        (dt.date(2024, 3, 20), "仁化县丹霞菌业专业合作社（菌种和菌棒）", Decimal("18000.00")),
        (dt.date(2025, 2, 18), "仁化县丹霞菌业专业合作社（大棚改造）", Decimal("12000.00")),
    ):
        services.project_spend(actor=b.manager, funding=funding, amount=value, spent_on=on, payee=what)
    services.project_fund(
        actor=b.manager, project=project, amount=Decimal("4800.00"), items="香菇烘干机 2 台（企业捐赠）"
    )
    _mushroom_goods(b, project)
    return 1


def _mushroom_goods(b: _Builder, project: Project) -> None:
    """Quilts out of the province fund's donated goods for the project's households, this winter: one use
    typed at the wrong unit price and reversed (as a clerk would correct it), then the right one. Dated today:
    the funds demo has closed every month before this one."""
    fund = Fund.objects.filter(name=funds_plan.FUNDS[0].name, org_unit__code=PROVINCE_CODE).first()
    if fund is None or funds_services.in_kind_held(fund) < Decimal("3540.00"):
        return
    on, items = timezone.localdate(), "棉被（1.5米）10 床，冬季慰问种植户"
    wrong, _created = services.project_use_goods(
        actor=b.manager, project=project, fund=fund, amount=Decimal("1860.00"), used_on=on, items=items
    )
    services.goods_use_reverse(actor=b.manager, use=wrong, reason="单价误填为 186 元，应为 168 元")
    services.project_use_goods(
        actor=b.manager, project=project, fund=fund, amount=Decimal("1680.00"), used_on=on, items=items
    )


def _paid_branches(ref: str, level: str) -> Iterator[tuple[int, Allocation, Disbursement, OrgUnit, str]]:
    """Each payment of a project allocation (numbered from 1), with the branch its payee names before
    "计生协·" (a payment to a branch the demo tree lacks is passed over)."""
    allocation, paid = _payments(ref)
    for n, d in enumerate(paid, start=1):
        name = d.payee.partition("计生协·")[0]
        unit = _unit(name, level)
        if allocation is not None and unit is not None:
            yield n, allocation, d, unit, name


def _youth_2025(b: _Builder) -> int:
    today = timezone.localdate()
    made = 0
    for n, allocation, d, city, city_name in _paid_branches(YOUTH_2025_REF, Level.CITY):
        made += 1
        project = b.create(
            code=f"YH2025-{n:02d}",
            type_code="youth_health",
            unit=city,
            name=f"2025年{city_name}青春健康进校园",
            start=dt.date(2025, 3, 1),
            end=dt.date(2026, 12, 31),
            budget=[("同伴教育", d.amount * 7 / 10), ("家长课堂", d.amount * 3 / 10)],
            objectives=f"在{city_name}的中学和高校开展同伴教育和家长课堂。",
            targets={"participants": 2000},
        )
        b.approve(project)
        b.record_payment(project, allocation, d)
        services.milestone_add(
            actor=b.system, project=project, title="完成师资培训", due_on=dt.date(2025, 5, 31)
        )
        report = services.report_schedule(
            actor=b.system, project=project, title="2026年上半年进度报告", due_on=dt.date(2026, 7, 15)
        )
        if city.code != "440200" and report.due_on < today:  # 韶关市's stays overdue: on the officer's queue
            services.report_submit(actor=b.system, report=report, body="上半年完成 8 所学校的同伴教育。")
        if city.code == "440200":
            for kind, name, colour in (("photo", "同伴教育课堂.png", 40), ("sign_in", "签到表.png", 200)):
                upload = SimpleUploadedFile(name, _png(colour), content_type="image/png")
                services.document_upload(actor=b.system, project=project, kind=kind, upload=upload)
    return made


def _warm_homes(b: _Builder) -> int:
    made = 0
    for n, allocation, d, county, county_name in _paid_branches(WARM_HOME_REF, Level.COUNTY):
        made += 1
        project = b.create(
            code=f"WH2023-{n:02d}",
            type_code="warm_home",
            unit=county,
            name=f"{county_name}暖心家园",
            start=dt.date(2023, 4, 1),
            end=dt.date(2026, 12, 31),
            budget=[("场地改造和标识", d.amount * 6 / 10), ("活动经费", d.amount * 4 / 10)],
            objectives="为计生特殊家庭建设暖心家园，达到“六有”标准，定期开展生活照料、精神慰藉、养老和健康服务。",
            targets={"families_served": 40},
        )
        b.approve(project)
        b.record_payment(project, allocation, d)
        if county.code == "440224":  # 仁化县's site: two items of the standard checked with a photo each
            for item, name, shade in (("six_venue", "活动室.png", 90), ("six_signs", "门牌标识.png", 150)):
                photo = services.document_upload(
                    actor=b.system,
                    project=project,
                    kind="photo",
                    upload=SimpleUploadedFile(name, _png(shade), content_type="image/png"),
                )
                services.site_check(
                    actor=b.system,
                    project=project,
                    item=item,
                    met=True,
                    evidence=photo,
                    checked_on=dt.date(2023, 9, 1),
                )
            services.site_check(
                actor=b.system, project=project, item="six_plan", met=False, note="年度活动计划待修订"
            )
    return made


def _happy_families(b: _Builder) -> int:
    made = 0
    for n, (code, name) in enumerate((("440200", "韶关市"), ("440224", "仁化县")), start=1):
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            continue
        project = b.create(
            code=f"HF2025-{n:02d}",
            type_code="happy_family",
            unit=unit,
            name=f"2025年{name}幸福家庭创建活动",
            start=dt.date(2025, 3, 1),
            end=dt.date(2026, 12, 31),
            budget=[("评选和表彰", Decimal("8000.00")), ("宣传展示", Decimal("4000.00"))],
            objectives="按文明、健康、优生、致富、奉献五项标准，自下而上评选幸福家庭。",
            targets={"families_named": 20},
        )
        b.approve(project)
        services.project_fund(
            actor=b.manager, project=project, amount=Decimal("3000.00"), items="幸福家庭牌匾 20 块"
        )
        made += 1
    return made


def demo_build(*, small: bool = False) -> ProjectsSummary:
    """Build the demo's projects once; then (and on every later run) summarise them. `small` builds the same
    projects: they are few, and the funds demo pays them in both sizes."""
    if demo_exists():
        return demo_summary()
    system = system_user()
    manager = User.objects.filter(username="jijin").first()
    if manager is None or not Allocation.objects.filter(target_ref=YOUTH_2015_REF).exists():
        return ProjectsSummary(skipped=_("还没有演示基金（项目分配），暂不建立演示项目。"))
    reviewers = _reviewers(system)
    if reviewers is None:
        return ProjectsSummary(skipped=_("没有演示账号（sheng_admin），不建立演示项目。"))
    started = time.perf_counter()
    with transaction.atomic():
        b = _Builder(system, reviewers, manager)
        _youth_2015(b)
        _three_combinations(b)
        _mushroom(b)
        _youth_2025(b)
        _warm_homes(b)
        _happy_families(b)
    summary = demo_summary()
    summary.built, summary.seconds = True, time.perf_counter() - started
    return summary


def demo_summary() -> ProjectsSummary:
    s = ProjectsSummary()
    projects = Project.objects.unscoped("the demo's summary counts the whole province")
    s.by_type = dict(projects.values_list("type__name").annotate(n=Count("pk")).order_by("type__pk"))
    youth = projects.filter(code__startswith="YH2015-")
    s.youth_2015 = youth.count()
    s.youth_2015_cities = youth.values("org_unit").distinct().count()
    s.reviewers = list(
        User.objects.filter(username__in=[u for u, _n in REVIEWERS])
        .order_by("username")
        .values_list("username", flat=True)
    )
    s.spent = ProjectSpending.objects.filter(disbursement__reversed=False).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal("0.00")
    s.disbursed = LedgerEntry.objects.filter(
        account=Account.DISBURSEMENTS,
        allocation__in=Allocation.objects.unscoped("the demo's summary").filter(
            target_ref__in=[
                YOUTH_2015_REF,
                YOUTH_2025_REF,
                WARM_HOME_REF,
                f"project:{MUSHROOM_CODE}",
                *(f"project:three-combinations-{y}" for y in (2013, 2014, 2015)),
            ]
        ),
    ).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    return s


def demo_projects() -> list[DemoProject]:
    """The demo's projects with what the outcome demo needs: Youth Health projects with their venue kind and
    city, the Three Combinations projects (the mushroom one marked), Warm Home sites, Happy Family projects."""
    out = []
    rows = (
        Project.objects.unscoped("the demo reads its own projects")
        .filter(code__regex=r"^(YH|TC|WH|HF)20")
        .select_related("type", "org_unit")
        .order_by("code")
    )
    cities = {u.path: u.name for u in OrgUnit.objects.filter(level=Level.CITY)}
    for p in rows:
        city = next((name for path, name in cities.items() if p.org_unit.path.startswith(path)), "")
        venue = ""
        if p.type.code == "youth_health":
            venue = next((v for site, v in SITE_VENUES.items() if site in p.name), "school")
        out.append(
            DemoProject(
                project=p,
                type_code=p.type.code,
                city=city,
                venue_kind=venue,
                mushroom=p.code == MUSHROOM_CODE,
            )
        )
    return out


def summary_lines(s: ProjectsSummary) -> list[str]:
    if s.skipped:
        return ["", s.skipped]
    lines = [
        "",
        (_("演示协会项目（用时 %(s).1f 秒）：") % {"s": s.seconds})
        if s.built
        else _("演示协会项目（已存在，未做任何修改）："),
    ]
    for name, n in s.by_type.items():
        lines.append(f"  {name}\t{n:>8,}")
    lines.append(
        _("  2015年省级青春健康项目 %(n)d 个，覆盖 %(c)d 个市")
        % {"n": s.youth_2015, "c": s.youth_2015_cities}
    )
    lines.append(
        _("  项目支出合计 %(spent)s；基金总账中这些项目分配的支出 %(books)s")
        % {"spent": yuan(s.spent), "books": yuan(s.disbursed)}
    )
    if s.reviewers:
        lines.append(
            _("  审核演示项目的省级项目专员（密码同演示账号）：%(users)s")
            % {"users": "、".join(f"`{u}`" for u in s.reviewers)}
        )
    return lines


def build_and_print(command: Any, *, small: bool = False) -> ProjectsSummary:
    summary = demo_build(small=small)
    for line in summary_lines(summary):
        command.stdout.write(line)
    return summary

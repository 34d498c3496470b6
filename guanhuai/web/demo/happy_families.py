"""Demo: the Happy Family selections (幸福家庭评选) of the two demo Happy Family projects (韶关市's, reviewed
township → county → city, and 仁化县's, township → county). Each gets 14 nominations of 仁化县 households at
every stage: waiting at the township, at the county, not recommended, named; some named families' heads
consent to the honours' publication, so the portal's list shows a few. Through the services, as the field
would: 甲村's clerk (`cun_zhuanguan`) nominates her village's families, the township (`zhen_shenhe`, or the
province admin for the other townships), the county (`xian_shenpi`) and the city (`xiangmu`) review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanhuai.accounts.models import User
from guanhuai.orgs.models import Level
from guanhuai.projects import services
from guanhuai.projects.models import Project
from guanhuai.projects.models_happy import Nomination
from guanhuai.projects.selectors import happy_families_public
from guanhuai.projects.states import NominationStatus
from guanhuai.registry.models import Household
from guanhuai.registry.services import consent_record
from guanhuai.registry.states import ConsentPurpose
from guanhuai.web.demo.province import HOME_COUNTY, HOME_TOWNSHIP, HOME_VILLAGE
from guanhuai.web.demo.system import system_user

PROJECTS = ("HF2025-01", "HF2025-02")
PER_PROJECT = 14
# The fate of each nomination, in order: (how far it goes, consent to publish)
PLAN: tuple[tuple[str, bool], ...] = (
    ("named", True),
    ("named", True),
    ("named", False),
    ("named", True),
    ("named", False),
    ("not_recommended", False),
    ("not_recommended", False),
    ("county", False),
    ("county", False),
    ("county", True),
    ("township", False),
    ("township", False),
    ("township", False),
    ("township", False),
)
EVIDENCE = (
    {
        "civilised": "家风良好，邻里和睦，连续多年被评为文明户。",
        "healthy": "全家参加年度体检，积极参加村健康讲座。",
        "eugenic": "婚检孕检齐全，科学育儿，孩子按时接种疫苗。",
        "prosperous": "种植香菇和沙田柚，家庭年纯收入逐年增加。",
        "dedicated": "参加村志愿服务队，结对帮扶一户计生特殊家庭。",
    },
    {
        "civilised": "移风易俗，红白喜事简办，带头遵守村规民约。",
        "healthy": "戒烟限酒，坚持锻炼，家庭医生签约服务全覆盖。",
        "eugenic": "参加优生优育讲座，孕前优生健康检查。",
        "prosperous": "开办农家乐，带动周边三户村民就业。",
        "dedicated": "每年为村里修路、助学捐款，热心公益。",
    },
)


@dataclass
class HappySummary:
    nominated: int = 0
    named: int = 0
    published: int = 0
    skipped: str = ""


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _households(project: Project, n: int, offset: int) -> list[Household]:
    """Households with a head in 仁化县 (in the project's area), 甲村's first, a different slice per project."""
    rows = (
        Household.objects.unscoped("the demo picks the families to nominate")
        .filter(org_unit__path__startswith=project.org_unit.path, head__isnull=False)
        .filter(org_unit__code__startswith=HOME_COUNTY, org_unit__level=Level.VILLAGE)
        .select_related("org_unit", "head")
    )
    home = list(rows.filter(org_unit__code=HOME_VILLAGE).order_by("pk")[offset // 3 : offset // 3 + 4])
    rest = list(rows.exclude(org_unit__code=HOME_VILLAGE).order_by("pk")[offset : offset + n - len(home)])
    return home + rest


def _select(project: Project, offset: int, actors: dict[str, User]) -> HappySummary:
    s = HappySummary()
    system = actors["system"]
    for i, (hh, (fate, consents)) in enumerate(
        zip(_households(project, PER_PROJECT, offset), PLAN, strict=False)
    ):
        nominator = actors["clerk"] if hh.org_unit.code == HOME_VILLAGE else system
        n = services.nomination_create(
            actor=nominator, project=project, household=hh, evidence=dict(EVIDENCE[i % 2])
        )
        s.nominated += 1
        township = actors["township"] if hh.org_unit.code.startswith(HOME_TOWNSHIP[:9]) else actors["admin"]
        by_step = {"township": township, "county": actors["county"], "city": actors["city"]}
        for step in services.nomination_steps(n):
            n.refresh_from_db()
            if fate == step:
                break
            last = step == services.nomination_steps(n)[-1]
            if fate == "not_recommended" and step == "county":
                services.nomination_review(
                    actor=by_step[step],
                    nomination=n,
                    decision="not_recommended",
                    comment=_("“致富”一项事实依据不足，建议明年再评。"),
                )
                break
            services.nomination_review(
                actor=by_step[step],
                nomination=n,
                decision="name" if last else "recommend",
                comment=_("事迹属实，同意。"),
            )
        n.refresh_from_db()
        if n.status == NominationStatus.NAMED:
            s.named += 1
        if consents and hh.head is not None:
            consent_record(  # recorded by a branch's staff, as in the field (the system loads, never consents)
                actor=actors["county"],
                person=hh.head,
                purpose=ConsentPurpose.HONOURS,
                scope=_("幸福家庭命名：户主姓名和所在村在门户网站公开"),
                given_on=dt.date(2025, 10, 8),
                given_by=hh.head.name,
            )
    return s


def demo_build() -> HappySummary:
    """Once: when the projects exist and have no nomination yet (then, and later, the summary)."""
    projects = list(
        Project.objects.unscoped("the demo's Happy Family projects")
        .filter(code__in=PROJECTS)
        .order_by("code")
    )
    if not projects:
        return HappySummary(skipped=_("没有演示幸福家庭项目，未建立评选记录。"))
    actors = {
        "system": system_user(),
        "clerk": _user("cun_zhuanguan"),
        "township": _user("zhen_shenhe"),
        "county": _user("xian_shenpi"),
        "city": _user("xiangmu"),
        "admin": _user("sheng_admin"),
    }
    if any(u is None for u in actors.values()):
        return HappySummary(skipped=_("没有演示账号，未建立幸福家庭评选记录。"))
    if not Nomination.objects.filter(project__in=projects).exists():
        with transaction.atomic():
            for offset, project in enumerate(projects):
                _select(project, offset * 40, actors)  # type: ignore[arg-type]
    return demo_summary(projects)


def demo_summary(projects: list[Project]) -> HappySummary:
    """The counts, the published ones read as the portal reads them (韶关市's list holds both projects'
    families: they all live in 仁化县)."""
    rows = Nomination.objects.filter(project__in=projects)
    return HappySummary(
        nominated=rows.count(),
        named=rows.filter(status=NominationStatus.NAMED).count(),
        published=len(happy_families_public(unit=projects[0].org_unit).families),
    )


def build_and_print(command: Any) -> HappySummary:
    summary = demo_build()
    if summary.skipped:
        command.stdout.write(summary.skipped)
    else:
        command.stdout.write(
            _("幸福家庭评选：提名 %(n)d 户，已命名 %(named)d 户，其中经户主同意在门户公开 %(pub)d 户。")
            % {"n": summary.nominated, "named": summary.named, "pub": summary.published}
        )
    return summary

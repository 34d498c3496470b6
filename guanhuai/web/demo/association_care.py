"""The demo's care for special families, volunteers and work with the health commission: most special
families paired with liaisons and signed with a family doctor, fewer with a fast lane, so the county's gap
list has something on it; visits with follow-ups, some overdue on the association officer's queue; a
volunteer team per county; two joint meetings with action items and a delegated task.

Set-based: the care rows are one bulk_create each, whatever the number of families; the few meetings go
through the services, so they are audited like real ones. Deterministic (seeded), and built once."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.models import User
from guanhuai.association import services
from guanhuai.association.models import (
    CareArrangement,
    FollowUp,
    JointMeeting,
    Visit,
    Volunteer,
    VolunteerService,
    VolunteerTeam,
)
from guanhuai.association.selectors import care as care_selectors
from guanhuai.association.states import CoverageKind, LiaisonLevel, VisitKind
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.registry.models import Household
from guanhuai.web.demo import write_summary
from guanhuai.web.demo.province import HOME_COUNTY, PROVINCE_CODE

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "建国秀英丽华志强桂兰海燕卫东春梅国庆晓明玉珍文杰"
HOSPITALS = ("县人民医院", "县中医院", "市第一人民医院")
NEEDS = (
    "老人行动不便，需要助行器",
    "希望帮助联系养老机构",
    "近期住院，需协助报销",
    "情绪低落，需心理疏导",
    "",
)


@dataclass
class CareSummary:
    families: int = 0
    arrangements: int = 0
    visits: int = 0
    volunteers: int = 0
    meetings: int = 0
    seconds: float = 0.0
    skipped: str = ""


def _name(rng: random.Random) -> str:
    i = rng.randrange(0, len(GIVEN) // 2)
    return rng.choice(SURNAMES) + GIVEN[2 * i : 2 * i + 2]


def special_households():  # type: ignore[no-untyped-def]
    return Household.objects.filter(care_selectors.is_special()).select_related("org_unit").order_by("pk")


def demo_build(*, today: dt.date | None = None) -> CareSummary:
    if JointMeeting.objects.exists() or CareArrangement.objects.exists():
        return CareSummary(skipped=_("演示关爱数据已存在。"))
    officer = User.objects.filter(username="xiehui").first()
    admin = User.objects.filter(username="sheng_admin").first()
    if officer is None or admin is None:
        return CareSummary(skipped=_("没有演示账号（xiehui），不建立演示关爱数据。"))
    today = today or timezone.localdate()
    rng = random.Random(529)
    started = time.perf_counter()
    families = list(special_households())
    with transaction.atomic():
        summary = _build(families, officer, admin, rng, today)
    summary.seconds = time.perf_counter() - started
    return summary


def _build(
    families: list[Household], officer: User, admin: User, rng: random.Random, today: dt.date
) -> CareSummary:
    start = today.replace(month=1, day=1) - dt.timedelta(days=365)
    rows: list[CareArrangement] = []
    # Shares by position, not by chance, so even the small demo's handful of families shows each case.
    for i, h in enumerate(families):
        since = start + dt.timedelta(days=rng.randrange(0, 500))
        since = min(since, today)
        common = {"household": h, "org_unit": h.org_unit, "created_by": admin}
        if i % 8 != 7:
            rows.append(
                CareArrangement(
                    kind=CoverageKind.LIAISON,
                    liaison_level=LiaisonLevel.TOWNSHIP,
                    person_name=_name(rng),
                    starts_on=since,
                    **common,
                )
            )
            rows.append(
                CareArrangement(
                    kind=CoverageKind.LIAISON,
                    liaison_level=LiaisonLevel.VILLAGE,
                    person_name=_name(rng),
                    starts_on=since,
                    **common,
                )
            )
        if i % 5 != 4:
            rows.append(
                CareArrangement(
                    kind=CoverageKind.DOCTOR,
                    person_name=_name(rng),
                    institution=f"{h.org_unit.name[:2]}卫生院",
                    starts_on=since,
                    # a yearly contract: some lapsed and were not renewed
                    ends_on=since + dt.timedelta(days=364) if i % 7 == 3 else None,
                    **common,
                )
            )
        if i % 5 < 3:
            rows.append(
                CareArrangement(
                    kind=CoverageKind.FAST_LANE, institution=rng.choice(HOSPITALS), starts_on=since, **common
                )
            )
    CareArrangement.objects.bulk_create(rows, batch_size=2000)
    visits = [
        Visit(
            household=h,
            org_unit=h.org_unit,
            visited_on=today - dt.timedelta(days=rng.randrange(3, 200)),
            visitors=f"{_name(rng)}、{_name(rng)}",
            kind=rng.choice(VisitKind.values),
            needs=rng.choice(NEEDS),
            recorded_by=officer,
        )
        for h in families
        if rng.random() < 0.6
    ]
    Visit.objects.bulk_create(visits, batch_size=2000)
    home = [v for v in visits if v.org_unit.code.startswith(HOME_COUNTY)] or visits
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                visit=v,
                org_unit=v.org_unit,
                action=_("落实：%(need)s") % {"need": v.needs} if v.needs else _("电话回访"),
                owner=officer,
                due_on=v.visited_on + dt.timedelta(days=rng.choice((7, 14, 30, 60))),
            )
            for v in home[:12]
        ]
    )
    volunteers = _volunteers(officer, rng, today)
    meetings = _meetings(officer, admin, today)
    return CareSummary(
        families=len(families),
        arrangements=len(rows),
        visits=len(visits),
        volunteers=volunteers,
        meetings=meetings,
    )


def _volunteers(officer: User, rng: random.Random, today: dt.date) -> int:
    # the home county (where the demo's officer works) and three more of its city
    counties = sorted(
        OrgUnit.objects.filter(level=Level.COUNTY, code__startswith=HOME_COUNTY[:4]),
        key=lambda c: (c.code != HOME_COUNTY, c.code),
    )[:4]
    teams = VolunteerTeam.objects.bulk_create(
        [
            VolunteerTeam(
                org_unit=c, name=f"{c.name}暖心志愿服务队", leader=_name(rng), founded_on=dt.date(2021, 5, 29)
            )
            for c in counties
        ]
    )
    people = Volunteer.objects.bulk_create(
        [
            Volunteer(org_unit=t.org_unit, team=t, name=_name(rng), joined_on=dt.date(2022, 3, 5))
            for t in teams
            for _i in range(6)
        ]
    )
    VolunteerService.objects.bulk_create(
        [
            VolunteerService(
                volunteer=v,
                org_unit=v.org_unit,
                served_on=today - dt.timedelta(days=rng.randrange(1, 300)),
                hours=Decimal(rng.choice(("2.0", "3.5", "4.0"))),
                activity=rng.choice(("陪伴失独老人", "青春健康宣传", "5·29 会员活动日", "上门理发")),
                recorded_by=officer,
            )
            for v in people
            for _i in range(rng.randrange(1, 5))
        ]
    )
    return len(people)


def _meetings(officer: User, admin: User, today: dt.date) -> int:
    county = OrgUnit.objects.get(code=HOME_COUNTY)
    province = OrgUnit.objects.get(code=PROVINCE_CODE)
    services.meeting_record(
        actor=admin,
        org_unit=province,
        held_on=today - dt.timedelta(days=90),
        title="省卫生健康委、省计生协联席会议（第一季度）",
        attendees="省卫生健康委人口家庭处、省计生协秘书处",
        minutes="通报计生特殊家庭“三个全覆盖”进展，研究就医绿色通道扩面。",
        decisions="各市年底前实现联系人制度全覆盖。",
        actions=[
            ("各市报送家庭医生签约率", "各市计生协", today - dt.timedelta(days=30)),
            ("协调三级医院开设绿色通道窗口", "省卫生健康委医政处", today + dt.timedelta(days=60)),
        ],
    )
    services.meeting_record(
        actor=officer,
        org_unit=county,
        held_on=today - dt.timedelta(days=20),
        title="仁化县卫生健康局、县计生协联席会议",
        attendees="县卫生健康局、县计生协、各镇计生办",
        minutes="部署特殊家庭走访慰问。",
        decisions="春节前完成全部走访。",
        actions=[("补齐无联系人家庭的结对", "各镇计生协", today + dt.timedelta(days=30))],
    )
    services.delegated_task_create(
        actor=officer,
        org_unit=county,
        title="计生特殊家庭扶助对象年度资格确认协助",
        agreement="县卫健局委托协议（仁卫〔2026〕12号）",
        agreed_on=today - dt.timedelta(days=60),
        due_on=today + dt.timedelta(days=45),
        deliverables="协助完成全县扶助对象资格确认入户核实，报送核实名册。",
    )
    return 2


def build_and_print(command: BaseCommand) -> CareSummary:
    summary = demo_build()
    write_summary(
        command,
        skipped=summary.skipped,
        title=_("演示特殊家庭关爱（用时 %(s).1f 秒）：") % {"s": summary.seconds},
        counts=(
            (_("特殊家庭"), summary.families),
            (_("联系人、签约和绿色通道记录"), summary.arrangements),
            (_("走访"), summary.visits),
            (_("志愿者"), summary.volunteers),
            (_("联席会议"), summary.meetings),
        ),
    )
    return summary

"""The demo's association records, part 1: a few enterprise, migrant and school associations, the
registration and two council terms of every county and township association, members (about 8 % of the
adults of the demo registry), member groups, cadres with some turnover, a Members' Day, and one open
re-registration campaign in the home county with part of the home village confirmed.

Set-based (bulk_create; the campaign's roll through the campaign service's own INSERT … SELECT) and quick;
seeded, so two runs build the same data. Idempotent: nothing is written when members already exist."""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.accounts.models import User
from guanhuai.accounts.registry import Role
from guanhuai.accounts.services import assignment_grant, user_create
from guanhuai.association.models import (
    Body,
    Cadre,
    Campaign,
    CampaignEntry,
    CardSequence,
    Member,
    MemberGroup,
    MembersDayEvent,
    Registration,
    Seat,
)
from guanhuai.association.states import (
    BodyKind,
    CampaignStatus,
    Employment,
    MembersDayKind,
    MemberStatus,
    Position,
)
from guanhuai.core.sql import insert_select
from guanhuai.orgs.models import Kind, Level, OrgUnit
from guanhuai.orgs.services import unit_create
from guanhuai.registry.models import Person
from guanhuai.web.demo.province import HOME_COUNTY, HOME_VILLAGE
from guanhuai.web.demo.system import system_user

SEED = 529  # Members' Day
SHARE = 0.08
SURNAMES = "陈林黄张李王吴刘蔡杨郑谢邱何曾罗"
GIVEN = ["建华", "秀英", "志强", "丽萍", "国栋", "美玲", "伟东", "桂芳", "海燕", "明辉", "玉兰", "家强"]


@dataclass
class Summary:
    associations: int = 0
    members: int = 0
    bodies: int = 0
    seats: int = 0
    cadres: int = 0
    left: int = 0
    seconds: float = 0.0


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _non_geographic(actor: Actor) -> int:
    """Two enterprise, one migrant and one school association in the home county (its first townships)."""
    county = OrgUnit.objects.filter(code=HOME_COUNTY).first()
    if county is None:
        return 0
    towns = list(OrgUnit.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("path")[:2])
    made = 0
    specs = [
        (county, Level.TOWNSHIP, Kind.ENTERPRISE, "仁化县丹霞冶炼厂计生协", "901"),
        (county, Level.TOWNSHIP, Kind.SCHOOL, "仁化县第一中学计生协", "902"),
    ]
    for i, town in enumerate(towns):
        specs.append(
            (
                town,
                Level.VILLAGE,
                Kind.MIGRANT if i == 0 else Kind.ENTERPRISE,
                f"{town.name}{'流动人口计生协' if i == 0 else '工业园企业计生协'}",
                "901",
            )
        )
    for parent, level, kind, name, tail in specs:
        code = (parent.code[:6] + tail + "000") if level == Level.TOWNSHIP else (parent.code[:9] + tail)
        if OrgUnit.objects.filter(code=code).exists():
            continue
        unit_create(
            actor=actor,
            parent=parent,
            code=code,
            name=name,
            level=level,
            kind=kind,
            opened_on=dt.date(2012, 5, 29),
        )
        made += 1
    return made


OFFICER = "xiehui"  # 协会工作专员 of the home county: the association's own pages, nothing of payments


def _officer(actor: Actor) -> None:
    county = OrgUnit.objects.filter(code=HOME_COUNTY).first()
    if county is None or User.objects.filter(username=OFFICER).exists():
        return
    user = user_create(
        actor=actor,
        username=OFFICER,
        password=settings.GUANHUAI_DEMO_PASSWORD or "",
        home_unit=county,
        name="仁化县计生协专职干部",
    )
    assignment_grant(actor=actor, user=user, org_unit=county, role=Role.ASSOCIATION_OFFICER)


def demo_build(*, small: bool, today: dt.date | None = None) -> Summary:
    today = today or timezone.localdate()
    summary = Summary()
    if Member.objects.exists() or not Person.objects.exists():
        return summary
    rng = random.Random(SEED)
    actor = system_user()
    started = time.perf_counter()
    with transaction.atomic():
        summary.associations = _non_geographic(actor)
        _officer(actor)
        # The counties whose townships the demo generated, and those townships (the rest of the province's
        # 122 counties have no branches below them in the demo).
        townships = OrgUnit.objects.filter(level=Level.TOWNSHIP, closed_on__isnull=True)
        units = list(
            OrgUnit.objects.filter(closed_on__isnull=True)
            .filter(Q(level=Level.TOWNSHIP) | Q(level=Level.COUNTY, pk__in=townships.values("parent_id")))
            .order_by("path")
        )
        _bodies_and_registration(rng, units, today, summary)
        _members(rng, today, summary)
        _cadres(rng, units, today, summary)
        _members_day(rng, [u for u in units if u.level == Level.TOWNSHIP], today, actor)
        _campaign(today, actor)
        _member_import(today)
    summary.seconds = time.perf_counter() - started
    return summary


def _seat(rng: random.Random, body: Body, position: str, since: dt.date, until: dt.date | None) -> Seat:
    """A post of the council `body`, held by a newly drawn name from `since` until `until` (None: still held)."""
    return Seat(
        body=body,
        org_unit=body.org_unit,
        position=position,
        name=_name(rng),
        designated_on=since,
        ceased_on=until,
    )


def _cadre(
    unit: OrgUnit, employment: str, position: str, name: str, appointed: dt.date, left: dt.date | None = None
) -> Cadre:
    """A cadre of `unit` in one post; the caller draws the name first, so the demo's draws keep their order."""
    return Cadre(
        org_unit=unit,
        name=name,
        employment=employment,
        position=position,
        appointed_on=appointed,
        left_on=left,
    )


def _bodies_and_registration(rng: random.Random, units: list[OrgUnit], today: dt.date, s: Summary) -> None:
    """Council and standing council with terms 4 (2016–2021) and 5 (2021–), a congress per term; the old
    term's posts ceased the day before the new one, one secretary-general changed mid-term."""
    old_start, new_start = dt.date(2016, 5, 20), dt.date(2021, 5, 20)
    regs, bodies = [], []
    for u in units:
        regs.append(
            Registration(
                org_unit=u,
                founded_on=dt.date(1990 + rng.randrange(0, 15), rng.randrange(1, 13), 1),
                legal_person=u.level == Level.COUNTY,
                legal_representative=_name(rng) if u.level == Level.COUNTY else "",
                address=f"{u.name}人民政府大院",
                contact_name=_name(rng),
                contact_phone=f"0751-{rng.randrange(6000000, 6999999)}",
                charter_version="2021年修订",
                charter_adopted_on=new_start,
            )
        )
        for kind in (BodyKind.CONGRESS, BodyKind.COUNCIL, BodyKind.STANDING_COUNCIL):
            bodies.append(
                Body(
                    org_unit=u,
                    kind=kind,
                    term=4,
                    started_on=old_start,
                    ended_on=new_start - dt.timedelta(days=1),
                )
            )
            bodies.append(Body(org_unit=u, kind=kind, term=5, started_on=new_start))
    Registration.objects.bulk_create(regs, batch_size=2000)
    Body.objects.bulk_create(bodies, batch_size=2000)
    s.bodies = len(bodies)
    seats = []
    councils = Body.objects.filter(kind=BodyKind.COUNCIL, org_unit__in=units).select_related("org_unit")
    for b in councils:
        end = b.ended_on

        seats.append(_seat(rng, b, Position.PRESIDENT, b.started_on, end))
        if b.term == 5 and rng.random() < 0.3:
            change = b.started_on + dt.timedelta(days=rng.randrange(300, 900))
            seats.append(
                _seat(rng, b, Position.SECRETARY_GENERAL, b.started_on, change - dt.timedelta(days=1))
            )
            seats.append(_seat(rng, b, Position.SECRETARY_GENERAL, change, None))
        else:
            seats.append(_seat(rng, b, Position.SECRETARY_GENERAL, b.started_on, end))
        seats.extend(_seat(rng, b, Position.VICE_PRESIDENT, b.started_on, end) for _i in range(2))
        seats.extend(_seat(rng, b, Position.COUNCIL_MEMBER, b.started_on, end) for _i in range(4))
    Seat.objects.bulk_create(seats, batch_size=5000)
    s.seats = len(seats)


def _members(rng: random.Random, today: dt.date, s: Summary) -> None:
    """About 8 % of living adults, by village; a few lapsed and withdrawn; one member group per village
    with members, its leader among them."""
    adult = dt.date(today.year - 18, today.month, min(today.day, 28))
    rows = list(
        Person.objects.filter(died_on__isnull=True, birth_date__lte=adult)
        .order_by("pk")
        .values_list("pk", "name", "org_unit_id", "org_unit__code")
    )
    chosen = [r for r in rows if rng.random() < SHARE]
    seq: dict[int, int] = {}
    members = []
    for pk, name, unit_id, code in chosen:
        seq[unit_id] = seq.get(unit_id, 0) + 1
        roll = rng.random()
        status, ended = MemberStatus.ACTIVE, None
        joined = dt.date(rng.randrange(2005, today.year), rng.randrange(1, 13), rng.randrange(1, 29))
        if joined > today:
            joined = today
        if roll < 0.04:
            status, ended = MemberStatus.LAPSED, dt.date(today.year - 1, 12, 31)
        elif roll < 0.06:
            status, ended = MemberStatus.WITHDRAWN, today - dt.timedelta(days=rng.randrange(30, 400))
        if ended is not None and ended < joined:
            ended = joined
        members.append(
            Member(
                org_unit_id=unit_id,
                person_id=pk,
                name=name,
                card_no=f"{code}-{seq[unit_id]:06d}",
                status=status,
                joined_on=joined,
                ended_on=ended,
            )
        )
    Member.objects.bulk_create(members, batch_size=5000)
    CardSequence.objects.bulk_create(
        [CardSequence(org_unit_id=u, last=n) for u, n in seq.items()], batch_size=5000
    )
    s.members = len(members)
    # one member group per village (the first members of the village), led by the first of them
    firsts: dict[int, list[int]] = {}
    for pk, unit_id in (
        Member.objects.filter(status=MemberStatus.ACTIVE).order_by("pk").values_list("pk", "org_unit_id")
    ):
        if len(firsts.setdefault(unit_id, [])) < 6:
            firsts[unit_id].append(pk)
    groups = MemberGroup.objects.bulk_create(
        [MemberGroup(org_unit_id=u, name="第一会员小组", leader_id=ids[0]) for u, ids in firsts.items()],
        batch_size=5000,
    )
    for g in groups:
        Member.objects.filter(pk__in=firsts[g.org_unit_id]).update(group=g)


def _cadres(rng: random.Random, units: list[OrgUnit], today: dt.date, s: Summary) -> None:
    """Counties: two full-time cadres; townships: one full-time (about one in eight has none: the vacancy
    on the county's work queue) and one part-time; about one in six left last year or this year and was
    replaced."""
    cadres = []
    for u in units:
        plan = (
            [(Employment.FULL_TIME, "秘书长"), (Employment.FULL_TIME, "专职副会长")]
            if u.level == Level.COUNTY
            else [(Employment.FULL_TIME, "专职干部"), (Employment.PART_TIME, "兼职副秘书长")]
        )
        for employment, position in plan:
            if u.level == Level.TOWNSHIP and employment == Employment.FULL_TIME and rng.random() < 0.12:
                cadres.append(
                    _cadre(
                        u,
                        employment,
                        position,
                        _name(rng),
                        dt.date(2019, 3, 1),
                        today - dt.timedelta(days=rng.randrange(20, 200)),
                    )
                )
                s.left += 1
                continue
            appointed = dt.date(rng.randrange(2012, 2023), rng.randrange(1, 13), 1)
            if rng.random() < 0.17:
                left = dt.date(today.year - rng.randrange(0, 2), rng.randrange(1, 7), 15)
                left = min(max(left, appointed), today)
                cadres.append(_cadre(u, employment, position, _name(rng), appointed, left))
                s.left += 1
                appointed = min(left + dt.timedelta(days=rng.randrange(10, 60)), today)
            cadres.append(_cadre(u, employment, position, _name(rng), appointed))
    Cadre.objects.bulk_create(cadres, batch_size=5000)
    s.cadres = len(cadres)


def _members_day(rng: random.Random, townships: list[OrgUnit], today: dt.date, actor: Actor) -> None:
    year = today.year if today >= dt.date(today.year, 5, 29) else today.year - 1
    kinds = [MembersDayKind.PUBLICITY, MembersDayKind.HEALTH, MembersDayKind.VISIT, MembersDayKind.VOLUNTEER]
    MembersDayEvent.objects.bulk_create(
        [
            MembersDayEvent(
                org_unit=t,
                held_on=dt.date(year, 5, 29),
                kind=rng.choice(kinds),
                title=f"{year}年“5·29会员活动日”{t.name}主题活动",
                participants=rng.randrange(40, 400),
                created_by=signed_in(actor),
            )
            for t in townships
        ],
        batch_size=5000,
    )


def _campaign(today: dt.date, actor: Actor) -> None:
    """An open re-registration in the home county, its roll snapshot, half the home village confirmed."""
    county = OrgUnit.objects.filter(code=HOME_COUNTY).first()
    if county is None:
        return
    campaign = Campaign.objects.create(
        org_unit=county,
        title=f"{today.year}年仁化县会员再登记",
        opened_on=today - dt.timedelta(days=10),
        deadline=today + dt.timedelta(days=30),
        status=CampaignStatus.OPEN,
        created_by=signed_in(actor),
    )
    from django.db.models import BigIntegerField, Value

    from guanhuai.orgs import paths

    rows = (
        Member.objects.filter(
            status=MemberStatus.ACTIVE,
            org_unit__path__gte=county.path,
            org_unit__path__lt=paths.upper_bound(county.path),
        )
        .order_by()
        .annotate(c=Value(campaign.pk, output_field=BigIntegerField()))
        .values_list("c", "pk", "org_unit_id")
    )
    insert_select(CampaignEntry, ["campaign_id", "member_id", "org_unit_id"], rows)
    home = CampaignEntry.objects.filter(campaign=campaign, org_unit__code=HOME_VILLAGE).order_by("pk")
    half = list(home.values_list("pk", flat=True)[: home.count() // 2])
    CampaignEntry.objects.filter(pk__in=half).update(confirmed_at=timezone.now(), confirmed_by=actor)


def _member_import(today: dt.date) -> None:
    """A member file the home county's officer uploaded and has not yet confirmed: its preview shows new
    members (a registry person and two standalone), a lapsed member re-registered, and two rows in error."""
    from guanhuai.association.services import member_import_stage
    from guanhuai.association.services.members_import import HEADERS
    from guanhuai.core.xlsx_stream import XlsxStream

    officer = User.objects.filter(username=OFFICER).first()
    village = OrgUnit.objects.filter(code=HOME_VILLAGE).first()
    county = OrgUnit.objects.filter(code=HOME_COUNTY).first()
    if officer is None or village is None or county is None:
        return
    joined = (today - dt.timedelta(days=3)).isoformat()
    rows = [[HOME_VILLAGE, name, "", "否", joined] for name in ("陈晓敏", "林志远")]
    members = Member.objects.filter(org_unit=village, person__isnull=False)
    newcomer = (
        Person.objects.filter(org_unit=village, died_on__isnull=True, birth_date__lt=dt.date(2000, 1, 1))
        .exclude(pk__in=members.values("person_id"))
        .order_by("pk")
        .first()
    )
    if newcomer is not None:
        rows.append([HOME_VILLAGE, "", newcomer.id_number, "是", joined])
    lapsed = members.filter(status=MemberStatus.LAPSED).select_related("person").order_by("pk").first()
    if lapsed is not None and lapsed.person is not None:
        rows.append([HOME_VILLAGE, "", lapsed.person.id_number, "是", joined])
    rows.append([HOME_VILLAGE, "黄小明", "44022419800101001", "否", joined])  # 17 characters
    rows.append(["440224999999", "吴丽", "", "否", joined])  # no such village
    out = io.BytesIO()
    with XlsxStream(out, "会员") as sheet:
        sheet.append(HEADERS)
        for row in rows:
            sheet.append(row)
    member_import_stage(actor=officer, org_unit=county, content=out.getvalue(), file_name="新会员名单.xlsx")


def summary_lines(s: Summary) -> list[str]:
    return [
        f"  协会会员\t{s.members:>8,}",
        f"  理事机构届次\t{s.bodies:>8,}（任职 {s.seats:,}）",
        f"  协会干部\t{s.cadres:>8,}（离任 {s.left:,}）",
        f"  企业/流动人口/学校计生协\t{s.associations:>4,}",
        f"  （协会会员演示数据用时 {s.seconds:.1f} 秒）",
        f"  协会工作专员演示账号：`{OFFICER}`（仁化县 440224），密码同下",
    ]

"""Build the demo province in one transaction.

The real 广东省 tree (21 cities, 122 county-level units) comes from the orgs fixture. Below the counties
of a few cities, townships and villages are generated with plausible names and statistical codes:

- township code = county code + 3 digits + "000": 街道 001, 002, …; 镇 and 乡 100, 101, …;
- village code = the township's first 9 digits + 3 digits: 社区 001, 002, …; 村 200, 201, ….

Everything, fixture and generated rows together, goes through `tree_bulk_create` in one validated,
audited call, so the demo exercises the same path as a real tree import. Each county draws from its own
seeded random stream, so a county's townships are the same whether one city or all of them are built.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from guanhuai.accounts.models import RoleAssignment, User
from guanhuai.accounts.registry import Role
from guanhuai.accounts.services import assignment_grant, user_create
from guanhuai.orgs.bulk import rows_from_dicts, tree_bulk_create
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.web.demo import names
from guanhuai.web.demo.system import system_user

FIXTURE = Path(__file__).resolve().parents[2] / "orgs" / "fixtures" / "guangdong_divisions.json"
PROVINCE_CODE = "440000"
SEED = 2011  # the year the Birth Care Fund was founded; any fixed value would do
# 韶关市, 梅州市, 清远市: mountain cities with many counties, where the association's village work is.
DEMO_CITIES = ("440200", "441400", "441800")
HOME_COUNTY = "440224"  # 仁化县: the county where the county, township and village demo users work
# `--small`: 仁化县 (a 县, so 镇 and 乡) and 浈江区 (a 区, so mostly 街道).
SMALL_COUNTIES = (HOME_COUNTY, "440204")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    unit: str  # a division code, or "township"/"village" for the generated home township and its village


DEMO_ACCOUNTS = (
    DemoAccount("sheng_admin", Role.PROVINCE_ADMIN, PROVINCE_CODE),
    DemoAccount("shenji", Role.AUDITOR, PROVINCE_CODE),
    DemoAccount("jijin", Role.FUND_MANAGER, PROVINCE_CODE),
    DemoAccount("menhu", Role.PORTAL_EDITOR, PROVINCE_CODE),
    DemoAccount("caiwu", Role.FINANCE_OFFICER, "440200"),
    DemoAccount("xiangmu", Role.PROJECT_OFFICER, "440200"),
    DemoAccount("xian_shenpi", Role.COUNTY_APPROVER, HOME_COUNTY),
    DemoAccount("zizhi", Role.GOVERNANCE_OFFICER, HOME_COUNTY),
    DemoAccount("zhen_shenhe", Role.TOWNSHIP_REVIEWER, "township"),
    DemoAccount("cun_zhuanguan", Role.VILLAGE_CLERK, "village"),
)
# The home township is the seat town of 仁化县 (always generated as the first 镇) and the clerk's
# village its first 村.
HOME_TOWNSHIP = HOME_COUNTY + "100000"
HOME_VILLAGE = HOME_COUNTY + "100200"

DEMO_JOB_KIND = "jobs.sleep"
DEMO_JOB_KEY = "demo:jobs.sleep"
# About half a minute of visible progress (see guanhuai/jobs/jobs.py for the parameters).
DEMO_JOB_PARAMS = {"steps": 30, "delay": 1.0}


@dataclass
class Login:
    username: str
    role: str
    unit: str


@dataclass
class DemoResult:
    created: bool
    units_created: int = 0
    seconds: float = 0.0
    logins: list[Login] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    job: Any = None
    job_note: str = ""


def fixture_rows() -> list[dict[str, Any]]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


# --- generation -------------------------------------------------------------------------------------


def _township_kinds(county_name: str, n: int, rng: random.Random) -> list[str]:
    """Districts (区) are mostly streets; counties (县) mostly towns with some 乡; county-level cities
    (市) have a few streets round the seat and towns beyond. The first unit of a county is always a 镇
    (the seat), so every 县 and county-level 市 has a 镇 with code …100000."""
    if county_name.endswith("区"):
        streets = round(n * rng.uniform(0.6, 0.9))
        return ["subdistrict"] * streets + ["town"] * (n - streets)
    streets = rng.randint(2, 3) if county_name.endswith("市") else 0
    rest = ["township" if rng.random() < 0.15 else "town" for _ in range(n - 1 - streets)]
    return ["town"] + ["subdistrict"] * streets + rest


def township_rows(county: dict[str, Any], *, seed: int = SEED) -> list[dict[str, Any]]:
    """8–15 townships for one county, each with 8–20 villages/communities, as tree-import rows."""
    rng = random.Random(f"{seed}:{county['code']}")
    kinds = _township_kinds(county["name"], rng.randint(8, 15), rng)
    taken: set[str] = set()
    next_code = {"subdistrict": 1, "town": 100}  # 镇 and 乡 share one number range
    townships, villages = [], []
    for kind in kinds:
        stem = names.unique(lambda: rng.choice(names.TOWNSHIP_STEMS), taken)
        seq_kind = "subdistrict" if kind == "subdistrict" else "town"
        number = next_code[seq_kind]
        next_code[seq_kind] += 1
        code = f"{county['code']}{number:03d}000"
        townships.append(
            {
                "code": code,
                "name": stem + names.TOWN_SUFFIX[kind],
                "parent_code": county["code"],
                "level": Level.TOWNSHIP,
                "kind": kind,
            }
        )
        villages.extend(_village_rows(code, stem, kind, rng))
    townships.sort(key=lambda r: r["code"])
    return townships + villages


def _village_rows(township_code: str, stem: str, kind: str, rng: random.Random) -> list[dict[str, Any]]:
    n = rng.randint(8, 20)
    if kind == "subdistrict":
        communities = n - rng.randint(0, 3)  # streets at the edge of town keep a few villages
    elif kind == "town":
        communities = 1 + rng.randint(0, 2)  # the seat community, and sometimes one or two more
    else:
        communities = rng.randint(0, 1)
    taken: set[str] = set()
    rows = []
    for i in range(n):
        is_community = i < communities
        if is_community and i == 0:
            name_stem = names.unique(lambda: stem, taken)  # 丹霞街道 → 丹霞社区: the seat shares the name
        elif is_community:
            name_stem = names.unique(lambda: rng.choice(names.COMMUNITY_STEMS), taken)
        else:
            name_stem = names.unique(lambda: names.village_stem(rng), taken)
        village_kind = "community" if is_community else "village"
        number = (i + 1) if is_community else (200 + i - communities)
        rows.append(
            {
                "code": f"{township_code[:9]}{number:03d}",
                "name": name_stem + names.VILLAGE_SUFFIX[village_kind],
                "parent_code": township_code,
                "level": Level.VILLAGE,
                "kind": village_kind,
            }
        )
    return rows


def demo_rows(
    *, cities: Sequence[str] = DEMO_CITIES, counties: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The fixture rows, then generated rows for every county of `cities` (or only `counties`)."""
    base = fixture_rows()
    generated: list[dict[str, Any]] = []
    for row in base:
        if row["level"] != Level.COUNTY:
            continue
        if counties is not None and row["code"] not in counties:
            continue
        if counties is None and row["parent_code"] not in cities:
            continue
        generated.extend(township_rows(row))
    # Parents before children keeps the import's dependency rounds to one per level.
    generated.sort(key=lambda r: (r["level"] == Level.VILLAGE, r["code"]))
    return base + generated


def city_choices() -> list[str]:
    """Cities that have county children, the demo cities first: what `--cities N` picks from."""
    rows = fixture_rows()
    with_counties = {r["parent_code"] for r in rows if r["level"] == Level.COUNTY}
    others = [r["code"] for r in rows if r["level"] == Level.CITY and r["code"] in with_counties]
    return list(DEMO_CITIES) + [c for c in others if c not in DEMO_CITIES]


# --- the build --------------------------------------------------------------------------------------


def demo_exists() -> bool:
    return OrgUnit.objects.filter(code=PROVINCE_CODE).exists()


def demo_build(
    *,
    password: str,
    cities: Sequence[str] = DEMO_CITIES,
    counties: Sequence[str] | None = None,
    submit_job: bool = True,
    job_params: dict[str, Any] | None = None,
) -> DemoResult:
    """Create the demo province, or do nothing if 广东省 is already there (then only report the logins).

    Tree and accounts are written in one transaction: an interrupted run leaves nothing half-built."""
    if demo_exists():
        return DemoResult(created=False, logins=demo_logins(), counts=level_counts())
    rows = demo_rows(cities=cities, counties=counties)
    with transaction.atomic():
        system = system_user()
        started = time.perf_counter()
        imported = tree_bulk_create(rows_from_dicts(rows), actor=system)
        seconds = time.perf_counter() - started
        by_code = {
            u.code: u
            for u in OrgUnit.objects.filter(
                code__in={a.unit for a in DEMO_ACCOUNTS} | {HOME_TOWNSHIP, HOME_VILLAGE}
            )
        }
        by_code["township"], by_code["village"] = by_code[HOME_TOWNSHIP], by_code[HOME_VILLAGE]
        for account in DEMO_ACCOUNTS:
            unit = by_code[account.unit]
            user = user_create(
                actor=system,
                username=account.username,
                password=password,
                home_unit=unit,
                name=_("%(role)s（演示）") % {"role": account.role.label},
            )
            assignment_grant(actor=system, user=user, org_unit=unit, role=account.role)
    result = DemoResult(
        created=True,
        units_created=imported.created,
        seconds=seconds,
        logins=demo_logins(),
        counts=level_counts(),
    )
    if submit_job:
        result.job, result.job_note = _submit_demo_job(job_params)
    return result


def _submit_demo_job(params: dict[str, Any] | None) -> tuple[Any, str]:
    """A short sleeping job, so that the job pages have something to show. Skipped if the kind is not
    registered in this installation."""
    from guanhuai.core.errors import DomainError
    from guanhuai.jobs import registry
    from guanhuai.jobs.services import job_submit

    if DEMO_JOB_KIND not in registry.kinds():
        return None, _("未注册“%(kind)s”任务类型，跳过演示任务。") % {"kind": DEMO_JOB_KIND}
    admin = User.objects.get(username=DEMO_ACCOUNTS[0].username)
    try:
        job, _created = job_submit(
            actor=admin,
            kind=DEMO_JOB_KIND,
            idempotency_key=DEMO_JOB_KEY,
            params=params if params is not None else DEMO_JOB_PARAMS,
            org_unit=admin.home_unit,
        )
    except DomainError as exc:
        return None, str(exc)
    return job, _("已提交演示任务：%(job)s") % {"job": job}


def demo_logins() -> list[Login]:
    """The demo accounts that exist, with their active roles, in the order of DEMO_ACCOUNTS."""
    order = {a.username: i for i, a in enumerate(DEMO_ACCOUNTS)}
    assignments = (
        RoleAssignment.objects.active().filter(user__username__in=order).select_related("user", "org_unit")
    )
    logins = [
        Login(
            username=a.user.username,
            role=a.get_role_display(),
            unit=f"{a.org_unit.name}（{a.org_unit.code}）",
        )
        for a in assignments
    ]
    return sorted(logins, key=lambda login: order[login.username])


def level_counts() -> dict[str, int]:
    """Open units per level in the whole database (an operator's summary, not a scoped read)."""
    got = dict(OrgUnit.objects.open().order_by().values_list("level").annotate(n=Count("id")))
    return {level: got.get(level, 0) for level in Level.values if level in got or level != Level.NATIONAL}

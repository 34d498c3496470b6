"""`guanhuai bench association --only members`: one large province's members (5,000,000 at --scale 1, in
about 26,000 villages under 122 counties), measuring

- a county officer's scoped member list with its count (the page a secretary-general opens): target under
  200 ms at scale 1;
- the lapse of unconfirmed members at the end of a re-registration: the set-based way (`campaign_lapse`:
  one UPDATE, one INSERT … SELECT of audit rows) against the per-row way (load, transition, save, log each
  member) on a second county of the same size, in the same run."""

from __future__ import annotations

import datetime as dt
import secrets
import statistics
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from guanhuai.accounts.actor import Actor
from guanhuai.accounts.services import assignment_grant, user_create
from guanhuai.association import selectors
from guanhuai.association.models import Campaign, CampaignEntry, Member
from guanhuai.association.services.campaigns import campaign_lapse, campaign_prepare, unconfirmed
from guanhuai.association.states import MEMBER_TRANSITIONS, CampaignStatus, MemberKind, MemberStatus
from guanhuai.audit.services import log
from guanhuai.core.states import transition
from guanhuai.orgs.bulk import Row, tree_bulk_create
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.web.demo.system import system_user

MEMBERS, COUNTIES, TOWNSHIPS, VILLAGES = 5_000_000, 122, 1_600, 26_000
CITIES = 21
CONFIRMED_SHARE = 0.9
RUNS = 20


class _Progress:
    """What campaign_prepare needs of a job's progress, outside a job."""

    def __init__(self) -> None:
        self.job = SimpleNamespace(checkpoint={}, counts={})

    def set_total(self, total: int) -> None:
        pass

    def step(self, n: int = 1, **kwargs: Any) -> None:
        pass

    def save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self.job.checkpoint = checkpoint


def _rows(scale: float) -> list[Row]:
    rows: list[Row] = []

    def add(code: str, name: str, parent: str, level: str, kind: str = "") -> str:
        rows.append(Row(line=len(rows) + 1, code=code, name=name, parent_code=parent, level=level, kind=kind))
        return code

    province = add("440000", "广东省", "", Level.PROVINCE)
    n_cities = max(1, round(CITIES * min(1.0, scale * 4)))
    n_counties = max(2, round(COUNTIES * scale))
    n_towns = max(n_counties, round(TOWNSHIPS * scale))
    n_villages = max(n_towns, round(VILLAGES * scale))
    cities = [add(f"44{i + 1:02d}00", f"第{i + 1}市", province, Level.CITY) for i in range(n_cities)]
    counties = [
        add(
            f"{cities[i % n_cities][:4]}{i // n_cities + 1:02d}",
            f"第{i + 1}县",
            cities[i % n_cities],
            Level.COUNTY,
        )
        for i in range(n_counties)
    ]
    towns = [
        add(
            f"{counties[i % n_counties]}{100 + i // n_counties:03d}000",
            f"第{i + 1}镇",
            counties[i % n_counties],
            Level.TOWNSHIP,
            "town",
        )
        for i in range(n_towns)
    ]
    for i in range(n_villages):
        town = towns[i % n_towns]
        add(f"{town[:9]}{200 + i // n_towns:03d}", f"第{i + 1}村", town, Level.VILLAGE, "village")
    return rows


def _median_ms(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _i in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _load_members(scale: float, write: Callable[[str], Any]) -> int:
    """The members, by one INSERT … SELECT on the database: every village joined to a recursive counter of
    its member numbers (the first `extra` villages one more). Building 5,000,000 Member objects in Python and
    sending them in batches (`bulk_create`) was what made scale 1 too slow to run on the shared machine.

    Rows are written village by village (ORDER BY), as a village's roll is entered or imported, and as the
    per-village `bulk_create` laid them out; without it PostgreSQL interleaved the villages, every member of a
    county sat on its own heap page, and the county's count read 41,000 pages (0.7 s instead of 0.1 s). Then
    VACUUM ANALYZE, as autovacuum would do later: fresh statistics and the visibility map, so a count can be
    answered from the (branch, status) index alone."""
    villages = OrgUnit.objects.filter(level=Level.VILLAGE).count()
    total = max(villages, round(MEMBERS * scale))
    per, extra = divmod(total, villages)
    quote = connection.ops.quote_name
    table, units = quote(Member._meta.db_table), quote(OrgUnit._meta.db_table)
    columns = ["org_unit_id", "kind", "name", "card_no", "status", "joined_on", "created_at"]
    # Names come from the models; every value is a bound parameter.
    statement = f"""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s),
        v AS (SELECT id, code, ROW_NUMBER() OVER (ORDER BY id) AS r FROM {units} WHERE level = %s)
        INSERT INTO {table} ({", ".join(quote(c) for c in columns)})
        SELECT v.id, %s, %s || CAST(v.r AS TEXT) || '-' || CAST(n.i AS TEXT), v.code || '-' || CAST(n.i AS TEXT), %s, %s, %s
        FROM v JOIN n ON n.i <= %s + CASE WHEN v.r <= %s THEN 1 ELSE 0 END
        ORDER BY v.r, n.i
    """
    params = [per + 1, Level.VILLAGE, MemberKind.INDIVIDUAL, "会员", MemberStatus.ACTIVE]
    params += [dt.date(2015, 5, 29), timezone.now(), per, extra]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
    made = Member.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(f"{'VACUUM ' if connection.vendor == 'postgresql' else ''}ANALYZE {table}")
    write(
        f"会员 {made:,} 名（{villages:,} 个村），一条 INSERT … SELECT 写入 {time.perf_counter() - started:.1f} 秒"
    )
    return made


def _officer(system: Any, unit: OrgUnit) -> Any:
    user = user_create(
        actor=system,
        username=f"bench_{unit.code}",
        name="bench",
        home_unit=unit,
        password=secrets.token_urlsafe(16),
        audit=False,
    )
    assignment_grant(actor=system, user=user, org_unit=unit, role="association_officer", audit=False)
    return user


def _campaign(system: Any, county: OrgUnit) -> Campaign:
    campaign = Campaign.objects.create(
        org_unit=county,
        title=f"{county.name}再登记",
        opened_on=timezone.localdate(),
        deadline=timezone.localdate(),
        status=CampaignStatus.PREPARING,
        created_by=system,
    )
    campaign_prepare(campaign, _Progress())
    entries = CampaignEntry.objects.filter(campaign=campaign).order_by("pk")
    n = entries.count()
    keep = list(entries.values_list("pk", flat=True)[: int(n * CONFIRMED_SHARE)])
    for i in range(0, len(keep), 10_000):
        CampaignEntry.objects.filter(pk__in=keep[i : i + 10_000]).update(
            confirmed_at=timezone.now(), confirmed_by=system
        )
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSING)
    campaign.refresh_from_db()
    return campaign


def _lapse_per_row(*, actor: Actor, campaign: Campaign) -> int:
    """The way not to do it: every member loaded, checked, saved and logged on its own."""
    n = 0
    with transaction.atomic():
        for member in unconfirmed(campaign).select_related("org_unit").iterator(chunk_size=2000):
            transition(member, MemberStatus.LAPSED, MEMBER_TRANSITIONS)
            member.ended_on = max(member.joined_on, campaign.deadline)
            member.save(update_fields=["status", "ended_on"])
            log(
                member,
                "association.member.lapsed",
                actor=actor,
                org_unit=member.org_unit,
                data={"campaign": campaign.pk},
            )
            n += 1
    return n


def run(options: dict[str, Any], write: Callable[[str], Any]) -> dict[str, Any]:
    scale = float(options["scale"])
    report: dict[str, Any] = {"database": connection.vendor, "scale": scale}
    system = system_user()
    rows = _rows(scale)
    started = time.perf_counter()
    tree_bulk_create(rows, actor=system, validate=False, audit=False, check_scope=False)
    write(
        f"协会会员 · 数据库 {connection.vendor} · 规模 {scale:g} · 组织 {len(rows):,} 个（{time.perf_counter() - started:.1f} 秒）"
    )
    report["members"] = _load_members(scale, write)

    counties = list(OrgUnit.objects.filter(level=Level.COUNTY).order_by("path")[:2])
    county = counties[0]
    officer = _officer(system, county)

    def county_page() -> int:
        qs = selectors.member_list(actor=officer, unit=county)
        count = qs.count()
        list(qs[:50])
        return count

    count = county_page()
    report["county_members"] = count
    report["county_list_ms"] = _median_ms(county_page, RUNS)
    write(
        f"县级会员列表（范围内 {count:,} 名，含总数和第一页 50 条）：中位数 {report['county_list_ms']:.1f} ms（目标 < 200 ms）"
    )

    set_campaign, row_campaign = _campaign(system, counties[0]), _campaign(system, counties[1])
    started = time.perf_counter()
    lapsed = campaign_lapse(actor=system, campaign=set_campaign)
    report["lapse_set_s"] = time.perf_counter() - started
    started = time.perf_counter()
    lapsed_rows = _lapse_per_row(actor=system, campaign=row_campaign)
    report["lapse_per_row_s"] = time.perf_counter() - started
    report["lapsed"] = [lapsed, lapsed_rows]
    write(
        f"逾期未再登记转为未再登记：集合式 {lapsed:,} 名 {report['lapse_set_s']:.2f} 秒；"
        f"逐条 {lapsed_rows:,} 名 {report['lapse_per_row_s']:.2f} 秒"
        f"（{report['lapse_per_row_s'] / max(report['lapse_set_s'], 1e-6):.0f} 倍）"
    )
    return report

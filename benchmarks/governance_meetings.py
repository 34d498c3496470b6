"""Part of `guanhuai bench governance` (`--only meetings`): a village of 20,000 adults (× scale) and 3,000
minors, three to a household.

- Building the roll on the meeting date: the service's one INSERT … SELECT (target: under 1 s) against the
  naive way, every person read into Python, aged there, and the roll written back (bulk INSERTs).
- A sign-in with its quorum update, as the clerk's phone does it (the service: lock the meeting, mark the
  entry, add to the meeting's counters, audit; then the banner reads one row; target: under 50 ms) against
  the naive way, the same sign-in followed by counting the quorum from the roll itself (four COUNTs over it).
Both on the scratch database the command gives (SQLite by default, PostgreSQL with --database-url)."""

from __future__ import annotations

import datetime as dt
import secrets
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from guanhuai.accounts.services import assignment_grant, user_create
from guanhuai.core.sql import analyze
from guanhuai.governance import selectors, services
from guanhuai.governance.models import Meeting, RollEntry
from guanhuai.governance.states import MeetingKind
from guanhuai.orgs.bulk import Row, tree_bulk_create
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.registry.models import Household, Person
from guanhuai.web.demo.system import system_user

ADULTS = 20_000
MINORS = 3_000
PER_HOUSEHOLD = 3
ROLL_TARGET_S = 1.0
SIGN_IN_TARGET_MS = 50.0
SIGN_INS = 200


def _village(write: Callable[[str], None]) -> OrgUnit:
    rows: list[Row] = []
    for code, name, parent, level, kind in [
        ("440000", "广东省", "", Level.PROVINCE, ""),
        ("440200", "韶关市", "440000", Level.CITY, ""),
        ("440224", "仁化县", "440200", Level.COUNTY, ""),
        ("440224100000", "丹霞街道", "440224", Level.TOWNSHIP, "town"),
        ("440224100200", "富龙村", "440224100000", Level.VILLAGE, "village"),
    ]:
        rows.append(Row(line=len(rows) + 1, code=code, name=name, parent_code=parent, level=level, kind=kind))
    tree_bulk_create(rows, actor=system_user(), validate=False, audit=False, check_scope=False)
    return OrgUnit.objects.get(code="440224100200")


def _people(village: OrgUnit, adults: int, on: dt.date) -> None:
    total = adults + MINORS
    households = Household.objects.bulk_create(
        [
            Household(org_unit=village, number=f"B-{i}", address="富龙村", hukou_type="rural")
            for i in range(-(-total // PER_HOUSEHOLD))
        ],
        batch_size=2000,
    )
    rows = []
    for i in range(total):
        # every eighth person a minor until there are enough; an 18th birthday on the meeting date now and then
        minor = i % 8 == 7 and i // 8 < MINORS
        born = on.replace(year=on.year - 10) if minor else on.replace(year=on.year - (18 + i % 60))
        rows.append(
            Person(
                org_unit=village,
                household=households[i // PER_HOUSEHOLD],
                relation_to_head="head" if i % PER_HOUSEHOLD == 0 else "spouse",
                name=f"村民{i}",
                name_pinyin=f"cunmin {i}",
                name_initials="cm",
                sex="female" if i % 2 else "male",
                birth_date=born,
                hukou_type="rural",
            )
        )
    Person.objects.bulk_create(rows, batch_size=2000)


def _clerk(village: OrgUnit) -> Any:
    system = system_user()
    user = user_create(
        actor=system,
        username="cun_bench",
        name="cun_bench",
        home_unit=village,
        password=secrets.token_urlsafe(16),
        audit=False,
    )
    assignment_grant(actor=system, user=user, org_unit=village, role="village_clerk", audit=False)
    return user


def _naive_roll(meeting: Meeting) -> int:
    """Every person of the village into Python, aged there, the roll written back in bulk INSERTs."""
    on = timezone.localdate(meeting.scheduled_at)
    rows = []
    people = Person.objects.unscoped("bench").filter(org_unit=meeting.unit).select_related("household")
    for p in people.iterator(chunk_size=2000):
        age = on.year - p.birth_date.year - ((on.month, on.day) < (p.birth_date.month, p.birth_date.day))
        if age >= 18 and p.died_on is None:
            rows.append(
                RollEntry(
                    meeting=meeting,
                    person=p,
                    household_id=p.household_id,
                    name=p.name,
                    name_pinyin=p.name_pinyin,
                    sex=p.sex,
                    code=f"N{p.pk}",
                    household_rep=p.household is not None and p.household.head_id == p.pk,
                )
            )
    with transaction.atomic():
        RollEntry.objects.filter(meeting=meeting).delete()
        RollEntry.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def run(options: dict[str, Any], write: Callable[[str], None]) -> None:
    import os

    write(f"（机器负载：{os.getloadavg()[0]:.1f}，{os.cpu_count()} 核）")
    adults = max(1000, round(ADULTS * options.get("scale", 1.0)))
    write(
        f"\n村民会议（{connection.vendor}）：一个村，{adults:,} 名成年人、{MINORS:,} 名未成年人，每户 {PER_HOUSEHOLD} 人"
    )
    village = _village(write)
    clerk = _clerk(village)
    held = timezone.now() + dt.timedelta(days=12)
    _people(village, adults, timezone.localdate(held))
    analyze(Person, Household)
    meeting = services.meeting_create(
        actor=clerk,
        unit=village,
        kind=MeetingKind.VILLAGERS_ASSEMBLY,
        title="富龙村村民会议",
        scheduled_at=held,
    )

    first_s, size = _timed(lambda: services.roll_build(actor=clerk, meeting=meeting))
    again = [_timed(lambda: services.roll_build(actor=clerk, meeting=meeting))[0] for _i in range(2)]
    naive_s, naive_size = _timed(lambda: _naive_roll(meeting))
    set_s = min([first_s, *again])
    write(
        f"  名册（INSERT … SELECT）：首次 {first_s * 1000:,.0f} ms，重建 {', '.join(f'{t * 1000:,.0f}' for t in again)} ms，"
        f"{size:,} 人  {'达标' if set_s < ROLL_TARGET_S else '未达标'}（目标 < {ROLL_TARGET_S:.0f} s）"
    )
    write(
        f"  名册（朴素：逐人读入 Python 计算年龄再批量写回）：{naive_s * 1000:,.0f} ms，{naive_size:,} 人"
        f"，慢 {naive_s / set_s:.1f} 倍"
    )
    assert naive_size == size, "the naive roll and the set-based one differ"

    services.roll_build(actor=clerk, meeting=meeting)
    analyze(RollEntry)
    services.meeting_convene(actor=clerk, meeting=meeting, agenda="修订村规民约")
    meeting = services.meeting_open(actor=clerk, meeting=meeting)
    ids = list(RollEntry.objects.filter(meeting=meeting).order_by("pk").values_list("pk", flat=True))

    def sign(entry_id: int) -> Any:
        services.sign_in(actor=clerk, meeting=meeting, entry_id=entry_id)
        return selectors.quorum(Meeting.objects.unscoped("bench").get(pk=meeting.pk))

    def sign_naive(entry_id: int) -> Any:
        services.sign_in(actor=clerk, meeting=meeting, entry_id=entry_id)
        return selectors.quorum_counted(meeting)

    fast: list[float] = []
    slow: list[float] = []
    for k in range(SIGN_INS):
        fast.append(_timed(partial(sign, ids[2 * k]))[0])
        slow.append(_timed(partial(sign_naive, ids[2 * k + 1]))[0])
    p50, p95 = statistics.median(fast) * 1000, sorted(fast)[int(0.95 * len(fast))] * 1000
    n50 = statistics.median(slow) * 1000
    state = sign(ids[2 * SIGN_INS])
    write(
        f"  签到并更新法定人数（计数器，{SIGN_INS} 次）：中位数 {p50:.1f} ms，95% {p95:.1f} ms"
        f"  {'达标' if p95 < SIGN_IN_TARGET_MS else '未达标'}（目标 < {SIGN_IN_TARGET_MS:.0f} ms）"
    )
    write(f"  签到并从名册重新计数（朴素，{SIGN_INS} 次）：中位数 {n50:.1f} ms，慢 {n50 / p50:.1f} 倍")
    assert selectors.quorum_counted(meeting) == state, "the counters and the roll disagree"
    write(f"  {state.sentence}")

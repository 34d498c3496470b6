"""The demo's project outcomes: what the demo projects did and what it changed, recorded as data, so that the
province report's sentences come out of the outcome service (`projects.selectors.outcome_report`):

- Youth Health: activities of the 40 provincial projects of 2015 (18 cities; schools, communities,
  enterprises, army camps) and of the 2025 school projects, with participants by sex and age band, peer
  educators, and the questionnaire's pre/post mean scores;
- Three Combinations: beneficiary households from the registry in each project's county, each with an aid
  agreement (帮扶协议), a baseline income in the project's first year and yearly follow-ups — the households
  gain about 5,000 yuan a year (a few have no follow-up yet: listed as missing); the mushroom project's
  households gain about 20,000 yuan a year;
- a few Warm Home and Happy Family activities.

Rows are written in bulk (demo data; the services check the same rules one row at a time, and the dates
and places used here obey them: inside the project's dates and area), then the report's rollups are
rebuilt from them (`services.outcomes_rebuild`), as the services keep them row by row. Deterministic (a
fixed seed).
Skipped when the activities exist already."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.core.money import yuan
from guanhuai.projects import selectors, services
from guanhuai.projects.models import (
    Activity,
    AidAgreement,
    Beneficiary,
    IncomeRecord,
    ParticipantCount,
    ProjectDocument,
)
from guanhuai.registry.models import Household
from guanhuai.web.demo import projects as projects_demo
from guanhuai.web.demo.system import system_user

SEED = 2013
YOUTH_KINDS = ("peer_education", "parents_class", "counselling", "training_of_trainers")
SUPPORT = ("cash", "goods", "loan_guarantee", "skills_training", "market_link")
HOUSEHOLDS_PER_PROJECT = 190  # 12 Three Combinations projects: 2,000+ households where the registry has them
MISSING_SHARE = 0.04  # households whose follow-up has not come in


@dataclass
class OutcomesSummary:
    built: bool = False
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def _days(start: dt.date, end: dt.date, n: int, rng: random.Random) -> list[dt.date]:
    span = max((end - start).days, 0)
    return sorted(start + dt.timedelta(days=rng.randint(0, span)) for _i in range(n))


def _youth(projects: Sequence[Any], system: Any, rng: random.Random) -> int:
    today = timezone.localdate()
    acts: list[Activity] = []
    breakdowns: list[dict[str, int]] = []
    for dp in projects:
        p = dp.project
        end = min(p.end_date, today)
        if end < p.start_date:
            continue
        for day in _days(p.start_date, end, rng.randint(8, 14), rng):
            total = rng.randint(30, 90)
            male = rng.randint(total * 2 // 5, total * 3 // 5)
            under_15 = rng.randint(0, total // 4) if dp.venue_kind != "army_camp" else 0
            age_20_24 = rng.randint(0, total // 3) if dp.venue_kind in ("army_camp", "enterprise") else 0
            answered = total - rng.randint(0, total // 10)
            pre = rng.uniform(52, 66)
            acts.append(
                Activity(
                    project=p,
                    kind=rng.choice(YOUTH_KINDS),
                    venue_kind=dp.venue_kind or "school",
                    venue_unit=p.org_unit,
                    venue_name=f"{dp.city}{p.name[-8:-4]}",
                    held_on=day,
                    description="青春健康同伴教育：青春期生理与心理、预防艾滋病、拒绝性骚扰。",
                    participants=total,
                    respondents=answered,
                    knowledge_pre=_money(pre),
                    knowledge_post=_money(min(pre + rng.uniform(15, 28), 99)),
                    recorded_by=system,
                )
            )
            breakdowns.append(
                {
                    "male": male,
                    "female": total - male,
                    "age_under_15": under_15,
                    "age_15_19": total - under_15 - age_20_24,
                    "age_20_24": age_20_24,
                    "peer_educators": rng.randint(2, 6),
                }
            )
    return _save_activities(acts, breakdowns)


# A 1 × 1 PNG (a grey dot): the demo's activity photo, so photo pages and routes have a file to show.
DOT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)


def _photo(activity: Activity, system: Any) -> None:
    """One photo on one activity, stored as the documents service stores files (random name, checked kind)."""
    document = ProjectDocument(
        project=activity.project,
        kind="photo",
        file_name="活动照片.png",
        content_type="image/png",
        size=len(DOT_PNG),
        sha256=hashlib.sha256(DOT_PNG).hexdigest(),
        uploaded_by=system,
    )
    document.file.save(f"{uuid.uuid4().hex}.png", ContentFile(DOT_PNG), save=False)
    document.save()
    activity.photos.add(document)


def _save_activities(acts: list[Activity], breakdowns: list[dict[str, int]]) -> int:
    Activity.objects.bulk_create(acts, batch_size=2000)
    ParticipantCount.objects.bulk_create(
        [
            ParticipantCount(activity=a, field=code, count=n)
            for a, counts in zip(acts, breakdowns, strict=True)
            for code, n in counts.items()
            if n
        ],
        batch_size=5000,
    )
    return len(acts)


def _households(project: Any, n: int, offset: int) -> list[Household]:
    """Registry households of the project's area (its county), a different slice for each project."""
    paths = [row.org_unit.path for row in project.area_rows.select_related("org_unit")]
    rows = Household.objects.unscoped("the demo picks beneficiary households").filter(
        org_unit__path__startswith=paths[0] if paths else project.org_unit.path
    )
    picked = list(rows.order_by("pk")[offset : offset + n])
    return picked or list(rows.order_by("pk")[:n])


def _income(projects: Sequence[Any], system: Any, rng: random.Random) -> tuple[int, int]:
    today = timezone.localdate()
    bens: list[Beneficiary] = []
    plans: list[tuple[Any, float, int]] = []  # (project, yearly gain, follow-ups)
    offsets: dict[int, int] = {}
    for dp in projects:
        p = dp.project
        wanted = 12 if dp.mushroom else HOUSEHOLDS_PER_PROJECT
        offset = offsets.get(p.org_unit_id, 0)
        offsets[p.org_unit_id] = offset + wanted
        for h in _households(p, wanted, offset):
            bens.append(Beneficiary(project=p, household=h, added_by=system))
            gain = rng.gauss(20000, 2500) if dp.mushroom else rng.gauss(5000, 1400)
            years = 0 if rng.random() < MISSING_SHARE else (2 if dp.mushroom else rng.choice((1, 2, 2, 3)))
            plans.append((p, gain, years))
    Beneficiary.objects.bulk_create(bens, batch_size=2000)
    agreements: list[AidAgreement] = []
    incomes: list[IncomeRecord] = []
    for b, (p, gain, years) in zip(bens, plans, strict=True):
        kind = "goods" if dp_is_mushroom(p) else rng.choice(SUPPORT)
        signed = p.start_date + dt.timedelta(days=rng.randint(5, 40))
        amount = 0 if kind in ("skills_training", "market_link") else rng.randint(10, 60) * 100
        agreements.append(
            AidAgreement(
                beneficiary=b, support_kind=kind, amount=_money(amount), signed_on=signed, recorded_by=system
            )
        )
        base_on = signed + dt.timedelta(days=rng.randint(1, 20))
        base = rng.uniform(6000, 16000)
        incomes.append(
            IncomeRecord(
                beneficiary=b,
                kind="baseline",
                recorded_on=base_on,
                net_income=_money(base),
                source="survey",
                recorded_by=system,
            )
        )
        for k in range(1, years + 1):
            on = dt.date(base_on.year + k, 3, 1) + dt.timedelta(days=rng.randint(0, 60))
            if on > today:
                break
            incomes.append(
                IncomeRecord(
                    beneficiary=b,
                    kind="follow_up",
                    recorded_on=on,
                    net_income=_money(base + gain * k + rng.uniform(-300, 300)),
                    source=rng.choice(("survey", "village_record")),
                    recorded_by=system,
                )
            )
    AidAgreement.objects.bulk_create(agreements, batch_size=5000)
    IncomeRecord.objects.bulk_create(incomes, batch_size=5000)
    return len(bens), len(incomes)


def dp_is_mushroom(project: Any) -> bool:
    return project.code.endswith("-MR")


def _other(projects: Sequence[Any], system: Any, rng: random.Random) -> int:
    """A few Warm Home and Happy Family activities (families and persons served)."""
    today = timezone.localdate()
    acts: list[Activity] = []
    breakdowns: list[dict[str, int]] = []
    for dp in projects:
        p = dp.project
        kinds = p.type.codes("activity_kinds")
        venue = p.type.codes("venue_kinds")[0]
        end = min(p.end_date, today)
        for day in _days(p.start_date, end, 6, rng):
            families = rng.randint(5, 20)
            counts = {"families": families}
            if "persons" in p.type.codes("participant_fields"):
                counts["persons"] = families * rng.randint(1, 3)
            acts.append(
                Activity(
                    project=p,
                    kind=rng.choice(kinds),
                    venue_kind=venue,
                    venue_unit=p.org_unit,
                    venue_name=p.name,
                    held_on=day,
                    participants=max(counts.values()),
                    recorded_by=system,
                )
            )
            breakdowns.append(counts)
    return _save_activities(acts, breakdowns)


def outcomes_exist(projects: Sequence[Any]) -> bool:
    return Activity.objects.filter(project__in=[dp.project for dp in projects]).exists()


def build_outcomes(projects: Sequence[Any]) -> OutcomesSummary:
    """Record the outcomes of the demo projects (from `projects.demo_projects()`), once; then report them
    from the outcome service."""
    summary = OutcomesSummary()
    if projects and not outcomes_exist(projects):
        started = time.perf_counter()
        rng = random.Random(SEED)
        system = system_user()
        with transaction.atomic():
            _youth([dp for dp in projects if dp.type_code == "youth_health"], system, rng)
            latest = Activity.objects.filter(project__code__startswith="YH2025-").order_by("pk").first()
            if latest is not None:
                _photo(latest, system)
            _income([dp for dp in projects if dp.type_code == "three_combinations"], system, rng)
            _other([dp for dp in projects if dp.type_code in ("warm_home", "happy_family")], system, rng)
            services.outcomes_rebuild(project_ids=[dp.project.pk for dp in projects])
        summary.built, summary.seconds = True, time.perf_counter() - started
    projects_demo.close_historical()  # closing freezes the figures: after the records, as in the field
    summary.lines = summary_lines()
    return summary


def summary_lines() -> list[str]:
    """The province report's sentences, every figure from the outcome service (the operator's view)."""
    youth = selectors.outcome_report(actor=None, year=2015, type_code="youth_health")
    income = selectors.outcome_report(actor=None, type_code="three_combinations").income
    mushroom = selectors.outcome_report(actor=None, year=2025, type_code="three_combinations").income
    lines = [
        "",
        _("演示项目成效（由活动和收入记录计算）："),
        _("  2015年青春健康项目 %(p)d 个，覆盖 %(c)d 个市、%(v)d 类场所，活动 %(a)d 次，参与 %(n)d 人")
        % {
            "p": youth.projects,
            "c": youth.coverage.cities,
            "v": youth.coverage.venue_kinds,
            "a": youth.total.activities,
            "n": youth.total.participants,
        },
    ]
    if income.households:
        lines.append(
            _("  计生三结合帮扶户 %(h)d 户（缺跟踪 %(m)d 户），户年均增收平均 %(mean)s、中位数 %(median)s")
            % {
                "h": income.households,
                "m": income.missing,
                "mean": yuan(income.mean_gain),
                "median": yuan(income.median_gain),
            }
        )
    if mushroom.measured:
        lines.append(_("  香菇种植项目帮扶户年均增收 %(g)s") % {"g": yuan(mushroom.mean_gain)})
    return lines


def build_and_print(command: Any, projects: Sequence[Any]) -> OutcomesSummary:
    summary = build_outcomes(projects)
    for line in summary.lines:
        command.stdout.write(line)
    return summary

"""factory_boy factories for the governance records (fast set-up for tests; services are tested through
their own calls). Pass `unit=` (a village) to DocumentFactory and MeetingFactory, and `created_by=` where
the factory has no user to hand (a SubFactory makes one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from guanhuai.accounts.tests.factories import UserFactory
from guanhuai.governance.models import Clause, Document, DocumentVersion, Meeting, Motion
from guanhuai.governance.states import DocumentKind, FilingStatus, MeetingKind, MeetingStatus, VersionStatus


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    kind = DocumentKind.VILLAGE_RULES
    title = factory.LazyAttribute(lambda o: f"{o.unit.name}{DocumentKind(o.kind).label}")
    created_by = factory.SubFactory(UserFactory)


class DocumentVersionFactory(factory.django.DjangoModelFactory):
    """A draft by default; for an adopted one pass `status=VersionStatus.ADOPTED`, `adopted_at=` and a
    `fingerprint=` (or adopt it through the service)."""

    class Meta:
        model = DocumentVersion

    document = factory.SubFactory(DocumentFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = VersionStatus.DRAFT
    created_by = factory.SelfAttribute("document.created_by")


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause

    version = factory.SubFactory(DocumentVersionFactory)
    position = factory.Sequence(lambda n: n + 1)
    number = factory.SelfAttribute("position")
    chapter_number = 1
    chapter_title = "总则"
    text = factory.Sequence(lambda n: f"村民应当爱护本村公共设施，共同维护村容村貌（第{n}项）。")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    kind = MeetingKind.VILLAGERS_ASSEMBLY
    title = factory.LazyAttribute(lambda o: f"{o.unit.name}{MeetingKind(o.kind).label}")
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=12))
    created_by = factory.SubFactory(UserFactory)


class MotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Motion

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"议题{n}")


# --- builders the documents' and filing tests share ---

RULES = [
    (1, "总则", "本村规民约经村民会议讨论通过，全体村民共同遵守。"),
    (1, "总则", "村民委员会负责组织实施本村规民约。"),
    (2, "公共秩序", "爱护道路、水利等公共设施，损坏的照价修复。"),
    (2, "公共秩序", "生活垃圾分类投放到指定地点。"),
    (3, "附则", "本村规民约自通过之日起施行。"),
]


def version_with_clauses(
    document: Document, clauses: list[tuple[int, str, str]] | None = None, **kwargs: object
) -> DocumentVersion:
    """A version (a draft unless `status=` says otherwise) with numbered clauses; an adopted one gets its
    fingerprint and adoption time as the service would set them."""
    from guanhuai.governance import text

    status = kwargs.pop("status", VersionStatus.DRAFT)
    version = DocumentVersionFactory(document=document, **kwargs)
    rows = [
        ClauseFactory(
            version=version, position=i, number=i, chapter_number=ch, chapter_title=title, text=body
        )
        for i, (ch, title, body) in enumerate(clauses or RULES, start=1)
    ]
    if status != VersionStatus.DRAFT:
        version.status = status
        version.fingerprint = text.fingerprint(rows)
        version.adopted_at = version.adopted_at or timezone.now()
        version.save(update_fields=["status", "fingerprint", "adopted_at"])
    return version


def passed_motion(
    version: DocumentVersion, *, kind: str = MeetingKind.VILLAGERS_ASSEMBLY, **kwargs: object
) -> Motion:
    """A passed motion to adopt `version`, at a closed meeting of its village (the assemblies' part makes
    motions pass for real; the documents' tests only need the outcome)."""
    from guanhuai.governance.states import MeetingStatus, MotionStatus

    meeting = MeetingFactory(
        unit=version.document.unit, kind=kind, status=MeetingStatus.CLOSED, created_by=version.created_by
    )
    fields = {
        "status": MotionStatus.PASSED,
        "votes_for": 300,
        "votes_against": 20,
        "votes_abstain": 5,
        **kwargs,
    }
    fields.setdefault("document_version", version)
    return MotionFactory(meeting=meeting, **fields)


# --- the assemblies' part: villages of people, fast (bulk rows, no registry service) ---

_village_seq = iter(range(1, 10**9))


def villagers(
    unit: Any, births: list[dt.date], *, per_household: int = 2, sex: str = "male", name: str = "村民"
) -> list[Any]:
    """Persons of `unit` born on `births`, `per_household` to a household, the first of each its head.
    Bulk rows (INSERTs, not the registry service): the roll only reads org_unit, birth, household, sex."""
    from guanhuai.registry.models import Household, Person

    batch = next(_village_seq)
    households = Household.objects.bulk_create(
        [
            Household(org_unit=unit, number=f"T{batch}-{i}", address="幸福路", hukou_type="rural")
            for i in range(-(-len(births) // per_household))
        ]
    )
    people = Person.objects.bulk_create(
        [
            Person(
                org_unit=unit,
                household=households[i // per_household],
                relation_to_head="head" if i % per_household == 0 else "spouse",
                name=f"{name}{batch}-{i}",
                name_pinyin=f"cunmin {batch} {i}",
                name_initials="cm",
                sex=sex,
                birth_date=born,
                hukou_type="rural",
            )
            for i, born in enumerate(births)
        ]
    )
    for hh, head in zip(households, people[::per_household], strict=True):
        hh.head = head
    Household.objects.bulk_update(households, ["head"])
    return people


def adults(unit: Any, n: int, *, per_household: int = 2, sex: str = "male") -> list[Any]:
    return villagers(unit, [dt.date(1970, 1, 1)] * n, per_household=per_household, sex=sex)


# --- demonstration villages and counties ---

FIVE_HAVES_MET = {
    "association": {"met": True, "evidence": "2023年成立村计生协，会长张某，理事7人"},
    "funding": {"met": True, "evidence": "村委会年度预算列支计生协会经费6,000元"},
    "charter": {"met": True, "evidence": "协会章程；村规民约第十二条"},
    "venue": {"met": True, "evidence": "村委会二楼活动室，40平方米，已挂牌"},
    "publicity": {"met": True, "evidence": "宣传员李某，联系42户"},
}


def village_meeting_the_criteria(unit: Any, *, assembly: bool = True) -> None:
    """A village whose village rules in force are filed and (with `assembly`) that held a quorate villagers'
    assembly a month ago: what the indicators of a demonstration village read (it has no special family, so
    nobody is left uncovered)."""
    from guanhuai.governance.models import Filing

    user = UserFactory()
    document = DocumentFactory(unit=unit, created_by=user)
    version = version_with_clauses(document, status=VersionStatus.ADOPTED, number=1)
    Filing.objects.create(
        unit=unit,
        document=document,
        version=version,
        status=FilingStatus.FILED,
        submitted_at=timezone.now(),
        created_by=user,
    )
    if assembly:
        MeetingFactory(
            unit=unit,
            created_by=user,
            status=MeetingStatus.CLOSED,
            scheduled_at=timezone.now() - dt.timedelta(days=30),
            closed_at=timezone.now() - dt.timedelta(days=30),
            roll_size=10,
            present=6,
        )

"""Registry households for the demo province and the registry benchmark, generated set-based.

Families are drawn from a seeded `random.Random` with names from Faker's zh_CN person lists, so the same
villages always get the same households. Every person gets a valid resident ID (GB 11643-1999) whose area
code is the county of their village, a birth date that agrees with their relations (parents are 20–40
years older than their children) and a sequence whose parity gives their sex. The mix (see `RURAL_MIX`
and `URBAN_MIX`) holds, in roughly real proportions:

- three-generation households, young families (a quarter with a child under 3), school-age families;
- rural elderly couples of 60+ with one child or two daughters, the grown children heading their own
  household in the same village (a family that spans households);
- bereaved families (失独: the only child died) and disabled-child families (the only child has a
  disability of grade 1–3); a few grade-4 and multi-child disabilities that must NOT count;
- migrants (流动人口) living in a village of another county, a few legacy 15-digit IDs, and consents.

Nothing here types in a derived fact: deaths and disability assessments are written as the person's
facts plus their `LifeEvent`, and `registry.family.facts_at_insert` derives `special_status` and the child
counts from the drawn links before the insert, by the rule `registry.family.recompute_family_facts`
applies (a test proves that a recompute after a load changes nothing). Every family is drawn whole
within one chunk, so each parent's children are all in the links it derives from. Recomputing after the
load instead rewrote every parent row, which on PostgreSQL means every one of its index entries too:
143 s of a 1M build, against 17 s on SQLite (benchmarks/README.md).

Writing is set-based and chunked (`Generator.flush`): ids are reserved up front (`nextval` on
PostgreSQL), so relations can point at persons before they exist; then one multi-row insert per table
(`COPY` on PostgreSQL, `executemany` on SQLite) for households with their head, persons (ID, legacy ID and
phone Fernet-encrypted in a phase of their own, their family facts derived in Python), relations, events
and consents. Not `bulk_create`: at a million persons Django's per-object, per-field work cost
more than the database did. No per-row save, no per-row audit: the caller writes one audit entry for the
whole load.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from guanhuai.accounts.actor import Actor
from guanhuai.audit.services import log
from guanhuai.core import crypto, sql
from guanhuai.core.bulk import RowWriter
from guanhuai.core.validators import ResidentId, id_check_char
from guanhuai.orgs.models import Kind, Level, OrgUnit
from guanhuai.registry import family
from guanhuai.registry.models import Consent, Household, LifeEvent, Marriage, ParentChild, Person
from guanhuai.registry.services import household_numbers_take, person_fields
from guanhuai.registry.states import (
    ChildBasis,
    ConsentPurpose,
    EventKind,
    Hukou,
    RelationToHead,
    Sex,
    SpecialStatus,
)

SEED = 2011

# Household kinds and their weights. Village (村) and community (社区) differ: more three-generation and
# elderly households in villages, more one-child families in town. Special families are about 1 % each:
# far more than the national share, so that a demo village has some to show, but still rare.
RURAL_MIX = {
    "three_generations": 20,
    "young_family": 13,
    "school_family": 22,
    "middle_aged": 12,
    "elderly_couple": 11,  # plus the household of their grown child
    "elderly_single": 7,
    "single": 7,
    "bereaved": 1.2,
    "disabled_child": 1.0,
}
URBAN_MIX = {
    "three_generations": 10,
    "young_family": 18,
    "school_family": 26,
    "middle_aged": 16,
    "elderly_couple": 6,
    "elderly_single": 8,
    "single": 12,
    "bereaved": 1.2,
    "disabled_child": 1.0,
}
MIGRANT_SHARE = 0.12  # of rural adults aged 18–50
LEGACY_ID_SHARE = 0.03  # of persons born before 1980 whose record still holds the 15-digit number
ROADS = ("建设路", "人民路", "解放路", "新华街", "中山路", "和平街", "文化路", "滨江路", "朝阳街", "工农路")
# Mobile number prefixes in real use (China Mobile, Unicom, Telecom).
PHONE_PREFIXES = tuple(
    "134 135 136 137 138 139 150 151 152 157 158 159 182 183 187 188 198 "
    "130 131 132 155 156 185 186 166 175 176 133 153 180 181 189 177 199".split()
)
CONSENT_SCOPES = {
    ConsentPurpose.REGISTRY: "户籍人口登记与计生协服务",
    ConsentPurpose.SENSITIVE: "计生特殊家庭信息用于帮扶与扶助申请",
    ConsentPurpose.MINOR: "子女信息用于育儿补贴与家庭服务（监护人同意）",
}


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Village:
    """A village-level branch to fill, with what the generator needs to know about it."""

    id: int
    code: str
    name: str
    kind: str
    place: str  # hukou place, e.g. 广东省韶关市仁化县百侯镇富龙村

    @property
    def county(self) -> str:
        return self.code[:6]

    @property
    def is_community(self) -> bool:
        return self.kind == Kind.COMMUNITY


@dataclass
class LoadResult:
    households: int = 0
    persons: int = 0
    bereaved: int = 0  # families (distinct households of the bereaved parents)
    disabled_child: int = 0
    under_3: int = 0
    migrants: int = 0
    legacy_ids: int = 0
    deaths: int = 0
    consents: int = 0
    encryptions: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)


def villages_for(units: Iterable[OrgUnit]) -> list[Village]:
    """Village records for these village-level units, with their hukou place (the names of every
    ancestor branch below the national one), in two queries."""
    units = list(units)
    ancestors = {p[: i * 4] for u in units for p in [u.path] for i in range(1, len(p) // 4)}
    names = dict(OrgUnit.objects.filter(path__in=ancestors).values_list("path", "name"))
    out = []
    for u in sorted(units, key=lambda u: u.code):
        place = "".join(names.get(u.path[: i * 4], "") for i in range(1, len(u.path) // 4)) + u.name
        out.append(Village(id=u.pk, code=u.code, name=u.name, kind=u.kind, place=place))
    return out


class _NamePool:
    """Faker's zh_CN surnames (with their frequency weights) and given names. They are drawn through the
    generator's own seeded Random rather than `fake.name()`: one stream of randomness keeps a village's
    families reproducible, and Faker's per-call overhead would dominate a million names."""

    def __init__(self) -> None:
        from faker import Faker

        fake = Faker("zh_CN")
        provider = next(p for p in fake.providers if hasattr(p, "first_names_male"))
        last = provider.last_names
        self.surnames = list(last)
        self.surname_weights = list(last.values()) if isinstance(last, dict) else None
        self.male = list(provider.first_names_male)
        self.female = list(provider.first_names_female)


class Rec(SimpleNamespace):
    """A household or person being drawn: its fields by attname. Much cheaper than a model instance
    (Django's `Model.__init__` alone would cost a minute per million persons); fields left out take the
    model's defaults when written."""


class Generator:
    """Draws whole families as `Rec`s; `flush()` writes them set-based."""

    def __init__(
        self,
        *,
        recorded_by: Any,
        seed: int = SEED,
        today: dt.date | None = None,
        residences: dict[str, list[int]] | None = None,
        chunk: int = 5000,
    ) -> None:
        self.rng = random.Random(seed)
        self.names = _NamePool()
        self.today = today or timezone.localdate()
        self.recorded_by = recorded_by
        # county code → village ids there, for migrants' current residence (always another county)
        self.residences = residences or {}
        self.chunk = chunk
        self.used_ids: set[str] = set()
        self.result = LoadResult()
        self.parent_ids: list[int] = []
        self._reset()

    def _reset(self) -> None:
        self.households: list[Rec] = []
        self.heads: list[Rec] = []
        self.persons: list[Rec] = []
        self.links: list[tuple[Rec, Rec, str]] = []
        self.marriages: list[tuple[Rec, Rec, dt.date]] = []
        self.events: list[tuple[Rec, str, dt.date, int | None, str]] = []
        self.consents: list[tuple[Rec, str, str, dt.date]] = []

    # --- drawing facts ------------------------------------------------------------------------------

    def _surname(self) -> str:
        n = self.names
        if n.surname_weights:
            return self.rng.choices(n.surnames, n.surname_weights)[0]
        return self.rng.choice(n.surnames)

    def _given(self, sex: str) -> str:
        return self.rng.choice(self.names.male if sex == Sex.MALE else self.names.female)

    def _date(self, lo: dt.date, hi: dt.date) -> dt.date:
        """A day in [lo, hi], never after today."""
        hi = min(hi, self.today)
        if hi <= lo:
            return min(lo, self.today)
        return lo + dt.timedelta(days=self.rng.randrange((hi - lo).days + 1))

    def _born(self, age_lo: float, age_hi: float) -> dt.date:
        """A birth date for someone aged between age_lo and age_hi today."""
        return self._date(self._years_ago(age_hi), self._years_ago(age_lo))

    def _years_ago(self, years: float) -> dt.date:
        return self.today - dt.timedelta(days=round(years * 365.25))

    def _child_born(
        self,
        *parents: Rec,
        after: dt.date | None = None,
        not_before: dt.date | None = None,
        not_after: dt.date | None = None,
    ) -> dt.date | None:
        """A birth date 20–40 years after each parent's, 300+ days after `after` (an elder sibling), in
        [not_before, not_after]; None if no such day exists (or the child is not born yet)."""
        lo = max(_add_years(p.birth_date, 20) for p in parents) + dt.timedelta(days=1)
        hi = min(min(_add_years(p.birth_date, 40) for p in parents) - dt.timedelta(days=1), self.today)
        if after is not None:
            lo = max(lo, after + dt.timedelta(days=300))
        if not_before is not None:
            lo = max(lo, not_before)
        if not_after is not None:
            hi = min(hi, not_after)
        if lo > hi:
            return None
        born = self._date(lo, hi)
        if not_before is None and not_after is None and born > self._years_ago(3) and self.rng.random() < 0.6:
            # Births drawn uniformly over the parents' 20–40 would give far too many under-3s (about
            # 7 % of persons, against some 3 % in China now): most such children are not born yet.
            return None
        return born

    def _id_number(self, area: str, birth: dt.date, sex: str) -> str:
        parity = 1 if sex == Sex.MALE else 0
        for _ in range(1000):
            seq = self.rng.randrange(0, 500) * 2 + parity
            if seq == 0:
                continue
            body = f"{area}{birth:%Y%m%d}{seq:03d}"
            number = body + id_check_char(body)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number
        raise RuntimeError(f"no free ID sequence left for {area} {birth}")

    def _phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _person(
        self,
        hh: Rec,
        village: Village,
        relation: str,
        sex: str,
        birth: dt.date,
        *,
        surname: str | None = None,
    ) -> Rec:
        surname = surname or self._surname()
        name = surname + self._given(sex)
        number = self._id_number(village.county, birth, sex)
        legacy = ""
        if birth.year < 1980 and self.rng.random() < LEGACY_ID_SHARE:
            legacy = number[:6] + number[8:17]  # the old number: YYMMDD, no check character
            self.result.legacy_ids += 1
        adult = birth <= self._years_ago(18)
        phone = self._phone() if adult and self.rng.random() < 0.92 else ""
        person = Rec(
            org_unit_id=village.id,
            relation_to_head=relation,
            **person_fields(
                name=name,
                rid=ResidentId(number=number, birth_date=birth, sex=sex, legacy=legacy or None),
                phone=phone,
            ),
            hukou_type=hh.hukou_type,
            hukou_place=village.place,
        )
        # The household object (its id is reserved at flush time), and the surname children take.
        person._hh, person._surname = hh, surname  # type: ignore[attr-defined]
        age = (self.today - birth).days / 365.25
        if hh.hukou_type == Hukou.RURAL and 18 <= age <= 50 and self.rng.random() < MIGRANT_SHARE:
            elsewhere = [c for c in self.residences if c != village.county]
            if elsewhere:
                person.is_migrant = True
                person.residence_unit_id = self.rng.choice(self.residences[self.rng.choice(elsewhere)])
                self.result.migrants += 1
        if birth > self._years_ago(3):
            self.result.under_3 += 1
        self.persons.append(person)
        return person

    # --- families -----------------------------------------------------------------------------------

    def _household(self, village: Village, number: int) -> Rec:
        rng = self.rng
        if village.is_community:
            hukou = Hukou.URBAN if rng.random() < 0.85 else Hukou.RURAL
            address = f"{village.name}{rng.choice(ROADS)}{rng.randint(1, 199)}号"
            if rng.random() < 0.6:
                address += f"{rng.randint(1, 12)}栋{rng.randint(1, 6)}0{rng.randint(1, 4)}房"
        else:
            hukou = Hukou.RURAL if rng.random() < 0.92 else Hukou.URBAN
            address = f"{village.name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
        hh = Rec(
            org_unit_id=village.id, number="", address=address, hukou_type=hukou
        )  # numbered from the village's sequence when flushed
        self.households.append(hh)
        return hh

    def _marry(self, husband: Rec, wife: Rec) -> None:
        younger = max(husband.birth_date, wife.birth_date)
        married = self._date(_add_years(younger, 21), _add_years(younger, 28))
        self.marriages.append((husband, wife, married))

    def _couple(
        self,
        hh: Rec,
        village: Village,
        age: tuple[float, float],
        *,
        relation: str = RelationToHead.HEAD,
    ) -> tuple[Rec, Rec]:
        """Husband and wife, the wife 0–4 years younger. The husband is the head (or `relation`, e.g. the
        head's parents), the wife his spouse (or the same `relation`)."""
        husband_birth = self._born(*age)
        wife_birth = self._date(husband_birth, husband_birth + dt.timedelta(days=4 * 365))
        wife_relation = RelationToHead.SPOUSE if relation == RelationToHead.HEAD else relation
        husband = self._person(hh, village, relation, Sex.MALE, husband_birth)
        wife = self._person(hh, village, wife_relation, Sex.FEMALE, wife_birth)
        self._marry(husband, wife)
        return husband, wife

    def _partner(self, hh: Rec, village: Village, relation: str, of: Rec) -> Rec:
        """A spouse for `of`, of the other sex, the wife 0–4 years younger, both at least 20."""
        if of.sex == Sex.MALE:
            lo, hi, sex = of.birth_date, of.birth_date + dt.timedelta(days=4 * 365), Sex.FEMALE
        else:
            lo, hi, sex = of.birth_date - dt.timedelta(days=4 * 365), of.birth_date, Sex.MALE
        birth = self._date(lo, min(hi, self._years_ago(20)))
        partner = self._person(hh, village, relation, sex, birth)
        husband, wife = (of, partner) if of.sex == Sex.MALE else (partner, of)
        self._marry(husband, wife)
        return partner

    def _child(
        self,
        hh: Rec,
        village: Village,
        parents: tuple[Rec, Rec],
        relation: str,
        birth: dt.date,
        sex: str | None = None,
    ) -> Rec:
        sex = sex or self.rng.choice((Sex.MALE, Sex.FEMALE))
        kid = self._person(hh, village, relation, sex, birth, surname=parents[0]._surname)  # type: ignore[attr-defined]
        for p in parents:
            self.links.append((p, kid, ChildBasis.BIRTH))
        return kid

    def _children(
        self,
        hh: Rec,
        village: Village,
        parents: tuple[Rec, Rec],
        n: int,
        *,
        relation: str = RelationToHead.CHILD,
        min_age: float = 0,
    ) -> list[Rec]:
        kids: list[Rec] = []
        for _ in range(n):
            birth = self._child_born(
                *parents,
                after=kids[-1].birth_date if kids else None,
                not_after=self._years_ago(min_age) if min_age else None,
            )
            if birth is None:
                break
            kids.append(self._child(hh, village, parents, relation, birth))
        return kids

    def _kids_count(self, hh: Rec, lo: int = 1) -> int:
        if hh.hukou_type == Hukou.URBAN:
            return lo if self.rng.random() < 0.7 else lo + 1
        return self.rng.choices((lo, lo + 1, lo + 2), (40, 45, 15))[0]

    def family(self, village: Village, kind: str, number: int) -> int:
        """One family of this kind; returns how many households it took (an elderly couple's grown
        children head households of their own)."""
        builder = getattr(self, f"_family_{kind}", None)
        if builder is None:
            raise ValueError(f"unknown household kind {kind}")
        hh = self._household(village, number)
        return builder(hh, village, number)

    def _family_three_generations(self, hh: Rec, village: Village, number: int) -> int:
        son_heads = self.rng.random() < 0.5
        elders = self._couple(
            hh, village, (60, 82), relation=RelationToHead.PARENT if son_heads else RelationToHead.HEAD
        )
        birth = self._child_born(*elders, not_after=self._years_ago(22))
        assert birth is not None  # elders of 60+ had children between 20 and 40
        son = self._child(
            hh, village, elders, RelationToHead.HEAD if son_heads else RelationToHead.CHILD, birth, Sex.MALE
        )
        wife = self._partner(hh, village, RelationToHead.SPOUSE if son_heads else RelationToHead.OTHER, son)
        relation = RelationToHead.CHILD if son_heads else RelationToHead.GRANDCHILD
        kids = self._children(hh, village, (son, wife), self._kids_count(hh), relation=relation)
        self.heads.append(son if son_heads else elders[0])
        self._consent(hh, minors=any(k.birth_date > self._years_ago(14) for k in kids))
        return 1

    def _family_young_family(self, hh: Rec, village: Village, number: int) -> int:
        parents = self._couple(hh, village, (24, 36))
        n = self._kids_count(hh)
        # A quarter have their youngest within the last three years (the childcare subsidy's
        # families); a birth that would not fit the parents' ages is simply left out.
        baby = self.rng.random() < 0.25
        kids = self._children(hh, village, parents, n - 1 if baby else n, min_age=3 if baby else 0)
        if baby:
            birth = self._child_born(
                *parents,
                after=kids[-1].birth_date if kids else None,
                not_before=self._years_ago(3) + dt.timedelta(days=1),
            )
            if birth is not None:
                kids.append(self._child(hh, village, parents, RelationToHead.CHILD, birth))
        self.heads.append(parents[0])
        self._consent(hh, minors=bool(kids))
        return 1

    def _family_school_family(self, hh: Rec, village: Village, number: int) -> int:
        parents = self._couple(hh, village, (32, 50))
        kids = self._children(hh, village, parents, self._kids_count(hh), min_age=3)
        if len(kids) == 1 and kids[0].birth_date.year >= 1980:
            for p in parents:
                p.only_child_certificate = self.rng.random() < 0.6
        # Some disabilities that must not make a special family: grade 4, or a child with siblings.
        self._maybe_disabled(kids, grades=(1, 2, 3, 4), share=0.004)
        self.heads.append(parents[0])
        self._consent(hh, minors=any(k.birth_date > self._years_ago(14) for k in kids))
        return 1

    def _family_middle_aged(self, hh: Rec, village: Village, number: int) -> int:
        parents = self._couple(hh, village, (45, 62))
        self._children(hh, village, parents, self._kids_count(hh), min_age=16)
        self.heads.append(parents[0])
        self._consent(hh)
        return 1

    def _family_elderly_couple(self, hh: Rec, village: Village, number: int) -> int:
        """DOMAIN.md's rural reward assistance: both 60+, with one child or two daughters. The grown
        children head (a son) or marry into (a daughter) their own household in the same village."""
        rng = self.rng
        parents = self._couple(hh, village, (60, 84))
        sexes = [rng.choice((Sex.MALE, Sex.FEMALE))] if rng.random() < 0.5 else [Sex.FEMALE, Sex.FEMALE]
        for p in parents:
            p.only_child_certificate = len(sexes) == 1 and rng.random() < 0.7
        self.heads.append(parents[0])
        self._consent(hh)
        made, last = 1, None
        for sex in sexes:
            birth = self._child_born(*parents, after=last, not_after=self._years_ago(22))
            if birth is None:
                break
            last = birth
            own = self._household(village, number + made)
            made += 1
            if sex == Sex.MALE:
                child = self._child(own, village, parents, RelationToHead.HEAD, birth, sex)
                partner = self._partner(own, village, RelationToHead.SPOUSE, child)
                couple, head = (child, partner), child
            else:
                child = self._child(own, village, parents, RelationToHead.SPOUSE, birth, sex)
                partner = self._partner(own, village, RelationToHead.HEAD, child)
                couple, head = (partner, child), partner
            self.heads.append(head)
            kids = self._children(own, village, couple, self._kids_count(own))
            self._consent(own, minors=any(k.birth_date > self._years_ago(14) for k in kids))
        return made

    def _family_elderly_single(self, hh: Rec, village: Village, number: int) -> int:
        sex = Sex.FEMALE if self.rng.random() < 0.65 else Sex.MALE
        self.heads.append(self._person(hh, village, RelationToHead.HEAD, sex, self._born(65, 92)))
        self._consent(hh)
        return 1

    def _family_single(self, hh: Rec, village: Village, number: int) -> int:
        sex = Sex.MALE if self.rng.random() < 0.6 else Sex.FEMALE
        self.heads.append(self._person(hh, village, RelationToHead.HEAD, sex, self._born(20, 55)))
        self._consent(hh)
        return 1

    def _family_bereaved(self, hh: Rec, village: Village, number: int) -> int:
        """失独: the couple's only child died (between 3 and 40 years old). The death is the child's fact
        plus its LifeEvent; the status itself is derived afterwards."""
        parents = self._couple(hh, village, (52, 78))
        for p in parents:
            p.only_child_certificate = True
        birth = self._child_born(*parents, not_after=self._years_ago(4))
        assert birth is not None
        child = self._child(hh, village, parents, RelationToHead.CHILD, birth)
        died = self._date(
            _add_years(birth, 3), min(_add_years(birth, 40), self.today - dt.timedelta(days=30))
        )
        child.died_on = died
        self.events.append((child, EventKind.DEATH, died, None, "独生子女死亡（演示数据）"))
        self.result.deaths += 1
        self.heads.append(parents[0])
        self._consent(hh, sensitive=True)
        return 1

    def _family_disabled_child(self, hh: Rec, village: Village, number: int) -> int:
        """伤残: the only child, alive, assessed with a disability of grade 1–3."""
        parents = self._couple(hh, village, (40, 72))
        for p in parents:
            p.only_child_certificate = True
        birth = self._child_born(*parents, not_after=self._years_ago(2))
        assert birth is not None
        child = self._child(hh, village, parents, RelationToHead.CHILD, birth)
        self._maybe_disabled([child], grades=(1, 2, 3), share=1.0)
        self.heads.append(parents[0])
        self._consent(hh, sensitive=True, minors=birth > self._years_ago(14))
        return 1

    def _maybe_disabled(self, people: Sequence[Rec], *, grades: Sequence[int], share: float) -> None:
        for p in people:
            if self.rng.random() < share:
                grade = self.rng.choice(grades)
                assessed = self._date(p.birth_date + dt.timedelta(days=365), self.today)
                p.disability_grade, p.disability_assessed_on = grade, assessed
                self.events.append((p, EventKind.DISABILITY, assessed, grade, ""))

    def _consent(self, hh: Rec, *, sensitive: bool = False, minors: bool = False) -> None:
        """The head consents to registration; special families also to sensitive data; families with a
        child under 14 also as guardians (PIPL arts. 29 and 31). Resolved to the head at flush time."""
        given = self._date(dt.date(2019, 1, 1), self.today)
        purposes = [ConsentPurpose.REGISTRY]
        if sensitive:
            purposes.append(ConsentPurpose.SENSITIVE)
        if minors:
            purposes.append(ConsentPurpose.MINOR)
        for purpose in purposes:
            self.consents.append((hh, purpose, CONSENT_SCOPES[purpose], given))

    # --- writing ------------------------------------------------------------------------------------

    def fill(self, village: Village, households: int, mix: dict[str, float] | None = None) -> None:
        """About `households` households in this village (a family that spans two may overshoot by one)."""
        mix = mix or (URBAN_MIX if village.is_community else RURAL_MIX)
        kinds, weights = list(mix), list(mix.values())
        made = 0
        while made < households:
            made += self.family(village, self.rng.choices(kinds, weights)[0], made + 1)
            if len(self.households) >= self.chunk:
                self.flush()

    def ensure(self, village: Village, kind: str, n: int = 1) -> None:
        """Add `n` families of `kind` to this village (e.g. a bereaved family for the demo clerk)."""
        start = 900
        for i in range(n):
            self.family(village, kind, start + i * 3)

    def flush(self) -> None:
        """Write the families drawn so far: ids reserved up front (so relations can point at persons
        before they exist), then one multi-row insert per table, all in one transaction."""
        if not self.households:
            return
        t = time.perf_counter()
        writer = RowWriter()
        with transaction.atomic():
            for hh, pk in zip(self.households, writer.reserve(Household, len(self.households)), strict=True):
                hh.id = pk
            numbers = household_numbers_take(Counter(hh.org_unit_id for hh in self.households))
            given = {unit: iter(ns) for unit, ns in numbers.items()}
            for hh in self.households:
                hh.number = next(given[hh.org_unit_id])
            for p, pk in zip(self.persons, writer.reserve(Person, len(self.persons)), strict=True):
                p.id, p.household_id = pk, p._hh.id
            head_of: dict[int, Rec] = {id(p._hh): p for p in self.heads}
            for hh in self.households:
                hh.head_id = head_of[id(hh)].id
            self._phase("reserve ids", t)
            t = time.perf_counter()
            family.facts_at_insert(self.persons, ((p, c) for p, c, _b in self.links))
            self._phase("family facts (at insert)", t)
            t = time.perf_counter()
            # Encryption is its own phase, so that its cost shows (Fernet: AES + HMAC per value).
            encrypted = [
                (
                    crypto.encrypt(p.id_number),
                    crypto.encrypt(p.id_legacy) if p.id_legacy else "",
                    crypto.encrypt(p.phone) if p.phone else "",
                )
                for p in self.persons
            ]
            self.result.encryptions += (
                len(self.persons) + sum(1 for e in encrypted if e[1]) + sum(1 for e in encrypted if e[2])
            )
            self._phase("encrypt", t)
            t = time.perf_counter()
            writer.insert_objects(Household, self.households)
            writer.insert_objects(
                Person, self.persons, override={"id_number": 0, "id_legacy": 1, "phone": 2}, values=encrypted
            )
            self._phase("insert households + persons", t)
            t = time.perf_counter()
            writer.insert(
                ParentChild,
                ["parent_id", "child_id", "basis", "since"],
                [(p.id, c.id, b, c.birth_date) for p, c, b in self.links],
            )
            writer.insert(
                Marriage,
                ["a_id", "b_id", "married_on", "ended_on"],
                [(min(x.id, y.id), max(x.id, y.id), on, None) for x, y, on in self.marriages],
            )
            now = timezone.now()
            writer.insert(
                LifeEvent,
                [
                    "person_id",
                    "kind",
                    "occurred_on",
                    "related_person_id",
                    "disability_grade",
                    "to_unit_id",
                    "changes",
                    "note",
                    "recorded_by_id",
                    "recorded_at",
                ],
                [
                    (p.id, kind, on, None, grade, None, {}, note, self.recorded_by.pk, now)
                    for p, kind, on, grade, note in self.events
                ],
            )
            writer.insert(
                Consent,
                ["person_id", "purpose", "scope", "given_on", "given_by", "recorded_by_id", "withdrawn_on"],
                [
                    (
                        head_of[id(hh)].id,
                        purpose,
                        scope,
                        given,
                        head_of[id(hh)].name,
                        self.recorded_by.pk,
                        None,
                    )
                    for hh, purpose, scope, given in self.consents
                ],
            )
            self._phase("insert relations, events, consents", t)
        self.parent_ids.extend({p.id for p, _c, _b in self.links})
        self.result.households += len(self.households)
        self.result.persons += len(self.persons)
        self.result.consents += len(self.consents)
        self._reset()

    def finish(self) -> LoadResult:
        """Write what is left. The family facts were written with the persons (`flush`); a large load
        refreshes the planner's statistics of the tables it filled, as `recompute_family_facts` did."""
        self.flush()
        if len(self.parent_ids) > family.ANALYZE_ABOVE:
            t = time.perf_counter()
            sql.analyze(Household, Person, ParentChild)
            self._phase("analyze", t)
        return self.result

    def _phase(self, name: str, started: float) -> None:
        self.result.phases[name] = self.result.phases.get(name, 0.0) + time.perf_counter() - started


def residences_by_county(villages: Iterable[Village]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for v in villages:
        out.setdefault(v.county, []).append(v.id)
    return out


def load(
    plan: Sequence[tuple[Village, int]],
    *,
    recorded_by: Any,
    seed: int = SEED,
    ensure: Sequence[tuple[Village, str, int]] = (),
    residences: dict[str, list[int]] | None = None,
    chunk: int = 5000,
    on_progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Fill each (village, households) of `plan`, add the `ensure` families, derive the facts; then
    count what was made. One transaction per chunk: the caller wraps everything in its own atomic block
    when it wants all-or-nothing (the demo does)."""
    started = time.perf_counter()
    gen = Generator(
        recorded_by=recorded_by,
        seed=seed,
        residences=residences if residences is not None else residences_by_county(v for v, _n in plan),
        chunk=chunk,
    )
    for i, (village, n) in enumerate(plan):
        gen.fill(village, n)
        if on_progress:
            on_progress(i + 1, len(plan))
    for village, kind, n in ensure:
        gen.ensure(village, kind, n)
    result = gen.finish()
    unit_ids = sorted({v.id for v, _n in plan} | {v.id for v, _k, _n in ensure})
    statuses = Counter(
        dict(
            Person.objects.filter(org_unit_id__in=unit_ids)
            .exclude(special_status=SpecialStatus.NONE)
            .order_by()
            .values_list("special_status")
            .annotate(n=Count("household", distinct=True))
        )
    )
    result.bereaved = statuses.get(SpecialStatus.BEREAVED.value, 0)
    result.disabled_child = statuses.get(SpecialStatus.DISABLED_CHILD.value, 0)
    result.seconds = time.perf_counter() - started
    return result


# --- the demo province ------------------------------------------------------------------------------

# 仁化县 in full; a handful of villages in every other generated county.
FULL_COUNTY = "440224"
OTHER_COUNTY_VILLAGES = 4
HOUSEHOLDS_PER_VILLAGE = (8, 13)  # 村; a 社区 gets half again as many
# `--small` (tests): the home township in full, one village in each other township.
SMALL_OTHER_TOWNSHIP_VILLAGES = 1
SMALL_HOUSEHOLDS_PER_VILLAGE = (6, 10)


def demo_plan(
    *, small: bool, home_township: str, home_village: str, seed: int = SEED
) -> list[tuple[Village, int]]:
    """Which generated villages get households, and how many. Deterministic."""
    rng = random.Random(f"{seed}:households")
    units = OrgUnit.objects.filter(level=Level.VILLAGE, code__regex=r"^\d{12}$").order_by("code")
    chosen: list[OrgUnit] = []
    by_parent: dict[str, list[OrgUnit]] = {}
    for u in units:
        by_parent.setdefault(u.code[:9], []).append(u)
    for prefix, group in sorted(by_parent.items()):
        if small:
            take = group if prefix == home_township[:9] else group[:SMALL_OTHER_TOWNSHIP_VILLAGES]
        elif prefix.startswith(FULL_COUNTY):
            take = group
        else:
            take = []
        chosen.extend(take)
    if not small:
        by_county: dict[str, list[OrgUnit]] = {}
        for u in units:
            if not u.code.startswith(FULL_COUNTY):
                by_county.setdefault(u.code[:6], []).append(u)
        for _county, group in sorted(by_county.items()):
            chosen.extend(rng.sample(group, min(OTHER_COUNTY_VILLAGES, len(group))))
    lo, hi = SMALL_HOUSEHOLDS_PER_VILLAGE if small else HOUSEHOLDS_PER_VILLAGE
    plan = []
    for v in villages_for(chosen):
        n = rng.randint(lo, hi)
        if v.is_community:
            n = n * 3 // 2
        if v.code == home_village:
            n = max(n, hi + 8)  # the clerk's village: enough to page through
        plan.append((v, n))
    return plan


def demo_households_exist(home_village: str) -> bool:
    return Household.objects.filter(org_unit__code=home_village).exists()


def demo_load(
    *, actor: Actor, small: bool, home_township: str, home_village: str, audit_unit: OrgUnit
) -> LoadResult:
    """The demo's households, in the caller's transaction, with one audit entry for the whole load.
    The clerk's village always gets a bereaved and a disabled-child family to look at."""
    plan = demo_plan(small=small, home_township=home_township, home_village=home_village)
    home = next(v for v, _n in plan if v.code == home_village)
    result = load(plan, recorded_by=actor, ensure=[(home, "bereaved", 1), (home, "disabled_child", 1)])
    log(
        audit_unit,
        "registry.demo.loaded",
        actor=actor,
        org_unit=audit_unit,
        data={
            "households": result.households,
            "persons": result.persons,
            "bereaved": result.bereaved,
            "disabled_child": result.disabled_child,
            "under_3": result.under_3,
            "migrants": result.migrants,
            "villages": len(plan),
        },
    )
    return result

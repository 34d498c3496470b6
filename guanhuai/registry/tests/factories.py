from __future__ import annotations

import datetime as dt
import itertools

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.core.testing import xlsx_bytes
from guanhuai.core.validators import id_check_char
from guanhuai.registry import io_excel
from guanhuai.registry.models import Person
from guanhuai.registry.services import PersonInput, death_record, household_create
from guanhuai.registry.states import RelationToHead

_seq = itertools.count(1)


def make_id(birth: dt.date | str, *, sex: str = "male", area: str = "440224") -> str:
    """A valid resident ID for this birth date and sex, unique within the test run."""
    if isinstance(birth, str):
        birth = dt.date.fromisoformat(birth)
    n = next(_seq) % 499 + 1
    seq = n * 2 + (1 if sex == "male" else 0)
    body = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + id_check_char(body)


def member(
    name: str, birth: str, *, sex: str = "male", relation: str = RelationToHead.HEAD, **kw
) -> PersonInput:
    return PersonInput(name=name, id_number=make_id(birth, sex=sex), relation_to_head=relation, **kw)


def family(actor, unit, *, children: int = 1, hukou: str = "rural", child_births=None, address="幸福路1号"):
    """A couple (head 1960, spouse 1962) with `children` children by birth, registered as one household."""
    births = child_births or [f"{1985 + i}-03-0{i + 1}" for i in range(children)]
    members = [
        member("王建国", "1960-05-01", sex="male"),
        member("李秀英", "1962-07-02", sex="female", relation=RelationToHead.SPOUSE),
        *[
            member(
                f"王{'小明小红小刚'[i * 2 : i * 2 + 2] or '小' + str(i)}",
                b,
                sex="female" if i % 2 else "male",
                relation=RelationToHead.CHILD,
            )
            for i, b in enumerate(births)
        ],
    ]
    return household_create(actor=actor, org_unit=unit, address=address, hukou_type=hukou, members=members)


def household(people, unit, *members: PersonInput, hukou: str = "rural"):
    """A household registered through the registry service (which links head, spouse and children)."""
    registrar = getattr(people, "registrar", None)
    if registrar is None:
        top = unit
        while top.parent_id:
            top = top.parent
        registrar = people.registrar = user_with_role("village_clerk", top, username="registrar")
    hh = household_create(
        actor=registrar, org_unit=unit, address="幸福路1号", hukou_type=hukou, members=list(members)
    )
    return {p.name: p for p in Person.objects.filter(household=hh)}


def couple(people, unit, *, father="1960-05-01", mother="1962-07-02", children=(), hukou="rural"):
    """Father (head), mother (spouse) and children given as (name, birth, sex, extra) tuples."""
    kids = [
        member(name, birth, sex=sex, relation=RelationToHead.CHILD, **extra)
        for name, birth, sex, extra in children
    ]
    return household(
        people,
        unit,
        member("父亲", father, sex="male"),
        member("母亲", mother, sex="female", relation=RelationToHead.SPOUSE),
        *kids,
        hukou=hukou,
    )


def bereaved_heads(actor, unit, n):
    """`n` families (a couple and their only child) whose child died in 2020: their heads, bereaved."""
    heads = []
    for i in range(n):
        h = family(actor, unit, address=f"{i}号")
        child = Person.objects.get(household=h, relation_to_head="child")
        death_record(actor=actor, person=child, occurred_on=dt.date(2020, 1, 1))
        heads.append(Person.objects.get(pk=h.head_id))
    return heads


# --- the household import (Excel) ----------------------------------------------------------------------------

JIA_CUN = "440224100001"  # 甲村, in 甲镇
JIA_SHEQU = "440224100002"  # 甲社区, in 甲镇
YI_CUN = "440224101001"  # 乙村, in 乙镇


def import_xlsx(rows, headers=io_excel.HEADERS) -> bytes:
    """An import file: the template's headers (or `headers`; None for none), then `rows`."""
    return xlsx_bytes(rows, headers)


def row(name, id_number, relation="户主", *, code=JIA_CUN, number="", address=None, hukou=None, phone="",
        place="", cert="", migrant=""):  # fmt: skip
    """One row of the import template; the head's row has an address and a hukou unless told otherwise."""
    head = relation == "户主"
    address = ("幸福路1号" if head else "") if address is None else address
    hukou = ("农村" if head else "") if hukou is None else hukou
    return [number, code, address, hukou, name, id_number, relation, phone, place, cert, migrant]


def legacy_id(birth: str, seq: str = "013") -> str:
    """A 15-digit ID (YYMMDD, no check digit) for a birth in the 1900s."""
    return f"440224{birth[2:4]}{birth[5:7]}{birth[8:10]}{seq}"


# Two households: one with a 户编号 (three rows), one without (its members follow the head's row).
GOOD = [
    row("张建国", make_id("1960-05-01"), number="H1", phone="13800138000", cert="是"),
    row("李秀英", make_id("1962-07-02", sex="female"), "配偶", number="H1"),
    row("张小明", make_id("1985-03-01"), "子女", number="H1", migrant="是"),
    row("赵大勇", legacy_id("1958-02-03"), hukou="城镇", address="河西路8号"),  # no 户编号: rows below it
    row("赵小红", make_id("1988-08-08", sex="female"), "子女"),
    row("赵老太", make_id("1935-01-01", sex="female"), "父母"),
]

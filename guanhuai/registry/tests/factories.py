from __future__ import annotations

import datetime as dt
import itertools

from guanhuai.core.validators import id_check_char
from guanhuai.registry.services import PersonInput, household_create
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

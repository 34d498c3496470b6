"""What a rule checked for one person, in words: each condition with the person's own value and whether
it held ("年龄(周岁) 66 · 条件：大于等于 60 ✔"), so that a reviewer sees the facts, not only "符合".

Whether each condition holds is asked of the database with the same compiled `Q` the rule uses
(`condition_annotations`: one boolean column per condition, usable on any Person queryset, so a list can
be annotated set-based too); `explain` reads them for one person in ONE query. The person's values are
read from the person in Python (a few facts about the spouse or the children need one more query each),
and only for the detail page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, Value, When
from django.utils.translation import gettext as _

from guanhuai.programmes.rules.ages import _alive
from guanhuai.programmes.rules.facts import FACTS, OP_LABELS
from guanhuai.registry.models import Person
from guanhuai.registry.selectors import current_spouse


@dataclass(frozen=True)
class Check:
    label: str  # the fact: 年龄(周岁)
    condition: str  # what the rule asks: 大于等于 60 (or 并非：…)
    value: str  # the person's value: 66 ("—" when it cannot be shown)
    holds: bool


def conditions(rule: dict[str, Any], negated: bool = False) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every condition of the rule, in order, with whether it sits under an odd number of "not"."""
    if "all" in rule or "any" in rule:
        for child in rule.get("all", rule.get("any", [])):
            yield from conditions(child, negated)
    elif "not" in rule:
        yield from conditions(rule["not"], not negated)
    elif rule:
        yield rule, negated


def condition_annotations(rule: dict[str, Any], *, as_of: dt.date) -> dict[str, Any]:
    """One boolean expression per condition (`c0`, `c1`, …): whether the condition itself holds for the
    row, on `as_of` (negation is applied by the reader)."""
    out: dict[str, Any] = {}
    for i, (node, _negated) in enumerate(conditions(rule)):
        q = FACTS[node["fact"]].compile(node["op"], node["value"], as_of)
        out[f"c{i}"] = (
            Value(True, output_field=BooleanField())
            if not q
            else Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
    return out


def _years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _months(born: dt.date, on: dt.date) -> int:
    return (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)


def _wife(person: Person) -> Person | None:
    return person if person.sex == "female" else current_spouse(person)


def _living_children(person: Person, as_of: dt.date, sex: str | None = None) -> list[Person]:
    # the rule counts every child, wherever the child lives now (a grown child in another county too)
    qs = (
        Person.objects.unscoped("the children the rule counts, in any branch")
        .filter(parent_links__parent=person, birth_date__lte=as_of)
        .filter(_alive(as_of))
    )
    return list(qs.filter(sex=sex) if sex else qs)


def _yes(flag: Any) -> str:
    return _("是") if flag else _("否")


VALUES: dict[str, Callable[[Person, dt.date], Any]] = {
    "age": lambda p, d: _years(p.birth_date, d),
    "age_months": lambda p, d: _months(p.birth_date, d),
    "age_at_year_end": lambda p, d: _years(p.birth_date, dt.date(d.year, 12, 31)),
    "sex": lambda p, d: p.get_sex_display(),
    "hukou": lambda p, d: p.get_hukou_type_display(),
    "special_status": lambda p, d: p.get_special_status_display() if p.special_status else _("无"),
    "disability_grade": lambda p, d: (
        _("%(g)d级") % {"g": p.disability_grade} if p.disability_grade else _("无")
    ),
    "living_children": lambda p, d: p.living_children,
    "children_ever": lambda p, d: p.children_ever,
    "living_daughters": lambda p, d: len(_living_children(p, d, "female")),
    "living_sons": lambda p, d: len(_living_children(p, d, "male")),
    "youngest_child_age_months": lambda p, d: min(
        (_months(c.birth_date, d) for c in _living_children(p, d)), default=None
    ),
    "mother_age": lambda p, d: (w := _wife(p)) and _years(w.birth_date, d),
    "spouse_hukou": lambda p, d: (s := current_spouse(p)) and s.get_hukou_type_display(),
    "birth_date": lambda p, d: p.birth_date.isoformat(),
    "is_migrant": lambda p, d: _yes(p.is_migrant),
    "only_child_certificate": lambda p, d: _yes(p.only_child_certificate),
    "alive": lambda p, d: _yes(p.died_on is None or p.died_on > d),
    "residence": lambda p, d: p.org_unit.name,
}


def _value_text(fact: Any, value: Any) -> str:
    if isinstance(value, list):
        return _("、").join(_value_text(fact, v) for v in value)
    if isinstance(value, bool):
        return _yes(value)
    labels = {str(k): str(v) for k, v in fact.choices}
    return labels.get(str(value), str(value))


def explain(rule: dict[str, Any], person: Person, *, as_of: dt.date) -> list[Check]:
    """Each condition of `rule` for `person` on `as_of`: the fact, what the rule asks, the person's value
    and whether it held. One query for all the holds; the values from the person."""
    nodes = list(conditions(rule))
    if not nodes:
        return []
    holds = (
        Person.objects.unscoped("the one person the caller already holds")
        .filter(pk=person.pk)
        .annotate(**condition_annotations(rule, as_of=as_of))
        .values(*[f"c{i}" for i in range(len(nodes))])
        .first()
    ) or {}
    out = []
    for i, (node, negated) in enumerate(nodes):
        fact = FACTS[node["fact"]]
        asked = f"{OP_LABELS[node['op']]} {_value_text(fact, node['value'])}"
        reader = VALUES.get(fact.name)
        value = reader(person, as_of) if reader else None
        held = bool(holds.get(f"c{i}"))
        out.append(
            Check(
                label=str(fact.label),
                condition=_("并非：%(c)s") % {"c": asked} if negated else asked,
                value="—" if value is None or value == "" else str(value),
                holds=held != negated,
            )
        )
    return out

"""The eligibility rule language: JSON that compiles to one `Q` over `registry.Person`.

A rule is a tree of nodes:

- `{"all": [node, ...]}`: every node holds (`{"all": []}` holds for everyone; so does `{}`);
- `{"any": [node, ...]}`: at least one holds (an empty `any` is refused: it would hold for nobody);
- `{"not": node}`: the node does not hold;
- a condition `{"fact": "age", "op": ">=", "value": 49}` over one fact of `FACTS`.

There is no `eval` and no raw SQL: a rule can only name facts of the registry below, with the operators
and value types each fact allows (`validate` says precisely what is wrong, with the position of the node).

Dates and ages. Everything that depends on the day is computed in Python from `as_of`, so that the SQL
compares plain columns with constants (index-friendly, identical on SQLite and PostgreSQL):

- "age ≥ n" (whole years) ⇔ `birth_date <= as_of − n years`; months likewise. When `as_of − n` falls
  on a day that does not exist (29 February in a common year, 31 April) it is clamped to the last day
  of that month. So a person born on 29 February 1980 turns 49 on 1 March 2029, and one born on
  31 January is one month old on 1 March of a common year, not on 28 February.
- Ages are exact to the day: a mother born on 15 November 1977 is 48 on 14 November 2026 and 49 on the
  15th. A monthly cycle that wants "she qualifies in the month she turns 49" evaluates on the last day
  of the month (docs/programmes.md).
- "alive" means not dead on `as_of` (no death date, or one after `as_of`).

Facts about the spouse (mother_age for a man, spouse_hukou) read the marriage in force on `as_of`
(`registry.Marriage`, stored once per couple with `a` the lower id, so both directions are asked).
A man without a current wife has no mother_age: any condition on it is false for him.

Facts about children read `registry.ParentChild` (birth and legal adoption alike). `children_ever`,
`living_children` and `special_status` are the registry's derived columns (registry/family.py), kept
up to date by the registry; `living_sons`, `living_daughters` and `youngest_child_age_months` count
the children born on or before `as_of` and alive on it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from guanhuai.core.errors import ValidationError
from guanhuai.programmes.periods import month_index
from guanhuai.programmes.rules.ages import _alive, shift
from guanhuai.programmes.rules.explain import Check, condition_annotations, explain
from guanhuai.programmes.rules.facts import _NOBODY, FACTS, OP_LABELS, Fact, fact
from guanhuai.programmes.rules.validation import MAX_CONDITIONS, MAX_DEPTH, validate
from guanhuai.registry.models import Person

__all__ = [
    "AMOUNT_FIELD",
    "Check",
    "FACTS",
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "OP_LABELS",
    "Fact",
    "amount_expression",
    "age_window",
    "amount_rules_of",
    "amount_rules_on",
    "base_persons",
    "compile_rule",
    "condition_annotations",
    "current_rule",
    "eligible",
    "eligible_for_rule",
    "explain",
    "explain_programme",
    "fact",
    "facts_catalogue",
    "shift",
    "validate",
]

# ---------------------------------------------------------------------------------------------------
# Compilation


def _compile(node: dict[str, Any], as_of: dt.date) -> Q:
    if "all" in node:
        q = Q()
        for child in node["all"]:
            q &= _compile(child, as_of)
        return q
    if "any" in node:
        parts = [_compile(child, as_of) for child in node["any"]]
        if any(not p for p in parts):  # an always-true branch
            return Q()
        q = _NOBODY
        for p in parts:
            q = p if q is _NOBODY else q | p
        return q
    if "not" in node:
        inner = _compile(node["not"], as_of)
        return _NOBODY if not inner else ~inner
    if not node:
        return Q()
    f = FACTS[node["fact"]]
    return f.compile(node["op"], node["value"], as_of)


def compile_rule(rule: dict[str, Any], *, as_of: dt.date) -> Q:
    """The rule as one Q over registry.Person, evaluated on `as_of`. Validates first. An empty Q (Q())
    means everyone; callers may test it with `not q`."""
    validate(rule)
    return _compile(rule, as_of)


# ---------------------------------------------------------------------------------------------------
# Programmes


def current_rule(programme: Any) -> dict[str, Any]:
    """The rule in force: the newest RuleVersion. A programme without one has no eligible persons
    yet, so asking for its rule is an error the page can show."""
    from guanhuai.programmes.models import RuleVersion

    rule = (
        RuleVersion.objects.filter(programme=programme)
        .order_by("-version")
        .values_list("rule", flat=True)
        .first()
    )
    if rule is None:
        raise ValidationError(
            _("项目“%(name)s”还没有资格条件，请先在规则编辑器中保存。") % {"name": programme.name},
            code="no_rule",
        )
    return rule


def base_persons(as_of: dt.date, persons: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """Persons who can be eligible at all on `as_of`: born, alive, and not anonymised."""
    qs = Person.objects.all() if persons is None else persons
    return qs.filter(_alive(as_of), birth_date__lte=as_of, anonymised_at__isnull=True)


def eligible_for_rule(
    rule: dict[str, Any], *, as_of: dt.date, persons: QuerySet[Person] | None = None
) -> QuerySet[Person]:
    return base_persons(as_of, persons).filter(compile_rule(rule, as_of=as_of))


def eligible(programme: Any, *, as_of: dt.date, persons: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """Who qualifies for `programme` on `as_of` (among `persons`, default everybody: callers scope): the
    rule holds on `as_of` and, for a programme with an age limit, at least one month is still owed."""
    return eligible_for_rule(current_rule(programme), as_of=as_of, persons=persons).filter(
        age_window(programme)
    )


def age_window(programme: Any) -> Q:
    """For a programme paid only below an age (`age_limit_months`) and from `counts_from`, the persons
    owed at least one month: the last paid month (birth month + limit − 1, as in cycle generation and
    enrolment) is not before the month of `counts_from`. Q() when the programme has no such window.

    An upper age limit must not be a condition of the rule evaluated on one day: the childcare subsidy's
    "under 36 months" on 2 December 2026 would refuse a child born in March 2023 who is still owed
    January 2025 – February 2026. Lower limits (mother_age ≥ 49, age ≥ 60) are fine in the rule: once
    met they stay met, and payment starts at the application month."""
    limit, counts_from = getattr(programme, "age_limit_months", None), getattr(programme, "counts_from", None)
    if not limit or counts_from is None:
        return Q()
    year, month = divmod(month_index(counts_from) - limit + 1, 12)
    return Q(birth_date__gte=dt.date(year, month + 1, 1))


def explain_programme(programme: Any, person: Person, *, as_of: dt.date) -> list[Check]:
    """`explain` of the programme's current rule, and then what `eligible` asks of everyone besides the rule,
    each shown only where it fails: alive on `as_of`, not anonymised, and (a programme with an age limit) a
    month still owed. So a refusal always names its reason: a deceased applicant whose rule conditions all
    hold reads "在世：否", not five ticks under "不符合"."""
    out = explain(current_rule(programme), person, as_of=as_of)
    if person.died_on is not None and person.died_on <= as_of:
        out.append(
            Check(
                label=_("在世"),
                condition=_("等于 是"),
                value=_("否（%(d)s 死亡）") % {"d": person.died_on},
                holds=False,
            )
        )
    if person.anonymised_at is not None:
        out.append(Check(label=_("个人信息"), condition=_("未匿名化"), value=_("已匿名化"), holds=False))
    window = age_window(programme)
    one = Person.objects.unscoped("the one person the caller already holds").filter(pk=person.pk)
    if window and not one.filter(window).exists():  # the same window `eligible` applies
        limit, counts_from = programme.age_limit_months, programme.counts_from
        last = month_index(person.birth_date) + limit - 1  # the month before the limit is reached
        out.append(
            Check(
                label=_("最后应享月份"),
                condition=_("不早于 %(from)s，满 %(n)s 个月龄止")
                % {"from": f"{counts_from.year}-{counts_from.month:02d}", "n": limit},
                value=f"{last // 12}-{last % 12 + 1:02d}",
                holds=False,
            )
        )
    return out


AMOUNT_FIELD: DecimalField = DecimalField(max_digits=12, decimal_places=2)


def amount_rules_on(programme: Any, on: dt.date, *, rows: list[Any] | None = None) -> list[Any]:
    """The AmountRule rows valid on `on`, in the order they are tried (lowest priority first; for equal
    priority the newest, then the lowest id). `rows`: the programme's rules already read by
    `amount_rules_of` (a list of notices asks once for all their programmes, not once per notice)."""
    from guanhuai.programmes.models import AmountRule

    if rows is not None:
        return [r for r in rows if r.valid_from <= on and (r.valid_to is None or r.valid_to >= on)]
    return list(
        AmountRule.objects.filter(programme=programme, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("priority", "-valid_from", "id")
    )


def amount_rules_of(programme_ids: Any) -> dict[int, list[Any]]:
    """Every AmountRule of these programmes, in one query, in the order `amount_rules_on` tries them."""
    from guanhuai.programmes.models import AmountRule

    out: dict[int, list[Any]] = {pk: [] for pk in programme_ids}
    for row in AmountRule.objects.filter(programme_id__in=out).order_by("priority", "-valid_from", "id"):
        out[row.programme_id].append(row)
    return out


def amount_expression(programme: Any, *, on: dt.date, rows: list[Any] | None = None) -> Case | Value:
    """Per Person, the per-period amount of the first AmountRule valid on `on` whose condition holds
    (conditions evaluated on `on`); NULL when none does. For set-based cycle generation:
    `Person.objects.filter(...).annotate(amount=amount_expression(p, on=day))`. `rows`: as for
    `amount_rules_on`."""
    whens: list[When] = []
    default: Value = Value(None, output_field=AMOUNT_FIELD)
    for row in amount_rules_on(programme, on, rows=rows):
        q = compile_rule(row.condition or {}, as_of=on)
        amount = Value(Decimal(row.amount), output_field=AMOUNT_FIELD)
        if not q:  # holds for everyone: it is the answer for whoever reaches it
            default = amount
            break
        whens.append(When(q, then=amount))
    if not whens:
        return default
    return Case(*whens, default=default, output_field=AMOUNT_FIELD)


def facts_catalogue() -> list[dict[str, Any]]:
    """Every fact with its label, operators, choices and bounds (for the rule editor and the API)."""
    return [f.describe() for f in FACTS.values()]

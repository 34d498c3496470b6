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

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanhuai.core.errors import ValidationError
from guanhuai.registry.models import Marriage, ParentChild, Person
from guanhuai.registry.states import Hukou, Sex, SpecialStatus

MAX_DEPTH = 8
MAX_CONDITIONS = 100

INT_OPS = ("==", "!=", "<", "<=", ">", ">=")
CHOICE_OPS = ("==", "!=", "in", "not_in")
BOOL_OPS = ("==",)
DATE_OPS = ("==", "!=", "<", "<=", ">", ">=")
BRANCH_OPS = ("within", "not_within")
PROGRAMME_OPS = ("in", "not_in")

OP_LABELS = {
    "==": gettext_lazy("等于"),
    "!=": gettext_lazy("不等于"),
    "<": gettext_lazy("小于"),
    "<=": gettext_lazy("小于等于"),
    ">": gettext_lazy("大于"),
    ">=": gettext_lazy("大于等于"),
    "in": gettext_lazy("属于"),
    "not_in": gettext_lazy("不属于"),
    "within": gettext_lazy("在以下组织范围内"),
    "not_within": gettext_lazy("不在以下组织范围内"),
}

_NOBODY = Q(pk__in=[])


# ---------------------------------------------------------------------------------------------------
# Dates


def shift(day: dt.date, *, years: int = 0, months: int = 0) -> dt.date:
    """`day` moved back by whole years/months; a day that does not exist is clamped to the month's end."""
    index = day.year * 12 + day.month - 1 - years * 12 - months
    year, month = divmod(index, 12)
    month += 1
    if year < 1:
        return dt.date.min
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------------------------------
# Age-like facts: each is defined by "at least n (years|months) old" given a cutoff birth date.


@dataclass(frozen=True)
class _Ages:
    """How an age-like fact turns into SQL: `ge(cutoff)` holds when the age is at least n, i.e. the
    relevant birth date is on or before `cutoff`; `lt(cutoff)` when it is less than n. `known` is the
    condition that the fact has a value at all (a man with a wife; a parent with a living child)."""

    ge: Callable[[dt.date, dt.date], Q]
    lt: Callable[[dt.date, dt.date], Q]
    known: Callable[[dt.date], Q]
    unit: str  # "years" | "months" | "years_at_year_end"


def _age_q(ages: _Ages, op: str, n: int, as_of: dt.date) -> Q:
    def cut(k: int) -> dt.date:
        if ages.unit == "years_at_year_end":
            return shift(_year_end(as_of), years=k)
        return shift(as_of, years=k) if ages.unit == "years" else shift(as_of, months=k)

    if op == ">=":
        return ages.ge(cut(n), as_of)
    if op == ">":
        return ages.ge(cut(n + 1), as_of)
    if op == "<":
        return ages.lt(cut(n), as_of)
    if op == "<=":
        return ages.lt(cut(n + 1), as_of)
    exactly = ages.ge(cut(n), as_of) & ages.lt(cut(n + 1), as_of)
    if op == "==":
        return exactly
    return ages.known(as_of) & ~exactly  # "!="


def _own_ge(cutoff: dt.date, as_of: dt.date) -> Q:
    return Q(birth_date__lte=cutoff)


def _own_lt(cutoff: dt.date, as_of: dt.date) -> Q:
    return Q(birth_date__gt=cutoff)


_OWN_YEARS = _Ages(ge=_own_ge, lt=_own_lt, known=lambda as_of: Q(), unit="years")
_OWN_MONTHS = _Ages(ge=_own_ge, lt=_own_lt, known=lambda as_of: Q(), unit="months")


def _year_end(as_of: dt.date) -> dt.date:
    return dt.date(as_of.year, 12, 31)


_YEAR_END = _Ages(
    ge=lambda c, as_of: Q(birth_date__lte=c),
    lt=lambda c, as_of: Q(birth_date__gt=c),
    known=lambda as_of: Q(),
    unit="years_at_year_end",
)


def _marriage_in_force(as_of: dt.date) -> Q:
    return (Q(married_on__isnull=True) | Q(married_on__lte=as_of)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)
    )


def _spouse(condition: dict[str, Any], as_of: dt.date) -> Q:
    """Exists a marriage in force on `as_of` whose other party meets `condition` (field lookups on Person)."""
    current = Marriage.objects.filter(_marriage_in_force(as_of))
    as_a = current.filter(a=OuterRef("pk"), **{f"b__{k}": v for k, v in condition.items()})
    as_b = current.filter(b=OuterRef("pk"), **{f"a__{k}": v for k, v in condition.items()})
    return Q(Exists(as_a)) | Q(Exists(as_b))


def _mother(own: Q, spouse: dict[str, Any], as_of: dt.date) -> Q:
    return (Q(sex=Sex.FEMALE) & own) | (Q(sex=Sex.MALE) & _spouse(spouse, as_of))


_MOTHER_YEARS = _Ages(
    ge=lambda c, as_of: _mother(Q(birth_date__lte=c), {"birth_date__lte": c}, as_of),
    lt=lambda c, as_of: _mother(Q(birth_date__gt=c), {"birth_date__gt": c}, as_of),
    known=lambda as_of: _mother(Q(), {"pk__isnull": False}, as_of),
    unit="years",
)


def _children(as_of: dt.date, **child: Any) -> QuerySet[ParentChild]:
    """Links to this person's children born on or before `as_of` and alive on it."""
    return ParentChild.objects.filter(
        Q(child__died_on__isnull=True) | Q(child__died_on__gt=as_of),
        parent=OuterRef("pk"),
        child__birth_date__lte=as_of,
        **{f"child__{k}": v for k, v in child.items()},
    )


_YOUNGEST_MONTHS = _Ages(
    # The youngest is at least n months old ⇔ there is a child and none was born after the cutoff.
    ge=lambda c, as_of: Q(Exists(_children(as_of))) & ~Q(Exists(_children(as_of, birth_date__gt=c))),
    lt=lambda c, as_of: Q(Exists(_children(as_of, birth_date__gt=c))),
    known=lambda as_of: Q(Exists(_children(as_of))),
    unit="months",
)


def _count_q(as_of: dt.date, op: str, n: int, **child: Any) -> Q:
    if (op, n) in ((">=", 1), (">", 0), ("!=", 0)):
        return Q(Exists(_children(as_of, **child)))
    if (op, n) in (("==", 0), ("<", 1), ("<=", 0)):
        return ~Q(Exists(_children(as_of, **child)))
    sub = _children(as_of, **child).order_by().values("parent").annotate(n=Count("id")).values("n")
    count = Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))
    lookup = {
        "==": Exact,
        "<": LessThan,
        "<=": LessThanOrEqual,
        ">": GreaterThan,
        ">=": GreaterThanOrEqual,
    }.get(op)
    if lookup is None:  # "!="
        return ~Q(Exact(count, n))
    return Q(lookup(count, n))


_COLUMN_LOOKUPS = {"==": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "in": "in"}


def _column_q(column: str, op: str, value: Any) -> Q:
    if op == "!=":
        return ~Q(**{column: value})
    if op == "not_in":
        return ~Q(**{f"{column}__in": value})
    return Q(**{f"{column}__{_COLUMN_LOOKUPS[op]}": value})


# ---------------------------------------------------------------------------------------------------
# The fact registry


@dataclass(frozen=True)
class Fact:
    name: str
    label: Any  # lazy translated
    type: str  # "int" | "choice" | "bool" | "date" | "branch" | "programme"
    ops: tuple[str, ...]
    compile: Callable[[str, Any, dt.date], Q]
    choices: tuple[tuple[str, Any], ...] = ()
    min: int | None = None
    max: int | None = None
    help: Any = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """For the rule editor and the API: everything a form needs to offer this fact."""
        return {
            "name": self.name,
            "label": str(self.label),
            "type": self.type,
            "ops": [{"op": op, "label": str(OP_LABELS[op])} for op in self.ops],
            "choices": [{"value": v, "label": str(label)} for v, label in self.choices],
            "min": self.min,
            "max": self.max,
            "help": str(self.help),
        }


FACTS: dict[str, Fact] = {}


def fact(
    name: str,
    label: Any,
    type: str,
    compile: Callable[[str, Any, dt.date], Q],
    *,
    ops: tuple[str, ...] | None = None,
    choices: Any = (),
    min: int | None = None,
    max: int | None = None,
    help: Any = "",
) -> Fact:
    """Declare a fact. Provinces needing a new local condition add one here (one function, one test)."""
    default_ops = {
        "int": INT_OPS,
        "choice": CHOICE_OPS,
        "bool": BOOL_OPS,
        "date": DATE_OPS,
        "branch": BRANCH_OPS,
        "programme": PROGRAMME_OPS,
    }
    f = Fact(
        name=name,
        label=label,
        type=type,
        ops=ops or default_ops[type],
        compile=compile,
        choices=tuple((str(v), lbl) for v, lbl in choices),
        min=min,
        max=max,
        help=help,
    )
    FACTS[name] = f
    return f


def _years(ages: _Ages) -> Callable[[str, Any, dt.date], Q]:
    return lambda op, value, as_of: _age_q(ages, op, value, as_of)


fact("age", gettext_lazy("年龄(周岁)"), "int", _years(_OWN_YEARS), min=0, max=150,
     help=gettext_lazy("按当日计算的周岁；生日当天满岁。"))  # fmt: skip
fact("age_months", gettext_lazy("月龄"), "int", _years(_OWN_MONTHS), min=0, max=1800,
     help=gettext_lazy("按当日计算的足月数，如育儿补贴“未满36个月”即 月龄 < 36。"))  # fmt: skip
fact("sex", gettext_lazy("性别"), "choice", lambda op, v, d: _column_q("sex", op, v), choices=Sex.choices)
fact("hukou", gettext_lazy("户籍类型"), "choice", lambda op, v, d: _column_q("hukou_type", op, v),
     choices=Hukou.choices)  # fmt: skip
fact("special_status", gettext_lazy("计生特殊家庭"), "choice",
     lambda op, v, d: _column_q("special_status", op, v),
     choices=[c for c in SpecialStatus.choices if c[0]],
     help=gettext_lazy("失独：独生子女死亡；伤残：独生子女残疾等级一至三级。再生育或收养后不再是特殊家庭。"))  # fmt: skip
fact("disability_grade", gettext_lazy("本人残疾等级"), "int",
     lambda op, v, d: _column_q("disability_grade", op, v), min=1, max=4)  # fmt: skip
fact("living_children", gettext_lazy("现有子女数"), "int",
     lambda op, v, d: _column_q("living_children", op, v), min=0, max=30)  # fmt: skip
fact("children_ever", gettext_lazy("生育或收养子女总数"), "int",
     lambda op, v, d: _column_q("children_ever", op, v), min=0, max=30,
     help=gettext_lazy("含已死亡子女；亲生和依法收养都计入。"))  # fmt: skip
fact("living_daughters", gettext_lazy("现有女儿数"), "int",
     lambda op, v, d: _count_q(d, op, v, sex=Sex.FEMALE), min=0, max=30)  # fmt: skip
fact("living_sons", gettext_lazy("现有儿子数"), "int",
     lambda op, v, d: _count_q(d, op, v, sex=Sex.MALE), min=0, max=30)  # fmt: skip
fact("mother_age", gettext_lazy("女方年龄(周岁)"), "int", _years(_MOTHER_YEARS), min=0, max=150,
     help=gettext_lazy("女性为本人年龄；男性为现任妻子的年龄，无现任配偶时不符合。"))  # fmt: skip
fact("spouse_hukou", gettext_lazy("配偶户籍类型"), "choice",
     lambda op, v, d: _spouse_choice("hukou_type", op, v, d), choices=Hukou.choices,
     help=gettext_lazy("现任配偶的户籍类型；无现任配偶时不符合。"))  # fmt: skip
fact("birth_date", gettext_lazy("出生日期"), "date",
     lambda op, v, d: _column_q("birth_date", op, dt.date.fromisoformat(v)))  # fmt: skip
fact("youngest_child_age_months", gettext_lazy("最小子女月龄"), "int", _years(_YOUNGEST_MONTHS),
     min=0, max=1800, help=gettext_lazy("在世子女中最小者的足月数；无子女时不符合。"))  # fmt: skip
fact("is_migrant", gettext_lazy("流动人口"), "bool", lambda op, v, d: Q(is_migrant=v))
fact("only_child_certificate", gettext_lazy("持有独生子女父母光荣证"), "bool",
     lambda op, v, d: Q(only_child_certificate=v))  # fmt: skip
fact("residence", gettext_lazy("所属组织"), "branch", lambda op, v, d: _branch_q(op, v),
     help=gettext_lazy("人员所属村(社区)在所选组织(含下级)范围内；填组织的区划代码。"))  # fmt: skip
fact("alive", gettext_lazy("在世"), "bool",
     lambda op, v, d: _alive(d) if v else ~_alive(d))  # fmt: skip
fact("age_at_year_end", gettext_lazy("当年年末年龄(周岁)"), "int", _years(_YEAR_END), min=0, max=150,
     help=gettext_lazy("当年12月31日的周岁，用于“当年年满60周岁”之类的规定。"))  # fmt: skip
fact("enrolled_in", gettext_lazy("正在享受的项目"), "programme", lambda op, v, d: _enrolled_q(op, v, d),
     help=gettext_lazy("当月正在享受所列项目（填项目代码），如地方增发只发给国家特扶对象。"))  # fmt: skip


def _enrolled_q(op: str, codes: list[str], as_of: dt.date) -> Q:
    """An active enrolment in one of these programmes that covers `as_of`'s month."""
    from guanhuai.programmes.models import Enrolment
    from guanhuai.programmes.states import EnrolmentStatus

    month = as_of.year * 12 + as_of.month - 1
    live = Enrolment.objects.filter(
        Q(end_month__isnull=True) | Q(end_month__gte=month),
        person=OuterRef("pk"),
        programme__code__in=codes,
        status=EnrolmentStatus.ACTIVE,
        start_month__lte=month,
    )
    return ~Q(Exists(live)) if op == "not_in" else Q(Exists(live))


def _alive(as_of: dt.date) -> Q:
    return Q(died_on__isnull=True) | Q(died_on__gt=as_of)


def _spouse_choice(column: str, op: str, value: Any, as_of: dt.date) -> Q:
    if op == "==":
        return _spouse({column: value}, as_of)
    if op == "in":
        return _spouse({f"{column}__in": value}, as_of)
    values = [value] if op == "!=" else value
    return _spouse({f"{column}__in": [c for c in Hukou.values if c not in values]}, as_of)


def _codes(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _branch_q(op: str, value: Any) -> Q:
    from guanhuai.orgs import paths
    from guanhuai.orgs.models import OrgUnit

    q = _NOBODY
    for path in OrgUnit.objects.filter(code__in=_codes(value)).values_list("path", flat=True):
        q |= Q(org_unit__path__gte=path, org_unit__path__lt=paths.upper_bound(path))
    return ~q if op == "not_within" else q


# ---------------------------------------------------------------------------------------------------
# Validation


def _where(path: str) -> str:
    return path or _("规则")


def _bad(path: str, message: str, *, code: str = "bad_rule") -> ValidationError:
    return ValidationError(
        _("%(where)s：%(message)s") % {"where": _where(path), "message": message},
        code=code,
        details={"path": path},
    )


def _check_value(f: Fact, op: str, value: Any, path: str) -> None:
    label = str(f.label)
    if op in ("in", "not_in") or (f.type == "branch" and not isinstance(value, str)):
        if not isinstance(value, list) or not value:
            raise _bad(path, _("条件“%(fact)s”用“%(op)s”时，值应为非空列表。") % {"fact": label, "op": op})
        items = value
    else:
        items = [value]
    for item in items:
        if f.type == "int":
            if isinstance(item, bool) or not isinstance(item, int):
                raise _bad(
                    path,
                    _("条件“%(fact)s”的值应为整数，而不是 %(value)s。")
                    % {"fact": label, "value": _show(item)},
                )
            if (f.min is not None and item < f.min) or (f.max is not None and item > f.max):
                raise _bad(
                    path,
                    _("条件“%(fact)s”的值 %(value)s 超出范围（%(min)s–%(max)s）。")
                    % {"fact": label, "value": item, "min": f.min, "max": f.max},
                )
        elif f.type == "bool":
            if not isinstance(item, bool):
                raise _bad(path, _("条件“%(fact)s”的值应为 true 或 false。") % {"fact": label})
        elif f.type == "date":
            try:
                if not isinstance(item, str):
                    raise ValueError
                dt.date.fromisoformat(item)
            except ValueError:
                raise _bad(
                    path,
                    _("条件“%(fact)s”的值应为日期，格式如 1933-01-01，而不是 %(value)s。")
                    % {"fact": label, "value": _show(item)},
                )
        elif f.type == "choice":
            allowed = [v for v, _label in f.choices]
            if item not in allowed:
                raise _bad(
                    path,
                    _("条件“%(fact)s”的值 %(value)s 不可用，可选：%(choices)s。")
                    % {"fact": label, "value": _show(item), "choices": ", ".join(allowed)},
                )
        elif f.type == "branch":
            if not isinstance(item, str) or not item:
                raise _bad(path, _("条件“%(fact)s”的值应为组织的区划代码。") % {"fact": label})
        elif f.type == "programme":
            if not isinstance(item, str) or not item:
                raise _bad(path, _("条件“%(fact)s”的值应为项目代码。") % {"fact": label})
    if f.type == "programme":
        from guanhuai.programmes.models import Programme

        known = set(Programme.objects.filter(code__in=items).values_list("code", flat=True))
        missing = [c for c in items if c not in known]
        if missing:
            raise _bad(path, _("没有代码为 %(codes)s 的扶助项目。") % {"codes": ", ".join(missing)})
    if f.type == "branch":
        from guanhuai.orgs.models import OrgUnit

        codes = _codes(value)
        known = set(OrgUnit.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = [c for c in codes if c not in known]
        if missing:
            raise _bad(path, _("没有区划代码为 %(codes)s 的组织。") % {"codes": ", ".join(missing)})


def _show(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _validate(node: Any, path: str, depth: int, counter: list[int]) -> None:
    if depth > MAX_DEPTH:
        raise _bad(path, _("规则嵌套超过 %(max)d 层。") % {"max": MAX_DEPTH})
    if not isinstance(node, dict):
        raise _bad(path, _("每个节点应为 JSON 对象，而不是 %(value)s。") % {"value": _show(node)})
    keys = set(node)
    if keys in ({"all"}, {"any"}):
        (key,) = keys
        items = node[key]
        if not isinstance(items, list):
            raise _bad(path, _("“%(key)s”的值应为条件列表。") % {"key": key})
        if key == "any" and not items:
            raise _bad(path, _("“any”至少需要一个条件（空的“any”谁都不符合）。"))
        for i, child in enumerate(items):
            _validate(child, f"{path}.{key}[{i}]" if path else f"{key}[{i}]", depth + 1, counter)
        return
    if keys == {"not"}:
        child = node["not"]
        if not child:
            raise _bad(path, _("“not”不能为空。"))
        _validate(child, f"{path}.not" if path else "not", depth + 1, counter)
        return
    if keys == {"fact", "op", "value"}:
        counter[0] += 1
        if counter[0] > MAX_CONDITIONS:
            raise _bad(path, _("规则的条件超过 %(max)d 个。") % {"max": MAX_CONDITIONS})
        name, op = node["fact"], node["op"]
        f = FACTS.get(name) if isinstance(name, str) else None
        if f is None:
            raise _bad(
                path,
                _("未知的条件项“%(fact)s”。可用的条件项：%(facts)s。")
                % {"fact": name, "facts": ", ".join(FACTS)},
                code="unknown_fact",
            )
        if op not in f.ops:
            raise _bad(
                path,
                _("条件“%(fact)s”不能用运算符“%(op)s”，可用：%(ops)s。")
                % {"fact": f.label, "op": op, "ops": " ".join(f.ops)},
            )
        _check_value(f, op, node["value"], path)
        return
    if not keys:
        if path:
            raise _bad(path, _("空的条件节点。"))
        return  # {} at the top: everyone
    if "fact" in keys:
        missing = {"fact", "op", "value"} - keys
        extra = keys - {"fact", "op", "value"}
        if missing:
            raise _bad(path, _("条件缺少 %(keys)s。") % {"keys": ", ".join(sorted(missing))})
        raise _bad(path, _("条件有多余的键 %(keys)s。") % {"keys": ", ".join(sorted(extra))})
    raise _bad(
        path,
        _("无法识别的节点 %(keys)s：应为 all、any、not 之一，或 fact/op/value 条件。")
        % {"keys": ", ".join(sorted(map(str, keys)))},
    )


def validate(rule: Any) -> None:
    """Raise ValidationError (code "unknown_fact" or "bad_rule") naming the first problem and where it is
    (e.g. `all[1].any[0]`); `details["path"]` carries the position for forms."""
    _validate(rule, "", 1, [0])


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
    """Who qualifies for `programme` on `as_of` (among `persons`, default everybody: callers scope)."""
    return eligible_for_rule(current_rule(programme), as_of=as_of, persons=persons)


AMOUNT_FIELD: DecimalField = DecimalField(max_digits=12, decimal_places=2)


def amount_rules_on(programme: Any, on: dt.date) -> list[Any]:
    """The AmountRule rows valid on `on`, in the order they are tried (lowest priority first; for equal
    priority the newest, then the lowest id)."""
    from guanhuai.programmes.models import AmountRule

    return list(
        AmountRule.objects.filter(programme=programme, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("priority", "-valid_from", "id")
    )


def amount_expression(programme: Any, *, on: dt.date) -> Case | Value:
    """Per Person, the per-period amount of the first AmountRule valid on `on` whose condition holds
    (conditions evaluated on `on`); NULL when none does. For set-based cycle generation:
    `Person.objects.filter(...).annotate(amount=amount_expression(p, on=day))`."""
    whens: list[When] = []
    default: Value = Value(None, output_field=AMOUNT_FIELD)
    for row in amount_rules_on(programme, on):
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

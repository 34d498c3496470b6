"""The fact registry: each fact a name, a label, a type, operators and a function from (op, value, as_of)
to a `Q` over registry.Person. A new local condition is one `fact(...)` here and one test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Exists,
    OuterRef,
    Q,
)
from django.utils.translation import gettext_lazy

from guanhuai.programmes.rules.ages import (
    _MOTHER_YEARS,
    _OWN_MONTHS,
    _OWN_YEARS,
    _YEAR_END,
    _YOUNGEST_MONTHS,
    _age_q,
    _Ages,
    _alive,
    _count_q,
    _spouse,
)
from guanhuai.registry.states import Hukou, Sex, SpecialStatus

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
     help=gettext_lazy("按当日计算的足月数。发放到一定月龄为止的项目（如育儿补贴）不在此设上限，而填项目的“享受至(月龄)”：按当日判断会漏掉仍有应发月份的儿童。"))  # fmt: skip
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

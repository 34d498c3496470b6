"""Ready-made definitions of the three national programmes (DOMAIN.md, "Assistance programmes").

A template is data: the programme's fields, its eligibility rule (programmes/rules.py) and its full
amount history as validity-dated amount rules, each with its source. `services.programmes.
programme_from_template` turns one into a Programme with rule version 1 and these amount rules; from
then on the rows are the truth and a province edits them like any other programme.

Uncertain facts ([?] in DOMAIN.md) say so in `source`. An amount whose start date is not known is NOT
installed with a guessed date (it would pay the wrong amount for the months in between): it is listed in
`unconfirmed` and shown on the programme page, to be added with its real date through the amount-rules
form once the province has checked it.

Texts stored in the database are in the source language (Chinese) and marked with gettext_noop; they
are translated when shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from guanhuai.programmes.states import DEFAULT_STEPS, Benefit, FundingSource, Period, ProRata, Target

D = dt.date.fromisoformat


@dataclass(frozen=True)
class AmountSpec:
    label: str
    amount: Decimal
    valid_from: dt.date | None  # None: start date unknown, not installed (see module docstring)
    valid_to: dt.date | None = None
    condition: dict[str, Any] = field(default_factory=dict)
    priority: int = 100
    source: str = ""


@dataclass(frozen=True)
class Template:
    key: str
    title: Any  # lazy, for the template picker
    fields: dict[str, Any]
    rule: dict[str, Any]
    rule_note: str
    amounts: tuple[AmountSpec, ...]

    @property
    def installed_amounts(self) -> list[AmountSpec]:
        return [a for a in self.amounts if a.valid_from is not None]

    @property
    def unconfirmed(self) -> list[AmountSpec]:
        return [a for a in self.amounts if a.valid_from is None]


def _c(fact: str, op: str, value: Any) -> dict[str, Any]:
    return {"fact": fact, "op": op, "value": value}


_BEREAVED = _c("special_status", "==", "bereaved")
_DISABLED = _c("special_status", "==", "disabled_child")
_URBAN = _c("hukou", "==", "urban")
_RURAL = _c("hukou", "==", "rural")

_SRC = gettext_noop("公开资料[src]")
_SRC_2022 = gettext_noop("财政部、国家卫生健康委2022年调整通知[src]")
# The 2014 figures gave way to 450/350 on a date nobody has confirmed (DOMAIN.md [?]); they are ended the
# day before the 2022 figures only because that is the last day they can have been in force.
_SRC_2014 = gettext_noop(
    "[?] 公开资料[src]；此后曾调整为450/350元，调整日期不详，暂以2022-06-30为止，核实后应提前结束"
)

SPECIAL_ASSISTANCE = Template(
    key="special_assistance",
    title=_("计划生育家庭特别扶助（国家）"),
    fields={
        "name": gettext_noop("计划生育家庭特别扶助"),
        "legal_basis": gettext_noop(
            "《中华人民共和国人口与计划生育法》；计划生育家庭特别扶助制度及历次标准调整通知"
        ),
        "description": gettext_noop(
            "独生子女死亡（失独）或伤残（残疾等级一至三级）且未再生育或收养子女的夫妻，女方年满49周岁、"
            "本人1933年1月1日以后出生的，夫妻双方每人每月领取特别扶助金。本人死亡或再生育、收养子女的，"
            "终止扶助。"
        ),
        "target": Target.PERSON,
        "benefit": Benefit.CASH,
        "period": Period.MONTHLY,
        "pro_rata": ProRata.NONE,
        "funding_source": FundingSource.BUDGET,
        "budget_line": gettext_noop("计划生育家庭特别扶助金"),
        "steps": list(DEFAULT_STEPS),
        "notice_days": 7,
    },
    # The person target applied to each parent: the father and the mother each qualify on their own row.
    # special_status is derived by the registry (exactly one child ever, who died or has grade 1–3), so
    # a couple who later bore or adopted a child is no longer a special family; children_ever == 1 says
    # the same thing aloud for whoever reads the rule.
    rule={
        "all": [
            _c("birth_date", ">=", "1933-01-01"),
            _c("mother_age", ">=", 49),
            _c("special_status", "in", ["bereaved", "disabled_child"]),
            _c("children_ever", "==", 1),
        ]
    },
    rule_note=gettext_noop(
        "国家模板：1933年后出生、女方满49周岁、独生子女死亡或伤残一至三级、未再生育或收养"
    ),
    amounts=(
        AmountSpec(
            gettext_noop("独生子女死亡（2008）"),
            Decimal("100"),
            D("2008-01-01"),
            D("2011-12-31"),
            {"all": [_BEREAVED]},
            10,
            _SRC,
        ),  # fmt: skip
        AmountSpec(
            gettext_noop("独生子女伤残（2008）"),
            Decimal("80"),
            D("2008-01-01"),
            D("2011-12-31"),
            {"all": [_DISABLED]},
            10,
            _SRC,
        ),  # fmt: skip
        AmountSpec(
            gettext_noop("独生子女死亡（2012）"),
            Decimal("135"),
            D("2012-01-01"),
            D("2013-12-31"),
            {"all": [_BEREAVED]},
            10,
            _SRC,
        ),  # fmt: skip
        AmountSpec(
            gettext_noop("独生子女伤残（2012）"),
            Decimal("110"),
            D("2012-01-01"),
            D("2013-12-31"),
            {"all": [_DISABLED]},
            10,
            _SRC,
        ),  # fmt: skip
        AmountSpec(
            gettext_noop("城镇独生子女死亡（2014）"),
            Decimal("340"),
            D("2014-01-01"),
            D("2022-06-30"),
            {"all": [_BEREAVED, _URBAN]},
            10,
            _SRC_2014,
        ),  # fmt: skip
        AmountSpec(
            gettext_noop("农村独生子女死亡（2014）"),
            Decimal("170"),
            D("2014-01-01"),
            D("2022-06-30"),
            {"all": [_BEREAVED, _RURAL]},
            10,
            _SRC_2014,
        ),  # fmt: skip
        AmountSpec(
            gettext_noop("城镇独生子女伤残（2014）"),
            Decimal("270"),
            D("2014-01-01"),
            D("2022-06-30"),
            {"all": [_DISABLED, _URBAN]},
            10,
            _SRC_2014,
        ),  # fmt: skip
        AmountSpec(
            gettext_noop("农村独生子女伤残（2014）"),
            Decimal("150"),
            D("2014-01-01"),
            D("2022-06-30"),
            {"all": [_DISABLED, _RURAL]},
            10,
            _SRC_2014,
        ),  # fmt: skip
        AmountSpec(
            gettext_noop("独生子女死亡（调整，日期待核实）"),
            Decimal("450"),
            None,
            None,
            {"all": [_BEREAVED]},
            10,
            gettext_noop("[?] 公开资料有此标准，起始日期不详；核实后按实际日期添加，并结束2014年标准"),
        ),  # fmt: skip
        AmountSpec(
            gettext_noop("独生子女伤残（调整，日期待核实）"),
            Decimal("350"),
            None,
            None,
            {"all": [_DISABLED]},
            10,
            gettext_noop("[?] 公开资料有此标准，起始日期不详；核实后按实际日期添加，并结束2014年标准"),
        ),  # fmt: skip
        AmountSpec(
            gettext_noop("独生子女死亡（2022）"),
            Decimal("590"),
            D("2022-07-01"),
            None,
            {"all": [_BEREAVED]},
            10,
            _SRC_2022,
        ),  # fmt: skip
        AmountSpec(
            gettext_noop("独生子女伤残（2022）"),
            Decimal("460"),
            D("2022-07-01"),
            None,
            {"all": [_DISABLED]},
            10,
            _SRC_2022,
        ),  # fmt: skip
    ),
)

RURAL_REWARD = Template(
    key="rural_reward",
    title=_("农村部分计划生育家庭奖励扶助（国家）"),
    fields={
        "name": gettext_noop("农村部分计划生育家庭奖励扶助"),
        "legal_basis": gettext_noop(
            "《中华人民共和国人口与计划生育法》；农村部分计划生育家庭奖励扶助制度（2004年起）"
        ),
        "description": gettext_noop(
            "夫妻双方均为农业户口、本人1933年1月1日以后出生、年满60周岁、现有一个子女或两个女孩或子女死亡"
            "现无子女的，每人每年领取奖励扶助金。1973年至2001年间无政策外生育，由村级审核时核实。"
        ),
        "target": Target.PERSON,
        "benefit": Benefit.CASH,
        "period": Period.YEARLY,
        "pro_rata": ProRata.NONE,
        "funding_source": FundingSource.BUDGET,
        "budget_line": gettext_noop("农村部分计划生育家庭奖励扶助金"),
        "steps": list(DEFAULT_STEPS),
        "notice_days": 7,
    },
    rule={
        "all": [
            _c("hukou", "==", "rural"),
            _c("spouse_hukou", "==", "rural"),
            _c("birth_date", ">=", "1933-01-01"),
            _c("age", ">=", 60),
            {
                "any": [
                    _c("living_children", "<=", 1),
                    {"all": [_c("living_children", "==", 2), _c("living_daughters", "==", 2)]},
                ]
            },
        ]
    },
    rule_note=gettext_noop(
        "国家模板：夫妻均为农村户籍、1933年后出生、满60周岁、现有一个子女或两个女孩或无子女"
    ),
    amounts=(
        AmountSpec(
            gettext_noop("奖励扶助金（2004）"), Decimal("600"), D("2004-01-01"), D("2008-12-31"), source=_SRC
        ),
        AmountSpec(
            gettext_noop("奖励扶助金（2009）"), Decimal("720"), D("2009-01-01"), D("2011-12-31"), source=_SRC
        ),
        AmountSpec(gettext_noop("奖励扶助金（2012）"), Decimal("960"), D("2012-01-01"), None, source=_SRC),
    ),
)

CHILDCARE_SUBSIDY = Template(
    key="childcare_subsidy",
    title=_("育儿补贴（国家，2025年起）"),
    fields={
        "name": gettext_noop("育儿补贴"),
        "legal_basis": gettext_noop("育儿补贴制度实施方案（2025年）"),
        "description": gettext_noop(
            "3周岁以下婴幼儿每人每年3600元，自2025年1月1日起计算，至满3周岁止；2022年至2024年出生的"
            "按符合条件的月数折算。每个孩子在户籍地申请一次，补贴免征个人所得税。"
        ),
        "target": Target.PERSON,  # the child
        "benefit": Benefit.CASH,
        "period": Period.YEARLY,
        "pro_rata": ProRata.MONTHS,
        "counts_from": D("2025-01-01"),
        "age_limit_months": 36,
        "funding_source": FundingSource.BUDGET,
        "budget_line": gettext_noop("育儿补贴"),
        "steps": list(DEFAULT_STEPS),
        "notice_days": 7,
    },
    # No age condition in the rule: "under 36 months" checked on one day would refuse a child born in
    # 2023 who is still owed months of 2025. The age limit and counts_from above decide it instead
    # (rules.age_window): owed at least one month from 2025-01, i.e. born on or after 2022-02-01.
    rule={"all": []},
    rule_note=gettext_noop(
        "国家模板：自2025年1月起至少有一个月未满3周岁（36个月）的婴幼儿；年龄由项目的享受年龄上限和起算日期计算"
    ),
    amounts=(
        AmountSpec(
            gettext_noop("育儿补贴"),
            Decimal("3600"),
            D("2025-01-01"),
            None,
            source=gettext_noop(
                "国家育儿补贴制度，每孩每年3600元；2025年1月出生的孩子共领10800元（新华社2025-09-12）[src]"
            ),
        ),
    ),
)

TEMPLATES: dict[str, Template] = {t.key: t for t in (SPECIAL_ASSISTANCE, RURAL_REWARD, CHILDCARE_SUBSIDY)}


def template_choices() -> list[tuple[str, Any]]:
    return [(t.key, t.title) for t in TEMPLATES.values()]

"""Forms of the programme-definition pages: create (blank or from a template), edit, the rule editor and
amount rules. They check the shape of input only; the services give the precise refusals."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from guanhuai.core.errors import ValidationError as DomainValidationError
from guanhuai.core.forms import BootstrapForm, DateInput
from guanhuai.orgs.forms import UnitChoiceField
from guanhuai.orgs.models import Level
from guanhuai.programmes import rules
from guanhuai.programmes.catalogue import template_choices
from guanhuai.programmes.permissions import MANAGE_PROGRAMMES
from guanhuai.programmes.states import (
    Benefit,
    FundingSource,
    NoticeNames,
    ObjectionIdentity,
    Period,
    ProRata,
    Step,
    Target,
)

# Branches that own a programme: down to the county (townships and villages review, they do not own).
OWNER_LEVELS = [Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.COUNTY]


class AllocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.fund.name} · {obj.name}"


class ProgrammeFieldsForm(BootstrapForm):
    name = forms.CharField(label=_("项目名称"), max_length=120)
    legal_basis = forms.CharField(label=_("政策依据"), max_length=300)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    target = forms.ChoiceField(label=_("扶助对象"), choices=Target.choices)
    benefit = forms.ChoiceField(label=_("待遇形式"), choices=Benefit.choices)
    period = forms.ChoiceField(label=_("发放周期"), choices=Period.choices)
    pro_rata = forms.ChoiceField(label=_("不足整期"), choices=ProRata.choices)
    counts_from = forms.DateField(
        label=_("起算日期"), required=False, widget=DateInput(), help_text=_("早于此日的月份不发放；可留空。")
    )
    age_limit_months = forms.IntegerField(
        label=_("享受至(月龄)"), required=False, min_value=1, help_text=_("如育儿补贴满36个月为止；可留空。")
    )
    funding_source = forms.ChoiceField(label=_("资金来源"), choices=FundingSource.choices)
    allocation = AllocationChoiceField(label=_("资金分配"), queryset=None, required=False)
    budget_line = forms.CharField(label=_("预算科目"), max_length=120, required=False)
    steps = forms.MultipleChoiceField(
        label=_("审核环节"),
        choices=Step.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(Step.values),
    )
    notice_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=90, initial=7)
    notice_names = forms.ChoiceField(
        label=_("纸质公示姓名显示"),
        choices=NoticeNames.choices,
        initial=NoticeNames.KEEP_LAST,
        required=False,  # a client that does not send it keeps the default
        help_text=_("贴在村里的纸质公示需让邻里认得出公示对象；网上公示一律只显示姓。"),
    )
    objection_phone = forms.CharField(
        label=_("异议受理电话"),
        max_length=40,
        required=False,
        help_text=_("印在公示上，供群众反映异议，如 0751-6381234。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    approvals_required = forms.IntegerField(label=_("发放审批人数"), min_value=1, max_value=9, initial=2)
    objection_identity = forms.ChoiceField(
        label=_("网上异议是否实名"),
        choices=ObjectionIdentity.choices,
        initial=ObjectionIdentity.OPTIONAL,
        required=False,  # a client that does not send it keeps the default
        help_text=_("群众在阳光计生网站上提交异议时，是否必须填写姓名和电话。"),
    )

    def __init__(self, *args: Any, allocations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["allocation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = allocations

    def clean_notice_names(self) -> str:
        return self.cleaned_data.get("notice_names") or NoticeNames.KEEP_LAST

    def clean_objection_identity(self) -> str:
        return self.cleaned_data.get("objection_identity") or ObjectionIdentity.OPTIONAL

    def values(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("org_unit", None)
        return d


class ProgrammeCreateForm(ProgrammeFieldsForm):
    org_unit = UnitChoiceField(label=_("主管组织"), perm=MANAGE_PROGRAMMES, levels=OWNER_LEVELS)
    code = forms.SlugField(
        label=_("项目代码"),
        max_length=40,
        help_text=_("小写字母、数字、下划线或短横线，如 gd-special-topup。"),
    )
    field_order = ["org_unit", "code", "name"]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        self.order_fields(self.field_order)


class ProgrammeEditForm(ProgrammeFieldsForm):
    active = forms.BooleanField(label=_("启用"), required=False)


class TemplateForm(BootstrapForm):
    template = forms.ChoiceField(label=_("国家项目模板"), choices=())
    org_unit = UnitChoiceField(label=_("主管组织"), perm=MANAGE_PROGRAMMES, levels=OWNER_LEVELS)
    code = forms.SlugField(
        label=_("项目代码"),
        max_length=40,
        required=False,
        help_text=_("留空则用模板代码（已占用时加组织代码）。"),
    )
    allocation = AllocationChoiceField(
        label=_("资金分配"), queryset=None, required=False, help_text=_("留空则按模板由财政预算发放。")
    )

    def __init__(self, *args: Any, units: Any, allocations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = template_choices()  # type: ignore[attr-defined]
        for name, qs in (("org_unit", units), ("allocation", allocations)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = qs


# --- the rule editor ------------------------------------------------------------------------------------

MODE_ROWS = "rows"
MODE_JSON = "json"


def rule_to_rows(rule: Any) -> tuple[str, list[dict[str, Any]]] | None:
    """A flat rule (all/any of plain conditions) as (combinator, rows) for the row editor; None when the
    rule nests groups (edit it as JSON)."""
    if not isinstance(rule, dict):
        return None
    if not rule:
        return "all", []
    if set(rule) not in ({"all"}, {"any"}):
        return None
    key = next(iter(rule))
    items = rule[key]
    if not isinstance(items, list) or any(not isinstance(c, dict) or "fact" not in c for c in items):
        return None
    return key, [dict(c) for c in items]


def row_values(value: Any) -> list[str]:
    """A condition's value as the strings of its row's inputs."""
    items = value if isinstance(value, list) else [value]
    out = []
    for v in items:
        if isinstance(v, bool):
            out.append("true" if v else "false")
        elif v is not None:
            out.append(str(v))
    return out


def row_keys(data: Any) -> list[str]:
    """Row keys in the order the rows appear in the form (inputs are named row-<key>-fact/op/value)."""
    keys: list[str] = []
    for name in data:
        if name.startswith("row-") and name.endswith("-fact"):
            key = name[4:-5]
            if key not in keys:
                keys.append(key)
    return keys


def row_condition(data: Any, key: str, n: int) -> dict[str, Any] | None:
    """One row as a condition; None for a row left blank."""
    name = (data.get(f"row-{key}-fact") or "").strip()
    if not name:
        return None
    f = rules.FACTS.get(name)
    if f is None:
        raise DomainValidationError(
            _t("第%(n)d行：未知的条件项“%(fact)s”。") % {"n": n, "fact": name}, code="unknown_fact"
        )
    op = data.get(f"row-{key}-op") or f.ops[0]
    texts = [t.strip() for t in data.getlist(f"row-{key}-value") if t is not None and t.strip()]
    value: Any
    if op in ("in", "not_in"):
        value = [c.strip() for t in texts for c in t.replace("，", ",").split(",") if c.strip()]
    elif f.type == "branch":
        codes = [c.strip() for t in texts for c in t.replace("，", ",").split(",") if c.strip()]
        value = codes[0] if len(codes) == 1 else codes
    elif not texts:
        raise DomainValidationError(
            _t("第%(n)d行：请填写“%(fact)s”的值。") % {"n": n, "fact": f.label}, code="bad_rule"
        )
    elif f.type == "int":
        try:
            value = int(texts[0])
        except ValueError:
            raise DomainValidationError(
                _t("第%(n)d行：“%(fact)s”的值应为整数。") % {"n": n, "fact": f.label}, code="bad_rule"
            )
    elif f.type == "bool":
        value = texts[0].lower() in ("true", "1", "是", "yes")
    else:
        value = texts[0]
    return {"fact": name, "op": op, "value": value}


def rows_to_rule(data: Any) -> dict[str, Any]:
    """The row editor's inputs as a rule; blank rows are skipped. The rule is then validated as a whole."""
    items = []
    for n, key in enumerate(row_keys(data), start=1):
        condition = row_condition(data, key, n)
        if condition is not None:
            items.append(condition)
    return {"any" if data.get("combinator") == "any" else "all": items}


def parse_rule_json(text: str) -> dict[str, Any]:
    try:
        rule = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise DomainValidationError(
            _t("JSON 格式错误（第%(line)d行第%(col)d列）：%(msg)s")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg},
            code="bad_json",
        )
    if not isinstance(rule, dict):
        raise DomainValidationError(_t("规则应为 JSON 对象。"), code="bad_rule")
    return rule


def rule_from_post(data: Any) -> dict[str, Any]:
    """The rule the editor describes: the rows in row mode, the JSON text in JSON mode."""
    if data.get("mode") == MODE_JSON:
        return parse_rule_json(data.get("rule_json", ""))
    return rows_to_rule(data)


def as_of_from(data: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(data.get("as_of") or "")
    except ValueError:
        return timezone.localdate()


class AmountRuleForm(BootstrapForm):
    label = forms.CharField(label=_("标准名称"), max_length=80)
    amount = forms.CharField(
        label=_("每期金额（元）"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    valid_from = forms.DateField(label=_("执行起始"), widget=DateInput())
    valid_to = forms.DateField(label=_("执行截止"), required=False, widget=DateInput())
    condition = forms.CharField(
        label=_("适用条件（规则 JSON）"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "class": "form-control font-monospace", "spellcheck": "false"}
        ),
        help_text=_(
            '留空表示所有享受对象；如 {"all": [{"fact": "special_status", "op": "==", "value": "bereaved"}]}'
        ),
    )
    priority = forms.IntegerField(
        label=_("优先级"), min_value=0, max_value=32767, initial=100, help_text=_("数字小的先匹配。")
    )
    source = forms.CharField(label=_("依据"), max_length=200, required=False)

    def clean_condition(self) -> dict[str, Any]:
        text = (self.cleaned_data.get("condition") or "").strip()
        if not text:
            return {}
        try:
            rule = parse_rule_json(text)
            rules.validate(rule)
        except DomainValidationError as exc:
            raise forms.ValidationError(str(exc))
        return rule


class AmountEndForm(BootstrapForm):
    valid_to = forms.DateField(label=_("执行截止（最后适用日）"), widget=DateInput())


class MissedFilterForm(BootstrapForm):
    village = UnitChoiceField(label=_("村(社区)"), queryset=None, required=False, empty_label=_("全部"))
    as_of = forms.DateField(label=_("认定日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = villages

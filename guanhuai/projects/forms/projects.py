"""Forms of the project pages. Budget lines and areas are typed as short text lines (one per row), which a
phone keyboard handles better than a grid; the service checks every line and says which one is wrong."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.actor import Actor
from guanhuai.core.forms import BootstrapForm, DateInput
from guanhuai.core.money import yuan
from guanhuai.funds import selectors as funds_selectors
from guanhuai.funds.models import Allocation, Fund
from guanhuai.orgs.forms import UnitChoiceField
from guanhuai.orgs.models import OrgUnit
from guanhuai.projects.models import CONFIG_KEYS, Project, ProjectType
from guanhuai.projects.permissions import PROPOSE
from guanhuai.projects.states import Decision, DocumentKind, Rating

CONFIG_LABELS = {
    "activity_kinds": _("活动类型"),
    "venue_kinds": _("场所类型"),
    "participant_fields": _("参与人统计字段"),
    "outcome_indicators": _("成效指标"),
    "approval_steps": _("审批环节（级别代码：county、city、province）"),
}


def budget_text(project: Project) -> str:
    return "\n".join(f"{line.item} {line.amount}" for line in project.budget_lines.all())


def parse_budget(text: str) -> list[tuple[str, str]]:
    """ "科目 金额" per line; the amount is the last word (checked by the service, with the line's number)."""
    lines = []
    for raw in (text or "").splitlines():
        raw = raw.strip()
        if not raw:
            continue
        item, _sep, amount = raw.rpartition(" ")
        lines.append((item.strip(), amount.strip()) if item else (raw, ""))
    return lines


class ProjectForm(BootstrapForm):
    """A proposal. The type is chosen first (the page's `?type=`); its indicators become target fields."""

    org_unit = UnitChoiceField(label=_("承担单位"), perm=PROPOSE)
    name = forms.CharField(label=pgettext_lazy("project", "项目名称"), max_length=120)
    objectives = forms.CharField(
        label=_("项目目标"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_date = forms.DateField(label=_("结束日期"), widget=DateInput())
    area = forms.CharField(
        label=_("覆盖范围"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("填写区划代码，每行一个或用逗号分隔；不填则为承担单位本身。"),
    )
    budget = forms.CharField(
        label=_("预算明细"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项：科目 金额，例如“培训场地 3000”。"),
    )

    def __init__(self, *args: Any, actor: Actor, project_type: ProjectType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project_type = project_type
        self._field(UnitChoiceField, "org_unit").for_actor(actor)
        for entry in project_type.entries("outcome_indicators"):
            self.fields[f"target_{entry['code']}"] = forms.DecimalField(
                label=_("目标：%(label)s") % {"label": gettext(entry["label"])},
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
            )
            self.fields[f"target_{entry['code']}"].widget.attrs.update(
                {"class": "form-control", "inputmode": "decimal"}
            )

    def clean_area(self) -> list[OrgUnit]:
        codes = [c for c in re.split(r"[\s,，、]+", self.cleaned_data.get("area") or "") if c]
        if not codes:
            return []
        found = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(
                _("没有区划代码为 %(codes)s 的单位。") % {"codes": "、".join(missing)}
            )
        return [found[c] for c in codes]

    def clean_budget(self) -> list[tuple[str, str]]:
        return parse_budget(self.cleaned_data.get("budget") or "")

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "objectives": data["objectives"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "area": data["area"],
            "budget_lines": data["budget"],
            "targets": {
                key.removeprefix("target_"): value
                for key, value in data.items()
                if key.startswith("target_") and value is not None
            },
        }


def initial_of(project: Project) -> dict[str, Any]:
    return {
        "org_unit": project.org_unit_id,
        "name": project.name,
        "objectives": project.objectives,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "area": "\n".join(row.org_unit.code for row in project.area_rows.select_related("org_unit")),
        "budget": budget_text(project),
        **{f"target_{code}": value for code, value in (project.targets or {}).items()},
    }


class ReviewForm(BootstrapForm):
    decision = forms.ChoiceField(label=_("审核结论"), choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("审核意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("退回或不予批准时必须填写。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class FundingForm(BootstrapForm):
    allocation = forms.ModelChoiceField(
        label=_("基金分配"),
        queryset=Allocation.objects.none(),
        required=False,
        help_text=_("不选则登记为实物资助。"),
    )
    amount = forms.CharField(
        label=_("安排金额/估值（元）"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    items = forms.CharField(label=_("物资名称"), max_length=200, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, allocations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "allocation").queryset = allocations


class SpendingForm(BootstrapForm):
    amount = forms.CharField(
        label=_("支出金额（元）"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    spent_on = forms.DateField(label=_("支出日期"), widget=DateInput())
    payee = forms.CharField(label=_("收款方"), max_length=120)
    note = forms.CharField(label=_("用途说明"), max_length=200, required=False)


class FundHoldingField(forms.ModelChoiceField):
    """A fund, named with the goods it holds now (`held`: fund id → value, set by the form)."""

    held: dict[int, Any] = {}

    def label_from_instance(self, obj: Any) -> str:
        return gettext("%(fund)s（现有物资 %(held)s）") % {
            "fund": obj.name,
            "held": yuan(self.held.get(obj.pk, 0)),
        }


class GoodsUseForm(BootstrapForm):
    fund = FundHoldingField(
        label=_("物资来源基金"),
        queryset=Fund.objects.none(),
        help_text=_("物资按捐赠收据上的估值从该基金的库存物资中发放。"),
    )
    amount = forms.CharField(
        label=_("物资价值（元）"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    items = forms.CharField(label=_("物资名称"), max_length=200)
    used_on = forms.DateField(label=_("使用日期"), widget=DateInput())
    note = forms.CharField(label=_("用途说明"), max_length=200, required=False)

    def __init__(self, *args: Any, funds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self._field(FundHoldingField, "fund")
        field.queryset = funds
        field.held = {pk: b.in_kind for pk, b in funds_selectors.balances_for(list(funds)).items()}


class GoodsReverseForm(BootstrapForm):
    """The confirmation of a goods use's reversal: why (required), the reversal's date, and a key made when
    the page is shown, so a double click reverses once."""

    reason = forms.CharField(
        label=_("冲销原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：基金选错、价值填错、物资名称填错。原记录保留，冲销后可重新登记。"),
    )
    reversed_on = forms.DateField(label=_("冲销日期"), widget=DateInput())
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class MilestoneForm(BootstrapForm):
    title = forms.CharField(label=_("里程碑"), max_length=120)
    due_on = forms.DateField(label=_("计划完成日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class ReportScheduleForm(BootstrapForm):
    title = forms.CharField(label=_("报告标题"), max_length=120)
    due_on = forms.DateField(label=_("应交日期"), widget=DateInput())


class ReportSubmitForm(BootstrapForm):
    body = forms.CharField(label=_("报告内容"), widget=forms.Textarea(attrs={"rows": 6}))
    file = forms.FileField(label=_("附件（PDF、JPEG 或 PNG）"), required=False)


class DocumentForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("文件（PDF、JPEG 或 PNG）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf", "capture": "environment"}
        ),
    )


class CloseForm(BootstrapForm):
    rating = forms.ChoiceField(label=_("评估等级"), choices=Rating.choices)
    evaluation = forms.CharField(label=_("结项评估意见"), widget=forms.Textarea(attrs={"rows": 4}))


class TypeForm(BootstrapForm):
    """A project type's lists, one "代码 名称" per line each (`config_of` turns them into the config)."""

    name = forms.CharField(label=_("类型名称"), max_length=50)
    code = forms.SlugField(
        label=_("类型代码"),
        max_length=40,
        required=False,
        help_text=_("英文字母、数字和连字符；不填则自动生成。"),
    )
    description = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in CONFIG_KEYS:
            self.fields[key] = forms.CharField(
                label=CONFIG_LABELS[key],
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
                required=False,
                help_text=_("每行一项：代码 名称，例如“school 学校”。"),
            )
        if editing:
            del self.fields["name"]
            del self.fields["code"]

    def config(self) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = {}
        for key in CONFIG_KEYS:
            rows = []
            for raw in (self.cleaned_data.get(key) or "").splitlines():
                code, _sep, label = raw.strip().partition(" ")
                if code:
                    rows.append({"code": code.strip(), "label": label.strip()})
            out[key] = rows
        return out


def config_initial(project_type: ProjectType) -> dict[str, str]:
    return {
        key: "\n".join(f"{e['code']} {e['label']}" for e in project_type.entries(key)) for key in CONFIG_KEYS
    }

"""Forms of the cycle, batch and payment pages: shapes only; the services decide what is allowed."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanhuai.core.forms import BootstrapForm
from guanhuai.programmes.states import CycleStatus, EntitlementKind, EntitlementStatus

ALL = _("全部")


class CycleProgrammeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class CycleFilterForm(BootstrapForm):
    programme = CycleProgrammeField(label=_("扶助项目"), queryset=None, required=False, empty_label=ALL)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", ALL), *CycleStatus.choices])

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        # The generate form on the same page also has a programme field: distinct ids keep labels right.
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        self._field(CycleProgrammeField, "programme").queryset = programmes


class CycleGenerateForm(BootstrapForm):
    programme = CycleProgrammeField(label=_("扶助项目"), queryset=None)
    period = forms.CharField(
        label=_("发放期"),
        max_length=10,
        help_text=_("按月如 2026-12，按季如 2026-Q4，按年如 2026（与项目的发放周期一致）。"),
        widget=forms.TextInput(attrs={"placeholder": "2026-12", "autocomplete": "off"}),
    )
    past_reason = forms.CharField(
        label=_("往期生成理由"),
        max_length=300,
        required=False,
        help_text=_("发放期已过去较久时必填：生成按现在的户籍和家庭状况计算，请说明为何仍要生成。"),
    )
    # A fresh key per rendered form: a double click submits the same key and generates once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self._field(CycleProgrammeField, "programme").queryset = programmes


class EntitlementFilterForm(BootstrapForm):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", ALL), *EntitlementStatus.choices]
    )
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", ALL), *EntitlementKind.choices])
    diff = forms.ChoiceField(
        label=_("与上期比较"),
        required=False,
        choices=[
            ("", ALL),
            ("new", pgettext_lazy("cycle difference", "新增")),
            ("exited", _("减少")),
            ("changed", _("金额变化")),
        ],
    )


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("剔除原因"), max_length=300)


class ApproveForm(BootstrapForm):
    comment = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class TopUpForm(BootstrapForm):
    person_id = forms.IntegerField(
        label=_("人员编号"), min_value=1, help_text=_("享受对象详情页上的人员编号。")
    )
    amount = forms.CharField(label=_("补差金额（元）"), max_length=20)
    reason = forms.CharField(label=_("补差原因"), max_length=300)


class ResultUploadForm(BootstrapForm):
    file = forms.FileField(label=_("银行回盘文件（CSV 或 xlsx）"))

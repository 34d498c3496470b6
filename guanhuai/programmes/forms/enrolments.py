"""Forms of the enrolment pages: shapes only; the services decide what is allowed."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanhuai.core.forms import BootstrapForm, ConfirmField, DateInput
from guanhuai.programmes.selectors.enrolments import ANY_FLAG
from guanhuai.programmes.states import EnrolmentStatus, ExitReason, FlagReason

ALL = _("全部")


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MonthInput(forms.TextInput):
    input_type = "month"


class EnrolmentFilterForm(BootstrapForm):
    programme = ProgrammeChoiceField(label=_("扶助项目"), queryset=None, required=False, empty_label=ALL)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", ALL), *EnrolmentStatus.choices])
    flag = forms.ChoiceField(
        label=_("复核提示"),
        required=False,
        choices=[("", ALL), (ANY_FLAG, _("有提示（任一原因）")), *FlagReason.choices],
    )
    unit = forms.ChoiceField(label=_("村(社区)"), required=False)
    q = forms.CharField(label=_("姓名或拼音"), required=False, max_length=50)

    def __init__(self, *args: Any, programmes: Any, units: list[Any] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(ProgrammeChoiceField, "programme").queryset = programmes
        if units is None:  # too many villages for a dropdown: type the division code
            self.fields["unit"] = forms.CharField(
                label=_("村(社区)区划代码"),
                required=False,
                max_length=12,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
        else:
            self._field(forms.ChoiceField, "unit").choices = [("", ALL), *[(u.code, u.name) for u in units]]


class SuspendForm(BootstrapForm):
    from_month = forms.CharField(
        label=_("暂停起始月"),
        max_length=7,
        widget=MonthInput(attrs={"placeholder": "2026-12"}),
        help_text=_("从该月起停发，如 2026-12。"),
    )
    reason = forms.CharField(label=_("暂停原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["from_month"] = f"{timezone.localdate():%Y-%m}"


class ResumeForm(BootstrapForm):
    note = forms.CharField(
        label=_("说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExitForm(BootstrapForm):
    reason = forms.ChoiceField(label=_("退出原因"), choices=[("", "——"), *ExitReason.choices])
    exited_on = forms.DateField(
        label=_("退出日期"), widget=DateInput(), help_text=_("享受到该日所在月份为止。")
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("原因为“其他”时必填。"),
    )
    confirm = ConfirmField(
        _(
            "退出后，从退出日期的下一个月起不再发放：尚未发放的应发记录将被剔除，已进入银行文件或已发放的"
            "会标记复核，由您决定是否追回。退出后不能直接恢复，须重新申请。"
        )
    )

    def __init__(self, *args: Any, flag: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["exited_on"] = timezone.localdate()
            if flag in ExitReason.values:
                self.initial["reason"] = flag


class FlagClearForm(BootstrapForm):
    note = forms.CharField(
        label=_("核实情况"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明为何保留享受资格，如“只是外出务工，户籍未迁”。"),
    )


class ReconfirmForm(BootstrapForm):
    programme = ProgrammeChoiceField(label=_("扶助项目"), queryset=None, empty_label="——")
    as_of = forms.DateField(
        label=_("确认基准日"), widget=DateInput(), help_text=_("按该日的资格条件和户籍信息确认，通常为年底。")
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(ProgrammeChoiceField, "programme").queryset = programmes
        if not self.is_bound:
            self.initial["as_of"] = timezone.localdate()
            self.initial["idempotency_key"] = uuid.uuid4().hex

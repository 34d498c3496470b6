"""Forms of the application, review, notice and grievance pages. Shape only: the services decide."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanhuai.core.forms import BootstrapForm, ConfirmField, DateInput
from guanhuai.programmes.states import ApplicationStatus, Decision, DocumentKind, Step


def _today() -> dt.date:
    return timezone.localdate()


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ApplicationForm(BootstrapForm):
    programme = ProgrammeChoiceField(label=_("扶助项目"), queryset=None, empty_label=_("请选择"))
    person = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("申请理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("简要说明家庭情况；材料在保存后上传。"),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "programme").queryset = programmes
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class DocumentForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、JPG 或 PNG，不超过 10 MB；手机可直接拍照上传。"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png", "capture": "environment"}
        ),
    )


class ReviewForm(BootstrapForm):
    decision = forms.ChoiceField(label=_("审核结论"), choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("退回修改或不予批准时必须填写理由。"),
    )

    def __init__(self, *args: Any, decisions: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if decisions is not None:
            field = self._field(forms.ChoiceField, "decision")
            field.choices = [(v, label) for v, label in Decision.choices if v in decisions]


class BulkReviewForm(BootstrapForm):
    # No default: a bulk decision is chosen, never inherited from the first option.
    decision = forms.ChoiceField(
        label=_("批量审核结论"),
        choices=[
            ("", _("请选择")),
            (Decision.PASS, pgettext_lazy("review decision", "通过")),
            (Decision.RETURN, _("退回修改")),
        ],
        error_messages={"required": _("请选择批量审核结论。")},
    )
    comment = forms.CharField(label=_("意见"), required=False, max_length=2000)
    confirm = ConfirmField(
        _(
            "我已逐份核对选中的申请。通过的申请进入下一审核环节，最后一级通过即批准并纳入享受、开始发放；"
            "退回的申请回到村级修改。"
        )
    )


class WithdrawForm(BootstrapForm):
    reason = forms.CharField(label=_("撤回原因"), max_length=500)


class QueueFilterForm(BootstrapForm):
    step = forms.ChoiceField(label=_("环节"), required=False)
    programme = forms.TypedChoiceField(label=_("扶助项目"), required=False, coerce=int, empty_value=None)
    village = forms.TypedChoiceField(label=_("村(社区)"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("姓名"), required=False, max_length=50)

    def __init__(self, *args: Any, programmes: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ChoiceField, "step").choices = [("", _("全部"))] + [
            (v, label) for v, label in Step.choices if v != Step.NOTICE
        ]
        self._field(forms.TypedChoiceField, "programme").choices = [("", _("全部"))] + [
            (p.pk, p.name) for p in programmes
        ]
        self._field(forms.TypedChoiceField, "village").choices = [("", _("全部"))] + [
            (u.pk, u.name) for u in villages
        ]


class ApplicationFilterForm(QueueFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ChoiceField, "status").choices = [("", _("全部")), *ApplicationStatus.choices]
        self._field(forms.ChoiceField, "step").choices = [("", _("全部")), *Step.choices]


class NoticeOpenForm(BootstrapForm):
    programme = forms.IntegerField(widget=forms.HiddenInput)
    village = forms.IntegerField(widget=forms.HiddenInput)
    opens_on = forms.DateField(label=_("公示开始日期"), widget=DateInput(), initial=_today)


class NoticeCloseForm(BootstrapForm):
    confirm = ConfirmField(
        _(
            "结束后不能再登记异议；无异议的申请转入下一审核环节，"
            "有未处理异议的申请留在公示中，待异议处理后再转。"
        )
    )


class ObjectionForm(BootstrapForm):
    application = forms.TypedChoiceField(label=_("针对的申请"), coerce=int)
    content = forms.CharField(label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    raised_by = forms.CharField(label=_("异议人"), required=False, max_length=50, help_text=_("可匿名"))
    contact = forms.CharField(label=_("联系方式"), required=False, max_length=50)
    received_on = forms.DateField(label=_("收到日期"), widget=DateInput(), initial=_today)

    def __init__(self, *args: Any, applications: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.TypedChoiceField, "application").choices = [
            (a.pk, f"{a.person.name}（{a.person.id_masked}）") for a in applications
        ]


class ObjectionResolveForm(BootstrapForm):
    upheld = forms.TypedChoiceField(
        label=_("处理结论"),
        choices=[("0", _("异议不成立，继续办理")), ("1", _("异议成立，申请退回村级"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(
        label=_("处理意见"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("核实情况和结论"),
    )


class GrievanceForm(BootstrapForm):
    complainant = forms.CharField(label=_("投诉人"), max_length=50, help_text=_("可填“匿名”"))
    contact = forms.CharField(label=_("联系方式"), required=False, max_length=50)
    content = forms.CharField(label=_("投诉内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class AssigneeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class GrievanceAssignForm(BootstrapForm):
    assignee = AssigneeChoiceField(label=_("承办人"), queryset=None, empty_label=_("请选择"))

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "assignee").queryset = users


class GrievanceFinishForm(BootstrapForm):
    outcome = forms.ChoiceField(
        label=_("结论"),
        choices=[("resolve", _("办结")), ("reject", _("不予受理"))],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("办理结果或理由"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

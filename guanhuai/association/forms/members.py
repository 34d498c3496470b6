"""Forms of part 1 (members, campaigns, registration, bodies, cadres). Dates default to today where a
person on a phone would otherwise have to type them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanhuai.association.states import (
    BodyKind,
    Employment,
    MemberKind,
    MembersDayKind,
    MemberStatus,
    Position,
)
from guanhuai.core.forms import BootstrapForm, DateInput, with_note


class MemberSearchForm(BootstrapForm):
    q = forms.CharField(label=_("姓名或会员证号"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *MemberStatus.choices]
    )


class MemberForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("会员类型"), choices=MemberKind.choices, initial=MemberKind.INDIVIDUAL)
    id_number = forms.CharField(
        label=_("身份证号（户籍库人员）"),
        required=False,
        max_length=18,
        help_text=_("填写后按身份证号关联户籍库人员，姓名取自户籍库；不填则登记为独立会员。"),
    )
    name = forms.CharField(label=_("姓名/团体名称"), required=False, max_length=100)
    joined_on = forms.DateField(label=_("入会日期"), widget=DateInput(), initial=timezone.localdate)
    group: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("会员小组"), queryset=None, required=False
    )

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "group").queryset = groups


class WithdrawForm(BootstrapForm):
    on = forms.DateField(label=_("退会日期"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label=_("原因"), required=False, max_length=200)


class TransferForm(BootstrapForm):
    to_code = forms.CharField(label=_("转入协会的区划代码"), max_length=12)
    on = forms.DateField(label=_("转出日期"), widget=DateInput(), initial=timezone.localdate)


class GroupForm(BootstrapForm):
    name = forms.CharField(label=_("小组名称"), max_length=50)
    leader: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("组长"), queryset=None, required=False
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "leader").queryset = members


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return with_note(obj.name, obj.card_no)


class LeaderForm(BootstrapForm):
    leader = MemberChoiceField(
        label=_("组长"), queryset=None, required=False, help_text=_("不选即暂不设组长。")
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "leader").queryset = members


class MembersDayForm(BootstrapForm):
    held_on = forms.DateField(label=_("活动日期"), widget=DateInput(), initial=timezone.localdate)
    kind = forms.ChoiceField(label=_("活动类型"), choices=MembersDayKind.choices)
    title = forms.CharField(label=_("活动名称"), max_length=100)
    participants = forms.IntegerField(label=_("参加人数"), min_value=0, max_value=1_000_000)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class ImportForm(BootstrapForm):
    file = forms.FileField(label=_("会员名单（Excel）"))


class CampaignForm(BootstrapForm):
    title = forms.CharField(label=_("名称"), max_length=100)
    opened_on = forms.DateField(label=_("开始日期"), widget=DateInput(), initial=timezone.localdate)
    deadline = forms.DateField(label=_("截止日期"), widget=DateInput())


class RegistrationForm(BootstrapForm):
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())
    legal_person = forms.BooleanField(label=_("具有法人资格"), required=False)
    legal_representative = forms.CharField(label=_("法定代表人"), required=False, max_length=50)
    address = forms.CharField(label=_("办公地址"), required=False, max_length=200)
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("办公电话"), required=False, max_length=20)
    charter_version = forms.CharField(label=_("现行章程版本"), required=False, max_length=100)
    charter_adopted_on = forms.DateField(label=_("章程通过日期"), required=False, widget=DateInput())


class TermForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("机构"), choices=BodyKind.choices)
    started_on = forms.DateField(label=_("产生日期"), widget=DateInput())
    term = forms.IntegerField(
        label=_("届次"), required=False, min_value=1, max_value=99, help_text=_("不填则为上一届加一。")
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class SeatForm(BootstrapForm):
    position = forms.ChoiceField(label=_("职务"), choices=Position.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    designated_on = forms.DateField(label=_("任职日期"), widget=DateInput())
    ceased_on = forms.DateField(label=_("离任日期"), required=False, widget=DateInput())


class CeaseForm(BootstrapForm):
    ceased_on = forms.DateField(label=_("离任日期"), widget=DateInput(), initial=timezone.localdate)


class CadreForm(BootstrapForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    employment = forms.ChoiceField(label=_("专兼职"), choices=Employment.choices)
    position = forms.CharField(label=_("职务"), max_length=50)
    appointed_on = forms.DateField(label=_("任职日期"), widget=DateInput(), initial=timezone.localdate)


class LeaveForm(BootstrapForm):
    left_on = forms.DateField(label=_("离任日期"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label=_("原因"), required=False, max_length=200)

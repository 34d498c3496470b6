"""Forms of the care pages, volunteers and the health-commission pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanhuai.association.models import VolunteerTeam
from guanhuai.association.selectors.care import GAPS
from guanhuai.association.states import CoverageKind, LiaisonLevel, VisitKind
from guanhuai.core.forms import BootstrapForm, DateInput
from guanhuai.orgs.models import OrgUnit

FOLLOW_UP_ROWS = 3
ACTION_ROWS = 5


def _style(form: forms.Form) -> None:
    """Bootstrap classes on fields added after BootstrapForm.__init__ ran."""
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


GAP_LABELS = {
    "none": _("三项都没有"),
    "any": _("未全覆盖"),
    CoverageKind.LIAISON: _("无结对联系人"),
    CoverageKind.DOCTOR: _("无家庭医生签约"),
    CoverageKind.FAST_LANE: _("无就医绿色通道"),
}


class GapFilterForm(BootstrapForm):
    gap = forms.ChoiceField(
        label=_("缺项"), choices=[(g, GAP_LABELS[g]) for g in (*GAPS, "any")], required=False
    )


class ArrangementForm(BootstrapForm):
    """One coverage; which fields it asks for depends on the kind (the view passes it)."""

    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, kind: str, cadres: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind == CoverageKind.LIAISON:
            self.fields["liaison_level"] = forms.ChoiceField(
                label=_("联系人层级"), choices=LiaisonLevel.choices
            )
            self.fields["cadre"] = forms.ModelChoiceField(
                label=_("干部"),
                queryset=cadres,
                required=False,
                help_text=_("在册干部可直接选择；否则填写姓名。"),
            )
            self.fields["person_name"] = forms.CharField(label=_("联系人姓名"), max_length=50, required=False)
            self.fields["phone"] = forms.CharField(label=_("联系电话"), max_length=20, required=False)
        elif kind == CoverageKind.DOCTOR:
            self.fields["person_name"] = forms.CharField(label=_("医生姓名"), max_length=50)
            self.fields["institution"] = forms.CharField(label=_("医疗机构"), max_length=100)
            self.fields["phone"] = forms.CharField(label=_("联系电话"), max_length=20, required=False)
        else:
            self.fields["institution"] = forms.CharField(label=_("医院"), max_length=100)
            self.fields["phone"] = forms.CharField(label=_("联系电话"), max_length=20, required=False)
        self.order_fields(
            ["liaison_level", "cadre", "person_name", "institution", "phone", "starts_on", "ends_on"]
        )
        _style(self)


class EndForm(BootstrapForm):
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())


class VisitForm(BootstrapForm):
    visited_on = forms.DateField(label=_("走访日期"), widget=DateInput())
    kind = forms.ChoiceField(label=_("走访类型"), choices=VisitKind.choices)
    visitors = forms.CharField(label=_("走访人"), max_length=200)
    needs = forms.CharField(label=_("了解到的需求"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(FOLLOW_UP_ROWS):
            self.fields[f"action_{i}"] = forms.CharField(
                label=_("跟进事项 %(n)s") % {"n": i + 1}, max_length=200, required=False
            )
            self.fields[f"owner_{i}"] = forms.ModelChoiceField(
                label=_("负责人 %(n)s") % {"n": i + 1}, queryset=owners, required=False
            )
            self.fields[f"due_{i}"] = forms.DateField(
                label=_("期限 %(n)s") % {"n": i + 1}, widget=DateInput(), required=False
            )
        _style(self)

    def follow_ups(self) -> list[tuple[str, Any, Any]]:
        """The follow-up rows that were filled in; a row filled in part is an error on the form."""
        rows = []
        for i in range(FOLLOW_UP_ROWS):
            values = [self.cleaned_data.get(f"{n}_{i}") for n in ("action", "owner", "due")]
            if any(values) and not all(values):
                self.add_error(f"action_{i}", _("跟进事项、负责人和期限须一并填写。"))
            elif all(values):
                rows.append((str(values[0]), values[1], values[2]))
        return rows


class FollowUpDoneForm(BootstrapForm):
    note = forms.CharField(label=_("处理情况"), max_length=200, required=False)


class TeamForm(BootstrapForm):
    org_unit = forms.ModelChoiceField(label=_("所属协会"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("队伍名称"), max_length=100)
    leader = forms.CharField(label=_("队长"), max_length=50, required=False)
    founded_on = forms.DateField(label=_("成立日期"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "org_unit").queryset = units


class VolunteerForm(BootstrapForm):
    org_unit = forms.ModelChoiceField(label=_("所属协会"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=50)
    team = forms.ModelChoiceField(label=_("队伍"), queryset=VolunteerTeam.objects.none(), required=False)
    joined_on = forms.DateField(label=_("加入日期"), widget=DateInput())

    def __init__(self, *args: Any, units: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "org_unit").queryset = units
        self._field(forms.ModelChoiceField, "team").queryset = teams


class ServiceForm(BootstrapForm):
    served_on = forms.DateField(label=_("服务日期"), widget=DateInput())
    hours = forms.DecimalField(
        label=_("服务时长（小时）"),
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal("24"),
    )
    activity = forms.CharField(label=_("服务内容"), max_length=200)


class MeetingForm(BootstrapForm):
    org_unit = forms.ModelChoiceField(label=_("召开单位"), queryset=OrgUnit.objects.none())
    held_on = forms.DateField(label=_("会议日期"), widget=DateInput())
    title = forms.CharField(label=_("会议名称"), max_length=200)
    attendees = forms.CharField(label=_("参会人员"), widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    decisions = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "org_unit").queryset = units
        for i in range(ACTION_ROWS):
            self.fields[f"action_{i}"] = forms.CharField(
                label=_("事项 %(n)s") % {"n": i + 1}, max_length=200, required=False
            )
            self.fields[f"owner_{i}"] = forms.CharField(
                label=_("责任单位/人 %(n)s") % {"n": i + 1}, max_length=100, required=False
            )
            self.fields[f"due_{i}"] = forms.DateField(
                label=_("期限 %(n)s") % {"n": i + 1}, widget=DateInput(), required=False
            )
        _style(self)

    def actions(self) -> list[tuple[str, str, Any]]:  # (what, who is responsible, due date)
        rows = []
        for i in range(ACTION_ROWS):
            values = [self.cleaned_data.get(f"{n}_{i}") for n in ("action", "owner", "due")]
            if any(values) and not all(values):
                self.add_error(f"action_{i}", _("事项、责任单位/人和期限须一并填写。"))
            elif all(values):
                rows.append((str(values[0]), str(values[1]), values[2]))
        return rows


class DelegatedForm(BootstrapForm):
    org_unit = forms.ModelChoiceField(label=_("承接单位"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("承接事项"), max_length=200)
    agreement = forms.CharField(label=_("协议"), max_length=200, help_text=_("协议名称或编号"))
    agreed_on = forms.DateField(label=_("签订日期"), widget=DateInput())
    due_on = forms.DateField(label=_("完成期限"), widget=DateInput())
    deliverables = forms.CharField(label=_("交付内容"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "org_unit").queryset = units

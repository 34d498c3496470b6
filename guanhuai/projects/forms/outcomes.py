"""The activity logging form and the forms of beneficiary households, aid agreements and income records (phone
first: numbers open the number pad, a file field opens the camera). Counts and amounts are text so that the
service, not the browser, says precisely what is wrong with them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanhuai.core.forms import BootstrapForm, DateInput
from guanhuai.orgs.models import OrgUnit
from guanhuai.projects.models import Project
from guanhuai.projects.models_outcomes import IncomeKind, IncomeSource, SupportKind


def _number(label: Any, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=9,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ActivityForm(BootstrapForm):
    """Fields from the project's type: its activity kinds, venue kinds and participant fields; the places are
    the branches of the project's area where the actor logs activities (`units`)."""

    kind = forms.ChoiceField(label=_("活动类型"))
    venue_kind = forms.ChoiceField(label=_("场所类型"))
    venue_unit = forms.ChoiceField(label=_("活动地点所在单位"))
    venue_name = forms.CharField(label=_("场所名称"), max_length=120)
    held_on = forms.DateField(label=_("活动日期"), widget=DateInput())
    participants = _number(_("参与人数合计"), required=True)

    def __init__(self, *args: Any, project: Project, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ptype = project.type
        self.project = project
        self.units = {str(u.pk): u for u in units}
        self._field(forms.ChoiceField, "kind").choices = [
            (e["code"], e["label"]) for e in ptype.entries("activity_kinds")
        ]
        self._field(forms.ChoiceField, "venue_kind").choices = [
            (e["code"], e["label"]) for e in ptype.entries("venue_kinds")
        ]
        self._field(forms.ChoiceField, "venue_unit").choices = [(str(u.pk), u.name) for u in units]
        self.count_fields = []
        for e in ptype.entries("participant_fields"):
            name = f"count_{e['code']}"
            self.fields[name] = _number(e["label"])
            self.fields[name].widget.attrs["class"] = "form-control"
            self.count_fields.append((e["code"], name))
        if "knowledge_pre" in ptype.codes("outcome_indicators"):
            self.fields["respondents"] = _number(_("答卷人数"))
            self.fields["knowledge_pre"] = forms.CharField(
                label=_("前测平均分（0–100）"), required=False, max_length=6
            )
            self.fields["knowledge_post"] = forms.CharField(
                label=_("后测平均分（0–100）"), required=False, max_length=6
            )
            for name in ("respondents", "knowledge_pre", "knowledge_post"):
                self.fields[name].widget.attrs.update({"class": "form-control", "inputmode": "decimal"})
        self.fields["description"] = forms.CharField(
            label=_("活动内容"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        )
        self.fields["photo"] = forms.FileField(
            label=_("活动照片（JPEG 或 PNG，可直接拍照）"),
            required=False,
            widget=forms.ClearableFileInput(
                attrs={"accept": "image/jpeg,image/png", "capture": "environment", "class": "form-control"}
            ),
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "venue_kind": data["venue_kind"],
            "venue_unit": self.units[data["venue_unit"]],
            "venue_name": data["venue_name"],
            "held_on": data["held_on"],
            "participants": data["participants"],
            "counts": {
                code: data.get(name, "") for code, name in self.count_fields if data.get(name, "") != ""
            },
            "respondents": data.get("respondents") or 0,
            "knowledge_pre": data.get("knowledge_pre") or None,
            "knowledge_post": data.get("knowledge_post") or None,
            "description": data.get("description", ""),
            "photos": [data["photo"]] if data.get("photo") else [],
        }


class BeneficiaryForm(BootstrapForm):
    """A registry household by its number (户编号), as printed on the village's register."""

    number = forms.CharField(
        label=_("户编号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class AgreementForm(BootstrapForm):
    """A 帮扶协议. The amount is text, so the money parser says precisely what is wrong with it."""

    support_kind = forms.ChoiceField(label=_("帮扶方式"), choices=SupportKind.choices)
    amount = forms.CharField(
        label=_("金额或折价（元；技能培训、产销对接可填 0）"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class IncomeForm(BootstrapForm):
    """A household's net income at the baseline or at a follow-up, with an optional survey sheet."""

    kind = forms.ChoiceField(label=_("类型"), choices=IncomeKind.choices)
    recorded_on = forms.DateField(label=_("调查日期"), widget=DateInput())
    net_income = forms.CharField(
        label=_("家庭年纯收入（元）"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    source = forms.ChoiceField(label=_("数据来源"), choices=IncomeSource.choices)
    document = forms.FileField(
        label=_("调查表或台账（可选，PDF、JPEG 或 PNG，可直接拍照）"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png", "capture": "environment"}
        ),
    )

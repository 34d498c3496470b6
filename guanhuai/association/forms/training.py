"""Forms of the training pages (views/training.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanhuai.association.models_training import Trainer, TrainingTopic
from guanhuai.association.states import CourseLevel, TrainerKind
from guanhuai.core.forms import BootstrapForm, DateInput, with_note
from guanhuai.orgs.forms import UnitChoiceField
from guanhuai.orgs.models import OrgUnit

NUMERIC = {"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}


class TrainerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return with_note(obj.name, obj.get_kind_display())


class CourseForm(BootstrapForm):
    org_unit = UnitChoiceField(label=_("主办协会"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("培训班名称"), max_length=100)
    topic = forms.ModelChoiceField(label=_("培训主题"), queryset=TrainingTopic.objects.none())
    level = forms.ChoiceField(
        label=_("培训级别"),
        choices=[("", _("与主办协会同级")), *CourseLevel.choices],
        required=False,
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    hours = forms.DecimalField(label=_("学时"), min_value=0.5, max_value=999, decimal_places=1)
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10000)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    trainers = TrainerChoiceField(
        label=_("培训师"),
        queryset=Trainer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, units: Any, topics: Any, trainers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "org_unit").queryset = units
        self._field(forms.ModelChoiceField, "topic").queryset = topics
        self._field(forms.ModelMultipleChoiceField, "trainers").queryset = trainers
        if not self.is_bound:
            first = units.first()
            if first is not None:
                self.initial["org_unit"] = first.pk

    def values(self) -> dict[str, Any]:
        """The cleaned fields as `course_create` and `course_update` take them."""
        d = self.cleaned_data
        return {**d, "level": d["level"] or None, "trainers": list(d["trainers"])}


class CourseEditForm(CourseForm):
    """Correcting a course: everything but its organising branch."""

    def __init__(self, *args: Any, topics: Any, trainers: Any, **kwargs: Any) -> None:
        super().__init__(*args, units=OrgUnit.objects.none(), topics=topics, trainers=trainers, **kwargs)
        del self.fields["org_unit"]


class EnrolmentCancelForm(BootstrapForm):
    reason = forms.CharField(
        label=_("取消原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}), strip=True
    )


class SessionForm(BootstrapForm):
    title = forms.CharField(label=_("课程内容"), max_length=100, required=False)
    day = forms.DateField(label=_("日期"), widget=DateInput())
    starts = forms.TimeField(label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    hours = forms.DecimalField(
        label=_("学时"),
        min_value=0.5,
        max_value=24,
        decimal_places=1,
        required=False,
        help_text=_("留空则按时长计算（以半小时计）。"),
    )

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        d = self.cleaned_data
        tz = timezone.get_current_timezone()
        return (
            dt.datetime.combine(d["day"], d["starts"], tzinfo=tz),
            dt.datetime.combine(d["day"], d["ends"], tzinfo=tz),
        )


class EnrolForm(BootstrapForm):
    cadres = forms.MultipleChoiceField(
        label=_("协会干部"), required=False, widget=forms.CheckboxSelectMultiple
    )
    card_nos = forms.CharField(
        label=_("会员证号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("报名会员：输入会员证号，多个用空格、逗号或换行分开。"),
    )

    def __init__(self, *args: Any, cadres: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cadre_rows = {str(c.pk): c for c in cadres}
        self._field(forms.MultipleChoiceField, "cadres").choices = [
            (str(c.pk), with_note(c.name, f"{c.org_unit.name}·{c.position or c.get_employment_display()}"))
            for c in cadres
        ]

    def clean_card_nos(self) -> list[str]:
        raw = self.cleaned_data.get("card_nos") or ""
        return list(dict.fromkeys(n for n in re.split(r"[\s,，、;；]+", raw) if n))

    def clean(self) -> Any:
        data = super().clean() or {}
        if not data.get("cadres") and not data.get("card_nos"):
            raise forms.ValidationError(_("请选择要报名的干部，或输入会员证号。"))
        return data

    def chosen_cadres(self) -> list[Any]:
        return [self.cadre_rows[pk] for pk in self.cleaned_data.get("cadres") or []]


class SignInForm(BootstrapForm):
    """On the attendee's phone: the code on the trainer's screen (absent when it came in the QR address)
    and their own personal code."""

    word = forms.RegexField(
        label=_("签到码（培训老师屏幕上的6位数字）"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("签到码是6位数字。")},
        widget=forms.TextInput(attrs={**NUMERIC, "maxlength": 6}),
    )
    personal_code = forms.RegexField(
        label=_("个人签到码（报名时取得的6位数字）"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("个人签到码是报名时取得的6位数字。")},
        widget=forms.TextInput(attrs={**NUMERIC, "maxlength": 6}),
    )

    def __init__(self, *args: Any, with_word: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_word:
            del self.fields["word"]


class VerifyForm(BootstrapForm):
    code = forms.CharField(
        label=_("证书验证码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "placeholder": "XXXX-XXXX-XXXX"}),
    )


class TrainerForm(BootstrapForm):
    org_unit = UnitChoiceField(label=_("所属协会"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("资格类别"), choices=TrainerKind.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    qualified_on = forms.DateField(label=_("取得资格日期"), widget=DateInput())
    valid_until = forms.DateField(label=_("资格有效期至"), widget=DateInput(), required=False)
    certificate_no = forms.CharField(label=_("资格证书编号"), max_length=40, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "org_unit").queryset = units
        if not self.is_bound:
            first = units.first()
            if first is not None:
                self.initial["org_unit"] = first.pk


class TrainerEditForm(TrainerForm):
    """Correcting a trainer's qualification: everything but the branch it is registered at."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, units=OrgUnit.objects.none(), **kwargs)
        del self.fields["org_unit"]


class FiguresForm(BootstrapForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    min_hours = forms.DecimalField(label=_("学时标准（N）"), min_value=0, max_value=1000, decimal_places=1)

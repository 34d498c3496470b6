"""Forms of the meetings' pages (the clerk's phone at the meeting)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.actor import Actor
from guanhuai.core.forms import BootstrapForm, DateInput
from guanhuai.governance.permissions import RUN_MEETINGS
from guanhuai.governance.states import DelegateRole, MeetingKind, VoteMode
from guanhuai.orgs.forms import UnitChoiceField
from guanhuai.orgs.models import Level


class MeetingForm(BootstrapForm):
    unit = UnitChoiceField(label=_("村(社区)"), perm=RUN_MEETINGS, levels=[Level.VILLAGE])
    kind = forms.ChoiceField(
        label=_("会议类别"),
        choices=[(k, v) for k, v in MeetingKind.choices if k != MeetingKind.GROUP_MEETING],
    )
    title = forms.CharField(label=_("会议名称"), max_length=200)
    scheduled_at = forms.DateTimeField(
        label=_("召开时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(UnitChoiceField, "unit").for_actor(actor)


class ConveneForm(BootstrapForm):
    agenda = forms.CharField(label=_("议程"), widget=forms.Textarea(attrs={"rows": 3}))
    short_notice_reason = forms.CharField(
        label=_("不足法定通知期的理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("通知距会议不足法定天数时必填，例如防汛等紧急事项。"),
    )


class OpenForm(BootstrapForm):
    chair_name = forms.CharField(label=_("主持人"), max_length=50)
    recorder_name = forms.CharField(label=_("记录人"), max_length=50)


class MotionForm(BootstrapForm):
    title = forms.CharField(label=_("议题"), max_length=200)
    mode = forms.ChoiceField(label=_("表决方式"), choices=VoteMode.choices, initial=VoteMode.COUNTS)


class TallyForm(BootstrapForm):
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("弃权"), min_value=0)
    votes_invalid = forms.IntegerField(label=_("无效票"), min_value=0, required=False, initial=0)


class CorrectionForm(TallyForm):
    reason = forms.CharField(label=_("更正理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MinutesForm(BootstrapForm):
    minutes = forms.CharField(label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    role = forms.ChoiceField(
        label=_("以何身份确认"), choices=[("chair", _("主持人")), ("recorder", _("记录人"))]
    )


class DelegateForm(BootstrapForm):
    """A member of the representatives' meeting, found in the village's registry by ID number."""

    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    role = forms.ChoiceField(label=_("身份"), choices=DelegateRole.choices)
    started_on = forms.DateField(label=_("任职日期"), widget=DateInput())
    households = forms.IntegerField(
        label=_("推选户数"), min_value=1, required=False, help_text=_("村民代表填写推选他（她）的户数。")
    )

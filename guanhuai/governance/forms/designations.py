"""Forms of the demonstration pages: the village's application on its phone, a reviewer's decision, a
revocation. They only check the shape of input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.actor import Actor
from guanhuai.core.forms import BootstrapForm, style_widgets
from guanhuai.governance import designation_rules as rules
from guanhuai.governance.permissions import APPLY_DESIGNATION
from guanhuai.governance.states import Rating, ReviewDecisionKind
from guanhuai.orgs.forms import UnitChoiceField
from guanhuai.orgs.models import Level


class ApplicationForm(BootstrapForm):
    unit = UnitChoiceField(label=_("申报单位"), perm=APPLY_DESIGNATION, levels=[Level.VILLAGE, Level.COUNTY])
    rating = forms.ChoiceField(label=_("申报等级"), choices=Rating.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("申报说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(UnitChoiceField, "unit").for_actor(actor)
        for item in rules.FIVE_HAVES:
            self.fields[f"{item.code}_met"] = forms.BooleanField(label=str(item.label), required=False)
            self.fields[f"{item.code}_evidence"] = forms.CharField(
                label=_("佐证"),
                max_length=500,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": item.evidence_hint}),
            )
        style_widgets(self.fields)

    def checklist(self) -> list[tuple[Any, Any, Any]]:
        return [(i, self[f"{i.code}_met"], self[f"{i.code}_evidence"]) for i in rules.FIVE_HAVES]

    def evidence(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            i.code: {"met": data.get(f"{i.code}_met", False), "evidence": data.get(f"{i.code}_evidence", "")}
            for i in rules.FIVE_HAVES
        }


class ReviewForm(BootstrapForm):
    decision = forms.ChoiceField(
        label=_("审核结论"), choices=ReviewDecisionKind.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不通过时必填。"),
    )


class RevokeForm(BootstrapForm):
    reason = forms.CharField(
        label=_("撤销理由"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

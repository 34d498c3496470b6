"""The Happy Family forms (phone first): a nomination — the household by its number, one statement of evidence
per criterion (the fields come from `happy_rules.CRITERIA`), an optional document that may be a photo taken
there and then — and a reviewer's decision at one step, which carries the step it was made at."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanhuai.core.forms import BootstrapForm
from guanhuai.projects import happy_rules as rules
from guanhuai.projects.states import SelectionDecision


class NominationForm(BootstrapForm):
    number = forms.CharField(
        label=_("户编号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("登记户的户编号，如 440224100001-0001。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for c in rules.CRITERIA:
            self.fields[f"evidence_{c.code}"] = forms.CharField(
                label=str(c.label),
                max_length=rules.EVIDENCE_MAX,
                required=False,  # the service names every missing criterion at once
                help_text=str(c.hint),
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
        self.fields["document"] = forms.FileField(
            label=_("证明材料（可选，PDF、JPEG 或 PNG，可直接拍照）"),
            required=False,
            widget=forms.ClearableFileInput(
                attrs={
                    "accept": "application/pdf,image/jpeg,image/png",
                    "capture": "environment",
                    "class": "form-control",
                }
            ),
        )

    def evidence(self) -> dict[str, str]:
        return {c.code: self.cleaned_data.get(f"evidence_{c.code}", "") for c in rules.CRITERIA}


class SelectionReviewForm(BootstrapForm):
    """At a step below the last: recommend or not; at the last: name or not. `step` is the step shown."""

    decision = forms.ChoiceField(label=_("评审结论"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("评审意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
        help_text=_("不予推荐时必须说明理由。"),
    )
    step = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, last: bool, step: str, **kwargs: Any) -> None:
        super().__init__(*args, initial={"step": step}, **kwargs)
        first = SelectionDecision.NAME if last else SelectionDecision.RECOMMEND
        self._field(forms.ChoiceField, "decision").choices = [
            (first.value, first.label),
            (SelectionDecision.NOT_RECOMMENDED.value, SelectionDecision.NOT_RECOMMENDED.label),
        ]
        self.fields["decision"].widget.attrs["class"] = "form-check-input"

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanhuai.audit.actions import SENTENCES


class EntryFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    action = forms.CharField(
        label=_("操作"),
        required=False,
        max_length=80,
        help_text=_("操作代码或其前缀，如 accounts. 或 orgs.unit"),
    )
    actor = forms.CharField(label=_("操作人（用户名）"), required=False, max_length=150)
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=60)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
        self.fields["action"].widget.attrs["list"] = "audit-actions"

    @staticmethod
    def action_suggestions() -> list[tuple[str, str]]:
        prefixes = sorted({code.split(".", 1)[0] + "." for code in SENTENCES})
        return [(p, "") for p in prefixes] + [(code, str(label)) for code, label in sorted(SENTENCES.items())]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "q": d["q"].strip(),
            "action": d["action"].strip(),
            "actor_username": d["actor"].strip(),
            "since": d["since"],
            "until": d["until"],
            "object_type": d["object_type"].strip(),
            "object_id": d["object_id"].strip(),
        }

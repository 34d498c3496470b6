from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanhuai.jobs import registry
from guanhuai.jobs.states import JobStatus


class JobFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("任务类型"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *JobStatus.choices]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kinds = sorted(registry.kinds().values(), key=lambda k: k.name)
        kind_field: Any = self.fields["kind"]
        kind_field.choices = [("", _("全部类型")), *((k.name, k.label) for k in kinds)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> dict[str, str]:
        """Valid filters only: an unknown kind or status in the URL is ignored rather than an error page."""
        if not self.is_valid():
            return {"kind": "", "status": ""}
        return {"kind": self.cleaned_data["kind"], "status": self.cleaned_data["status"]}

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanhuai.audit.actions import SENTENCES


def _app_label(label: str) -> str:
    try:
        return gettext(str(apps.get_app_config(label).verbose_name))
    except LookupError:
        return label


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The registered actions as a dropdown: one group per app, led by "all of this app" (its prefix),
    each action by its translated sentence, in the order a person reads them."""
    by_app: dict[str, list[tuple[str, str]]] = {}
    for code, sentence in SENTENCES.items():
        by_app.setdefault(code.split(".", 1)[0], []).append((code, str(sentence)))
    return [
        (
            _app_label(app),
            [
                (f"{app}.", gettext("全部：%(app)s") % {"app": _app_label(app)}),
                *sorted(actions, key=lambda a: a[0]),
            ],
        )
        for app, actions in sorted(by_app.items())
    ]


class EntryFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    action = forms.ChoiceField(label=_("操作"), required=False)
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
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", _("全部操作")), *action_choices()]
        action.widget.attrs["class"] = "form-select form-select-sm"

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

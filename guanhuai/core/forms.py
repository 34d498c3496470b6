"""The one base form: Bootstrap classes on every visible widget, so templates render fields alike."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.utils.translation import gettext_lazy as _

F = TypeVar("F", bound=forms.Field)


class BootstrapForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)

    def _field(self, cls: type[F], name: str) -> F:
        field = self.fields[name]
        assert isinstance(field, cls)
        return field


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ConfirmField(forms.BooleanField):
    """A required tick box whose label states what the action will do ("作废后该捐赠仍计入基金……"). It
    is the confirmation step of a grave action: it works without JavaScript and on a phone (no `confirm()`
    dialog), and the server refuses the action until it is ticked."""

    def __init__(self, consequence: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"required": _("请先阅读并勾选上面的确认。")})
        super().__init__(
            label=consequence,
            required=True,
            widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            **kwargs,
        )


def with_note(name: Any, note: Any) -> str:
    """A choice's label with a note after it: "韶关市（440200）" in Chinese, "韶关市 (440200)" in English.
    The brackets are part of the translation: full-width brackets do not belong in English text."""
    from django.utils.translation import gettext

    return gettext("%(name)s（%(note)s）") % {"name": name, "note": note}

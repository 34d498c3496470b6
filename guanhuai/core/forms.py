"""The one base form: Bootstrap classes on every visible widget, so templates render fields alike."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

F = TypeVar("F", bound=forms.Field)


def style_widgets(fields: Any) -> None:
    """Bootstrap's classes on every widget of `fields`, so templates render fields in a loop:
    `form-select` on a dropdown, `form-check-input` on a tick box, none on radios and tick-box lists (their
    template styles each choice) or hidden inputs, `form-control` on the rest. A class set already stays,
    except on a tick box."""
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.RadioSelect):  # CheckboxSelectMultiple too
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
            continue
        widget.attrs.setdefault(
            "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
        )


class BootstrapForm(forms.Form):
    """A form styled by `style_widgets`. A form that adds fields after `__init__` styles them again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self.fields)

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


class SearchSelect(forms.Select):
    """A dropdown for a long, scoped list (hundreds of branches, thousands of donors) that stays usable on
    a phone: it renders the chosen option and the first `limit` of the field's queryset, and when there
    are more, a search box above it that asks `url` (htmx) for the options matching what is typed and puts
    them into the select. The form still validates the choice against the field's whole queryset, so the
    search endpoint only narrows what is offered; it must apply the same scope as the queryset.

    Without JavaScript it is a plain select of the first options, and the chosen one is kept."""

    template_name = "core/widgets/search_select.html"

    def __init__(
        self,
        *,
        url: Any,
        params: list[tuple[str, str]] | None = None,
        placeholder: Any = "",
        limit: int = 30,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs=attrs)
        self.url, self.params, self.placeholder, self.limit = url, list(params or []), placeholder, limit
        self._more = False

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        full: Any = self.choices  # a ModelChoiceIterator for a model field: queryset, field, choice()
        queryset = getattr(full, "queryset", None)
        field = getattr(full, "field", None)
        if queryset is None or field is None:
            return super().optgroups(name, value, attrs)
        head = list(queryset[: self.limit + 1])
        self._more = len(head) > self.limit
        head = head[: self.limit]
        chosen = [str(v) for v in value if str(v).isdigit() and int(v) not in {o.pk for o in head}]
        extra = list(queryset.filter(pk__in=chosen)) if chosen else []
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        self.choices = [*empty, *(full.choice(o) for o in [*extra, *head])]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = full

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)  # runs optgroups, which sets _more
        query = urlencode(self.params)
        context["widget"].update(
            searchable=self._more,
            search_url=f"{self.url}?{query}" if query else str(self.url),
            placeholder=self.placeholder,
        )
        return context

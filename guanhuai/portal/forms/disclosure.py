"""Forms of the disclosure pages: the online objection, the funds period, and the legacy upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanhuai.core.forms import BootstrapForm
from guanhuai.portal import challenge


class ObjectionForm(BootstrapForm):
    """What a visitor sends about one row of a notice. The rows are named by their public names (never an
    id); whether a name and phone are required is the programme's choice (the service checks it too)."""

    row = forms.ChoiceField(label=_("反映的公示对象"))
    content = forms.CharField(
        label=_("异议内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请写明您了解的情况，例如不符合条件的原因。"),
    )
    raised_by = forms.CharField(label=_("您的姓名"), max_length=50, required=False)
    contact = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    answer = forms.CharField(
        label=_("验证问题"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, rows: list[tuple[str, str]], identity_required: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ChoiceField, "row").choices = [("", _("请选择")), *rows]
        for name in ("raised_by", "contact"):
            self.fields[name].required = identity_required
        hint = (
            _("本项目要求署名，您的信息严格保密。")
            if identity_required
            else _("可不填（匿名），您的信息严格保密。")
        )
        self.fields["raised_by"].help_text = hint
        self.refresh_question()

    def refresh_question(self) -> None:
        """A fresh question each time the form is shown, also after a wrong answer (a token is good once)."""
        self.question = challenge.issue()
        self.fields["answer"].label = self.question.question
        self.initial["token"] = self.question.token
        if self.is_bound and hasattr(self, "cleaned_data"):
            self.data = {**self.data, "token": self.question.token, "answer": ""}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "answer" in data and not challenge.passed(data.get("token", ""), data["answer"]):
            self.add_error("answer", _("验证问题回答不正确或已过期，请回答新的问题。"))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern): the cleaned value is a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,text/plain"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class LegacyUploadForm(BootstrapForm):
    column = forms.ChoiceField(label=_("导入到栏目"))
    pages = MultipleFileField(
        label=_("旧网站文章页面（文本文件，可多选）"),
        help_text=_("从旧网站复制保存的文章页面，UTF-8 或 GB18030 编码的文本文件，每个不超过 2 MB。"),
    )
    dry_run = forms.BooleanField(
        label=_("试运行：只显示将导入的内容和去掉的部分，不写入"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, columns: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ChoiceField, "column").choices = [("", _("请选择")), *columns]

"""Forms of the documents' and filing pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.actor import Actor
from guanhuai.core.forms import BootstrapForm
from guanhuai.governance.permissions import DRAFT
from guanhuai.governance.states import DocumentKind, ProposerKind
from guanhuai.orgs.forms import UnitChoiceField
from guanhuai.orgs.models import Level

TEXTAREA = {"rows": 4}


class ImportForm(BootstrapForm):
    unit = UnitChoiceField(label=_("村(社区)"), perm=DRAFT, levels=[Level.VILLAGE])
    kind = forms.ChoiceField(label=_("类别"), choices=DocumentKind.choices)
    title = forms.CharField(
        label=_("标题"), max_length=200, required=False, help_text=_("不填则为“村名+类别”。")
    )
    file = forms.FileField(label=_("Word文件（.docx）或文本文件（.txt）"), required=False)
    text = forms.CharField(
        label=_("或粘贴全文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("每一条以“第一条”“第二条”开头，章以“第一章”开头，各占一行。"),
    )
    adopted_note = forms.CharField(
        label=_("通过情况（现行文本填写）"),
        max_length=300,
        required=False,
        help_text=_("例如“2021年3月5日村民会议通过，纸质会议记录存村委会”。不填则作为草案导入。"),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(UnitChoiceField, "unit").for_actor(actor)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请选择文件，或粘贴全文。"))
        return data


class DraftForm(BootstrapForm):
    summary = forms.CharField(label=_("修订说明"), max_length=500, required=False)


class ClauseForm(BootstrapForm):
    chapter_number = forms.IntegerField(label=_("章"), min_value=1, max_value=99, required=False)
    chapter_title = forms.CharField(label=_("章名"), max_length=100, required=False)
    text = forms.CharField(label=_("条文"), widget=forms.Textarea(attrs=TEXTAREA))
    before = forms.IntegerField(
        label=_("插入到第几条之前"), min_value=1, required=False, help_text=_("不填则加在最后。")
    )


class AmendmentForm(BootstrapForm):
    clause = forms.TypedChoiceField(label=_("修改的条款"), coerce=int, required=False, empty_value=None)
    proposed_text = forms.CharField(label=_("建议条文"), widget=forms.Textarea(attrs=TEXTAREA))
    proposer = forms.CharField(label=_("提议人"), max_length=100)
    proposer_kind = forms.ChoiceField(label=_("提议人身份"), choices=ProposerKind.choices)
    reason = forms.CharField(label=_("提议理由"), max_length=500, required=False)

    def __init__(self, *args: Any, clauses: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.TypedChoiceField, "clause").choices = [
            ("", _("新增一条")),
            *[(c.pk, _("第%(n)s条") % {"n": c.number}) for c in clauses],
        ]


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(BootstrapForm):
    note = forms.CharField(
        label=_("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AdoptForm(BootstrapForm):
    motion = forms.TypedChoiceField(label=_("通过的议题"), coerce=int)

    def __init__(self, *args: Any, motions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.TypedChoiceField, "motion").choices = [
            (m.pk, f"{m.meeting.title} · {m.number}. {m.title}") for m in motions
        ]


class ReturnForm(BootstrapForm):
    clauses = forms.TypedMultipleChoiceField(
        label=_("需修改的条款"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(label=_("退回理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, clauses: Any = (), flagged: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self._field(forms.TypedMultipleChoiceField, "clauses")
        field.choices = [(c.number, _("第%(n)s条") % {"n": c.number}) for c in clauses]
        field.widget.attrs.pop("class", None)
        if not self.is_bound:
            self.initial["clauses"] = sorted(set(flagged))


class ResubmitForm(BootstrapForm):
    version = forms.TypedChoiceField(label=_("报送的版本"), coerce=int)
    note = forms.CharField(
        label=_("对退回意见的处理情况"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, versions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.TypedChoiceField, "version").choices = [
            (v.pk, _("第%(n)s版") % {"n": v.number}) for v in versions
        ]

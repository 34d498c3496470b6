"""Forms only check the shape of input; the services decide what is allowed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.actor import Actor
from guanhuai.core.forms import BootstrapForm, DateInput, SearchSelect, with_note
from guanhuai.orgs import selectors
from guanhuai.orgs.models import LEVEL_ORDER, Kind, Level, OrgUnit


class UnitChoiceField(forms.ModelChoiceField):
    """The one branch field of every form that has a branch. Given the permission the form's action needs
    (and the levels it accepts), `for_actor(actor)` limits it to the branches the actor may choose
    (orgs.selectors.branch_choices), and a long list gets a search box (core.forms.SearchSelect, searching
    through orgs.views.unit_pick with the same selector). Without `perm` it is a plain dropdown of
    whatever queryset the form sets."""

    def __init__(self, *args: Any, perm: str = "", levels: Sequence[str] = (), **kwargs: Any) -> None:
        kwargs.setdefault("queryset", OrgUnit.objects.none())
        super().__init__(*args, **kwargs)
        self.perm, self.levels = perm, tuple(levels)
        if perm:
            self.widget = SearchSelect(
                url=reverse_lazy("orgs:unit_pick"),
                params=[("perm", perm), *(("level", level) for level in self.levels)],
                placeholder=_("输入名称或区划代码查找"),
            )
            self.widget.choices = self.choices

    def for_actor(self, actor: Actor) -> UnitChoiceField:
        self.queryset = selectors.branch_choices(actor=actor, perm=self.perm, levels=self.levels)
        return self

    def label_from_instance(self, obj: Any) -> str:
        return unit_label(obj)


def unit_label(unit: OrgUnit) -> str:
    return with_note(unit.name, unit.code)


class UnitCreateForm(BootstrapForm):
    code = forms.CharField(
        label=_("区划代码"), max_length=12, help_text=_("省、市、县为6位；乡镇、村为12位。")
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    level = forms.ChoiceField(label=_("级别"))
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=Kind.choices,
        required=False,
        help_text=_("乡镇级选镇、乡或街道；村级选村或社区；其他级别留空。"),
    )
    opened_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, parent: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        below = [(v, label) for v, label in Level.choices if LEVEL_ORDER[v] > parent.level_rank]
        self._field(forms.ChoiceField, "level").choices = below
        if below and not self.is_bound:
            self.initial.setdefault("level", below[0][0])


class UnitEditForm(BootstrapForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    code = forms.CharField(label=_("区划代码"), max_length=12)
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, required=False)
    opened_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())

    @classmethod
    def for_unit(cls, unit: OrgUnit, data: Any = None) -> UnitEditForm:
        return cls(
            data,
            initial={"name": unit.name, "code": unit.code, "kind": unit.kind, "opened_on": unit.opened_on},
        )


class UnitMoveForm(BootstrapForm):
    """The new parent is picked from a (searched, paged) list or typed as a division code. The list is
    rendered by the template; this field validates the choice against the full scoped queryset."""

    new_parent = forms.ModelChoiceField(label=_("新的上级"), queryset=OrgUnit.objects.none(), required=False)
    new_parent_code = forms.CharField(label=_("或填写新上级的区划代码"), max_length=12, required=False)
    effective_on = forms.DateField(label=_("生效日期"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "new_parent").queryset = candidates

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("new_parent") and not (data.get("new_parent_code") or "").strip():
            raise forms.ValidationError(_("请选择新的上级，或填写它的区划代码。"))
        return data


class UnitMergeForm(BootstrapForm):
    into = UnitChoiceField(
        label=_("合并到"), queryset=OrgUnit.objects.none(), empty_label=_("请选择同一上级下的同级组织")
    )
    effective_on = forms.DateField(label=_("生效日期"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self._field(forms.ModelChoiceField, "into")
        field.queryset = candidates


class UnitCloseForm(BootstrapForm):
    closed_on = forms.DateField(
        label=_("撤销日期"), required=False, widget=DateInput(), help_text=_("留空则为今天。")
    )
    note = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TargetUnitForm(BootstrapForm):
    """A form that acts in one branch chosen among `targets` (the branches the user may act in): its
    `org_unit` field (a UnitChoiceField the subclass labels) offers them, chosen already when there is one."""

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "org_unit").queryset = targets
        if not self.is_bound and len(targets) == 1:
            self.initial["org_unit"] = targets[0].pk


class TreeImportForm(TargetUnitForm):
    file = forms.FileField(
        label=_("Excel文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
    org_unit = UnitChoiceField(
        label=_("导入到"),
        queryset=OrgUnit.objects.none(),
        help_text=_("文件中的每个上级代码都必须是这个组织或它的下级。"),
    )
    # Generated when the form is rendered: a double submit of the same page is one job.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex

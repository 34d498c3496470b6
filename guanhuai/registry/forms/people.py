"""Forms of the registry pages. They check the shape of input only: the services decide what is allowed
(an ID's checksum, duplicates, scope), so the same rule gives the same Chinese message everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanhuai.core.forms import BootstrapForm, ConfirmField, DateInput, with_note
from guanhuai.orgs.forms import UnitChoiceField
from guanhuai.orgs.models import Level
from guanhuai.registry.permissions import EDIT_PERSONS
from guanhuai.registry.selectors import ORDERINGS, PersonFilters
from guanhuai.registry.services import CORRECTABLE, UNMASKABLE
from guanhuai.registry.states import ConsentPurpose, Hukou, RelationToHead, Sex, SpecialStatus

MAX_MEMBERS = 20
ID_ATTRS = {"autocomplete": "off", "inputmode": "text", "maxlength": "18", "spellcheck": "false"}

NON_HEAD_RELATIONS = [(v, label) for v, label in RelationToHead.choices if v != RelationToHead.HEAD]


ALL = _("全部")


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", ALL), *[(v, lbl) for v, lbl in choices if v != ""]]


def _today() -> dt.date:
    return timezone.localdate()


class IdNumberInput(forms.TextInput):
    """An ID box checked as you type: htmx POSTs to registry:check_id and shows the answer (the derived birth
    date and sex, or why the number is wrong) in the `.id-check` element that follows the box."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={
                **ID_ATTRS,
                # POST: a full ID number never goes into a URL (server logs, browser history).
                "hx-post": reverse_lazy("registry:check_id"),
                "hx-trigger": "input changed delay:400ms, change",
                "hx-target": "next .id-check",
                "hx-sync": "this:replace",
                **(attrs or {}),
            }
        )


class IdNumberField(forms.CharField):
    """The raw ID as typed; services.check_id_number validates it (and says why in Chinese). With
    `check=True` (a new person's ID) it is checked inline as the clerk types."""

    def __init__(self, *, check: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("身份证号"))
        kwargs.setdefault("max_length", 18)
        widget = IdNumberInput() if check else forms.TextInput(attrs=dict(ID_ATTRS))
        super().__init__(widget=widget, **kwargs)

    def to_python(self, value: Any) -> str:
        return (super().to_python(value) or "").strip().upper()


class EventDateField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("发生日期"))
        kwargs.setdefault("initial", _today)
        super().__init__(widget=DateInput(), **kwargs)


# --- lists --------------------------------------------------------------------------------------------


class PersonFilterForm(BootstrapForm):
    ALIVE = [("1", _("在世")), ("0", _("已故")), ("all", _("全部"))]
    MIGRANT = [("", _("全部")), ("1", _("流动人口")), ("0", _("非流动人口"))]
    ORDER = [
        ("name", _("姓名")),
        ("-name", _("姓名（倒序）")),
        ("birth", _("出生日期")),
        ("-birth", _("出生日期（倒序）")),
        ("unit", _("所属村(社区)")),
    ]

    q = forms.CharField(
        label=_("姓名、拼音或身份证号"),
        required=False,
        max_length=80,  # an ID search travels as its 68-character blind-index token
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("张枫 / zhangf / zf / 身份证号")}),
    )
    unit = forms.CharField(label=_("村(社区)或乡镇"), required=False, max_length=12)
    hukou_type = forms.ChoiceField(label=_("户籍类型"), choices=_blank(Hukou.choices), required=False)
    special_status = forms.ChoiceField(
        label=_("特殊家庭"), choices=_blank(SpecialStatus.choices), required=False
    )
    sex = forms.ChoiceField(label=_("性别"), choices=_blank(Sex.choices), required=False)
    age_min = forms.IntegerField(label=_("年龄从"), required=False, min_value=0, max_value=150)
    age_max = forms.IntegerField(label=_("年龄到"), required=False, min_value=0, max_value=150)
    migrant = forms.ChoiceField(label=_("流动人口"), choices=MIGRANT, required=False)
    alive = forms.ChoiceField(label=_("在世/已故"), choices=ALIVE, required=False)
    order = forms.ChoiceField(label=_("排序"), choices=ORDER, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("age_min", "age_max"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        lo, hi = data.get("age_min"), data.get("age_max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("age_max", _("年龄上限不能小于下限。"))
        return data

    def to_filters(self, unit: Any = None) -> PersonFilters:
        d = self.cleaned_data
        order = d.get("order") or "name"
        return PersonFilters(
            q=d.get("q", ""),
            unit=unit,
            hukou_type=d.get("hukou_type", ""),
            special_status=d.get("special_status", ""),
            sex=d.get("sex", ""),
            age_min=d.get("age_min"),
            age_max=d.get("age_max"),
            migrant={"1": True, "0": False}.get(d.get("migrant") or ""),
            alive={"1": True, "0": False, "all": None}.get(d.get("alive") or "1", True),
            order=order if order in ORDERINGS else "name",
        )


class HouseholdFilterForm(BootstrapForm):
    q = forms.CharField(
        label=_("户主姓名、拼音、住址或户编号"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    unit = forms.CharField(label=_("村(社区)或乡镇"), required=False, max_length=12)


# --- households ---------------------------------------------------------------------------------------


class HouseholdForm(BootstrapForm):
    org_unit = UnitChoiceField(
        label=_("村(社区)"), empty_label=None, perm=EDIT_PERSONS, levels=[Level.VILLAGE]
    )
    address = forms.CharField(label=_("住址"), max_length=200)
    hukou_type = forms.ChoiceField(label=_("户籍类型"), choices=Hukou.choices, initial=Hukou.RURAL)
    number = forms.CharField(
        label=_("户编号"),
        max_length=30,
        required=False,
        help_text=_("留空则按本村顺序自动编号；原户籍册已有编号的可照录。"),
    )

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(UnitChoiceField, "org_unit").queryset = villages


class MemberForm(BootstrapForm):
    """One row of the household form. The first row is the head."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = IdNumberField(check=True)
    relation_to_head = forms.ChoiceField(
        label=_("与户主关系"), choices=RelationToHead.choices, initial=RelationToHead.CHILD
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    only_child_certificate = forms.BooleanField(label=_("持有独生子女父母光荣证"), required=False)


MemberFormSet = forms.formset_factory(
    MemberForm, extra=0, min_num=1, validate_min=True, max_num=MAX_MEMBERS, validate_max=True
)
MEMBERS_PREFIX = "members"


def member_formset(data: Any = None) -> Any:
    return MemberFormSet(data, prefix=MEMBERS_PREFIX, initial=[{"relation_to_head": RelationToHead.HEAD}])


class PersonAddForm(BootstrapForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = IdNumberField(check=True)
    relation_to_head = forms.ChoiceField(label=_("与户主关系"), choices=NON_HEAD_RELATIONS)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    hukou_place = forms.CharField(label=_("户籍地"), max_length=200, required=False)
    only_child_certificate = forms.BooleanField(label=_("持有独生子女父母光荣证"), required=False)


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return with_note(obj.name, obj.get_relation_to_head_display())


class BirthForm(BootstrapForm):
    name = forms.CharField(label=_("新生儿姓名"), max_length=50)
    id_number = IdNumberField(check=True)
    parents = PersonMultipleChoiceField(
        label=_("父母"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    relation_to_head = forms.ChoiceField(
        label=_("与户主关系"),
        choices=[
            (RelationToHead.CHILD, RelationToHead.CHILD.label),
            *[c for c in NON_HEAD_RELATIONS if c[0] not in (RelationToHead.CHILD, RelationToHead.SPOUSE)],
        ],
    )
    occurred_on = forms.DateField(
        label=_("出生日期"), required=False, widget=DateInput(), help_text=_("留空则取身份证号中的出生日期。")
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(PersonMultipleChoiceField, "parents").queryset = members


class MoveInForm(BootstrapForm):
    id_number = IdNumberField(help_text=_("迁入人员须已在您的管辖范围内登记；范围以外的人员请提交迁入申请。"))
    relation_to_head = forms.ChoiceField(label=_("与户主关系"), choices=NON_HEAD_RELATIONS)
    occurred_on = EventDateField(label=_("迁入日期"))


# --- a person -----------------------------------------------------------------------------------------


class PersonEditForm(BootstrapForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        help_text=_("出于隐私保护不显示原号码；留空则不修改。"),
    )
    clear_phone = forms.BooleanField(label=_("删除联系电话"), required=False)
    hukou_type = forms.ChoiceField(label=_("户籍类型"), choices=Hukou.choices)
    hukou_place = forms.CharField(label=_("户籍地"), max_length=200, required=False)
    only_child_certificate = forms.BooleanField(label=_("持有独生子女父母光荣证"), required=False)
    relation_to_head = forms.ChoiceField(label=_("与户主关系"), choices=NON_HEAD_RELATIONS)

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": person.name,
                "hukou_type": person.hukou_type,
                "hukou_place": person.hukou_place,
                "only_child_certificate": person.only_child_certificate,
                "relation_to_head": person.relation_to_head,
            },
        )
        super().__init__(*args, **kwargs)
        if person.phone_masked:
            self.fields["phone"].widget.attrs["placeholder"] = person.phone_masked
        if person.relation_to_head == RelationToHead.HEAD:
            # The head is changed by moving people, never by retyping a relation.
            del self.fields["relation_to_head"]

    def changes(self) -> dict[str, Any]:
        """The values to hand to services.person_update (the service drops those that did not change)."""
        d = dict(self.cleaned_data)
        clear = d.pop("clear_phone", False)
        phone = d.pop("phone", "")
        if clear:
            d["phone"] = ""
        elif phone:
            d["phone"] = phone
        return d


class BankAccountForm(BootstrapForm):
    bank_name = forms.CharField(label=_("开户银行"), max_length=100)
    account_number = forms.CharField(
        label=_("银行账号"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("保存后只显示后四位。"),
    )


class UnmaskForm(BootstrapForm):
    field_name = forms.ChoiceField(choices=list(UNMASKABLE.items()), widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("查看用途"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：核对扶助金发放账户")}),
    )


class DeathForm(BootstrapForm):
    # No date is offered: a death recorded "today" by default is a wrong date nobody typed.
    occurred_on = EventDateField(label=_("死亡日期"), initial=None)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    confirm = ConfirmField(
        _(
            "我已核实死亡情况。登记后，此人的各项扶助发放到死亡当月为止，之后的发放停止；"
            "其父母的计生特殊家庭身份会重新认定。死亡日期登记后只能通过“更正”修改。"
        )
    )


class DisabilityForm(BootstrapForm):
    grade = forms.TypedChoiceField(
        label=_("残疾等级"),
        choices=[("", _("经评定无残疾")), *[(str(g), _("%(g)d级") % {"g": g}) for g in (1, 2, 3, 4)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    occurred_on = EventDateField(label=_("评定日期"))


class MarriageForm(BootstrapForm):
    spouse_id_number = IdNumberField(label=_("配偶身份证号"), help_text=_("配偶须已在您的管辖范围内登记。"))
    occurred_on = EventDateField(label=_("结婚日期"))


class DivorceForm(BootstrapForm):
    occurred_on = EventDateField(label=_("离婚日期"))


class MigrationForm(BootstrapForm):
    residence_code = forms.CharField(
        label=_("现居住地区划代码"),
        max_length=12,
        required=False,
        help_text=_("12位村(社区)或乡镇代码；留空表示已返回户籍地、不再流动。"),
    )
    occurred_on = EventDateField()
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class MoveForm(BootstrapForm):
    head_id_number = IdNumberField(label=_("迁入户的户主身份证号"), help_text=_("目标户须在您的管辖范围内。"))
    relation_to_head = forms.ChoiceField(label=_("与新户主关系"), choices=NON_HEAD_RELATIONS)
    occurred_on = EventDateField(label=_("迁户日期"))


class AdoptionForm(BootstrapForm):
    child_id_number = IdNumberField(label=_("被收养子女身份证号"))
    other_parent_id_number = IdNumberField(
        label=_("共同收养人（配偶）身份证号"), required=False, help_text=_("单方收养则留空。")
    )
    occurred_on = EventDateField(label=_("收养日期"))


CORRECTION_FIELDS = {
    "name": _("姓名"),
    "id_number": _("身份证号"),
    "sex": _("性别（无身份证号时）"),
    "birth_date": _("出生日期（无身份证号时）"),
    "died_on": _("死亡日期（留空表示死亡登记有误）"),
}


class CorrectionForm(BootstrapForm):
    field_name = forms.ChoiceField(
        label=_("更正项目"), choices=[(f, CORRECTION_FIELDS[f]) for f in CORRECTABLE]
    )
    value = forms.CharField(
        label=_("更正后的内容"),
        max_length=50,
        required=False,
        help_text=_("日期写成 2024-01-31；性别写“男”或“女”。"),
    )
    reason = forms.CharField(label=_("更正原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        name, raw = data.get("field_name"), (data.get("value") or "").strip()
        if name in ("birth_date", "died_on"):
            if not raw and name == "died_on":
                data["value"] = None
            else:
                try:
                    data["value"] = dt.date.fromisoformat(raw)
                except ValueError:
                    self.add_error("value", _("请按 2024-01-31 的格式填写日期。"))
        elif name == "sex":
            sexes = {str(label): value for value, label in Sex.choices}
            if raw not in sexes and raw not in Sex.values:
                self.add_error("value", _("性别请填写“男”或“女”。"))
            else:
                data["value"] = sexes.get(raw, raw)
        elif not raw:
            self.add_error("value", _("请填写更正后的内容。"))
        else:
            data["value"] = raw.upper() if name == "id_number" else raw
        return data


class ConsentForm(BootstrapForm):
    purpose = forms.ChoiceField(label=_("用途"), choices=ConsentPurpose.choices)
    scope = forms.CharField(
        label=_("范围"), max_length=200, help_text=_("例如：身份证号、银行账号用于扶助金发放")
    )
    given_on = forms.DateField(label=_("同意日期"), widget=DateInput(), initial=_today)
    given_by = forms.CharField(label=_("同意人"), max_length=50, help_text=_("本人，或监护人姓名"))


class ConsentWithdrawForm(BootstrapForm):
    withdrawn_on = forms.DateField(label=_("撤回日期"), widget=DateInput(), initial=_today)


class AnonymiseForm(BootstrapForm):
    reason = forms.CharField(
        label=_("删除依据"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：本人依《个人信息保护法》第四十七条申请删除，申请书编号……"),
    )
    confirm = forms.BooleanField(
        label=_("我已核实：删除后姓名、身份证号、电话、银行账号将无法恢复。"), required=True
    )


# --- transfers ----------------------------------------------------------------------------------------


class TransferRequestForm(BootstrapForm):
    id_number = IdNumberField()
    to_unit = UnitChoiceField(
        label=_("迁入村(社区)"), empty_label=None, perm=EDIT_PERSONS, levels=[Level.VILLAGE]
    )
    reason = forms.CharField(
        label=_("申请理由"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(UnitChoiceField, "to_unit").queryset = villages


class TransferDecideForm(BootstrapForm):
    decision = forms.ChoiceField(
        label=_("处理"), choices=[("approve", _("同意迁出")), ("refuse", _("拒绝"))], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("处理意见"), max_length=300, required=False)

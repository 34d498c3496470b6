"""Forms of the funds pages. They check the shape of input only. Amounts are plain text fields on purpose:
`core.money.parse_amount` (inside the services) gives the one precise Chinese refusal for "0", "-5" or
"12.345", the same on a page, in the API and in an import."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanhuai.core.forms import BootstrapForm, ConfirmField, DateInput, SearchSelect, with_note
from guanhuai.core.money import yuan
from guanhuai.funds.models import Donor, Fund, Pledge, Purpose
from guanhuai.funds.permissions import MANAGE_FUNDS, RECORD_DONATIONS
from guanhuai.funds.states import Channel, DonationKind, DonorKind, PublicName, Schedule, TargetKind
from guanhuai.orgs.forms import UnitChoiceField
from guanhuai.orgs.models import Level
from guanhuai.registry.states import SpecialStatus

AMOUNT_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}
# Branches that keep funds and donors: every level down to the township (villages keep no accounts).
ACCOUNTING_LEVELS = [Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP]


def _today() -> dt.date:
    return timezone.localdate()


class KeyedForm(BootstrapForm):
    """A form whose submit must happen once: the key is generated when the page is rendered, so a double
    click (or a browser resubmit) sends the same key and the service records once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class AmountField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(widget=forms.TextInput(attrs=dict(AMOUNT_ATTRS)), **kwargs)


class DonorChoiceField(forms.ModelChoiceField):
    """A donor, found by name, pinyin or credit code (core.forms.SearchSelect through
    funds.views.donor_pick, over selectors.donor_choices like the form's queryset)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Donor.objects.none())
        super().__init__(*args, **kwargs)
        self.widget = SearchSelect(
            url=reverse_lazy("funds:donor_pick"), placeholder=_("输入姓名、名称、拼音或信用代码查找")
        )
        self.widget.choices = self.choices

    def label_from_instance(self, obj: Any) -> str:
        return donor_label(obj)


def donor_label(donor: Donor) -> str:
    """张三（个人）, 某某公司（91110000600037341L）: enough to tell two donors of one name apart."""
    return with_note(donor.name, donor.credit_code or donor.get_kind_display())


class FundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return with_note(obj.name, obj.org_unit.name)


class FundForm(BootstrapForm):
    name = forms.CharField(label=_("基金名称"), max_length=100)
    org_unit = UnitChoiceField(label=_("所属组织"), perm=MANAGE_FUNDS, levels=ACCOUNTING_LEVELS)
    purpose = forms.CharField(
        label=_("宗旨"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    restricted = forms.BooleanField(label=_("限定用途"), required=False)
    allowed_purposes = forms.ModelMultipleChoiceField(
        label=_("允许的用途"),
        queryset=Purpose.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("限定用途基金只能支出到所选用途。"),
    )
    founded_on = forms.DateField(label=_("设立日期"), widget=DateInput())
    parent = FundChoiceField(label=_("上级基金"), queryset=Fund.objects.none(), required=False)

    def __init__(self, *args: Any, units: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "org_unit").queryset = units
        self._field(forms.ModelChoiceField, "parent").queryset = parents
        if not self.is_bound:
            self.initial.setdefault("founded_on", _today())
            if len(units) == 1:
                self.initial["org_unit"] = units[0].pk


class DonorForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("类型"), choices=DonorKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("姓名/名称"), max_length=120)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        required=False,
        help_text=_("单位捐赠人填写，18位。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    public_name = forms.ChoiceField(
        label=_("公开方式"),
        choices=PublicName.choices,
        initial=PublicName.ANONYMOUS,
        widget=forms.RadioSelect,
    )
    org_unit = UnitChoiceField(label=_("登记组织"), perm=RECORD_DONATIONS, levels=ACCOUNTING_LEVELS)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "org_unit").queryset = units
        if not self.is_bound:
            self.initial.setdefault("kind", DonorKind.PERSON)
            if len(units) >= 1:
                self.initial["org_unit"] = units[0].pk


class DonorSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名、名称或信用代码"), max_length=60, required=False)


class PledgeForm(BootstrapForm):
    fund = FundChoiceField(label=_("基金"), queryset=Fund.objects.none())
    amount = AmountField(label=_("每期金额（元）"))
    schedule = forms.ChoiceField(label=_("周期"), choices=Schedule.choices)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, funds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "fund").queryset = funds
        if not self.is_bound:
            self.initial.setdefault("starts_on", _today())


class PledgeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return with_note(f"{obj.get_schedule_display()} {yuan(obj.amount)}", f"{obj.starts_on:%Y-%m-%d}")


class DonationForm(KeyedForm):
    donor = DonorChoiceField(label=_("捐赠人"))
    fund = FundChoiceField(label=_("基金"), queryset=Fund.objects.none())
    kind = forms.ChoiceField(
        label=_("捐赠类型"), choices=DonationKind.choices, initial=DonationKind.CASH, widget=forms.RadioSelect
    )
    amount = AmountField(label=_("金额或估值（元）"))
    # Required for a cash gift, the only kind whose form shows it (the service refuses a cash gift without
    # one: channel_required), so the page marks it required like the others; in kind it stays empty.
    channel = forms.ChoiceField(
        label=_("捐赠方式"),
        choices=[("", _("请选择")), *Channel.choices],
        required=False,
        widget=forms.Select(attrs={"aria-required": "true"}),
    )
    items = forms.CharField(label=_("物资名称"), max_length=200, required=False)
    quantity = forms.CharField(label=_("数量"), max_length=50, required=False)
    valuation_basis = forms.CharField(
        label=_("估值依据"), max_length=200, required=False, help_text=_("如：发票价、市场价、评估报告。")
    )
    purpose = forms.ModelChoiceField(
        label=_("指定用途"), queryset=Purpose.objects.all(), required=False, empty_label=_("不指定")
    )
    received_on = forms.DateField(label=_("收到日期"), widget=DateInput())
    pledge = PledgeChoiceField(
        label=_("对应认捐"), queryset=Pledge.objects.none(), required=False, empty_label=_("无")
    )

    def __init__(self, *args: Any, donors: Any, funds: Any, pledges: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "donor").queryset = donors
        self._field(forms.ModelChoiceField, "fund").queryset = funds
        self._field(forms.ModelChoiceField, "pledge").queryset = pledges
        if not self.is_bound:
            self.initial.setdefault("received_on", _today())
            self.initial.setdefault("kind", DonationKind.CASH)


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("原因"), max_length=200)


class VoidForm(ReasonForm):
    confirm = ConfirmField(
        _(
            "我已了解：作废后该捐赠仍计入基金；如需冲销，请由基金管理员操作。作废的编号不再使用，会出现在断号报告中。"
        )
    )


class AllocationForm(KeyedForm):
    name = forms.CharField(label=_("名称"), max_length=120)
    purpose = forms.ModelChoiceField(label=_("用途"), queryset=Purpose.objects.all())
    target_kind = forms.ChoiceField(label=_("对象类型"), choices=TargetKind.choices)
    target_ref = forms.CharField(
        label=_("对象"), max_length=120, help_text=_("扶助项目或协会项目的编号或名称。")
    )
    amount = AmountField(label=_("分配金额（元）"))
    posted_on = forms.DateField(label=_("记账日期"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("posted_on", _today())


class DisbursementForm(KeyedForm):
    id_number = forms.CharField(
        label=_("受助人身份证号"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": "18"}),
        help_text=_("支付给个人时填写；支付给单位时填写下面的收款方。"),
    )
    payee = forms.CharField(label=_("收款方"), max_length=120, required=False)
    amount = AmountField(label=_("支出金额（元）"))
    paid_on = forms.DateField(label=_("支出日期"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("paid_on", _today())

    def clean_id_number(self) -> str:
        return (self.cleaned_data.get("id_number") or "").strip().upper()


class TransferForm(KeyedForm):
    to_fund = FundChoiceField(label=_("转入基金"), queryset=Fund.objects.none())
    amount = AmountField(label=_("转账金额（元）"))
    posted_on = forms.DateField(label=_("记账日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=100, required=False)

    def __init__(self, *args: Any, funds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "to_fund").queryset = funds
        if not self.is_bound:
            self.initial.setdefault("posted_on", _today())


class RoundForm(KeyedForm):
    BY_IDS, BY_UNIT = "ids", "unit"

    name = forms.CharField(label=_("名称"), max_length=120)
    purpose = forms.ModelChoiceField(label=_("用途"), queryset=Purpose.objects.all())
    partner = DonorChoiceField(label=_("合作方"), required=False, empty_label=_("无"))
    amount_each = AmountField(label=_("每户金额（元）"))
    paid_on = forms.DateField(label=_("发放日期"), widget=DateInput())
    source = forms.ChoiceField(
        label=_("发放名单"),
        choices=[(BY_IDS, _("粘贴身份证号（每行一个）")), (BY_UNIT, _("某组织辖区内的全部特殊家庭"))],
        initial=BY_IDS,
        widget=forms.RadioSelect,
    )
    id_numbers = forms.CharField(
        label=_("身份证号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("每行一个，每户填户主或夫妻中的一人。"),
    )
    unit_code = forms.CharField(
        label=_("组织区划代码"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("如 440224100000；每户取户主一人。"),
    )
    special_status = forms.ChoiceField(
        label=_("家庭类型"),
        choices=[(v, label) for v, label in SpecialStatus.choices if v],
        initial=SpecialStatus.BEREAVED,
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(forms.ModelChoiceField, "partner").queryset = partners
        if not self.is_bound:
            self.initial.setdefault("paid_on", _today())

    def id_lines(self) -> list[tuple[int, str]]:
        text = self.cleaned_data.get("id_numbers") or ""
        return [(i, line.strip().upper()) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


class PeriodForm(BootstrapForm):
    period = forms.CharField(
        label=_("会计期间"),
        max_length=7,
        help_text=_("格式 YYYY-MM，如 2025-03。结账后该月及以前不能再记账。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            last_month = _today().replace(day=1) - dt.timedelta(days=1)
            self.initial.setdefault("period", f"{last_month:%Y-%m}")


class StatementForm(forms.Form):
    start = forms.DateField(
        label=_("开始日期"), required=False, widget=DateInput(attrs={"class": "form-control"})
    )
    end = forms.DateField(
        label=_("结束日期"), required=False, widget=DateInput(attrs={"class": "form-control"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = _today()
        data["start"] = data.get("start") or dt.date(today.year, 1, 1)
        data["end"] = data.get("end") or dt.date(today.year, 12, 31)
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return data


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2000,
        max_value=2100,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )

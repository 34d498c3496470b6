"""The sentences of funds' audit actions (found by `audit.apps`, which imports every app's `audit.py`)."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import numeric, register, register_names
from guanhuai.core.money import yuan
from guanhuai.funds.models import ClosedPeriod, Donation

register(
    {
        "funds.fund.created": gettext_lazy("设立基金"),
        "funds.donor.created": gettext_lazy("登记捐赠人"),
        "funds.pledge.created": gettext_lazy("登记认捐"),
        "funds.donation.recorded": gettext_lazy("登记捐赠"),
        "funds.donation.reversed": gettext_lazy("冲销捐赠"),
        "funds.receipt.issued": gettext_lazy("开具收据"),
        "funds.receipt.voided": gettext_lazy("作废收据"),
        "funds.allocation.created": gettext_lazy("分配资金"),
        "funds.allocation.closed": gettext_lazy("结束资金分配"),
        "funds.disbursement.recorded": gettext_lazy("登记支出"),
        "funds.disbursement.reversed": gettext_lazy("冲销支出"),
        "funds.in_kind.distributed": gettext_lazy("发放物资"),
        "funds.in_kind.reversed": gettext_lazy("冲销物资发放"),
        "funds.transfer.recorded": gettext_lazy("基金间转账"),
        "funds.round.created": gettext_lazy("发放专项救助"),
        "funds.period.closed": gettext_lazy("月末结账"),
    }
)


def _closed_periods(ids: list[str]) -> dict[str, str]:
    rows = ClosedPeriod.objects.filter(pk__in=numeric(ids)).values_list("pk", "fund__name", "period")
    return {str(pk): f"{fund} · {period}" for pk, fund, period in rows}


def _donations(ids: list[str]) -> dict[str, str]:
    """A gift by its donor, amount and day: "爱心企业 · ¥1,000.00 · 2025-03-10" (its str() is "爱心企业 1000.00")."""
    rows = Donation.objects.filter(pk__in=numeric(ids)).values_list(
        "pk", "donor__name", "amount", "received_on"
    )
    return {str(pk): f"{donor} · {yuan(amount)} · {on}" for pk, donor, amount, on in rows}


register_names({"funds.closedperiod": _closed_periods, "funds.donation": _donations})

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanhuai.core.states import table


class DonorKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("单位")


class PublicName(models.TextChoices):
    NAMED = "named", _("公开姓名/名称")
    ANONYMOUS = "anonymous", _("以“爱心人士”公开")


class DonationKind(models.TextChoices):
    CASH = "cash", _("资金")
    IN_KIND = "in_kind", _("物资")


class Channel(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("银行转账")
    CASH = "cash", _("现金")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")


class Account(models.TextChoices):
    """The chart of accounts, kept per fund (every entry names its fund).

    Debits are positive, credits negative; every transaction sums to zero overall and per fund.
    Available money = CASH; earmarked money = ALLOCATED; goods = IN_KIND."""

    CASH = "cash", _("货币资金")
    ALLOCATED = "allocated", _("已分配待支出")
    IN_KIND = "in_kind", _("物资")
    DONATIONS = "donations", _("捐赠收入")
    IN_KIND_DONATIONS = "in_kind_donations", _("物资捐赠收入")
    DISBURSEMENTS = "disbursements", _("帮扶支出")
    IN_KIND_DISTRIBUTED = "in_kind_distributed", _("物资发放")
    TRANSFERS_IN = "transfers_in", _("基金转入")
    TRANSFERS_OUT = "transfers_out", _("基金转出")


class TxnKind(models.TextChoices):
    DONATION = "donation", _("收到资金捐赠")
    IN_KIND = "in_kind", _("收到物资捐赠")
    ALLOCATION = "allocation", _("分配资金")
    RELEASE = "release", _("收回分配余额")
    DISBURSEMENT = "disbursement", _("支出")
    TRANSFER = "transfer", _("基金间转账")
    REVERSAL = "reversal", _("冲销")


class ReceiptStatus(models.TextChoices):
    ISSUED = "issued", _("已开具")
    VOIDED = "voided", _("已作废")


# An issued receipt is voided with a reason (a re-issue voids the original).
RECEIPT_TRANSITIONS = table(ReceiptStatus, issued="voided")


class AllocationStatus(models.TextChoices):
    ACTIVE = "active", _("执行中")
    CLOSED = "closed", _("已结束")


# Closing an allocation sends its rest back to the fund's cash.
ALLOCATION_TRANSITIONS = table(AllocationStatus, active="closed")


class TargetKind(models.TextChoices):
    PROGRAMME = "programme", _("扶助项目")
    PROJECT = "project", _("协会项目")
    ROUND = "round", _("专项救助")


class Schedule(models.TextChoices):
    ONCE = "once", _("一次性")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")

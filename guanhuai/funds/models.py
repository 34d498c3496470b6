"""Funds, donors, donations, receipts and the append-only double-entry ledger (docs/ledger.md).

Balances are never stored: they are sums of LedgerEntry rows. Nothing in the ledger is updated or deleted;
a correction is a reversal transaction plus a new one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.core.crypto import EncryptedTextField
from guanhuai.core.scopes import ScopedManager
from guanhuai.funds.states import (
    Account,
    AllocationStatus,
    Channel,
    DonationKind,
    DonorKind,
    PublicName,
    ReceiptStatus,
    Schedule,
    TargetKind,
    TxnKind,
)


class Purpose(models.Model):
    """What money may be spent on: data, so a province can add its own."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("用途"), max_length=60)
    # A purpose for special families only pays families with this derived status (registry.SpecialStatus).
    requires_status = models.CharField(_("限定家庭类型"), max_length=16, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Fund(models.Model):
    name = models.CharField(_("基金名称"), max_length=100)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属组织")
    )
    purpose = models.CharField(_("宗旨"), max_length=300, blank=True)
    restricted = models.BooleanField(_("限定用途"), default=False)
    allowed_purposes = models.ManyToManyField(
        Purpose, blank=True, related_name="+", verbose_name=_("允许的用途")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_funds",
        verbose_name=_("上级基金"),
    )
    founded_on = models.DateField(_("设立日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("基金")
        verbose_name_plural = _("基金")
        ordering = ["org_unit_id", "name"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "name"], name="fund_unique_name_per_unit")]

    def __str__(self) -> str:
        return self.name


class Donor(models.Model):
    kind = models.CharField(_("类型"), max_length=14, choices=DonorKind.choices)
    name = models.CharField(_("姓名/名称"), max_length=120)
    # For finding a donor by pinyin (zhangsan, zs); set from the name by services.donor_create.
    name_pinyin = models.CharField(max_length=400, blank=True, editable=False)
    name_initials = models.CharField(max_length=120, blank=True, editable=False)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    public_name = models.CharField(
        _("公开方式"), max_length=10, choices=PublicName.choices, default=PublicName.ANONYMOUS
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记组织")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("捐赠人")
        verbose_name_plural = _("捐赠人")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="donor_unique_credit_code"
            ),
        ]
        indexes = [
            models.Index(fields=["name_pinyin"], name="donor_pinyin"),
            models.Index(fields=["name_initials"], name="donor_initials"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name as the public may see it."""
        return self.name if self.public_name == PublicName.NAMED else str(_("爱心人士"))


class Pledge(models.Model):
    """A promise to give (once or recurring); donations that fulfil it point here."""

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="pledges")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="pledges")
    amount = models.DecimalField(_("每期金额"), max_digits=14, decimal_places=2)
    schedule = models.CharField(_("周期"), max_length=10, choices=Schedule.choices, default=Schedule.ONCE)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive")]

    def __str__(self) -> str:
        return f"{self.donor} {self.amount}"


class LedgerTransaction(models.Model):
    """One balanced movement. Append-only: never updated, never deleted."""

    kind = models.CharField(_("类型"), max_length=14, choices=TxnKind.choices)
    posted_on = models.DateField(_("记账日期"), db_index=True)
    description = models.CharField(_("摘要"), max_length=200)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The same request replayed (double click, retried API call) posts once.
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-posted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.posted_on} {self.description}"


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField(max_length=20, choices=Account.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)  # debit > 0, credit < 0
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    allocation = models.ForeignKey(
        "Allocation", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    # Denormalised from the transaction, so statements are one indexed range per fund.
    posted_on = models.DateField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["fund", "account", "posted_on"], name="entry_fund_account_date")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_nonzero")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"


class ClosedPeriod(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="closed_periods")
    period = models.CharField(_("会计期间"), max_length=7)  # YYYY-MM
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period"]
        constraints = [models.UniqueConstraint(fields=["fund", "period"], name="closed_period_unique")]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.period}"


class ReceiptSequence(models.Model):
    """The counter behind receipt numbers, one row per issuing branch per year, locked while issuing, so
    numbers are consecutive and every number is accounted for (issued or voided)."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_unit", "year"], name="receipt_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.org_unit_id}/{self.year}:{self.last_number}"


class Receipt(models.Model):
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("开具组织")
    )
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField(_("收据编号"), max_length=40, unique=True)
    donation = models.ForeignKey("Donation", on_delete=models.PROTECT, related_name="receipts")
    issued_on = models.DateField(_("开具日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=ReceiptStatus.choices, default=ReceiptStatus.ISSUED
    )
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reissues",
        verbose_name=_("补开自"),
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["-year", "-seq"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "year", "seq"], name="receipt_unique_seq")]

    def __str__(self) -> str:
        return self.number


class Donation(models.Model):
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, related_name="donations", verbose_name=_("捐赠人")
    )
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="donations", verbose_name=_("基金"))
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("指定用途")
    )
    kind = models.CharField(_("类型"), max_length=8, choices=DonationKind.choices)
    amount = models.DecimalField(_("金额/估值"), max_digits=14, decimal_places=2)
    channel = models.CharField(_("方式"), max_length=14, choices=Channel.choices, blank=True)
    items = models.CharField(_("物资名称"), max_length=200, blank=True)
    quantity = models.CharField(_("数量"), max_length=50, blank=True)
    valuation_basis = models.CharField(_("估值依据"), max_length=200, blank=True)
    received_on = models.DateField(_("收到日期"), db_index=True)
    pledge = models.ForeignKey(
        Pledge, on_delete=models.PROTECT, null=True, blank=True, related_name="donations"
    )
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="donation")
    reversed = models.BooleanField(_("已冲销"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive")]

    def __str__(self) -> str:
        return f"{self.donor} {self.amount}"


class Allocation(models.Model):
    """Money earmarked from a fund for a programme, a project or a special round: a budget."""

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("基金")
    )
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+", verbose_name=_("用途"))
    target_kind = models.CharField(_("对象类型"), max_length=10, choices=TargetKind.choices)
    target_ref = models.CharField(
        _("对象"), max_length=120
    )  # e.g. "programme:12"; apps above funds resolve it
    name = models.CharField(_("名称"), max_length=120)
    amount = models.DecimalField(_("分配金额"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=8, choices=AllocationStatus.choices, default=AllocationStatus.ACTIVE
    )
    # The money itself is in the ledger: entries on the ALLOCATED account that point here.
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive")]

    def __str__(self) -> str:
        return self.name


class SpecialRound(models.Model):
    """A one-off round: N families, a fixed amount each, often with a partner donor."""

    name = models.CharField(_("名称"), max_length=120)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="rounds")
    partner = models.ForeignKey(
        Donor, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("合作方")
    )
    amount_each = models.DecimalField(_("每户金额"), max_digits=14, decimal_places=2)
    allocation = models.OneToOneField(Allocation, on_delete=models.PROTECT, related_name="round")
    paid_on = models.DateField(_("发放日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=120, unique=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["-paid_on"]

    def __str__(self) -> str:
        return self.name


class Disbursement(models.Model):
    """Money paid out of an allocation to a beneficiary. The beneficiary is a registry person (funds sits
    above registry); public summaries never show who."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="disbursements")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payee = models.CharField(_("收款方"), max_length=120, blank=True)  # for project spending without a person
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("支出日期"))
    round = models.ForeignKey(
        SpecialRound, on_delete=models.PROTECT, null=True, blank=True, related_name="disbursements"
    )
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="disbursement"
    )
    reversed = models.BooleanField(_("已冲销"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=Q(round__isnull=False),
                name="one_payment_per_family_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.paid_on}"

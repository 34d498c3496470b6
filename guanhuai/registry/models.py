"""The household registry. Sensitive values (ID, phone, bank account) are encrypted at rest; each has a
masked copy for lists and a keyed-hash blind index where exact lookup is needed (docs/privacy.md).

Every person row carries `org_unit`, the village-level branch of their household, so that scoping is one
indexed range on the branch path, like everywhere else. Services keep it in step with the household.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.core.crypto import EncryptedTextField
from guanhuai.core.scopes import ScopedManager
from guanhuai.registry.states import (
    ChildBasis,
    ConsentPurpose,
    EventKind,
    Hukou,
    RelationToHead,
    Sex,
    SpecialStatus,
)


class Household(models.Model):
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="households", verbose_name=_("所属村(社区)")
    )
    # Given by registry.services.numbers from the village's sequence (440224100200-0001) unless typed or
    # imported from an older register; unique, so two households never share one.
    number = models.CharField(_("户编号"), max_length=30)
    address = models.CharField(_("住址"), max_length=200)
    hukou_type = models.CharField(_("户籍类型"), max_length=10, choices=Hukou.choices)
    head = models.ForeignKey(
        "Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("户主")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Idempotent imports: the import row that created this household, if any. Unique through a constraint
    # (see Person.import_key).
    import_key = models.CharField(max_length=80, null=True, blank=True, editable=False)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["org_unit_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="household_number_unique"),
            models.UniqueConstraint(fields=["import_key"], name="household_import_key_unique"),
        ]

    def __str__(self) -> str:
        head = self.head.name if self.head_id and self.head else ""
        return str(_("%(head)s户") % {"head": head} if head else _("户#%(pk)s") % {"pk": self.pk})


class HouseholdSequence(models.Model):
    """The last household number given in a village: the next household there gets last + 1. One row per
    village, locked while numbers are taken, so two clerks saving at once never get the same number."""

    org_unit = models.OneToOneField(
        "orgs.OrgUnit", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("户编号序列")
        verbose_name_plural = _("户编号序列")

    def __str__(self) -> str:
        return f"{self.org_unit_id}:{self.last}"


class Person(models.Model):
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("户"),
        null=True,
        blank=True,
    )
    # No index of its own: six indexes below start with org_unit and serve `org_unit_id = …` lookups
    # (EXPLAIN in benchmarks/README.md); one more would only be written on every insert and update.
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村(社区)"), db_index=False
    )
    relation_to_head = models.CharField(
        _("与户主关系"), max_length=12, choices=RelationToHead.choices, default=RelationToHead.HEAD
    )
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=120, db_index=True, editable=False)
    name_initials = models.CharField(max_length=20, db_index=True, editable=False)

    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    # Unique through Meta.constraints, not `unique=True`: on PostgreSQL a unique CharField also gets a
    # varchar_pattern_ops copy of its index for LIKE, which exact lookups of a hash never use and every
    # write paid for (the largest index of the table: random 64-character keys).
    id_index = models.CharField(max_length=64, null=True, blank=True, editable=False)
    id_legacy = EncryptedTextField(_("原15位身份证号"), blank=True)

    sex = models.CharField(_("性别"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"), db_index=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)

    hukou_type = models.CharField(_("户籍类型"), max_length=10, choices=Hukou.choices)
    hukou_place = models.CharField(_("户籍地"), max_length=200, blank=True)

    died_on = models.DateField(_("死亡日期"), null=True, blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)
    disability_assessed_on = models.DateField(_("残疾评定日期"), null=True, blank=True)
    is_migrant = models.BooleanField(_("流动人口"), default=False)
    residence_unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("现居住地"),
    )
    only_child_certificate = models.BooleanField(_("持有独生子女父母光荣证"), default=False)

    # Derived from relations and the children's facts; written only by registry.family.
    children_ever = models.PositiveSmallIntegerField(default=0, editable=False)
    living_children = models.PositiveSmallIntegerField(_("现有子女数"), default=0, editable=False)
    special_status = models.CharField(
        _("特殊家庭"), max_length=16, choices=SpecialStatus.choices, blank=True, default="", editable=False
    )

    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    import_key = models.CharField(max_length=80, null=True, blank=True, editable=False)  # unique: Meta

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["org_unit_id", "household_id", "id"]
        indexes = [
            models.Index(fields=["org_unit", "special_status"], name="person_unit_status"),
            # Age filters within a branch. The included columns (PostgreSQL only; SQLite ignores INCLUDE)
            # let a county's count of "women 20–40, rural, alive" be an index-only scan per village instead
            # of reading every heap row of the age range across the province (benchmarks/README.md).
            models.Index(
                fields=["org_unit", "birth_date"],
                include=["sex", "hukou_type", "died_on"],
                name="person_unit_birth_incl",
            ),
            # Every list filters on alive/deceased; counts over a county use this (bench registry: 558 → 10 ms).
            models.Index(fields=["org_unit", "died_on"], name="person_unit_alive"),
            # Pinyin and initials prefix search within a branch (SQLite ignores the single-column ones).
            # selectors.search_q bounds every search by the first letter of name_pinyin, so a county's count
            # is one range per village here; on PostgreSQL the included columns make it index-only.
            models.Index(
                fields=["org_unit", "name_pinyin"],
                include=["name_initials", "died_on"],
                name="person_unit_pinyin_incl",
            ),
            models.Index(fields=["org_unit", "name_initials"], name="person_unit_initials"),
            # Migrants are ~5% of a county: a partial index keeps "migrants in county X" from reading all.
            # `filter(is_migrant=True)` compiles to the predicate's own SQL (`WHERE "is_migrant"`), so
            # PostgreSQL matches it; the included died_on makes the count of living migrants index-only.
            models.Index(
                fields=["org_unit"],
                include=["died_on"],
                condition=Q(is_migrant=True),
                name="person_unit_migrants_incl",
            ),
            # Programme eligibility starts from special-family status (special assistance over 1M persons on
            # SQLite: 2.4 s walking the birth-date index → 0.03 s).
            models.Index(fields=["special_status", "birth_date"], name="person_status_birth"),
            # "Is this household a special family?" (association care: a county's gap page and the province
            # coverage report ask it of every household): the living bereaved and disabled-child persons by
            # household, a few percent of all persons. The predicate is the one `association.selectors.care
            # .is_special` writes, so PostgreSQL matches it; SQLite uses it too.
            models.Index(
                fields=["household"],
                condition=Q(
                    special_status__in=[SpecialStatus.BEREAVED, SpecialStatus.DISABLED_CHILD],
                    died_on__isnull=True,
                ),
                name="person_special_household",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_index"], name="person_id_index_unique"),
            models.UniqueConstraint(fields=["import_key"], name="person_import_key_unique"),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True)
                | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="person_disability_grade_1_4",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_alive(self) -> bool:
        return self.died_on is None


class BankAccount(models.Model):
    """Kept apart from the person row: only payment work needs it."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="bank_account")
    bank_name = models.CharField(_("开户银行"), max_length=100)
    account_number = EncryptedTextField(_("银行账号"))
    account_masked = models.CharField(_("银行账号"), max_length=40, editable=False)
    account_index = models.CharField(max_length=64, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_masked}"


class ParentChild(models.Model):
    # No index of its own: `parentchild_unique` starts with parent.
    parent = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="child_links", db_index=False)
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="parent_links")
    basis = models.CharField(_("关系"), max_length=10, choices=ChildBasis.choices, default=ChildBasis.BIRTH)
    since = models.DateField(_("起始日期"), null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="parentchild_unique"),
            models.CheckConstraint(condition=~Q(parent=models.F("child")), name="parentchild_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.parent_id}→{self.child_id}"


class Marriage(models.Model):
    """Stored once per couple, `a` the lower id. A divorce ends it; a remarriage is a new row."""

    a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    married_on = models.DateField(_("结婚日期"), null=True, blank=True)
    ended_on = models.DateField(_("离婚日期"), null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(a__lt=models.F("b")), name="marriage_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.a_id}⚭{self.b_id}"


class LifeEvent(models.Model):
    """What happened, when, recorded by whom. Facts on Person are the result of these events; a mistake is
    corrected by a new `correction` event, never by editing an old one."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=12, choices=EventKind.choices)
    occurred_on = models.DateField(_("发生日期"))
    related_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("相关人员")
    )
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)
    to_unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("迁往"),
    )
    changes = models.JSONField(_("更正内容"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class Consent(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("用途"), max_length=12, choices=ConsentPurpose.choices)
    scope = models.CharField(_("范围"), max_length=200)
    given_on = models.DateField(_("同意日期"))
    given_by = models.CharField(_("同意人"), max_length=50, help_text=_("本人，或监护人姓名"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.given_on}"


class TransferRequest(models.Model):
    """A branch asks for a person registered elsewhere (found only by their ID) to be transferred to it."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("已拒绝")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="transfer_requests")
    to_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("迁入村(社区)")
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("处理意见"), max_length=300, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} → {self.to_unit_id}"


class StagedFile(models.Model):
    """What every staged Excel import keeps of its uploaded file, whatever its rows hold: who uploaded it
    under which branch, its SHA-256 (the same file under the same branch leads back to its batch), the row
    counts, the validate and commit jobs, where a resumed commit starts, and when each step ran. The
    registry's household import (`ImportBatch`) and the association's member import (`MemberImport`) add
    their status and their own counts."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("导入到")
    )
    file_name = models.CharField(_("文件名"), max_length=120)
    digest = models.CharField(_("文件摘要(SHA-256)"), max_length=64)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    invalid_rows = models.PositiveIntegerField(_("错误行数"), default=0)
    # The last unit committed (a row, or a household): a resumed commit starts after it.
    commit_checkpoint = models.PositiveIntegerField(default=0, editable=False)
    validate_job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    commit_job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    loaded_at = models.DateTimeField(null=True, blank=True, editable=False)
    validated_at = models.DateTimeField(_("校验时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.file_name} #{self.pk}"


class ImportBatch(StagedFile):
    """One uploaded Excel file of households, staged row by row (ImportRow), validated, then committed.

    The same file (same SHA-256) uploaded again under the same branch leads back to this batch, so a file
    is never imported twice; the same people in another file are refused by the ID blind index."""

    class Status(models.TextChoices):
        STAGED = "staged", _("校验中")
        VALIDATED = "validated", _("已校验")
        COMMITTED = "committed", _("已导入")
        FAILED = "failed", _("失败")

    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.STAGED)
    valid_rows = models.PositiveIntegerField(_("有效行数"), default=0)
    imported_rows = models.PositiveIntegerField(_("已导入人数"), default=0)
    households_created = models.PositiveIntegerField(_("已导入户数"), default=0)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "digest"], name="importbatch_unit_digest"),
        ]


class ImportRow(models.Model):
    """A staged row, as typed in the file (the ID and phone encrypted like everywhere else; a valid ID or
    phone normalised, with the columns derived from it), with the validation verdict and, once imported,
    the person it became."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待校验")
        VALID = "valid", _("有效")
        INVALID = "invalid", _("有错误")
        IMPORTED = "imported", _("已导入")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("行号"))
    household_number = models.CharField(_("户编号"), max_length=60, blank=True)
    village_code = models.CharField(_("村(社区)代码"), max_length=40, blank=True)
    address = models.CharField(_("住址"), max_length=300, blank=True)
    hukou_type = models.CharField(_("户籍类型"), max_length=20, blank=True)
    name = models.CharField(_("姓名"), max_length=100, blank=True)
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_masked = models.CharField(_("身份证号"), max_length=40, blank=True)
    id_index = models.CharField(max_length=64, null=True, blank=True)
    # Derived from a valid ID at staging (services.id_fields), so that the commit need not decrypt it.
    id_legacy = EncryptedTextField(blank=True)
    sex = models.CharField(max_length=6, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    relation = models.CharField(_("与户主关系"), max_length=20, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_masked = models.CharField(max_length=20, blank=True)
    hukou_place = models.CharField(_("户籍地"), max_length=300, blank=True)
    certificate = models.CharField(_("持有光荣证"), max_length=10, blank=True)
    migrant = models.CharField(_("流动人口"), max_length=10, blank=True)
    household_key = models.CharField(max_length=120)
    # Households numbered in order of first appearance: commits go in ranges of these.
    household_seq = models.PositiveIntegerField()
    person_key = models.CharField(max_length=40)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(_("错误原因"), blank=True)
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        ordering = ["batch_id", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="importrow_batch_row"),
        ]
        indexes = [
            models.Index(fields=["batch", "status", "row_number"], name="importrow_batch_status"),
            models.Index(fields=["batch", "household_seq"], name="importrow_batch_household"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"

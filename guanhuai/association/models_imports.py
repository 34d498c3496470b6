"""The member import's staging: one `MemberImport` per uploaded file and branch, one `MemberImportRow` per
row as typed, with its verdict and what it will do (a new membership, or a lapsed one re-registered), so the
uploader sees a preview before anything is written. Like the registry's household import (`ImportBatch`,
`ImportRow`); the steps are in `services/members_import.py`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanhuai.association.states import ImportAction, ImportRowStatus, ImportStatus
from guanhuai.core.crypto import EncryptedTextField
from guanhuai.core.scopes import ScopedManager
from guanhuai.registry.models import StagedFile


class MemberImport(StagedFile):
    """One uploaded member file under one branch (the registry's `StagedFile`: the same file under the same
    branch leads back to this batch, so a file is never imported twice)."""

    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.STAGED
    )
    to_create = models.PositiveIntegerField(_("将新入会"), default=0)
    to_reinstate = models.PositiveIntegerField(_("将恢复会籍"), default=0)
    imported_rows = models.PositiveIntegerField(_("已导入"), default=0)

    class Meta:
        verbose_name = _("会员导入批次")
        verbose_name_plural = _("会员导入批次")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "digest"], name="memberimport_unit_digest"),
        ]

    @property
    def valid_rows(self) -> int:
        return self.to_create + self.to_reinstate


class MemberImportRow(models.Model):
    """A staged row as typed (the ID encrypted, masked for display, its blind index for the lookup), the
    verdict, what it will do, and once imported the membership it made or re-registered."""

    batch = models.ForeignKey(MemberImport, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("行号"))
    village_code = models.CharField(_("村(社区)代码"), max_length=40, blank=True)
    name = models.CharField(_("姓名"), max_length=100, blank=True)
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_masked = models.CharField(_("身份证号"), max_length=40, blank=True)
    id_index = models.CharField(max_length=64, null=True, blank=True)
    in_registry = models.CharField(_("户籍库人员"), max_length=10, blank=True)
    joined_text = models.CharField(_("入会日期"), max_length=40, blank=True)
    joined_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportRowStatus.choices, default=ImportRowStatus.PENDING
    )
    action = models.CharField(_("导入后"), max_length=10, choices=ImportAction.choices, blank=True)
    error = models.TextField(_("错误原因"), blank=True)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "association.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("会员导入行")
        verbose_name_plural = _("会员导入行")
        ordering = ["batch_id", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="memberimportrow_batch_row"),
        ]
        indexes = [
            models.Index(fields=["batch", "status", "row_number"], name="memberimportrow_status"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"

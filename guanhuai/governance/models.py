"""Charters (村民自治章程), village rules (村规民约) and residents' compacts (居民公约) as versioned documents
made of numbered chapters and clauses. docs/governance.md says why each choice was made.

- A `Document` is one village's charter (or rules, or compact): one per village and kind (see Meta).
- A `DocumentVersion` is one text of it. A draft may be edited; an adopted version never is (the services
  refuse it) and carries the SHA-256 `fingerprint` of its normalised text (`governance.text`), so anyone can
  check that the text filed with the township is the text the assembly adopted.
- A `Clause` is one numbered article (第N条), under an optional chapter (第N章). `origin` points to the clause
  of the earlier version it was drafted from, which makes a diff between revisions exact even when clauses
  are renumbered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager
from guanhuai.governance.models_designation import Designation, DesignationApplication, DesignationReview
from guanhuai.governance.models_filing import Filing, FilingEvent
from guanhuai.governance.models_meetings import (
    Delegate,
    Meeting,
    MeetingRequest,
    Motion,
    RollEntry,
    TallyEntry,
    VillagerGroup,
    Vote,
)
from guanhuai.governance.states import AmendmentStatus, DocumentKind, ProposerKind, VersionStatus

__all__ = [
    "Amendment",
    "AmendmentEvent",
    "Clause",
    "Document",
    "DocumentVersion",
    "Filing",
    "FilingEvent",
    "Meeting",
    "Motion",
    "ReviewPattern",
    # --- the assemblies' part ---
    "Delegate",
    "MeetingRequest",
    "RollEntry",
    "TallyEntry",
    "VillagerGroup",
    "Vote",
    # --- demonstration villages and counties ---
    "Designation",
    "DesignationApplication",
    "DesignationReview",
]


class Document(models.Model):
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村(社区)")
    )
    kind = models.CharField(_("类别"), max_length=24, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    # Where the law lets the villagers' assembly authorise the representatives' meeting to adopt (the
    # `rules.ADOPTION` rows with `needs_authorisation`), the assembly's passed motion that did so.
    representatives_authorised_by = models.ForeignKey(
        Motion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("授权村民代表会议通过的议题"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("自治文本")
        verbose_name_plural = _("自治文本")
        # One per village and kind is checked by `document_create`, not by a constraint: when two villages
        # merge, both villages' texts follow the merged village (receivers.py) until it adopts its own.
        indexes = [models.Index(fields=["unit", "kind"], name="gov_document_unit_kind")]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="versions", verbose_name=_("文本")
    )
    number = models.PositiveSmallIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    # The draft this one was revised from (the version in force when drafting began).
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("修订自")
    )
    summary = models.CharField(_("修订说明"), max_length=500, blank=True)
    fingerprint = models.CharField(_("文本指纹（SHA-256）"), max_length=64, blank=True)
    adopted_by_motion = models.ForeignKey(
        Motion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_versions",
        verbose_name=_("通过的议题"),
    )
    adopted_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    # A version adopted before the platform (an imported charter) has no motion on record: the clerk notes
    # where the adoption is recorded (e.g. the paper minutes of an assembly).
    adopted_note = models.CharField(_("通过情况说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("文本版本")
        verbose_name_plural = _("文本版本")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="gov_version_unique_number"),
            # One version in force, and one draft at a time, per document.
            models.UniqueConstraint(
                fields=["document"], condition=Q(status=VersionStatus.DRAFT), name="gov_version_one_draft"
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status=VersionStatus.ADOPTED),
                name="gov_version_one_in_force",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[VersionStatus.DRAFT, VersionStatus.WITHDRAWN])
                | (Q(adopted_at__isnull=False) & ~Q(fingerprint="")),
                name="gov_version_adopted_has_date_and_fingerprint",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Clause(models.Model):
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="clauses", verbose_name=_("版本")
    )
    position = models.PositiveIntegerField(_("顺序"))
    chapter_number = models.PositiveSmallIntegerField(_("章"), null=True, blank=True)
    chapter_title = models.CharField(_("章名"), max_length=100, blank=True)
    number = models.PositiveIntegerField(_("条"))
    text = models.TextField(_("条文"))
    origin = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修订前条款"),
    )

    class Meta:
        verbose_name = _("条款")
        verbose_name_plural = _("条款")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="gov_clause_unique_number"),
            models.UniqueConstraint(fields=["version", "position"], name="gov_clause_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.number}"


class Amendment(models.Model):
    """A proposal by villagers or representatives to change one clause of a draft (or, without `clause`, to
    add one). Accepting it writes the proposed text into the draft; rejecting it needs a reason. Its
    `events` are the log of what happened to it and who did it."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("草案")
    )
    clause = models.ForeignKey(
        Clause,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("修改的条款"),
    )
    # The clause number when proposed, kept if the clause is later removed from the draft.
    clause_number = models.PositiveIntegerField(_("条"), null=True, blank=True)
    proposed_text = models.TextField(_("建议条文"))
    proposer = models.CharField(_("提议人"), max_length=100)
    proposer_kind = models.CharField(_("提议人身份"), max_length=16, choices=ProposerKind.choices)
    reason = models.CharField(_("提议理由"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=AmendmentStatus.choices, default=AmendmentStatus.PROPOSED
    )
    decision_reason = models.CharField(_("处理意见"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("修改建议")
        verbose_name_plural = _("修改建议")
        ordering = ["version", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=AmendmentStatus.REJECTED) | ~Q(decision_reason=""),
                name="gov_amendment_rejected_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposer}: {self.proposed_text[:30]}"


class AmendmentEvent(models.Model):
    """One line of an amendment's log: proposed, accepted or rejected, by whom, when, with the note."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("状态"), max_length=12, choices=AmendmentStatus.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["amendment", "at", "pk"]

    def __str__(self) -> str:
        return self.get_status_display()


class ReviewPattern(models.Model):
    """One item of the legal-review checklist: a pattern of content the law forbids in a charter or village
    rules, why, and the legal basis. Data (migration `0003_review_patterns` writes the national list; the
    governance officer can add and retire items). A match is a warning for a person to judge, shown on the
    clause; it never blocks adoption or filing by itself."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    title = models.CharField(_("审查要点"), max_length=100)
    # A Python regular expression over the clause's normalised text (no spaces).
    pattern = models.CharField(_("匹配规则"), max_length=500)
    reason = models.CharField(_("提示理由"), max_length=500)
    legal_basis = models.CharField(_("法律依据"), max_length=500)
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("合法性审查要点")
        verbose_name_plural = _("合法性审查要点")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.title

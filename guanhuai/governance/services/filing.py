"""Filing (备案) with the township: the village submits its adopted text; the township reviewer either files
it or returns it for correction naming the clauses; the village resubmits (a corrected version adopted
since, or the same version with its explanation). The legal-review warnings at each step are stored in the
filing's log, as the reviewer saw them. A text that is not adopted cannot be filed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.states import transition
from guanhuai.governance import review
from guanhuai.governance.models import DocumentVersion, Filing, FilingEvent
from guanhuai.governance.permissions import DRAFT, REVIEW_FILING, VIEW
from guanhuai.governance.states import FILING_TRANSITIONS, FilingAction, FilingStatus, VersionStatus


def _adopted(version: DocumentVersion) -> None:
    if version.status != VersionStatus.ADOPTED:
        raise ValidationError(
            _("第%(n)s版%(status)s：只有经会议表决通过、现行有效的版本才能报送备案。")
            % {"n": version.number, "status": VersionStatus(version.status).label},
            code="version",
        )


def _warnings(version: DocumentVersion) -> list[dict[str, object]]:
    return [f.as_json() for f in review.review(version.clauses.order_by("position"))]


def _fresh(version: DocumentVersion) -> DocumentVersion:
    """The version as it stands now (its status may have moved since the caller read it)."""
    return DocumentVersion.objects.select_related("document__unit").unscoped("re-read").get(pk=version.pk)


def filing_submit(*, actor: Actor, version: DocumentVersion, note: str = "") -> Filing:
    version = _fresh(version)
    document = version.document
    scoping.require(actor, DRAFT, document.unit, visible_perm=VIEW)
    _adopted(version)
    if (
        Filing.objects.filter(version=version, status=FilingStatus.FILED)
        .unscoped("the version was scoped")
        .exists()
    ):
        raise Conflict(_("这个版本已经备案。"), code="version")
    now = timezone.now()
    try:
        with transaction.atomic():
            filing = Filing.objects.create(
                unit=document.unit,
                document=document,
                version=version,
                submitted_at=now,
                created_by=signed_in(actor),
            )
            FilingEvent.objects.create(
                filing=filing,
                action=FilingAction.SUBMITTED,
                version=version,
                note=note.strip()[:1000],
                warnings=_warnings(version),
                actor=signed_in(actor),
            )
            log(filing, "governance.filing.submitted", actor=actor, org_unit=document.unit)
    except IntegrityError:
        raise Conflict(_("这份文本已有一次备案正在办理，请等待乡镇审查结果。"), code="filing_open")
    return filing


def filing_return(*, actor: Actor, filing: Filing, clauses: Iterable[int], reason: str) -> Filing:
    """Returned for correction: the reviewer names the clauses (numbers of the submitted version) and why."""
    scoping.require(actor, REVIEW_FILING, filing.unit, visible_perm=VIEW)
    numbers = sorted(set(clauses))
    if not numbers:
        raise ValidationError(_("退回修改须指明需要修改的条款。"), code="clauses")
    if not reason.strip():
        raise ValidationError(_("退回修改须说明理由。"), code="reason")
    with transaction.atomic():
        filing = relock(filing)
        existing = set(filing.version.clauses.filter(number__in=numbers).values_list("number", flat=True))
        missing = [n for n in numbers if n not in existing]
        if missing:
            raise ValidationError(
                _("报送的版本中没有第%(n)s条。") % {"n": "、".join(str(n) for n in missing)}, code="clauses"
            )
        transition(filing, FilingStatus.RETURNED, FILING_TRANSITIONS)
        filing.returned_clauses = numbers
        filing.return_reason = reason.strip()[:1000]
        filing.decided_at = timezone.now()
        filing.save(update_fields=["status", "returned_clauses", "return_reason", "decided_at"])
        FilingEvent.objects.create(
            filing=filing,
            action=FilingAction.RETURNED,
            version=filing.version,
            note=filing.return_reason,
            clauses=numbers,
            warnings=_warnings(filing.version),
            actor=signed_in(actor),
        )
        log(
            filing, "governance.filing.returned", actor=actor, org_unit=filing.unit, data={"clauses": numbers}
        )
    return filing


def filing_resubmit(
    *, actor: Actor, filing: Filing, version: DocumentVersion | None = None, note: str = ""
) -> Filing:
    """Resubmitted after a return: with the corrected version adopted since, or with the same version and
    an explanation (the village may disagree with a finding: the reviewer decides again)."""
    scoping.require(actor, DRAFT, filing.unit, visible_perm=VIEW)
    with transaction.atomic():
        filing = relock(filing)
        version = _fresh(version or filing.version)
        if version.document_id != filing.document_id:
            raise ValidationError(_("只能报送同一文本的版本。"), code="version")
        _adopted(version)
        if version.pk == filing.version_id and not note.strip():
            raise ValidationError(_("未修改就重新报送，须说明对退回意见的处理情况。"), code="note")
        transition(filing, FilingStatus.SUBMITTED, FILING_TRANSITIONS)
        filing.version = version
        filing.submitted_at = timezone.now()
        filing.save(update_fields=["status", "version", "submitted_at"])
        FilingEvent.objects.create(
            filing=filing,
            action=FilingAction.RESUBMITTED,
            version=version,
            note=note.strip()[:1000],
            warnings=_warnings(version),
            actor=signed_in(actor),
        )
        log(
            filing,
            "governance.filing.resubmitted",
            actor=actor,
            org_unit=filing.unit,
            data={"version": version.number},
        )
    return filing


def filing_file(*, actor: Actor, filing: Filing, note: str = "") -> Filing:
    scoping.require(actor, REVIEW_FILING, filing.unit, visible_perm=VIEW)
    with transaction.atomic():
        filing = relock(filing)
        if filing.version.status != VersionStatus.ADOPTED:
            raise ValidationError(_("报送的版本已不是现行版本，请退回，由村里报送现行版本。"), code="version")
        transition(filing, FilingStatus.FILED, FILING_TRANSITIONS)
        filing.decided_at = timezone.now()
        filing.save(update_fields=["status", "decided_at"])
        FilingEvent.objects.create(
            filing=filing,
            action=FilingAction.FILED,
            version=filing.version,
            note=note.strip()[:1000],
            warnings=_warnings(filing.version),
            actor=signed_in(actor),
        )
        log(filing, "governance.filing.filed", actor=actor, org_unit=filing.unit)
    return filing

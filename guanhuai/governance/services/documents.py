"""Writes of charters, village rules and their versions. Each checks the permission at the village, runs in
one transaction and writes audit there.

- A draft is the only editable version. Editing an adopted (or superseded) version is refused with a
  message that says to draft a revision; the database has no UPDATE path around that other than these
  services.
- A revision is drafted from the version in force: its clauses are copies that remember their origin, so
  the diff knows which clause became which (diff.py).
- A version is adopted only through `version_adopt(motion=...)`: a passed motion, about this version, of a
  meeting of this village whose kind `rules.ADOPTION` allows for the document's kind."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.states import transition
from guanhuai.governance import review, rules, text
from guanhuai.governance.models import Amendment, AmendmentEvent, Clause, Document, DocumentVersion, Motion
from guanhuai.governance.parse import Parsed
from guanhuai.governance.permissions import DRAFT, RUN_MEETINGS, VIEW
from guanhuai.governance.states import (
    AMENDMENT_TRANSITIONS,
    VERSION_TRANSITIONS,
    AmendmentStatus,
    DocumentKind,
    MeetingKind,
    MotionStatus,
    ProposerKind,
    VersionStatus,
)
from guanhuai.orgs.models import Level

MAX_CLAUSE = 2000  # characters in one clause


def document_create(*, actor: Actor, unit: Any, kind: str, title: str) -> Document:
    """A village's (or community's) new charter, rules or compact, without a version yet."""
    scoping.require(actor, DRAFT, unit, visible_perm=VIEW)
    if unit.level != Level.VILLAGE:
        raise ValidationError(_("自治章程和村规民约属于村(社区)，请选择村或社区。"), code="unit")
    if kind not in DocumentKind.values:
        raise ValidationError(_("未知的文本类别。"), code="kind")
    if not title.strip():
        raise ValidationError(_("请填写标题。"), code="title")
    if Document.objects.filter(unit=unit, kind=kind).exists():
        raise ValidationError(
            _("本村已有%(kind)s，请在原文本上起草修订稿。") % {"kind": DocumentKind(kind).label}, code="kind"
        )
    with transaction.atomic():
        document = Document(unit=unit, kind=kind, title=title.strip(), created_by=signed_in(actor))
        document.full_clean()
        document.save()
        log(document, "governance.document.created", actor=actor, org_unit=unit)
    return document


def _editable(version: DocumentVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            _("第%(n)s版%(status)s，不能修改；如需修改，请从现行版本起草修订稿。")
            % {"n": version.number, "status": VersionStatus(version.status).label},
            code="version_not_draft",
        )


def _clean_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError(_("条文不能为空。"), code="text")
    if len(value) > MAX_CLAUSE:
        raise ValidationError(_("一条不能超过%(n)d个字。") % {"n": MAX_CLAUSE}, code="text")
    return value


def version_draft(*, actor: Actor, document: Document, summary: str = "") -> DocumentVersion:
    """A new draft: a copy of the version in force (each clause remembering its origin), or an empty one
    for a document that has none. One draft at a time."""
    scoping.require(actor, DRAFT, document.unit, visible_perm=VIEW)
    with transaction.atomic():
        relock(document)
        versions = DocumentVersion.objects.filter(document=document).unscoped("the document was scoped")
        if versions.filter(status=VersionStatus.DRAFT).exists():
            raise Conflict(_("这份文本已有一份草案，请在草案上修改。"), code="draft_exists")
        in_force = versions.filter(status=VersionStatus.ADOPTED).first()
        number = (versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        draft = DocumentVersion.objects.create(
            document=document,
            number=number,
            based_on=in_force,
            summary=summary.strip(),
            created_by=signed_in(actor),
        )
        if in_force is not None:
            Clause.objects.bulk_create(
                Clause(
                    version=draft,
                    position=c.position,
                    chapter_number=c.chapter_number,
                    chapter_title=c.chapter_title,
                    number=c.number,
                    text=c.text,
                    origin=c,
                )
                for c in in_force.clauses.all()
            )
        log(
            draft,
            "governance.version.drafted",
            actor=actor,
            org_unit=document.unit,
            data={"based_on": in_force.number if in_force else None},
        )
    return draft


def _renumber(version: DocumentVersion) -> None:
    """Positions and clause numbers 1…n in reading order (Chinese charters number clauses straight through
    the chapters). Two passes, so the unique (version, number/position) pairs never collide mid-way."""
    clauses = list(version.clauses.order_by("position", "pk"))
    offset = len(clauses) + 1000
    Clause.objects.filter(version=version).update(
        position=F("position") + offset, number=F("number") + offset
    )
    for i, clause in enumerate(clauses, start=1):
        clause.position = clause.number = i
    Clause.objects.bulk_update(clauses, ["position", "number"])


def clause_save(
    *,
    actor: Actor,
    version: DocumentVersion,
    text: str,
    clause: Clause | None = None,
    chapter_number: int | None = None,
    chapter_title: str = "",
    before: int | None = None,
) -> Clause:
    """Edit a clause of a draft, or add one (at the end, or before the clause numbered `before`)."""
    document = version.document
    scoping.require(actor, DRAFT, document.unit, visible_perm=VIEW)
    body = _clean_text(text)
    with transaction.atomic():
        version = relock(version)
        _editable(version)
        if clause is not None:
            if clause.version_id != version.pk:
                raise ValidationError(_("该条款不属于这份草案。"), code="clause")
            old = clause.text
            clause.text, clause.chapter_number, clause.chapter_title = (
                body,
                chapter_number,
                chapter_title.strip(),
            )
            clause.full_clean()
            clause.save(update_fields=["text", "chapter_number", "chapter_title"])
            changes: dict[str, Any] = {"text": [old, body]}
        else:
            last = version.clauses.order_by("-position").first()
            position = (last.position if last else 0) + 1
            if before is not None:
                target = version.clauses.filter(number=before).first()
                if target is None:
                    raise ValidationError(_("草案中没有第%(n)s条。") % {"n": before}, code="before")
                position = target.position
                Clause.objects.filter(version=version, position__gte=position).update(
                    position=F("position") + 100000, number=F("number") + 100000
                )
            clause = Clause.objects.create(
                version=version,
                position=position,
                number=position,
                chapter_number=chapter_number,
                chapter_title=chapter_title.strip(),
                text=body,
            )
            _renumber(version)
            clause.refresh_from_db()
            changes = {"text": [None, body]}
        log(
            version,
            "governance.version.edited",
            actor=actor,
            org_unit=document.unit,
            changes=changes,
            data={"clause": clause.number},
        )
    return clause


def clause_remove(*, actor: Actor, clause: Clause) -> None:
    version = clause.version
    scoping.require(actor, DRAFT, version.document.unit, visible_perm=VIEW)
    with transaction.atomic():
        version = relock(version)
        _editable(version)
        number, old = clause.number, clause.text
        clause.delete()
        _renumber(version)
        log(
            version,
            "governance.version.edited",
            actor=actor,
            org_unit=version.document.unit,
            changes={"text": [old, None]},
            data={"clause": number, "removed": True},
        )


def _create_clauses(version: DocumentVersion, parsed: Parsed) -> list[Clause]:
    return Clause.objects.bulk_create(
        Clause(
            version=version,
            position=i,
            number=i,
            chapter_number=c.chapter_number,
            chapter_title=c.chapter_title[:100],
            text=_clean_text(c.text),
        )
        for i, c in enumerate(parsed.clauses, start=1)
    )


def version_withdraw(*, actor: Actor, version: DocumentVersion, reason: str) -> DocumentVersion:
    scoping.require(actor, DRAFT, version.document.unit, visible_perm=VIEW)
    if not reason.strip():
        raise ValidationError(_("撤回草案须说明理由。"), code="reason")
    with transaction.atomic():
        version = relock(version)
        transition(version, VersionStatus.WITHDRAWN, VERSION_TRANSITIONS)
        version.save(update_fields=["status"])
        log(
            version,
            "governance.version.withdrawn",
            actor=actor,
            org_unit=version.document.unit,
            data={"reason": reason},
        )
    return version


def adoption_refusal(version: DocumentVersion, motion: Motion) -> str | None:
    """Why `motion` cannot adopt `version` (a translated sentence), or None. Shown on the page before the
    clerk presses the button, and checked again by `version_adopt`."""
    document = version.document
    meeting = motion.meeting
    if motion.document_version_id != version.pk:
        return _("该议题表决的不是这个版本。")
    if meeting.unit_id != document.unit_id:
        return _("该议题不是本村(社区)会议的议题。")
    if motion.status != MotionStatus.PASSED:
        return _("议题“%(motion)s”%(status)s，不能据此通过文本。") % {
            "motion": motion.title,
            "status": MotionStatus(motion.status).label,
        }
    rule = rules.adoption_rule(document.kind, meeting.kind)
    if rule is None:
        allowed = "、".join(str(MeetingKind(k).label) for k in rules.adopting_kinds(document.kind))
        return _("%(kind)s只能由%(allowed)s表决通过，%(meeting)s不能通过。") % {
            "kind": DocumentKind(document.kind).label,
            "allowed": allowed,
            "meeting": MeetingKind(meeting.kind).label,
        }
    if rule.needs_authorisation:
        granted = document.representatives_authorised_by
        if granted is None or granted.status != MotionStatus.PASSED:
            return _("村民会议尚未授权村民代表会议通过%(kind)s（%(basis)s）。") % {
                "kind": DocumentKind(document.kind).label,
                "basis": rule.basis,
            }
    return None


def version_adopt(*, actor: Actor, version: DocumentVersion, motion: Motion) -> DocumentVersion:
    """The draft becomes the version in force, by `motion`; the version it replaces is superseded. The
    fingerprint is taken now, from the clauses as adopted. The legal review runs once more: its warnings are
    written to the audit entry, for the record, and never stop the adoption (a person judged them)."""
    document = version.document
    scoping.require(actor, RUN_MEETINGS, document.unit, visible_perm=VIEW)
    with transaction.atomic():
        version = relock(version)
        if version.status != VersionStatus.DRAFT:
            _editable(version)
        motion = Motion.objects.select_related("meeting").get(pk=motion.pk)
        refusal = adoption_refusal(version, motion)
        if refusal:
            raise ValidationError(refusal, code="motion")
        clauses = list(version.clauses.order_by("position"))
        if not clauses:
            raise ValidationError(_("草案没有条款，不能通过。"), code="version")
        previous = (
            DocumentVersion.objects.filter(document=document, status=VersionStatus.ADOPTED)
            .unscoped("the document was scoped")
            .select_for_update()
            .first()
        )
        if previous is not None:
            transition(previous, VersionStatus.SUPERSEDED, VERSION_TRANSITIONS)
            previous.save(update_fields=["status"])
        transition(version, VersionStatus.ADOPTED, VERSION_TRANSITIONS)
        version.fingerprint = text.fingerprint(clauses)
        version.adopted_by_motion = motion
        version.adopted_at = timezone.now()
        version.save(update_fields=["status", "fingerprint", "adopted_by_motion", "adopted_at"])
        findings = review.review(clauses)
        log(
            version,
            "governance.version.adopted",
            actor=actor,
            org_unit=document.unit,
            data={
                "motion": motion.pk,
                "meeting": motion.meeting_id,
                "fingerprint": version.fingerprint,
                "superseded": previous.number if previous else None,
                "warnings": [f.as_json() for f in findings],
            },
        )
    return version


def version_import(
    *,
    actor: Actor,
    unit: Any,
    kind: str,
    parsed: Parsed,
    title: str = "",
    adopted_note: str = "",
    source: str = "",
) -> DocumentVersion:
    """An existing text, parsed from .docx or plain text (parse.py). With `adopted_note` (where the
    adoption is on record: "2021年3月村民会议通过，纸质会议记录"), it is the version in force, adopted
    before the platform; without, a draft. The document is created when the village has none of this kind."""
    scoping.require(actor, DRAFT, unit, visible_perm=VIEW)
    document = Document.objects.filter(unit=unit, kind=kind).unscoped("permission checked above").first()
    if document is None:
        document = document_create(
            actor=actor, unit=unit, kind=kind, title=title or f"{unit.name}{DocumentKind(kind).label}"
        )
    with transaction.atomic():
        relock(document)
        versions = DocumentVersion.objects.filter(document=document).unscoped("the document was scoped")
        in_force = versions.filter(status=VersionStatus.ADOPTED).exists()
        if adopted_note.strip() and in_force:
            raise Conflict(
                _("这份文本已有现行版本；新的文本须经会议表决通过，请不填“通过情况”，作为草案导入。"),
                code="adopted_note",
            )
        if not adopted_note.strip() and versions.filter(status=VersionStatus.DRAFT).exists():
            raise Conflict(_("这份文本已有一份草案，请在草案上修改，或先撤回草案。"), code="draft_exists")
        number = (versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = DocumentVersion.objects.create(
            document=document,
            number=number,
            based_on=versions.filter(status=VersionStatus.ADOPTED).first(),
            summary=(_("导入：%(source)s") % {"source": source})[:500] if source else "",
            created_by=signed_in(actor),
        )
        clauses = _create_clauses(version, parsed)
        if adopted_note.strip():
            version.status = VersionStatus.ADOPTED  # adopted before the platform: recorded, not decided here
            version.adopted_note = adopted_note.strip()[:300]
            version.adopted_at = timezone.now()
            version.fingerprint = text.fingerprint(clauses)
            version.save(update_fields=["status", "adopted_note", "adopted_at", "fingerprint"])
        log(
            version,
            "governance.version.imported",
            actor=actor,
            org_unit=unit,
            data={"clauses": len(clauses), "source": source, "adopted": bool(adopted_note.strip())},
        )
    return version


# --- amendments ----------------------------------------------------------------------------------------------


def amendment_propose(
    *,
    actor: Actor,
    version: DocumentVersion,
    proposed_text: str,
    proposer: str,
    proposer_kind: str,
    clause: Clause | None = None,
    reason: str = "",
) -> Amendment:
    """Record a villager's or representative's proposal to change a clause of the draft (or, without a
    clause, to add one). The clerk records it; the proposer is named."""
    document = version.document
    scoping.require(actor, DRAFT, document.unit, visible_perm=VIEW)
    body = _clean_text(proposed_text)
    if not proposer.strip():
        raise ValidationError(_("请填写提议人。"), code="proposer")
    if proposer_kind not in ProposerKind.values:
        raise ValidationError(_("请选择提议人身份。"), code="proposer_kind")
    with transaction.atomic():
        version = relock(version)
        _editable(version)
        if clause is not None and clause.version_id != version.pk:
            raise ValidationError(_("该条款不属于这份草案。"), code="clause")
        if clause is not None and text.normalise(clause.text) == text.normalise(body):
            raise ValidationError(_("建议条文与现有条文相同。"), code="proposed_text")
        amendment = Amendment.objects.create(
            version=version,
            clause=clause,
            clause_number=clause.number if clause else None,
            proposed_text=body,
            proposer=proposer.strip(),
            proposer_kind=proposer_kind,
            reason=reason.strip()[:500],
            created_by=signed_in(actor),
        )
        AmendmentEvent.objects.create(
            amendment=amendment,
            status=AmendmentStatus.PROPOSED,
            note=amendment.reason,
            actor=signed_in(actor),
        )
        log(amendment, "governance.amendment.proposed", actor=actor, org_unit=document.unit)
    return amendment


def amendment_accept(*, actor: Actor, amendment: Amendment, note: str = "") -> Amendment:
    """Accepted: the proposed text goes into the draft (replacing the clause, or as a new last clause)."""
    version = amendment.version
    scoping.require(actor, DRAFT, version.document.unit, visible_perm=VIEW)
    with transaction.atomic():
        version = relock(version)
        _editable(version)
        amendment = relock(amendment)
        transition(amendment, AmendmentStatus.ACCEPTED, AMENDMENT_TRANSITIONS)
        amendment.decision_reason = note.strip()[:500]
        amendment.save(update_fields=["status", "decision_reason"])
        if amendment.clause_id is not None:
            Clause.objects.filter(pk=amendment.clause_id).update(text=amendment.proposed_text)
        else:
            last = version.clauses.order_by("-position").first()
            n = (last.position if last else 0) + 1
            Clause.objects.create(
                version=version,
                position=n,
                number=n,
                chapter_number=last.chapter_number if last else None,
                chapter_title=last.chapter_title if last else "",
                text=amendment.proposed_text,
            )
        AmendmentEvent.objects.create(
            amendment=amendment,
            status=AmendmentStatus.ACCEPTED,
            note=amendment.decision_reason,
            actor=signed_in(actor),
        )
        log(amendment, "governance.amendment.accepted", actor=actor, org_unit=version.document.unit)
    return amendment


def amendment_reject(*, actor: Actor, amendment: Amendment, reason: str) -> Amendment:
    version = amendment.version
    scoping.require(actor, DRAFT, version.document.unit, visible_perm=VIEW)
    if not reason.strip():
        raise ValidationError(_("不采纳修改建议须说明理由。"), code="reason")
    with transaction.atomic():
        amendment = relock(amendment)
        transition(amendment, AmendmentStatus.REJECTED, AMENDMENT_TRANSITIONS)
        amendment.decision_reason = reason.strip()[:500]
        amendment.save(update_fields=["status", "decision_reason"])
        AmendmentEvent.objects.create(
            amendment=amendment,
            status=AmendmentStatus.REJECTED,
            note=amendment.decision_reason,
            actor=signed_in(actor),
        )
        log(
            amendment,
            "governance.amendment.rejected",
            actor=actor,
            org_unit=version.document.unit,
            data={"reason": amendment.decision_reason},
        )
    return amendment

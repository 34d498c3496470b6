"""Reads of charters, village rules and their versions, scoped by `governance.view` on the village."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.governance.diff import Diff, diff
from guanhuai.governance.models import Amendment, AmendmentEvent, Clause, Document, DocumentVersion, Motion
from guanhuai.governance.permissions import VIEW
from guanhuai.governance.states import FilingStatus, MotionStatus, VersionStatus


def document_list(*, actor: Actor, unit: Any = None, perm: str = VIEW) -> QuerySet[Document]:
    """The documents of the actor's villages, each with its version in force (`in_force`, a list of at
    most one) and its number of versions, in two queries whatever the number of documents."""
    qs = scoping.scope(Document.objects.all(), actor, perm, unit_field="unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return _with_in_force(qs).order_by("unit__path", "kind")


def _with_in_force(qs: QuerySet[Document]) -> QuerySet[Document]:
    return (
        qs.select_related("unit")
        .annotate(version_count=Count("versions"))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.filter(status=VersionStatus.ADOPTED).unscoped(
                    "prefetched for documents already scoped"
                ),
                to_attr="in_force",
            )
        )
    )


def document_get(*, actor: Actor, document_id: Any, perm: str = VIEW) -> Document:
    """One document with `in_force` and `version_count` as in the list."""
    return scoping.get_or_404(
        _with_in_force(Document.objects.all()), actor, perm, unit_field="unit", pk=document_id
    )


def version_get(*, actor: Actor, version_id: Any, perm: str = VIEW) -> DocumentVersion:
    return scoping.get_or_404(
        DocumentVersion.objects.select_related("document__unit", "adopted_by_motion__meeting"),
        actor,
        perm,
        unit_field="document__unit",
        pk=version_id,
    )


def version_list(*, actor: Actor, document: Document) -> QuerySet[DocumentVersion]:
    """The versions of a document already read through scoping, newest first."""
    return (
        DocumentVersion.objects.filter(document=document)
        .unscoped("the document was read through scoping")
        .select_related("adopted_by_motion__meeting")
        .annotate(clause_count=Count("clauses"))
        .order_by("-number")
    )


def version_clauses(version: DocumentVersion) -> list[Clause]:
    return list(version.clauses.order_by("position"))


def version_pair(*, actor: Actor, first_id: Any, second_id: Any) -> tuple[DocumentVersion, DocumentVersion]:
    """Two versions of one document, for a diff; a version of another document is the same 404."""
    first = version_get(actor=actor, version_id=first_id)
    second = version_get(actor=actor, version_id=second_id)
    if first.document_id != second.document_id:
        raise NotFound(_("两个版本不属于同一份文本。"))
    return first, second


def version_diff(
    *, actor: Actor, first_id: Any, second_id: Any
) -> tuple[DocumentVersion, DocumentVersion, Diff]:
    first, second = version_pair(actor=actor, first_id=first_id, second_id=second_id)
    return first, second, diff(version_clauses(first), version_clauses(second))


def amendment_list(*, version: DocumentVersion) -> QuerySet[Amendment]:
    """The amendments of a version already read through scoping, with their logs, in two queries."""
    return (
        Amendment.objects.filter(version=version)
        .select_related("created_by")
        .prefetch_related(Prefetch("events", queryset=AmendmentEvent.objects.select_related("actor")))
        .order_by("pk")
    )


def amendment_get(*, actor: Actor, amendment_id: Any, perm: str = VIEW) -> Amendment:
    return scoping.get_or_404(
        Amendment.objects.select_related("version__document__unit", "clause"),
        actor,
        perm,
        unit_field="version__document__unit",
        pk=amendment_id,
    )


def clause_get(*, actor: Actor, clause_id: Any, perm: str = VIEW) -> Clause:
    return scoping.get_or_404(
        Clause.objects.select_related("version__document__unit"),
        actor,
        perm,
        unit_field="version__document__unit",
        pk=clause_id,
    )


def published_documents(*, unit: Any = None) -> QuerySet[DocumentVersion]:
    """For the public portal (no login): the versions in force that the township has filed, with their
    village. Public by law (村务公开), so not scoped by an actor; `unit` narrows to a subtree."""
    qs = DocumentVersion.objects.filter(
        status=VersionStatus.ADOPTED, filings__status=FilingStatus.FILED
    ).unscoped("public: filed texts in force are published (村务公开)")
    if unit is not None:
        qs = qs.filter(document__unit__path__startswith=unit.path)
    return qs.select_related("document__unit").distinct().order_by("document__unit__path", "document__kind")


def motions_about(*, version: DocumentVersion) -> list[Motion]:
    """The motions put to a vote on a version already read through scoping."""
    return list(
        Motion.objects.filter(document_version=version)
        .select_related("meeting")
        .order_by("-meeting__scheduled_at", "number")
    )


def adopting_motions(*, version: DocumentVersion) -> list[Motion]:
    """The passed motions about a version: the ones that could adopt it (the service checks each again:
    meeting kind, village)."""
    return [m for m in motions_about(version=version) if m.status == MotionStatus.PASSED]

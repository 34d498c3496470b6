"""Reads of member imports, scoped (MANAGE_MEMBERS: only who may import members into a branch sees its
batches), and the preview's rows (masked: the encrypted ID column is not even read)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.association.models import MemberImport, MemberImportRow
from guanhuai.association.permissions import MANAGE_MEMBERS
from guanhuai.association.states import ImportAction, ImportRowStatus

# The preview's row filters: the key in the query string → the rows it shows.
PREVIEW_SHOWS = ("errors", "create", "reinstate", "imported")


def member_import_list(*, actor: Actor) -> QuerySet[MemberImport]:
    return scoping.scope(MemberImport.objects.all(), actor, MANAGE_MEMBERS).select_related(
        "org_unit", "actor"
    )


def member_import_get(*, actor: Actor, batch_id: Any) -> MemberImport:
    return scoping.get_or_404(
        MemberImport.objects.select_related("org_unit", "actor", "validate_job", "commit_job"),
        actor,
        MANAGE_MEMBERS,
        pk=batch_id,
    )


def member_import_rows(*, batch: MemberImport, show: str = "errors") -> QuerySet[MemberImportRow]:
    """A batch's rows for the preview, by what they are: in error, to create, to re-register, imported."""
    qs = batch.rows.all()
    if show == "create":
        qs = qs.filter(status=ImportRowStatus.VALID, action=ImportAction.CREATE)
    elif show == "reinstate":
        qs = qs.filter(status=ImportRowStatus.VALID, action=ImportAction.REINSTATE)
    elif show == "imported":
        qs = qs.filter(status=ImportRowStatus.IMPORTED)
    else:
        qs = qs.filter(status=ImportRowStatus.INVALID)
    return qs.select_related("org_unit").defer("id_number").order_by("row_number")

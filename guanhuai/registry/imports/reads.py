"""Reads of import batches, scoped, and the error workbook."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.registry import io_excel
from guanhuai.registry.models import ImportBatch, ImportRow
from guanhuai.registry.permissions import IMPORT_PERSONS


def batch_list(*, actor: Actor) -> QuerySet[ImportBatch]:
    return scoping.scope(ImportBatch.objects.all(), actor, IMPORT_PERSONS).select_related("org_unit", "actor")


def batch_get(*, actor: Actor, batch_id: Any) -> ImportBatch:
    return scoping.get_or_404(
        ImportBatch.objects.select_related("org_unit", "actor", "validate_job", "commit_job"),
        actor,
        IMPORT_PERSONS,
        pk=batch_id,
    )


def invalid_rows(*, batch: ImportBatch) -> QuerySet[ImportRow]:
    """The rejected rows for the preview, masked: the encrypted columns are not even read."""
    return (
        batch.rows.filter(status=ImportRow.Status.INVALID).order_by("row_number").defer("id_number", "phone")
    )


def import_targets(*, actor: Actor) -> QuerySet[OrgUnit]:
    """Units an import may be confined to: the actor's own units and, below them, units down to township
    level (villages are chosen by code in the file)."""
    roots = scoping.root_paths(actor, IMPORT_PERSONS)
    return (
        scoping.units(actor, IMPORT_PERSONS)
        .open()
        .filter(
            Q(level__in=[Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP]) | Q(path__in=roots or [])
        )
        .order_by("path")
    )


def as_typed(r: ImportRow) -> dict[str, str]:
    """A staged row's cells; a valid 15-digit ID was staged upgraded, and goes back as it was typed."""
    values = {f: getattr(r, f) for f in io_excel.FIELDS}
    if r.id_legacy:
        values["id_number"] = r.id_legacy
    return values

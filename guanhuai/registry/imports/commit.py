"""Commit: the valid households, range by range of `household_seq`, each range one transaction."""

from __future__ import annotations

from collections import Counter, defaultdict
from types import SimpleNamespace as Rec
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core import crypto
from guanhuai.core.bulk import RowWriter
from guanhuai.core.validators import parse_resident_id
from guanhuai.jobs.models import Job
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry import family
from guanhuai.registry.imports.common import (
    COMMIT_HOUSEHOLDS,
    HUKOU_BY_TEXT,
    IMPORT_COMMIT,
    RELATION_BY_TEXT,
    YES_NO,
    Quiet,
    commit_close,
    commit_queue,
    commit_runs_as,
    hold_back_households,
    village_problem,
    villages,
)
from guanhuai.registry.models import Household, ImportBatch, ImportRow, Marriage, ParentChild, Person
from guanhuai.registry.permissions import IMPORT_PERSONS, VIEW_PERSONS
from guanhuai.registry.services import household_numbers_take, id_fields, name_fields, phone_fields
from guanhuai.registry.states import ChildBasis, RelationToHead


def commit_submit(*, actor: Actor, batch: ImportBatch) -> Job:
    """Queue the commit. A double click (or a second clerk) gets the same job: its key is the batch."""
    scoping.require(actor, IMPORT_PERSONS, batch.org_unit, visible_perm=VIEW_PERSONS)
    return commit_queue(batch, actor=actor, kind=IMPORT_COMMIT, committed=already_committed_message(batch))


def already_committed_message(batch: ImportBatch) -> str:
    when = timezone.localtime(batch.committed_at) if batch.committed_at else None
    return _("该文件已于%(when)s导入（批次 #%(id)d，%(n)d人）。") % {
        "when": date_format(when, "Y-m-d H:i") if when else "—",
        "id": batch.pk,
        "n": batch.imported_rows,
    }


def commit_batch(batch: ImportBatch, *, actor: Actor | None = None, progress: Any = None) -> ImportBatch:
    """Import the valid rows, household range by household range, resuming after the checkpoint.
    Committing a committed batch does nothing."""
    progress = progress or Quiet()
    batch.refresh_from_db()
    if batch.status == ImportBatch.Status.COMMITTED:
        return batch
    actor = commit_runs_as(batch, actor)
    scoping.require(actor, IMPORT_PERSONS, batch.org_unit, visible_perm=VIEW_PERSONS)
    todo = batch.rows.filter(status=ImportRow.Status.VALID)
    agg = todo.aggregate(n=Count("pk"), last=Max("household_seq"))
    progress.set_total(agg["n"] + batch.imported_rows)
    progress.step(batch.imported_rows)
    codes = set(todo.values_list("village_code", flat=True).distinct())
    units = villages(codes)
    problems = {c: village_problem(c, units.get(c), batch=batch, actor=actor) for c in codes}
    lo, last = batch.commit_checkpoint, agg["last"] or 0
    while lo < last:
        hi = lo + COMMIT_HOUSEHOLDS
        created, skipped = _commit_range(batch, lo, hi, units=units, problems=problems)
        progress.step(
            created + skipped,
            message=_("已导入 %(n)d 人") % {"n": batch.imported_rows},
            created=created,
            skipped=skipped,
        )
        lo = hi
    return commit_close(
        batch,
        actor=actor,
        action="registry.import.committed",
        data=lambda b: {
            "households": b.households_created,
            "persons": b.imported_rows,
            "rejected": b.invalid_rows,
            "rows": b.total_rows,
            "sha256": b.digest,
        },
    )


COMMIT_FIELDS = (
    "row_number",
    "household_key",
    "household_seq",
    "household_number",
    "village_code",
    "address",
    "hukou_type",
    "name",
    "id_masked",
    "id_index",
    "sex",
    "birth_date",
    "relation",
    "phone_masked",
    "hukou_place",
    "certificate",
    "migrant",
    "person_key",
)
# Copied as stored: staging encrypted the normalised values already.
CIPHER_FIELDS = ("id_number", "id_legacy", "phone")


def _staged(batch: ImportBatch, lo: int, hi: int) -> list[Any]:
    """The valid rows of households lo < household_seq <= hi, as plain tuples (a range holds thousands of
    rows), the encrypted columns read as their ciphertext."""
    return list(
        batch.rows.filter(status=ImportRow.Status.VALID, household_seq__gt=lo, household_seq__lte=hi)
        .order_by("household_seq", "row_number")
        .annotate(**{f"{f}_cipher": Cast(f, output_field=TextField()) for f in CIPHER_FIELDS})
        .values_list("pk", *COMMIT_FIELDS, *(f"{f}_cipher" for f in CIPHER_FIELDS), named=True)
    )


def _commit_range(
    batch: ImportBatch, lo: int, hi: int, *, units: dict[str, OrgUnit], problems: dict[str, str | None]
) -> tuple[int, int]:
    """One transaction: the valid households with lo < household_seq <= hi. Returns (created, held back)."""
    rows = _staged(batch, lo, hi)
    groups: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        groups[r.household_seq].append(r)
    with transaction.atomic():
        # Someone may have registered one of these people since validation: that household waits.
        taken = set(
            Person.objects.unscoped("an ID number is registered once across branches")
            .filter(id_index__in=[r.id_index for r in rows])
            .values_list("id_index", flat=True)
        )
        refused: dict[int, str] = {}
        # A household number from the file is kept, unless another household holds it already.
        typed = [n for g in groups.values() if (n := _head(g).household_number.strip())]
        numbers_held = set(
            Household.objects.unscoped("household numbers are unique across branches")
            .filter(number__in=typed)
            .values_list("number", flat=True)
        )
        numbers_seen: set[str] = set()
        for group in groups.values():
            head = _head(group)
            problem = problems.get(head.village_code)
            number = head.household_number.strip()
            if not problem and number and (number in numbers_held or number in numbers_seen):
                problem = _("户编号 %(n)s 已被其他户使用，整户未导入。") % {"n": number}
            numbers_seen.add(number)
            for r in group:
                if problem:
                    refused[r.pk] = problem
                elif r.id_index in taken:
                    refused[r.pk] = _("导入时发现该身份证号刚被登记，整户未导入。")
        if refused:
            errors: dict[int, list[str]] = {pk: [m] for pk, m in refused.items()}
            hold_back_households(rows, errors)
            ImportRow.objects.bulk_update(
                [
                    ImportRow(pk=pk, status=ImportRow.Status.INVALID, error="；".join(msgs))
                    for pk, msgs in errors.items()
                ],
                ["status", "error"],
                batch_size=500,
            )
            held = {r.household_seq for r in rows if r.pk in errors}
            groups = {seq: g for seq, g in groups.items() if seq not in held}
        households, persons, marriages, links = _build(batch, groups, units)
        # Whole new households: every child of every new parent is among these links, so the parents'
        # facts are written with them instead of rewriting every parent row afterwards.
        by_id = {p.id: p for p in persons}
        family.facts_at_insert(persons, [(by_id[rec.parent_id], by_id[rec.child_id]) for rec in links])
        _insert(households, persons, marriages, links)
        imported = batch.rows.filter(
            status=ImportRow.Status.VALID, household_seq__gt=lo, household_seq__lte=hi
        )
        # Once a row is a person, its staged copy of the ID and phone is no longer needed.
        imported.update(
            status=ImportRow.Status.IMPORTED,
            person_id=Subquery(Person.objects.filter(import_key=OuterRef("person_key")).values("pk")[:1]),
            id_number="",
            id_legacy="",
            phone="",
        )
        held_back = len(rows) - len(persons)
        ImportBatch.objects.filter(pk=batch.pk).update(
            households_created=F("households_created") + len(households),
            imported_rows=F("imported_rows") + len(persons),
            valid_rows=F("valid_rows") - held_back,
            invalid_rows=F("invalid_rows") + held_back,
            commit_checkpoint=hi,
        )
    batch.households_created += len(households)
    batch.imported_rows += len(persons)
    batch.valid_rows -= held_back
    batch.invalid_rows += held_back
    batch.commit_checkpoint = hi
    return len(persons), held_back


def _build(
    batch: ImportBatch, groups: dict[int, list[Any]], units: dict[str, OrgUnit]
) -> tuple[list[Rec], list[Rec], list[Rec], list[Rec]]:
    """The range's households, persons and family links as plain records with reserved ids, linked like
    a household entered by hand (services.household_create): the head's spouse is married to the head,
    the children are the couple's children by birth."""
    writer = RowWriter()
    household_ids = iter(writer.reserve(Household, len(groups)))
    heads = {seq: _head(group) for seq, group in groups.items()}
    counts: Counter[int] = Counter(
        units[h.village_code].pk for h in heads.values() if not h.household_number.strip()
    )
    typed = [h.household_number.strip() for h in heads.values() if h.household_number.strip()]
    given = {unit: iter(numbers) for unit, numbers in household_numbers_take(counts, typed=typed).items()}
    person_ids = iter(writer.reserve(Person, sum(len(g) for g in groups.values())))
    households: list[Rec] = []
    persons: list[Rec] = []
    marriages: list[Rec] = []
    links: list[Rec] = []
    for seq, group in groups.items():
        head_row = heads[seq]
        unit = units[head_row.village_code]
        household = Rec(
            id=next(household_ids),
            org_unit_id=unit.pk,
            number=head_row.household_number.strip() or next(given[unit.pk]),
            address=head_row.address.strip(),
            hukou_type=HUKOU_BY_TEXT[head_row.hukou_type],
            import_key=f"imp{batch.pk}:h{seq}",
        )
        households.append(household)
        members = []
        for r in group:
            person = Rec(
                id=next(person_ids),
                household_id=household.id,
                org_unit_id=unit.pk,
                relation_to_head=RELATION_BY_TEXT[r.relation],
                **name_fields(r.name),
                **(_staged_id_and_phone(r) if r.sex else _derive_id_and_phone(r)),
                hukou_type=HUKOU_BY_TEXT.get(r.hukou_type) or household.hukou_type,
                hukou_place=r.hukou_place.strip(),
                only_child_certificate=YES_NO[r.certificate.upper()],
                is_migrant=YES_NO[r.migrant.upper()],
                import_key=r.person_key,
            )
            members.append(person)
        persons += members
        head = next(p for p in members if p.relation_to_head == RelationToHead.HEAD)
        household.head_id = head.id
        spouse = next((p for p in members if p.relation_to_head == RelationToHead.SPOUSE), None)
        parents = [head] + ([spouse] if spouse else [])
        if spouse is not None:
            marriages.append(Rec(a_id=min(head.id, spouse.id), b_id=max(head.id, spouse.id)))
        links += [
            Rec(parent_id=par.id, child_id=c.id, basis=ChildBasis.BIRTH)
            for par in parents
            for c in members
            if c.relation_to_head == RelationToHead.CHILD
        ]
    return households, persons, marriages, links


def _head(group: list[Any]) -> Any:
    return next(r for r in group if RELATION_BY_TEXT[r.relation] == RelationToHead.HEAD)


def _staged_id_and_phone(r: Any) -> dict[str, Any]:
    """The person's ID and phone columns as staging derived them, the ciphertext copied as it is."""
    return {
        "id_number": r.id_number_cipher,
        "id_masked": r.id_masked,
        "id_index": r.id_index,
        "id_legacy": r.id_legacy_cipher or "",
        "sex": r.sex,
        "birth_date": r.birth_date,
        "phone": r.phone_cipher or "",
        "phone_masked": r.phone_masked,
    }


def _derive_id_and_phone(r: Any) -> dict[str, Any]:
    """A row staged before staging derived these columns (a batch left between upload and commit across
    an upgrade): decrypt what was typed and derive them now, through the same builder."""
    derived = id_fields(parse_resident_id(crypto.decrypt(r.id_number_cipher)))
    derived |= phone_fields(crypto.decrypt(r.phone_cipher) if r.phone_cipher else "")
    for key in ("id_number", "id_legacy", "phone"):
        derived[key] = crypto.encrypt(derived[key]) if derived[key] else ""
    return derived


def _insert(households: list[Rec], persons: list[Rec], marriages: list[Rec], links: list[Rec]) -> None:
    """Multi-row inserts (core.bulk): at 100k rows, bulk_create's per-object work cost more than the
    database did. The households point at their heads before these exist; the foreign keys are checked
    at commit."""
    writer = RowWriter()
    writer.insert_objects(Household, households)
    writer.insert_objects(Person, persons)
    for model, recs in ((Marriage, marriages), (ParentChild, links)):
        for rec, pk in zip(recs, writer.reserve(model, len(recs)), strict=True):
            rec.id = pk
        writer.insert_objects(model, recs)

"""What every step of the household import shares: the file's vocabulary, chunk sizes, the village-code
checks (made at validation and again at commit) and holding back a household with a bad row.

And what every staged import shares, whatever its rows (the association's member import uses them too, on
its own `StagedFile` model): `staged_file_open` (one batch per file and branch), `commit_queue` (the
preview's confirm as one durable job per batch), and the two ends of a commit job's run: `commit_runs_as`
(who it runs as, once the batch is validated) and `commit_close` (the batch marked committed, once)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.locks import relock
from guanhuai.jobs.models import Job
from guanhuai.jobs.services import job_submit
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.registry.models import ImportBatch, StagedFile
from guanhuai.registry.permissions import IMPORT_PERSONS
from guanhuai.registry.states import Hukou, RelationToHead

IMPORT_VALIDATE = "registry.import_validate"
IMPORT_COMMIT = "registry.import_commit"

# The file's vocabulary is Chinese whatever the interface language (io_excel explains why).
RELATION_BY_TEXT = {
    "户主": RelationToHead.HEAD,
    "配偶": RelationToHead.SPOUSE,
    "子女": RelationToHead.CHILD,
    "父母": RelationToHead.PARENT,
    "孙子女": RelationToHead.GRANDCHILD,
    "兄弟姐妹": RelationToHead.SIBLING,
    "其他亲属": RelationToHead.OTHER,
} | {v: RelationToHead(v) for v in RelationToHead.values}
HUKOU_BY_TEXT = {"城镇": Hukou.URBAN, "农村": Hukou.RURAL} | {v: Hukou(v) for v in Hukou.values}
YES_NO = {"": False, "是": True, "否": False, "1": True, "0": False, "Y": True, "N": False}

LOAD_CHUNK = 5000
LOOKUP_CHUNK = 2000
COMMIT_HOUSEHOLDS = 1000
MAX_LENGTHS = {"household_number": 30, "address": 200, "name": 50, "hukou_place": 200}


def staged_file_open(
    model: type[StagedFile],
    *,
    actor: Actor,
    org_unit: OrgUnit,
    content: bytes,
    file_name: str,
    default_name: str,
    action: str,
) -> tuple[Any, bool]:
    """Open a batch of `model` for a checked file under a branch the actor imports into, with its audit
    row; or return the batch this file (its SHA-256) already has under this branch, whoever uploaded it
    (`created` is False then: a committed one is the answer to "was this file imported?")."""
    digest = hashlib.sha256(content).hexdigest()
    same = model.objects.unscoped("the same file under the same branch, whoever uploaded it")  # type: ignore[attr-defined]
    existing = same.filter(org_unit=org_unit, digest=digest).first()
    if existing is not None:
        return existing, False
    name = (file_name or "").replace("\\", "/").rsplit("/", 1)[-1][:120] or default_name
    try:
        with transaction.atomic():
            batch = model.objects.create(
                actor=signed_in(actor), org_unit=org_unit, file_name=name, digest=digest
            )  # type: ignore[attr-defined]
            log(
                batch,
                action,
                actor=actor,
                org_unit=org_unit,
                data={"file": name, "sha256": digest, "bytes": len(content)},
            )
    except IntegrityError:  # the same file, uploaded twice at once
        return same.get(org_unit=org_unit, digest=digest), False
    return batch, True


def _batch_job(batch: Any, *, actor: Actor, kind: str, **job_input: Any) -> Job:
    """A batch's job of one kind, keyed by the batch: a second submit of the same kind returns the first."""
    job, _created = job_submit(
        actor=actor,
        kind=kind,
        idempotency_key=f"{kind}:{batch.pk}",
        params={"batch": batch.pk},
        org_unit=batch.org_unit,
        **job_input,
    )
    return job


def validate_queue(batch: Any, *, actor: Actor, kind: str, content: bytes, input_name: str) -> Job:
    """A new batch's staging and validation, queued as a durable job keyed by the batch, with the uploaded
    file as the job's input (`input_name`). Called inside the transaction that opened the batch."""
    job = _batch_job(batch, actor=actor, kind=kind, input_name=input_name, input_content=content)
    batch.validate_job = job
    batch.save(update_fields=["validate_job"])
    return job


def commit_queue(batch: Any, *, actor: Actor, kind: str, committed: str) -> Job:
    """The preview's confirm: queue the commit of a validated batch as a durable job keyed by the batch, so
    a double click (or a second clerk) gets the same job. The caller has checked the permission; `committed`
    is its message for a batch already imported."""
    if batch.status == "committed":
        raise Conflict(committed, code="already_committed")
    _require_validated(batch)
    if not batch.valid_rows and batch.commit_job_id is None:
        raise ValidationError(_("没有可导入的有效记录。"), code="nothing_valid")
    with transaction.atomic():
        job = _batch_job(batch, actor=actor, kind=kind)
        type(batch).objects.filter(pk=batch.pk, commit_job__isnull=True).update(
            commit_job=job, committed_by=signed_in(actor)
        )
    return job


def commit_runs_as(batch: Any, actor: Actor | None) -> Actor:
    """Who a commit job runs as: the caller, else the clerk who confirmed the preview, else the uploader.
    A batch still being validated cannot be committed."""
    _require_validated(batch)
    return actor or batch.committed_by or batch.actor


def commit_close(batch: Any, *, actor: Actor, action: str, data: Callable[[Any], dict[str, Any]]) -> Any:
    """Mark a batch whose valid rows are all in as committed, with its audit row (`data` reads the counts off
    the batch re-read under its lock). A second run that gets here (a resumed job) finds it committed and
    writes nothing. Returns the batch as re-read."""
    with transaction.atomic():
        batch = relock(batch)
        if batch.status != "committed":
            batch.status, batch.committed_at = "committed", timezone.now()
            batch.committed_by = batch.committed_by or signed_in(actor)
            batch.save(update_fields=["status", "committed_at", "committed_by"])
            log(batch, action, actor=actor, org_unit=batch.org_unit, data=data(batch))
    return batch


def _require_validated(batch: Any) -> None:
    if batch.validated_at is None:
        raise Conflict(_("文件还在校验中，请稍候再导入。"), code="not_validated")


class Quiet:
    """The progress of a call made outside a job (tests, the benchmark)."""

    def set_total(self, total: int) -> None:
        pass

    def step(self, n: int = 1, *, message: str | None = None, force: bool = False, **counts: int) -> None:
        pass


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def villages(codes: set[str]) -> dict[str, OrgUnit]:
    found: dict[str, OrgUnit] = {}
    for chunk in chunks(sorted(codes), LOOKUP_CHUNK):
        found.update(
            (u.code, u)
            for u in OrgUnit.objects.filter(code__in=chunk).only(
                "pk", "code", "name", "level", "path", "closed_on"
            )
        )
    return found


def village_problem(code: str, unit: OrgUnit | None, *, batch: ImportBatch, actor: Actor) -> str | None:
    """Only the code the user typed is echoed back: nothing about a branch outside their scope."""
    if unit is None:
        return _("村(社区)代码 %(code)s 不存在。") % {"code": code}
    if unit.level != Level.VILLAGE:
        return _("代码 %(code)s 不是村(社区)一级的代码。") % {"code": code}
    if not unit.path.startswith(batch.org_unit.path):
        return _("村(社区)代码 %(code)s 不在所选的导入范围“%(root)s”之内。") % {
            "code": code,
            "root": batch.org_unit.name,
        }
    if not scoping.can(actor, IMPORT_PERSONS, unit):
        return _("您没有在村(社区)代码 %(code)s 导入人员的权限。") % {"code": code}
    if not unit.is_open:
        return _("村(社区)代码 %(code)s 对应的村(社区)已撤销。") % {"code": code}
    return None


def row_list(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers)


def hold_back_households(rows: Sequence[Any], errors: dict[int, list[str]]) -> None:
    """A household with a bad row is held back whole; its other rows say which row to fix."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        groups[r.household_key].append(r)
    for group in groups.values():
        bad = [r.row_number for r in group if errors.get(r.pk)]
        if not bad:
            continue
        for r in group:
            if not errors.get(r.pk):
                errors[r.pk] = [_("同户第%(rows)s行有错误，整户暂不导入。") % {"rows": row_list(bad)}]

"""Changes to enrolments after approval: suspension, resumption, exit, clearing a re-confirmation flag;
the end of every enrolment of a person who died; and the annual re-confirmation (资格确认).

Enrolment rows are created at approval (services/applications.py). From then on, every change of state is
one service here: it checks `programmes.manage_enrolments` on the enrolment's branch, locks the row,
checks the transition against `states.ENROLMENT_TRANSITIONS`, saves, and writes audit in the same
transaction. The audit rows are the enrolment's status history.

Stopping payment is set-based: when an enrolment ends (exit or death) or is suspended, the still-due
entitlements of the periods after that month are excluded with one UPDATE per programme. Money that has
already gone out (or is in a bank file) for those months is never touched here: the enrolment is flagged so
that a person decides about recovery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import (
    CharField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.audit.services import log, log_select
from guanhuai.core import states
from guanhuai.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from guanhuai.core.locks import relock
from guanhuai.orgs import paths
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.programmes.models import Enrolment, Programme
from guanhuai.programmes.periods import month_index, month_label, parse_period
from guanhuai.programmes.permissions import MANAGE_ENROLMENTS, VIEW
from guanhuai.programmes.states import (
    ENROLMENT_TRANSITIONS,
    ENTITLEMENT_TRANSITIONS,
    EnrolmentStatus,
    EntitlementKind,
    EntitlementStatus,
    ExitReason,
    FlagReason,
    Period,
)
from guanhuai.registry.models import LifeEvent, ParentChild, Person
from guanhuai.registry.states import EventKind

# Stored on entitlements in the source language and translated when shown.
NOTE_DIED = gettext_noop("死亡后停发")
NOTE_EXITED = gettext_noop("退出后停发")
NOTE_SUSPENDED = gettext_noop("暂停期间停发")

# The national special-assistance programme (catalogue template): a couple who bore or adopted another
# child is excluded, whatever else the rule says (DOMAIN.md).
SPECIAL_ASSISTANCE_TEMPLATES = ("special_assistance",)

_PAYABLE_KINDS = [EntitlementKind.REGULAR, EntitlementKind.ARREARS]
_OPEN = [EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED]


# --- helpers ------------------------------------------------------------------------------------------


def _month(value: str | int | dt.date) -> int:
    """A month index from "2026-12", a date, or an index."""
    if isinstance(value, int):
        return value
    if isinstance(value, dt.date):
        return month_index(value)
    return parse_period(str(value), Period.MONTHLY).first


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("%(what)s必须填写原因。") % {"what": what}, code="reason_required")
    return text[:300]


def _lock(enrolment: Enrolment) -> Enrolment:
    """Lock and re-read the row: a double click or a concurrent change sees the state it left."""
    locked = relock(enrolment)
    for field in ("status", "end_month", "exit_reason", "exited_on", "status_note", "flag", "flagged_at"):
        setattr(enrolment, field, getattr(locked, field))
    return enrolment


def _transition(enrolment: Enrolment, to: str) -> None:
    states.transition(enrolment, to, ENROLMENT_TRANSITIONS)


def _require(actor: Actor, enrolment: Enrolment) -> None:
    scoping.require(actor, MANAGE_ENROLMENTS, enrolment.org_unit, visible_perm=VIEW)


def _stop_after(enrolment: Enrolment, last_month: int, *, note: str) -> tuple[int, int]:
    """Exclude the still-due (or failed, so never re-issued) regular and arrears entitlements of the
    periods that start after `last_month`. Returns (excluded, live): live counts the later ones already in
    a bank file or paid, which a person must look at. Periods are labels; their month ranges come from the
    programme's period kind. One person has a handful of labels, so they are resolved in Python and the
    change is one UPDATE."""
    kind = enrolment.programme.period
    labels = set(
        enrolment.entitlements.filter(kind__in=_PAYABLE_KINDS).values_list("period", flat=True).distinct()
    )
    later = [label for label in labels if parse_period(label, kind).first > last_month]
    if not later:
        return 0, 0
    rows = enrolment.entitlements.filter(kind__in=_PAYABLE_KINDS, period__in=later)
    stopped = [EntitlementStatus.DUE, EntitlementStatus.FAILED]
    states.check(ENTITLEMENT_TRANSITIONS, stopped, EntitlementStatus.EXCLUDED)
    excluded = rows.filter(status__in=stopped).update(status=EntitlementStatus.EXCLUDED, note=note)
    live = rows.filter(status__in=[EntitlementStatus.BATCHED, EntitlementStatus.PAID]).count()
    return excluded, live


def _flag_if_live(enrolment: Enrolment, live: int, flag: str, *, settles: bool) -> list[str]:
    """After `_stop_after` on an ending enrolment: flag it `flag` when `live` later entitlements are already
    in a bank file or paid (a person decides about recovering them); otherwise clear its flag when this end
    `settles` it. Returns the fields it changed (unsaved)."""
    if live:
        enrolment.flag, enrolment.flagged_at = flag, timezone.now()
    elif settles:
        enrolment.flag, enrolment.flagged_at = "", None
    else:
        return []
    return ["flag", "flagged_at"]


# --- state changes ----------------------------------------------------------------------------------------


def enrolment_suspend(
    *, actor: Actor, enrolment: Enrolment, reason: str, from_month: str | int | dt.date
) -> Enrolment:
    """Stop paying from `from_month` ("2026-12") until resumed. Entitlements already generated and still
    due for periods starting at or after that month are excluded; cycles generated while suspended pay
    nothing (only active enrolments are paid). Resuming does not bring excluded months back: arrears for
    a suspension found to be wrong are a top-up decided by a person."""
    _require(actor, enrolment)
    reason = _reason(reason, _("暂停"))
    first = _month(from_month)
    if first < enrolment.start_month:
        raise ValidationError(
            _("暂停起始月 %(m)s 早于享受起始月 %(s)s。")
            % {"m": month_label(first), "s": month_label(enrolment.start_month)},
            code="suspend_before_start",
        )
    with transaction.atomic():
        _lock(enrolment)
        old = enrolment.status
        _transition(enrolment, EnrolmentStatus.SUSPENDED)
        enrolment.status_note = reason
        enrolment.save(update_fields=["status", "status_note", "updated_at"])
        excluded, live = _stop_after(enrolment, first - 1, note=NOTE_SUSPENDED)
        log(
            enrolment,
            "programmes.enrolment.suspended",
            actor=actor,
            org_unit=enrolment.org_unit,
            changes={"status": [old, enrolment.status]},
            data={
                "reason": reason,
                "from_month": month_label(first),
                "entitlements_excluded": excluded,
                "already_paid_or_batched": live,
            },
        )
    return enrolment


def enrolment_resume(*, actor: Actor, enrolment: Enrolment, note: str = "") -> Enrolment:
    """Pay again from the next cycle generated. The person must still be alive."""
    _require(actor, enrolment)
    if Person.objects.filter(pk=enrolment.person_id, died_on__isnull=False).exists():
        raise Conflict(_("享受对象已死亡，不能恢复享受，请办理退出。"), code="person_died")
    note = (note or "").strip()[:300]
    with transaction.atomic():
        _lock(enrolment)
        old = enrolment.status
        if old == EnrolmentStatus.ACTIVE:
            raise InvalidTransition(_("该享受对象未被暂停，无需恢复。"), code="not_suspended")
        if old == EnrolmentStatus.EXITED:  # only a new approved application brings it back
            raise InvalidTransition(
                _("享受对象当前状态为“%(a)s”，不能变为“%(b)s”：已退出的须重新申请，获批后恢复享受。")
                % {"a": EnrolmentStatus.EXITED.label, "b": EnrolmentStatus.ACTIVE.label},
                code="invalid_transition",
            )
        _transition(enrolment, EnrolmentStatus.ACTIVE)
        enrolment.status_note = note
        enrolment.save(update_fields=["status", "status_note", "updated_at"])
        log(
            enrolment,
            "programmes.enrolment.resumed",
            actor=actor,
            org_unit=enrolment.org_unit,
            changes={"status": [old, enrolment.status]},
            data={"note": note},
        )
    return enrolment


def enrolment_reactivate(
    *, actor: Actor, enrolment: Enrolment, application: Any, start_month: int, end_month: int | None
) -> Enrolment:
    """An exited enrolment comes back to active when a new application for the same person and programme
    is approved (one row per person per programme): it pays again from `start_month`, under the new
    application. Called by the approval (`services/applications.py`) inside its transaction, with the row
    locked there and the approver's permission checked there. The only way out of "exited"."""
    if enrolment.status != EnrolmentStatus.EXITED:
        raise InvalidTransition(
            _("%(name)s 已是“%(programme)s”的享受对象。")
            % {"name": enrolment.person.name, "programme": enrolment.programme.name},
            code="already_enrolled",
        )
    old = {"status": enrolment.status, "exit_reason": enrolment.exit_reason, "exited_on": enrolment.exited_on}
    _transition(enrolment, EnrolmentStatus.ACTIVE)
    enrolment.start_month, enrolment.end_month = start_month, end_month
    enrolment.exit_reason, enrolment.exited_on = "", None
    enrolment.application = application
    enrolment.org_unit_id = enrolment.person.org_unit_id  # the person may have moved since the exit
    enrolment.flag, enrolment.flagged_at = "", None
    enrolment.status_note = _("重新申请获批，恢复享受")
    enrolment.save(
        update_fields=[
            "status", "start_month", "end_month", "exit_reason", "exited_on", "application", "org_unit", "flag",
            "flagged_at", "status_note", "updated_at",
        ]
    )  # fmt: skip
    log(
        enrolment,
        "programmes.enrolment.reactivated",
        actor=actor,
        org_unit=enrolment.org_unit,
        changes={"status": [old["status"], enrolment.status]},
        data={
            "application": application.pk,
            "from_month": month_label(start_month),
            "previous_exit_reason": old["exit_reason"],
            "previous_exited_on": old["exited_on"],
        },
    )
    return enrolment


def enrolment_exit(
    *, actor: Actor, enrolment: Enrolment, reason: str, exited_on: dt.date, note: str = ""
) -> Enrolment:
    """End the enrolment: entitled through the month of `exited_on`, nothing after. A reason is required
    (and a note when the reason is "other"). Later entitlements still due are excluded; later ones already
    batched or paid flag the enrolment so that a person decides about recovery."""
    _require(actor, enrolment)
    if reason not in ExitReason.values:
        raise ValidationError(_("请选择退出原因。"), code="exit_reason_required")
    note = (note or "").strip()[:300]
    if reason == ExitReason.OTHER and not note:
        raise ValidationError(_("退出原因为“其他”时必须填写说明。"), code="reason_required")
    if exited_on > timezone.localdate():
        raise ValidationError(_("退出日期不能晚于今天。"), code="date_in_future")
    end = month_index(exited_on)
    if end < enrolment.start_month - 1:
        raise ValidationError(
            _("退出日期 %(d)s 早于享受起始月 %(s)s。")
            % {"d": exited_on, "s": month_label(enrolment.start_month)},
            code="exit_before_start",
        )
    with transaction.atomic():
        _lock(enrolment)
        old = enrolment.status
        if old == EnrolmentStatus.EXITED:
            raise InvalidTransition(
                _("该享受对象已于 %(d)s 退出。") % {"d": enrolment.exited_on}, code="already_exited"
            )
        _transition(enrolment, EnrolmentStatus.EXITED)
        enrolment.end_month = end if enrolment.end_month is None else min(end, enrolment.end_month)
        enrolment.exit_reason, enrolment.exited_on, enrolment.status_note = reason, exited_on, note
        excluded, live = _stop_after(enrolment, enrolment.end_month, note=NOTE_EXITED)
        fields = ["status", "end_month", "exit_reason", "exited_on", "status_note", "updated_at"]
        # Looking at a flag and deciding to exit settles it.
        flag = reason if reason in FlagReason.values else FlagReason.NOT_ELIGIBLE
        fields += _flag_if_live(enrolment, live, flag, settles=True)
        enrolment.save(update_fields=fields)
        log(
            enrolment,
            "programmes.enrolment.exited",
            actor=actor,
            org_unit=enrolment.org_unit,
            changes={"status": [old, enrolment.status]},
            data={
                "reason": reason,
                "exited_on": exited_on,
                "end_month": month_label(enrolment.end_month),
                "note": note,
                "entitlements_excluded": excluded,
                "already_paid_or_batched": live,
            },
        )
    return enrolment


def enrolment_flag_clear(*, actor: Actor, enrolment: Enrolment, note: str) -> Enrolment:
    """A person looked at a re-confirmation flag and keeps the enrolment as it is; why is recorded."""
    _require(actor, enrolment)
    note = _reason(note, _("保留享受资格"))
    with transaction.atomic():
        _lock(enrolment)
        if not enrolment.flag:
            raise Conflict(_("该享受对象没有待复核的提示。"), code="not_flagged")
        old = enrolment.flag
        enrolment.flag, enrolment.flagged_at = "", None
        enrolment.save(update_fields=["flag", "flagged_at", "updated_at"])
        log(
            enrolment,
            "programmes.enrolment.flag_cleared",
            actor=actor,
            org_unit=enrolment.org_unit,
            changes={"flag": [old, ""]},
            data={"note": note},
        )
    return enrolment


# --- death ------------------------------------------------------------------------------------------------


def _death_recorder(person: Person) -> Any:
    event = (
        LifeEvent.objects.filter(person=person, kind=EventKind.DEATH)
        .select_related("recorded_by")
        .order_by("-id")
        .first()
    )
    return event.recorded_by if event else None


def enrolments_end_for_death(
    *, person: Person, died_on: dt.date, actor: Actor | None = None
) -> dict[str, int]:
    """Every enrolment of this person (and of nobody else) ends with the death month: exited with reason
    "died", entitled through that month and not after. Later entitlements still due are excluded ("死亡后
    停发"); later ones already in a bank file or paid flag the enrolment "died" so that a person decides
    about recovering the money — nothing is reversed automatically.

    A side effect of a death the registry has already recorded (and checked the recorder's permission
    for); it runs as the job DEATH after that commit (death_job_submit), as the recorder (`actor`, or the
    recorder of the death event when None). A failed job shows on the recorder's job page and is retried
    there; running it twice changes nothing more. The next re-confirmation would still flag the enrolment
    "died" if nobody retried it."""
    if actor is None:
        actor = _death_recorder(person)
    death_month = month_index(died_on)
    counts = {"enrolments": 0, "entitlements_excluded": 0, "already_paid_or_batched": 0}
    with transaction.atomic():
        enrolments = list(
            # every enrolment of the dead person, in any programme: the death ends them all (the recorder
            # may see the person, not necessarily a programme's other branches)
            Enrolment.objects.unscoped("a death ends every enrolment of the person")
            .select_for_update()
            .filter(person_id=person.pk)
            .select_related("programme", "org_unit")
            .order_by("pk")
        )
        for enrolment in enrolments:  # one person: one row per programme
            last = max(death_month, enrolment.start_month - 1)
            if enrolment.status == EnrolmentStatus.EXITED and (
                enrolment.end_month is not None and enrolment.end_month <= last
            ):
                continue  # ended before the death: nothing to stop
            old = enrolment.status
            fields = ["end_month", "updated_at"]
            enrolment.end_month = last if enrolment.end_month is None else min(last, enrolment.end_month)
            if old != EnrolmentStatus.EXITED:
                _transition(enrolment, EnrolmentStatus.EXITED)
                enrolment.exit_reason, enrolment.exited_on = ExitReason.DIED, died_on
                fields += ["status", "exit_reason", "exited_on"]
            excluded, live = _stop_after(enrolment, enrolment.end_month, note=NOTE_DIED)
            fields += _flag_if_live(
                enrolment, live, FlagReason.DIED, settles=enrolment.flag == FlagReason.DIED
            )
            enrolment.save(update_fields=fields)
            log(
                enrolment,
                "programmes.enrolment.ended_by_death",
                actor=actor,
                org_unit=enrolment.org_unit,
                changes={"status": [old, enrolment.status]},
                data={
                    "died_on": died_on,
                    "end_month": month_label(enrolment.end_month),
                    "entitlements_excluded": excluded,
                    "already_paid_or_batched": live,
                },
            )
            counts["enrolments"] += 1
            counts["entitlements_excluded"] += excluded
            counts["already_paid_or_batched"] += live
    return counts


# --- annual re-confirmation -------------------------------------------------------------------------------


def _within(field: str, unit: OrgUnit) -> Q:
    return Q(**{f"{field}__gte": unit.path, f"{field}__lt": paths.upper_bound(unit.path)})


def _province_of(unit: OrgUnit) -> OrgUnit | None:
    if unit.level == Level.PROVINCE:
        return unit
    return OrgUnit.objects.filter(path__in=unit.ancestor_paths(), level=Level.PROVINCE).first()


def _child_since_start() -> Exists:
    """A child (by birth or adoption) linked to the person from the enrolment's start month on."""
    since = Coalesce("since", "child__birth_date")
    links = (
        ParentChild.objects.filter(parent_id=OuterRef("person_id"))
        .annotate(_m=ExtractYear(since) * 12 + ExtractMonth(since) - 1)
        .filter(_m__gte=OuterRef("start_month"))
    )
    return Exists(links)


def _eligible_exists(programme: Programme, as_of: dt.date) -> Exists | None:
    try:
        from guanhuai.programmes import rules
    except ImportError:  # pragma: no cover — the rule language ships with the app
        return None
    return Exists(
        rules.eligible(programme, as_of=as_of, persons=Person.objects.filter(pk=OuterRef("person_id")))
    )


def reconfirmation_scope(*, actor: Actor, programme: Programme, as_of: dt.date) -> QuerySet[Enrolment]:
    """The enrolments one re-confirmation looks at: not exited, not ended before `as_of`'s month, within
    the actor's branches."""
    qs = Enrolment.objects.filter(programme=programme, status__in=_OPEN).filter(
        Q(end_month__isnull=True) | Q(end_month__gte=month_index(as_of))
    )
    return scoping.scope(qs, actor, MANAGE_ENROLMENTS)


def reconfirmation_run(
    *, actor: Actor, programme: Programme, as_of: dt.date, on_step: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Re-evaluate the programme's current rule for its open enrolments in the actor's branches and FLAG
    those who no longer qualify, with the reason a person needs to look at first. Nobody is exited.

    One UPDATE per reason, in this order, each touching only rows not flagged yet (so a row gets the
    first reason that applies, and running it twice flags nothing new):
    1. died — the registry has a death on or before `as_of` (normally already exited by the death
       receiver; this catches a death recorded by correction);
    2. moved_out — the person's village is outside the programme's branch, or the person lives away
       (registry migration) in a branch outside the province;
    3. new_child — a child born or adopted since the start month, and the rule no longer holds (or, for
       special assistance, two or more children ever: DOMAIN.md, another child ends it);
    4. not_eligible — the current rule no longer holds on `as_of`.
    Returns counts per reason, plus `checked` and `already_flagged`. `on_step(reason)` is called after each
    reason's UPDATE (the job's progress bar)."""
    if not scoping.can_anywhere(actor, MANAGE_ENROLMENTS):
        raise PermissionDenied(_("您没有“资格确认”权限。"), code="permission_denied")
    if (
        not scoping.can(actor, VIEW, programme.org_unit)
        and not scoping.units(actor, MANAGE_ENROLMENTS, within=programme.org_unit.path).exists()
    ):
        raise NotFound(_("未找到该记录，或您无权访问。"))
    base = reconfirmation_scope(actor=actor, programme=programme, as_of=as_of)
    eligible = _eligible_exists(programme, as_of)
    province = _province_of(programme.org_unit)

    moved = ~_within("person__org_unit__path", programme.org_unit)
    if province is not None:
        moved |= Q(person__is_migrant=True, person__residence_unit__isnull=False) & ~_within(
            "person__residence_unit__path", province
        )
    # A child since the start, and that child is what matters: the rule no longer holds, or (special
    # assistance) two or more children ever. Someone enrolled with two children already was enrolled in
    # error: that is "not eligible", not "new child".
    no_longer = ~Q(_eligible=True) if eligible is not None else Q(pk__in=[])
    if programme.template in SPECIAL_ASSISTANCE_TEMPLATES:
        no_longer |= Q(person__children_ever__gte=2)
    new_child = Q(_new_child=True) & no_longer

    now = timezone.now()
    counts: dict[str, int] = {}
    with transaction.atomic():
        counts["checked"] = base.count()
        counts["already_flagged"] = base.exclude(flag="").count()
        pending = base.filter(flag="")

        def flag(qs: QuerySet[Enrolment], reason: str) -> None:
            # An UPDATE over a subquery of ids: Django cannot update through an annotation or a join.
            ids = qs.values("pk")
            counts[reason] = Enrolment.objects.filter(pk__in=ids).update(
                flag=reason, flagged_at=now, updated_at=now
            )
            if on_step is not None:
                on_step(reason)

        flag(pending.filter(person__died_on__isnull=False, person__died_on__lte=as_of), FlagReason.DIED)
        flag(pending.filter(moved), FlagReason.MOVED_OUT)
        annotated = pending.annotate(_new_child=_child_since_start())
        if eligible is not None:
            annotated = annotated.annotate(_eligible=eligible)
        flag(annotated.filter(new_child), FlagReason.NEW_CHILD)
        if eligible is not None:
            flag(pending.annotate(_eligible=eligible).filter(_eligible=False), FlagReason.NOT_ELIGIBLE)
        else:
            counts[FlagReason.NOT_ELIGIBLE] = 0
            if on_step is not None:
                on_step(FlagReason.NOT_ELIGIBLE)
        _audit_flags(actor, programme, now, as_of)
        log(
            programme,
            "programmes.reconfirmation.run",
            actor=actor,
            org_unit=programme.org_unit,
            data={"as_of": as_of, **counts},
        )
    return {str(k): v for k, v in counts.items()}


def _audit_flags(actor: Actor, programme: Programme, at: dt.datetime, as_of: dt.date) -> int:
    """One audit row per enrolment flagged in this run (its status history): one INSERT … SELECT per
    reason (`audit.services.log_select`) from the enrolments just flagged. At 300,000 flags this is a
    second, where building the rows in Python took a minute."""
    return sum(
        log_select(
            Enrolment.objects.filter(programme=programme, flagged_at=at, flag=reason),
            "programmes.enrolment.flagged",
            actor=actor,
            object_repr=Concat(
                Cast("programme_id", output_field=CharField()),
                Value(":"),
                Cast("person_id", output_field=CharField()),
                output_field=CharField(),
            ),
            data={"flag": reason, "as_of": as_of.isoformat()},
            at=at,
            via="job",
        )
        for reason in FlagReason.values
    )


def reconfirmation_submit(
    *, actor: Actor, programme: Programme, as_of: dt.date, idempotency_key: str | None = None
) -> tuple[Any, bool]:
    """Queue the re-confirmation job (`programmes.reconfirm`). The same key returns the same job, so a
    double click runs it once; without a key, one run per actor, programme and date."""
    from guanhuai.jobs.services import job_submit

    if not scoping.can_anywhere(actor, MANAGE_ENROLMENTS):
        raise PermissionDenied(_("您没有“资格确认”权限。"), code="permission_denied")
    key = idempotency_key or f"{programme.pk}:{as_of.isoformat()}:{getattr(actor, 'pk', '')}"
    return job_submit(
        actor=actor,
        kind=RECONFIRM,
        idempotency_key=f"{RECONFIRM}:{key}"[:120],
        params={"programme_id": programme.pk, "as_of": as_of.isoformat()},
    )


RECONFIRM = "programmes.reconfirm"
DEATH = "programmes.death"


def death_job_submit(*, actor: Actor, person: Person, died_on: dt.date) -> Any:
    """Queue `enrolments_end_for_death` as a durable job (kind DEATH) carrying the recorder, inside the
    death's transaction: it commits with the death, runs after it, and a failure shows on the recorder's
    job page to be retried instead of reaching them as an error. Keyed by person and date, so a replay
    queues nothing. None (no job) when the person has no enrolment to end."""
    from guanhuai.jobs.services import job_submit

    if not Enrolment.objects.filter(person_id=person.pk).exists():
        return None
    job, _created = job_submit(
        actor=actor,
        kind=DEATH,
        idempotency_key=f"{DEATH}:{person.pk}:{died_on.isoformat()}",
        params={"person_id": person.pk, "died_on": died_on.isoformat()},
        org_unit=person.org_unit,
    )
    return job

"""Reads of applications, review queues, public notices, objections and grievances. Every list is scoped
first (accounts/scoping.py); a single object outside the actor's scope is the same 404 as a missing one.

`public_notices` is the one read without an actor: the public portal's view of open notices, masked rows
only (surname + *, the village, the amount) and no identifiers of any kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit import selectors as audit_selectors
from guanhuai.audit.actions import describe
from guanhuai.core.errors import NotFound
from guanhuai.core.masking import mask_name, mask_name_keep_last
from guanhuai.core.money import CENT
from guanhuai.core.text import chinese_date
from guanhuai.programmes import rules
from guanhuai.programmes.models import (
    Application,
    ApplicationDocument,
    Grievance,
    Objection,
    Programme,
    PublicNotice,
)
from guanhuai.programmes.periods import month_start
from guanhuai.programmes.permissions import (
    APPLY,
    HANDLE_GRIEVANCES,
    MANAGE_NOTICES,
    VIEW,
)
from guanhuai.programmes.services.applications import STEP_PERMISSIONS
from guanhuai.programmes.states import (
    ApplicationStatus,
    GrievanceStatus,
    NoticeNames,
    NoticeStatus,
    ObjectionStatus,
    Period,
    Step,
)
from guanhuai.registry.models import Person


@dataclass
class ApplicationFilters:
    status: str = ""
    step: str = ""
    programme: int | None = None
    village: int | None = None
    q: str = ""
    awaiting_me: bool = False


def _base() -> QuerySet[Application]:
    return Application.objects.select_related("programme", "person", "spouse", "org_unit")


def application_list(*, actor: Actor, filters: ApplicationFilters | None = None) -> QuerySet[Application]:
    f = filters or ApplicationFilters()
    qs = scoping.scope(_base(), actor, VIEW)
    if f.awaiting_me:
        qs = qs.filter(awaiting_q(actor))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.step:
        qs = qs.filter(step=f.step)
    if f.programme:
        qs = qs.filter(programme_id=f.programme)
    if f.village:
        qs = qs.filter(org_unit_id=f.village)
    if f.q.strip():
        qs = qs.filter(person__name__contains=f.q.strip())
    return qs.order_by("-submitted_at", "-id")


def application_get(*, actor: Actor, application_id: Any, perm: str = VIEW) -> Application:
    return scoping.get_or_404(_base(), actor, perm, pk=application_id)


def document_get(*, actor: Actor, application: Application, document_id: Any) -> ApplicationDocument:
    """A document of an application the actor may see (the application was fetched scoped)."""
    if not scoping.can(actor, VIEW, application.org_unit):
        raise NotFound(_("未找到该记录，或您无权访问。"))
    try:
        return application.documents.get(pk=document_id)
    except (ApplicationDocument.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。"))


def awaiting_q(actor: Actor) -> Q:
    """Applications waiting at a level where the actor holds that level's permission, excluding those the
    actor created or submitted (they may not pass them)."""
    q = Q(pk__in=[])
    for step, perm in STEP_PERMISSIONS.items():
        if step == Step.NOTICE:
            continue
        q |= Q(status=ApplicationStatus.UNDER_REVIEW, step=step) & scoping.path_q(
            actor, perm, path_field="org_unit__path"
        )
    uid = getattr(actor, "pk", None)
    return q & ~Q(created_by_id=uid) & (Q(submitted_by__isnull=True) | ~Q(submitted_by_id=uid))


def next_awaiting(*, actor: Actor, step: str, exclude: int | None = None) -> Application | None:
    """The next application waiting for the actor at `step`, in the queue's order (the top of the review
    desk filtered to that step): where "下一条" leads after a review."""
    qs = application_list(actor=actor, filters=ApplicationFilters(awaiting_me=True, step=step))
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.first()


def awaiting_notice(*, actor: Actor) -> list[dict[str, Any]]:
    """Per village and programme, how many applications wait for the village to open a notice."""
    qs = scoping.scope(
        Application.objects.filter(status=ApplicationStatus.UNDER_REVIEW, step=Step.NOTICE),
        actor,
        MANAGE_NOTICES,
    )
    return list(
        qs.values("org_unit_id", "org_unit__name", "programme_id", "programme__name")
        .annotate(n=Count("id"))
        .order_by("org_unit__name", "programme__name")
    )


def work_queue(*, actor: Actor) -> dict[str, Any]:
    """The counts of "审核待办": awaiting my review per step, notices to open/close, objections to resolve,
    grievances assigned to me, my returned applications."""
    today = timezone.localdate()
    awaiting = scoping.scope(Application.objects.all(), actor, VIEW).filter(awaiting_q(actor))
    per_step = dict(awaiting.values_list("step").annotate(n=Count("id")).values_list("step", "n"))
    notices = scoping.scope(PublicNotice.objects.filter(status=NoticeStatus.OPEN), actor, MANAGE_NOTICES)
    return {
        "awaiting": sum(per_step.values()),
        # only the steps the actor may decide at: a clerk sees no township or county tile
        "per_step": [
            (Step(s).label, s, per_step.get(s, 0))
            for s, perm in STEP_PERMISSIONS.items()
            if s != Step.NOTICE and scoping.can_anywhere(actor, perm)
        ],
        "to_notice": awaiting_notice(actor=actor),
        "notices_open": notices.filter(closes_on__gte=today).count(),
        "notices_to_close": notices.filter(closes_on__lt=today).count(),
        "objections_open": objection_list(actor=actor).filter(status=ObjectionStatus.OPEN).count(),
        "grievances_mine": grievance_list(actor=actor)
        .filter(assigned_to=signed_in(actor), status=GrievanceStatus.IN_PROGRESS)
        .count(),
        "grievances_unassigned": grievance_list(actor=actor).filter(status=GrievanceStatus.OPEN).count(),
        "returned": scoping.scope(
            Application.objects.filter(status=ApplicationStatus.RETURNED), actor, APPLY
        ).count(),
        "drafts": scoping.scope(
            Application.objects.filter(status=ApplicationStatus.DRAFT, created_by=signed_in(actor)),
            actor,
            APPLY,
        ).count(),
    }


def available_actions(*, actor: Actor, application: Application) -> dict[str, bool]:
    """The buttons the actor may use on this application now (the services decide; this hides the rest)."""
    unit = application.org_unit
    uid = getattr(actor, "pk", None)
    editable = application.status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
    perm = STEP_PERMISSIONS.get(application.step)
    at_level = (
        application.status == ApplicationStatus.UNDER_REVIEW
        and application.step != Step.NOTICE
        and perm is not None
        and scoping.can(actor, perm, unit)
    )
    own = uid in (application.created_by_id, application.submitted_by_id)
    return {
        "upload": editable and scoping.can(actor, APPLY, unit),
        "submit": editable and scoping.can(actor, APPLY, unit),
        "withdraw": editable and scoping.can(actor, APPLY, unit),
        "pass": at_level and not own,
        "own": at_level and own,
        "return": at_level,
        "refuse": at_level,
        "open_notice": application.status == ApplicationStatus.UNDER_REVIEW
        and application.step == Step.NOTICE
        and scoping.can(actor, MANAGE_NOTICES, unit),
        "object": application.status == ApplicationStatus.IN_PUBLIC_NOTICE
        and application.notice is not None
        and application.notice.status == NoticeStatus.OPEN
        and scoping.can(actor, MANAGE_NOTICES, unit),
        "grievance": scoping.can(actor, HANDLE_GRIEVANCES, unit),
    }


@dataclass
class TimelineEntry:
    at: dt.datetime
    actor: str
    action: str
    text: str
    comment: str


def application_timeline(application: Application) -> list[TimelineEntry]:
    """Every step of the application, oldest first, from its audit trail (each service writes one row)."""
    entries = audit_selectors.trail(application).select_related("actor").order_by("at", "id")
    steps = dict(Step.choices)
    out = []
    for e in entries:
        data = e.data or {}
        text = describe(e.action)
        extra = []
        if data.get("step"):
            extra.append(str(steps.get(data["step"], data["step"])))
        if data.get("next_step"):
            extra.append(_("转入%(step)s") % {"step": steps.get(data["next_step"], data["next_step"])})
        if data.get("closes_on"):
            extra.append(_("公示期 %(a)s 至 %(b)s") % {"a": data.get("opens_on", ""), "b": data["closes_on"]})
        if data.get("file_name"):
            extra.append(str(data["file_name"]))
        if data.get("eligible_now") is not None and e.action == "programmes.application.created":
            extra.append(_("当时符合资格条件") if data["eligible_now"] else _("当时不符合资格条件"))
        if extra:
            text = _("%(name)s（%(note)s）") % {"name": text, "note": _("，").join(str(x) for x in extra)}
        out.append(
            TimelineEntry(
                at=e.at,
                actor=str(e.actor) if e.actor else _("系统"),
                action=e.action,
                text=text,
                comment=str(data.get("comment", "") or ""),
            )
        )
    return out


# --- notices -----------------------------------------------------------------------------------------------


def notice_list(*, actor: Actor, status: str = "", to_close: bool = False) -> QuerySet[PublicNotice]:
    """Notices in scope; `to_close`: open notices whose period has ended, that the actor may close."""
    qs = scoping.scope(PublicNotice.objects.select_related("programme", "org_unit__parent"), actor, VIEW)
    if status:
        qs = qs.filter(status=status)
    if to_close:
        qs = scoping.scope(
            qs.filter(status=NoticeStatus.OPEN, closes_on__lt=timezone.localdate()), actor, MANAGE_NOTICES
        )
    return qs.annotate(n=Count("applications", distinct=True)).order_by("-opens_on", "-id")


def notice_get(*, actor: Actor, notice_id: Any) -> PublicNotice:
    return scoping.get_or_404(
        PublicNotice.objects.select_related("programme", "org_unit__parent"), actor, VIEW, pk=notice_id
    )


def objection_list(*, actor: Actor, notice: PublicNotice | None = None) -> QuerySet[Objection]:
    qs = scoping.scope(
        Objection.objects.select_related("application__person", "notice", "notice__org_unit"),
        actor,
        MANAGE_NOTICES,
        unit_field="notice__org_unit",
    )
    if notice is not None:
        qs = qs.filter(notice=notice)
    return qs


def objection_get(*, actor: Actor, objection_id: Any) -> Objection:
    return scoping.get_or_404(
        Objection.objects.select_related("notice", "notice__org_unit", "application"),
        actor,
        VIEW,
        unit_field="notice__org_unit",
        pk=objection_id,
    )


# Written straight after the amount: ¥590.00/月 (never ¥590.00 元/月, which says yuan twice).
PERIOD_UNITS: dict[str, Any] = {
    Period.MONTHLY: gettext_lazy("/月"),
    Period.QUARTERLY: gettext_lazy("/季"),
    Period.YEARLY: gettext_lazy("/年"),
}


@dataclass
class NoticeRow:
    name: str  # masked: surname + * (online), or as the programme prints it (paper)
    village: str
    amount: Decimal | None
    unit: str
    beneficiaries: int
    application_id: int  # for staff pages only; never published
    household_id: int | None = None  # for counting households; never published


def notice_rows(notice: PublicNotice, *, paper: bool = False) -> list[NoticeRow]:
    """The rows a notice shows: masked names, the village and the per-period amount. No ID, no account.

    Names: online (the portal) always the surname only; on `paper`, as the programme's `notice_names`
    says (张*明 by default), since neighbours must recognise whom a village notice names in order to object.

    Amount: the first AmountRule whose condition holds (rules.amount_expression) on the notice's first day;
    for an applicant whose entitlement starts later (a new rate from next month, an age reached after the
    notice opens), on the first day of the application's start month."""
    return notice_rows_of([notice], paper=paper)[notice.pk]


def notice_rows_of(notices: Sequence[PublicNotice], *, paper: bool = False) -> dict[int, list[NoticeRow]]:
    """`notice_rows` of each notice of a list (read through scoping, with their programmes), in a fixed
    number of queries whatever the list's length: the applications of all of them in one, their
    programmes' amount rules in one, and the amounts in one, plus one for applicants who start later."""
    by_notice: dict[int | None, list[Application]] = {n.pk: [] for n in notices}
    for a in (
        Application.objects.unscoped("the applications of notices read through scoping")
        .filter(notice__in=list(by_notice))
        # an application returned after an upheld objection (or withdrawn) is no longer proposed
        .exclude(status__in=[ApplicationStatus.WITHDRAWN, ApplicationStatus.RETURNED])
        .select_related("person", "spouse", "org_unit")
        .order_by("pk")
    ):
        by_notice[a.notice_id].append(a)
    amount_rows = rules.amount_rules_of({n.programme_id for n in notices})
    first = {
        (n.programme, n.opens_on): [a.person_id for a in by_notice[n.pk]] for n in notices if by_notice[n.pk]
    }
    amounts = _notice_amounts(first, amount_rows)
    later: dict[tuple[Programme, dt.date], list[int]] = {}
    for n in notices:
        for a in by_notice[n.pk]:
            if a.start_month and amounts.get((n.programme_id, n.opens_on, a.person_id)) is None:
                day = month_start(a.start_month)
                if day > n.opens_on:
                    later.setdefault((n.programme, day), []).append(a.person_id)
    found = _notice_amounts(later, amount_rows)
    out: dict[int, list[NoticeRow]] = {}
    for n in notices:
        programme = n.programme
        mask = mask_name_keep_last if paper and programme.notice_names == NoticeNames.KEEP_LAST else mask_name
        unit = str(PERIOD_UNITS.get(programme.period, PERIOD_UNITS[Period.MONTHLY]))
        rows = out[n.pk] = []
        for a in by_notice[n.pk]:
            names = mask(a.person.name)
            if a.spouse_id and a.spouse is not None:
                names += _("、") + mask(a.spouse.name)
            amount = amounts.get((n.programme_id, n.opens_on, a.person_id))
            if amount is None and a.start_month:
                amount = found.get((n.programme_id, month_start(a.start_month), a.person_id))
            rows.append(
                NoticeRow(
                    name=names,
                    village=a.org_unit.name,
                    amount=Decimal(amount).quantize(CENT) if amount is not None else None,
                    unit=unit,
                    beneficiaries=2 if a.spouse_id else 1,
                    application_id=a.pk,
                    household_id=a.household_id or a.person.household_id,
                )
            )
    return out


def notice_application_ids(notices: Sequence[PublicNotice]) -> dict[int, list[int]]:
    """Every application each notice named (withdrawn and returned ones too), in one query."""
    out: dict[int, list[int]] = {n.pk: [] for n in notices}
    for notice_id, pk in (
        Application.objects.unscoped("the applications of notices read through scoping")
        .filter(notice__in=list(out))
        .order_by("pk")
        .values_list("notice_id", "pk")
    ):
        out[notice_id].append(pk)
    return out


def notice_households(rows: list[NoticeRow]) -> int:
    """How many households a notice names: a couple who applied one by one, or two children of one family
    under the childcare subsidy, are one household."""
    return len({r.household_id if r.household_id is not None else -r.application_id for r in rows})


def _notice_amounts(
    wanted: dict[tuple[Programme, dt.date], list[int]], amount_rows: dict[int, list[Any]]
) -> dict[tuple[int, dt.date, int], Any]:
    """The amount of each (programme, day)'s persons, keyed (programme id, day, person id), in one query:
    one column per (programme, day), each its programme's amount expression for its own persons."""
    if not wanted:
        return {}
    groups = list(wanted.items())
    columns = {
        f"amount_{i}": Case(
            When(pk__in=ids, then=rules.amount_expression(p, on=day, rows=amount_rows[p.pk])),
            default=Value(None, output_field=rules.AMOUNT_FIELD),
            output_field=rules.AMOUNT_FIELD,
        )
        for i, ((p, day), ids) in enumerate(groups)
    }
    out: dict[tuple[int, dt.date, int], Any] = {}
    for pk, *values in (
        Person.objects.unscoped("the applicants of notices in scope")
        .filter(pk__in={pk for _key, ids in groups for pk in ids})
        .annotate(**columns)
        .values_list("pk", *columns)
    ):
        for ((p, day), _ids), value in zip(groups, values, strict=True):
            if value is not None:
                out[(p.pk, day, pk)] = value
    return out


def public_notices(*, unit: Any = None) -> list[dict[str, Any]]:
    """Open notices for the public portal (no login): title, village, programme, period, masked rows and how
    to object. Nothing identifies a person beyond surname + mask."""
    today = timezone.localdate()
    qs = PublicNotice.objects.filter(status=NoticeStatus.OPEN, opens_on__lte=today, closes_on__gte=today)
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    out = []
    notices = list(qs.select_related("programme", "org_unit__parent").order_by("-opens_on", "org_unit__path"))
    rows_of = notice_rows_of(notices)
    for notice in notices:
        rows = rows_of[notice.pk]
        out.append(
            {
                "title": notice.title,
                "village": notice.org_unit.name,
                "programme": notice.programme.name,
                "legal_basis": notice.programme.legal_basis,
                "opens_on": notice.opens_on,
                "closes_on": notice.closes_on,
                "how_to_object": how_to_object(notice),
                "rows": [
                    {"name": r.name, "village": r.village, "amount": r.amount, "unit": r.unit} for r in rows
                ],
            }
        )
    return out


def how_to_object(notice: PublicNotice) -> str:
    """Where, until when and by which phone to object; the phone is the programme's `objection_phone`. The
    date is written as printed documents write it (2026年9月5日; 2026-09-05 in English)."""
    values = {
        "closes": chinese_date(notice.closes_on),
        "village": notice.org_unit.name,
        "township": notice.org_unit.parent.name if notice.org_unit.parent else "",
        "phone": notice.programme.objection_phone,
    }
    if notice.programme.objection_phone:
        return (
            _(
                "如对公示对象有异议，请于 %(closes)s（含当日）前，以书面、电话或当面方式向%(village)s"
                "或%(township)s计生协反映，异议受理电话：%(phone)s；可署名或匿名，反映人信息严格保密。"
            )
            % values
        )
    return (
        _(
            "如对公示对象有异议，请于 %(closes)s（含当日）前，以书面、电话或当面方式向%(village)s"
            "或%(township)s计生协反映；可署名或匿名，反映人信息严格保密。"
        )
        % values
    )


# --- grievances --------------------------------------------------------------------------------------------


# A grievance not settled within this many days of being recorded is overdue (the 信访 rules give 15 days).
GRIEVANCE_DUE_DAYS = 15


def grievance_overdue_before(today: dt.date | None = None) -> dt.datetime:
    """The moment before which an unsettled grievance is overdue."""
    day = (today or timezone.localdate()) - dt.timedelta(days=GRIEVANCE_DUE_DAYS)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def grievance_list(
    *, actor: Actor, status: str = "", mine: bool = False, overdue_before: dt.datetime | None = None
) -> QuerySet[Grievance]:
    """Grievances in scope; `overdue_before`: still open or in progress and recorded before that moment."""
    qs = scoping.scope(
        Grievance.objects.select_related("org_unit", "application__person", "assigned_to"),
        actor,
        HANDLE_GRIEVANCES,
    )
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(assigned_to=signed_in(actor))
    if overdue_before is not None:
        qs = qs.filter(
            status__in=[GrievanceStatus.OPEN, GrievanceStatus.IN_PROGRESS], created_at__lt=overdue_before
        )
    return qs


def grievance_get(*, actor: Actor, grievance_id: Any) -> Grievance:
    return scoping.get_or_404(
        Grievance.objects.select_related("org_unit", "application__person", "assigned_to", "payment"),
        actor,
        HANDLE_GRIEVANCES,
        pk=grievance_id,
    )


def grievance_assignees(*, actor: Actor, grievance: Grievance) -> QuerySet[Any]:
    """Who the actor may make a grievance's handler: users who may handle grievances at its branch, through
    an assignment inside the actor's own scope (no higher-level staff, no sibling township's)."""
    return scoping.holders(HANDLE_GRIEVANCES, grievance.org_unit, seen_by=actor).order_by("username")


def programme_choices(*, actor: Actor) -> QuerySet[Programme]:
    return Programme.objects.filter(active=True).order_by("name")
